// Deno: prints the parity results over the vectors as JSON.
import * as permsnap from "../../pkg/edge/index.js";
import { parity } from "./parity.js";
import * as issuer from "../../pkg/issuer/index.js";
import { issueParity } from "./issuer-parity.js";

await permsnap.init(await Deno.readFile(new URL("../../pkg/edge/permsnap_wasm_bg.wasm", import.meta.url)));
const vectors = JSON.parse(await Deno.readTextFile(new URL("../../vectors/vectors.json", import.meta.url)));
issuer.initSync(await Deno.readFile(new URL("../../pkg/issuer/permsnap_wasm_bg.wasm", import.meta.url)));
console.log(JSON.stringify({ ...(await parity(permsnap, vectors)), ...issueParity(issuer, vectors) }));
