// Node (and Deno through its `node` condition): the module initialises
// itself synchronously from the package's .wasm file.
import { readFileSync } from "node:fs";
import { initSync } from "./index.js";

initSync(readFileSync(new URL("./permsnap_wasm_bg.wasm", import.meta.url)));

export * from "./index.js";
