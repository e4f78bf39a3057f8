// Loading the WebAssembly module, once per entry. Node and workerd entries
// call `initSync` themselves; browsers and Deno call `init()`.

import initWasm, { initSync as initSyncWasm, type InitInput, type SyncInitInput } from "./permsnap_wasm.js";
import { PermsnapError } from "./errors.js";
import type { WasmModule, WasmSource } from "./types.js";

let ready = false;
// Why the API is not usable yet: said by `notInitialized()`. An entry that
// could not initialise itself (node.ts: no .wasm beside a bundle) says why.
let missing = "call init() or initSync() first";

/** Loads the WebAssembly module (browsers, Deno): from the package's own
 *  `.wasm` file by default, or from a URL, `Response`, bytes or a compiled
 *  `WebAssembly.Module`. Idempotent. */
export async function init(input?: WasmSource): Promise<void> {
  if (ready) return;
  try {
    await initWasm(input === undefined ? undefined : { module_or_path: input as InitInput });
  } catch (e) {
    // A 404 (a bundler that did not emit the .wasm), a blocked fetch, a CSP
    // without 'wasm-unsafe-eval', bytes that are not this module...
    throw new PermsnapError(
      "not_initialized",
      `could not load permsnap's WebAssembly module${input === undefined ? " (permsnap_wasm_bg.wasm beside the package's JavaScript)" : ""}: ${
        e instanceof Error ? e.message : String(e)
      }. A bundler that does not emit it (esbuild): import the package's permsnap_wasm_bg.wasm with --loader:.wasm=file and pass its URL to init()`,
      { cause: e },
    );
  }
  ready = true;
}

/** Synchronous initialisation from a compiled `WebAssembly.Module` or the
 *  module's bytes (workerd, Node). Idempotent. */
export function initSync(module: WasmModule | ArrayBuffer | ArrayBufferView): void {
  if (ready) return;
  try {
    initSyncWasm({ module: module as SyncInitInput });
  } catch (e) {
    throw new PermsnapError("not_initialized", `could not compile permsnap's WebAssembly module: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  ready = true;
}

/** True once `init` or `initSync` has run. */
export function isInitialized(): boolean {
  return ready;
}

/** @internal The Node entries (Node, Deno, Bun): initialises from the
 *  .wasm file at `url` (beside the entry; in a bundle, beside the bundle),
 *  read by `read` (nodefs.ts). When it cannot be read, importing still
 *  succeeds so that the app can call `initSync(bytes)`; until then the API
 *  says what is missing. */
export function initFromFile(url: URL, read: (url: URL) => ArrayBufferView, packagePath: string): void {
  try {
    initSync(read(url));
  } catch (e) {
    missing =
      `permsnap could not load ${url.href} (${e instanceof Error ? e.message : String(e)}): ` +
      `pass the bytes of ${packagePath} to initSync() first (or copy it beside the bundle)`;
  }
}

/** @internal The error for an API used before initialisation. */
export function notInitialized(what: string): PermsnapError {
  return new PermsnapError("not_initialized", `${what}: ${missing}`);
}
