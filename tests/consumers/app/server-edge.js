// permsnap/edge in a Node bundle (the .wasm of the edge build, by bytes),
// gating a request as a server would.
import wasm from "permsnap/edge/permsnap_wasm_bg.wasm";
import * as permsnap from "permsnap/edge";
import { runVectors } from "./run.js";

permsnap.initSync(wasm);
console.log(JSON.stringify({ vectors: await runVectors(permsnap), gate: typeof permsnap.Gate }));
