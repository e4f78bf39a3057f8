// permsnap/issuer on Node (and Deno and Bun through the `node` condition):
// initialises itself synchronously from the .wasm file beside it. (Signing
// stays in wasm: with the issuer build's precomputed tables it is as fast
// as node:crypto's Ed25519 here, measured by benches/issuer-bench.mjs.)
import { initFromFile } from "../nodeinit.js";

initFromFile(() => new URL("./permsnap_wasm_bg.wasm", import.meta.url), "node_modules/permsnap/issuer/permsnap_wasm_bg.wasm");

export * from "./index.js";
