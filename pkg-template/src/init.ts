// Loading the WebAssembly module, once per entry. Node and workerd entries
// call `initSync` themselves; browsers and Deno call `init()`.

import initWasm, { initSync as initSyncWasm, type InitInput } from "./permsnap_wasm.js";
import { PermsnapError } from "./errors.js";
import type { WasmModule, WasmSource } from "./types.js";
import { describe, nodeFile } from "./internal.js";

/** Which build's .wasm this entry loads, as `wasmId()` computes it:
 *  defined by scripts/build-pkg.sh (esbuild `--define`) for each build. */
declare const WASM_ID: string;

let ready = false;

/** @internal FNV-1a of a module's export names, sorted, each ended by a
 *  newline: which build's .wasm it is (scripts/build-pkg.sh computes each
 *  build's `WASM_ID` with it). */
export function wasmId(m: WebAssembly.Module): string {
  let h = 0x811c9dc5;
  for (const name of WebAssembly.Module.exports(m).map((e) => e.name).sort()) {
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 10, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

/** `m`, when it is this build's module. Another build's (permsnap/sync's
 *  .wasm given to permsnap/edge...) is refused before wasm-bindgen takes
 *  it: it would keep it for good, every call failing, and a second init
 *  with the right bytes would do nothing. */
function thisBuild(m: WebAssembly.Module): WebAssembly.Module {
  if (wasmId(m) !== WASM_ID) {
    throw new PermsnapError(
      "not_initialized",
      "this .wasm is not this entry's (another permsnap build or version): load the entry's own permsnap_wasm_bg.wasm",
    );
  }
  return m;
}

/** Loads the WebAssembly module (browsers, Deno): from the package's own
 *  `.wasm` file by default, or from a URL, `Response`, bytes or a compiled
 *  `WebAssembly.Module`. Idempotent. */
export async function init(input?: WasmSource): Promise<void> {
  if (ready) return;
  const file = input === undefined ? nodeFile() : undefined;
  if (file !== undefined) {
    initSync(await file());
    return;
  }
  // Bytes or a compiled module: checked first (a URL or a response is
  // compiled and instantiated in one go, streaming).
  if (input instanceof WebAssembly.Module || input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
    let m: WebAssembly.Module;
    try {
      m = input instanceof WebAssembly.Module ? input : await WebAssembly.compile(input as BufferSource);
    } catch (e) {
      throw compileError(e);
    }
    input = thisBuild(m);
  }
  try {
    await initWasm(input === undefined ? undefined : { module_or_path: input as InitInput });
  } catch (e) {
    // A 404 (a bundler that did not emit the .wasm), a blocked fetch, a CSP
    // without 'wasm-unsafe-eval', bytes that are not this module...
    throw new PermsnapError(
      "not_initialized",
      `could not load permsnap's WebAssembly module${input === undefined ? " (permsnap_wasm_bg.wasm beside the package's JavaScript)" : ""}: ${describe(
        e,
      )}. A bundler that does not emit it (esbuild): import the package's permsnap_wasm_bg.wasm with --loader:.wasm=file and pass its URL to init()`,
      { cause: e },
    );
  }
  ready = true;
}

/** Synchronous initialisation from a compiled `WebAssembly.Module` or the
 *  module's bytes (workerd, Node). Idempotent. */
export function initSync(module: WasmModule | ArrayBuffer | ArrayBufferView): void {
  if (ready) return;
  let m: WebAssembly.Module;
  try {
    m = module instanceof WebAssembly.Module ? module : new WebAssembly.Module(module as BufferSource);
  } catch (e) {
    throw compileError(e);
  }
  try {
    initSyncWasm({ module: thisBuild(m) });
  } catch (e) {
    throw e instanceof PermsnapError ? e : compileError(e);
  }
  ready = true;
}

function compileError(e: unknown): PermsnapError {
  return new PermsnapError("not_initialized", `could not compile permsnap's WebAssembly module: ${describe(e)}`, { cause: e });
}

/** True once `init` or `initSync` has run. */
export function isInitialized(): boolean {
  return ready;
}
