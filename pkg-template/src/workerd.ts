// permsnap on Cloudflare Workers / workerd: the .wasm is imported as a
// precompiled WebAssembly.Module (the runtime forbids compiling at request
// time) and initialised synchronously.
import wasmModule from "./permsnap_wasm_bg.wasm";
import { initSync } from "./init.js";

initSync(wasmModule);

export * from "./index.js";
