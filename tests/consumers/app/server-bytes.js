// A Node app bundled by esbuild with the .wasm inside the bundle
// (--loader:.wasm=binary gives its bytes): nothing to copy beside it.
import wasm from "permsnap/permsnap_wasm_bg.wasm";
import * as permsnap from "permsnap";
import { runVectors } from "./run.js";

permsnap.initSync(wasm);
console.log(JSON.stringify({ vectors: await runVectors(permsnap) }));
