// `import wasm from "permsnap/permsnap_wasm_bg.wasm"` (the edge build's:
// "permsnap/edge/permsnap_wasm_bg.wasm"): the package's WebAssembly module as
// the bundler or runtime hands over a .wasm file. A URL string (esbuild
// `--loader:.wasm=file`, webpack `asset/resource`), the bytes (esbuild
// `--loader:.wasm=binary`) or a compiled module (workerd, wrangler): `init()`
// takes each, `initSync()` the bytes or the module.
import type { WasmModule } from "./types.js";

declare const wasm: string | Uint8Array | WasmModule;
export default wasm;
