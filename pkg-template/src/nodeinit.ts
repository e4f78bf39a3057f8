// How the Node entries (Node, Deno, Bun) initialise: from their .wasm file,
// read on import with the `node:fs` that `process.getBuiltinModule` gives
// (Node 20.16+ and 22.3+, current Deno and Bun). Importing `node:fs` on the
// way in would cost each cold start about 3.5 ms (building its ES module
// namespace loads `fs/promises` and streams), a fifth of the Node entry's.
// Where the file cannot be read then, importing still succeeds: `init()`
// reads it (importing `node:fs` then: a Node without getBuiltinModule), or
// the app calls `initSync(bytes)`; until then the API says what is missing.
// For the Node entries only: no browser or workerd build imports this file.

import { initSync } from "./init.js";
import { cannotInitialize, describe, notInitialized } from "./internal.js";

type Fs = { readFileSync?: (url: URL) => ArrayBufferView };
type Runtime = { process?: { getBuiltinModule?: (id: string) => unknown } };

/** @internal Initialises from `file()` (beside the entry; in a bundle,
 *  beside the bundle); `packagePath` names it in messages. */
export function initFromFile(file: () => URL, packagePath: string): void {
  let url: URL | undefined;
  const readLater = async (): Promise<ArrayBufferView> => {
    try {
      const fs = await import("node:fs");
      return fs.readFileSync(url as URL);
    } catch (e) {
      failed(e);
      throw notInitialized("init()");
    }
  };
  const failed = (e: unknown) =>
    cannotInitialize(
      `permsnap could not load ${url?.href ?? "its .wasm"} (${describe(e)}): ` +
        `pass the bytes of ${packagePath} to initSync() (in a bundle: or copy it beside the bundle)`,
      e,
      url && readLater,
    );
  try {
    // Throws in a CommonJS bundle: no import.meta.url.
    url = file();
    const runtime = (globalThis as Runtime).process;
    const fs = typeof runtime?.getBuiltinModule === "function" ? (runtime.getBuiltinModule("node:fs") as Fs | null | undefined) : undefined;
    if (typeof fs?.readFileSync !== "function") {
      return cannotInitialize(
        `this runtime has no process.getBuiltinModule (a Node before 20.16 and 22.3), so permsnap reads ${url.href} in init(): await init() first`,
        undefined,
        readLater,
      );
    }
    initSync(fs.readFileSync(url));
  } catch (e) {
    failed(e);
  }
}
