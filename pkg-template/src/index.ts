// permsnap (browser build): verify signed permission snapshots and answer
// from them, in browsers, Node, workerd and Deno; plus the page's refresh
// loop (a session) and the DOM helper. This file only re-exports: see
// core.ts for the shared API. Node and workerd load node.ts / workerd.ts
// instead (package.json `exports`).

export * from "./core.js";
export { createSession, Session, type SessionOptions, type FetchedSnapshot } from "./session.js";
export { applyToDom, type DomOptions, type DomResult, type DomWatch } from "./dom.js";
