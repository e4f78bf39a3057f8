// The reference build (not shipped: scripts/build-pkg.sh puts it in
// target/reference/): the package's API on the wasm-bindgen build of the
// crate itself (`wasm,ed25519`), every answer computed by the Rust
// reference, with `filterIndexesReference`. The JavaScript tests hold the
// small core's entries to it. This file only re-exports: see core.ts.

export * from "../core.js";
export { createSession, Session, type SessionOptions, type FetchedSnapshot } from "../session.js";
export { applyToDom, type DomOptions, type DomResult, type DomWatch } from "../dom.js";
