// permsnap/lite: the browser entry on the small core (lean/, #16). The
// default entry's first answers — a verified snapshot's `can()`, scopes,
// record filters and redaction — in a fraction of its download: no
// wasm-bindgen, the catalog and the snapshot read in place, the signature's
// equation left to the platform's WebCrypto. Not in it (use the default
// entry): revocation notices and lists, id lists beside a snapshot,
// `explain`, claims, applications and features, step-up, sessions and the
// DOM helper.

export { init, initSync, isInitialized } from "./wasm.js";
export { PermsnapError } from "../errors.js";
export { Verifier, type LiteVerifierOptions } from "./verifier.js";
export { Permissions } from "./permissions.js";
export type { Redaction, RedactOptions } from "../redact.js";
export type { CatalogInput, ErrorCode, Jwk, Jwks, PermissionName, RecordFilter, Register, Scope, WasmModule, WasmSource } from "../types.js";
