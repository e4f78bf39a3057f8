// permsnap/edge (edge build): the shared API plus the route gate for edge
// functions (Cloudflare workerd, Deno, Node), keeping keys and revocations
// fresh, and middleware for Hono and Node. Built only into the edge copy of
// the package (pkg/edge/): browsers never download the router, and the edge
// build carries neither the DOM helper nor React. This file only re-exports.

export * from "../core.js";
export type { DecisionCode } from "../types.js";
export { Gate, requestTarget, type Decision, type GateOptions, type RequestLike, type RouteDef } from "./gate.js";
export { Refresher, type RefreshOptions } from "./refresher.js";
export { denial, guard, honoGuard, nodeGuard, type GuardOptions, type PermsnapVariables, type SignedIn } from "./middleware.js";
export type { FetchLike, PlatformResponse } from "../types.js";
