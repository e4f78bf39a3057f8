// How the small core's Node entries (nodeinit.ts) initialise it: the
// functions nodeinit.ts takes from the wasm-bindgen builds' init.ts, here
// the small core's loader and the shared initialisation state.

export { cannotInitialize, describe, notInitialized } from "../internal.js";
export { initSync } from "./wasm.js";
