// permsnap (#16): the package's answers — a verified snapshot's `can()`,
// scopes, record filters (id lists beside a snapshot too), redaction,
// applications, features, step-up, `explain`, its claims — its accounts
// (one, per request, any), revocation notices and lists, and its page
// tools (the session, the DOM helper; React in permsnap/react), on the
// small core: no wasm-bindgen, the catalog and the snapshot read in place.
// Two builds of this one file:
// - in browsers, the signature's equation is left to the platform's
//   WebCrypto (so a snapshot is verified with `await verify()`; `load()`
//   takes the bytes of one verified before);
// - `permsnap/sync`, which is `permsnap` in Node, Deno, Bun and workerd
//   (package.json `exports`) and in browsers without Ed25519 in WebCrypto,
//   checks it in WebAssembly: `load()` verifies at once.
// Revocation feeds are the edge's (`applyFeed` refused).

export { init, initSync, isInitialized } from "./wasm.js";
export { PermsnapError } from "../errors.js";
export { Verifier, type VerifierOptions } from "./verifier.js";
export { Permissions } from "./permissions.js";
export type { Permission } from "../permission.js";
export type { Redaction, RedactOptions } from "../redact.js";
export { createSession, Session, type SessionOptions, type FetchedSnapshot } from "../session.js";
export { applyToDom, type DomOptions, type DomResult, type DomWatch } from "../dom.js";
export type {
  CatalogInput, Claims, ErrorCode, Explanation, FeedReport, Jwk, Jwks, KeySetReport, MissingIds, NoticeSummary,
  PermissionName, Reason, RecordFilter, Register, Revocations, Scope, TenantChoice, WasmModule, WasmSource,
} from "../types.js";
