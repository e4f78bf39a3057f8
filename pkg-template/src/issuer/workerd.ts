// permsnap/issuer on Cloudflare Workers / workerd: the .wasm imported as a
// precompiled WebAssembly.Module, initialised synchronously.
import wasmModule from "./permsnap_wasm_bg.wasm";
import { initSync } from "../init.js";

initSync(wasmModule);

export * from "./index.js";
