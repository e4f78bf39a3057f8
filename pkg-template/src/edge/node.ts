// permsnap/edge on Node (and Deno and Bun through the `node` condition): the
// module initialises itself synchronously from the .wasm file beside it (in
// a bundle: beside the bundle; or the app calls initSync(bytes)).
import { initFromFile } from "../nodeinit.js";

initFromFile(() => new URL("./permsnap_wasm_bg.wasm", import.meta.url), "node_modules/permsnap/edge/permsnap_wasm_bg.wasm");

export * from "./index.js";
