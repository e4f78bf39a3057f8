// Reading a file synchronously in Node, Deno and Bun without importing
// `node:fs`: its ES module namespace alone costs about 3.5 ms of a cold
// start (building it loads `fs/promises` and streams), a fifth of the Node
// entry's. `process.getBuiltinModule` (Node 20.16+ and 22.3+, Deno, Bun)
// gives the module as it is. For the Node entries only: no browser or
// workerd build imports this file.

type Runtime = { process?: { getBuiltinModule?: (id: string) => unknown } };

/** @internal `node:fs`'s `readFileSync(url)`; throws where the runtime
 *  does not give `node:fs` that way (an older Node: then the app calls
 *  `initSync(bytes)`, init.ts's message says so). */
export function readFile(url: URL): ArrayBufferView {
  const runtime = (globalThis as Runtime).process;
  const fs = typeof runtime?.getBuiltinModule === "function"
    ? (runtime.getBuiltinModule("node:fs") as { readFileSync?: (url: URL) => ArrayBufferView } | undefined)
    : undefined;
  if (typeof fs?.readFileSync !== "function") {
    throw new Error("this runtime has no process.getBuiltinModule: Node 20.16+, 22.3+, Deno and Bun have it");
  }
  return fs.readFileSync(url);
}
