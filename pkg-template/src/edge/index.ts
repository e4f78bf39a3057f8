// permsnap/edge: the small core's Verifier and Permissions (the browser
// entry's JavaScript, on lean's `edge` core: signatures checked in
// WebAssembly, revocation feeds applied), the route gate for edge
// functions (Cloudflare workerd, Deno, Node), keeping keys and revocations
// fresh, and middleware for Hono and Node. Built only into the edge copy
// of the package (pkg/edge/): browsers never download the router, and the
// edge build carries neither the session, the DOM helper nor React. This
// file only re-exports.

export { init, initSync, isInitialized } from "../browser/wasm.js";
export { PermsnapError } from "../errors.js";
export { Verifier, type VerifierOptions } from "../browser/verifier.js";
export { Permissions } from "../browser/permissions.js";
export type { Permission } from "../permission.js";
export type { Redaction, RedactOptions } from "../redact.js";
export type {
  CatalogInput, Claims, ErrorCode, Explanation, FeedReport, Jwk, Jwks, KeySetReport, MissingIds, NoticeSummary,
  PermissionName, Reason, RecordFilter, Register, Revocations, Scope, TenantChoice, WasmModule, WasmSource,
} from "../types.js";
export type { DecisionCode } from "../types.js";
export { Gate, requestTarget, type Decision, type GateOptions, type RequestLike, type RouteDef } from "./gate.js";
export { Refresher, type RefreshOptions } from "./refresher.js";
export { denial, guard, honoGuard, nodeGuard, type GuardOptions, type PermsnapVariables, type SignedIn } from "./middleware.js";
export type { FetchLike, PlatformResponse } from "../types.js";
