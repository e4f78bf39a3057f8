// permsnap/sync in browsers: the browser entry's API, signatures checked in
// WebAssembly (synchronous loads; for browsers without Ed25519 in
// WebCrypto); plus the page's refresh loop (a session) and the DOM helper.
// This file only re-exports: see core.ts for the shared API. Node and
// workerd load node.ts / workerd.ts instead (package.json `exports`).

export * from "../core.js";
export { createSession, Session, type SessionOptions, type FetchedSnapshot } from "../session.js";
export { applyToDom, type DomOptions, type DomResult, type DomWatch } from "../dom.js";
