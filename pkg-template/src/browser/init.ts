// How the small core's Node entries (nodeinit.ts) initialise it: the
// `initSync` nodeinit.ts takes from the wasm-bindgen builds' init.ts, here
// the small core's loader's.

export { initSync } from "./wasm.js";
