// How the small core's Node entries (nodeinit.ts) initialise it: the
// functions nodeinit.ts takes from the wasm-bindgen builds' init.ts, here
// from the small core's loader.

export { cannotInitialize, describe, initSync, notInitialized } from "./wasm.js";
