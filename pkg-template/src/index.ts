// permsnap (browser build): verify signed permission snapshots and answer
// from them, in browsers, Node, workerd and Deno; plus the DOM helper.
// This file only re-exports: see core.ts for the shared API. Node and
// workerd load node.ts / workerd.ts instead (package.json `exports`).

export * from "./core.js";
export { applyToDom, type DomOptions, type DomResult, type DomWatch } from "./dom.js";
