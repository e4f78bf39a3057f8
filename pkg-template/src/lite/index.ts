// permsnap/lite: the browser entry on the small core (lean/, #16). The
// default entry's answers — a verified snapshot's `can()`, scopes, record
// filters (id lists beside a snapshot too), redaction, applications,
// features, step-up, `explain`, its claims — its accounts (one, per
// request, any), revocation notices and lists, and its page tools (the
// session, the DOM helper; React in permsnap/lite/react) in a fraction of
// its download: no wasm-bindgen, the catalog and the snapshot read in
// place, the signature's equation left to the platform's WebCrypto. Not in
// it: `filterIndexesReference` (the Rust reference filter, for audits);
// revocation feeds are the edge's (`applyFeed` refused, as in the default
// entry's browser build).

export { init, initSync, isInitialized } from "./wasm.js";
export { PermsnapError } from "../errors.js";
export { Verifier, type LiteVerifierOptions } from "./verifier.js";
export { Permissions } from "./permissions.js";
export type { Redaction, RedactOptions } from "../redact.js";
export { createSession, Session, type SessionOptions, type FetchedSnapshot } from "../session.js";
export { applyToDom, type DomOptions, type DomResult, type DomWatch } from "../dom.js";
export type { CatalogInput, Claims, ErrorCode, Explanation, Jwk, Jwks, KeySetReport, MissingIds, NoticeSummary, PermissionName, Reason, RecordFilter, Register, Revocations, Scope, TenantChoice, WasmModule, WasmSource } from "../types.js";
