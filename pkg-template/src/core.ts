// The public API every entry shares (browser and edge builds, every
// runtime): names listed one by one, so that nothing a module exports for
// the package's own use (internal.ts, the functions tagged internal) becomes
// API. (No at-sign tag in this comment: `stripInternal` would drop the line
// below it, `init` with it.)

export { init, initSync, isInitialized } from "./init.js";
export { PermsnapError } from "./errors.js";
export { Verifier } from "./verifier.js";
export { Permissions } from "./permissions.js";
export type { Permission } from "./permission.js";
export type { Redaction, RedactOptions } from "./redact.js";
export type {
  CatalogInput, Claims, ErrorCode, Explanation, FeedReport, Jwk, Jwks, KeySetReport, MissingIds, NoticeSummary,
  PermissionName, Reason, RecordFilter, Register, Revocations, Scope, TenantChoice, VerifierOptions, WasmModule, WasmSource,
} from "./types.js";
