// The package's public data shapes. Those mirroring a Rust type come from
// generated.ts (made from the Rust enums and structs, never edited by hand);
// this file adds what only JavaScript has and the shapes of arguments.
// Every key is camelCase.

import type { Claims, CoreErrorCode, CoreReason, DecisionCode, Scope } from "./generated.js";

export type { Claims, DecisionCode, Scope };

/** Stable error codes: the Rust core's, plus `not_initialized` (JavaScript
 *  only: a Verifier made before `init()`). */
export type ErrorCode = CoreErrorCode | "not_initialized";

/** Why `can(name)` answers what it does; `refused` when the permissions come
 *  from a refused snapshot (`loadOrDeny`, `verifyOrDeny`, `denyAll`). */
export type Reason = CoreReason | { code: "refused"; error: ErrorCode };

/** What `explain(name)` answers. */
export interface Explanation {
  permission: string;
  allowed: boolean;
  reason: Reason;
  /** The action needs the acting person's PIN first. */
  stepUp: boolean;
  message: string;
}

/** Declaration merging point: `permsnap codegen` emits
 *  `declare module "permsnap" { interface Register { permission: Permission } }`
 *  so that `can`, `useCan` and `<Can>` accept only the catalog's names and a
 *  typo fails to type-check. Without it, any string is accepted (and an
 *  unknown name is refused at run time). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Register {}

/** A permission name: the catalog's names once `Register` is augmented. */
export type PermissionName = Register extends { permission: infer P extends string } ? P : string;

/** A JSON Web Key Set as an issuer publishes it (`permsnap keygen` writes
 *  one): `import jwks from "./jwks.json"` fits. Members are typed loosely
 *  (`kty: string`, not `"OKP"`) because the verifier checks every key at run
 *  time: Ed25519 signing keys are used, other keys ignored and reported,
 *  malformed or private keys refused (`invalid_key`). */
export interface Jwks {
  keys: ReadonlyArray<Jwk>;
}

/** One key of a `Jwks` (RFC 7517): an Ed25519 key has `kty: "OKP"`,
 *  `crv: "Ed25519"`, `x` and `kid`. */
export interface Jwk {
  kty: string;
  crv?: string;
  x?: string;
  kid?: string;
  alg?: string;
  use?: string;
  [member: string]: unknown;
}

/** A compiled catalog, as `permsnap catalog <policy>` makes it: the printed
 *  object (its `binary` member is used), the base64url text, or the bytes. */
export type CatalogInput = { binary: string } | string | Uint8Array;

/** A verifier's clock and its tolerance. */
export interface ClockOptions {
  /** Clock skew tolerated, seconds (default 30, at most 86400). */
  leeway?: number;
  /** The clock, in seconds since the Unix epoch (default: `Date.now() / 1000`). */
  clock?: () => number;
}

/** The edge's revocation feeds (`permsnap/edge` only). */
export interface FeedOptions {
  /** Every snapshot is refused `stale_feed` until a signed revocation feed
   *  (`applyFeed`) no older than this many seconds has been applied: an
   *  edge then never decides on revocations it has not seen (a whole
   *  number, at least 1; default: no limit). */
  maxFeedAge?: number;
}

/** How a verifier checks the account (tenant) of a snapshot: exactly one of
 *  `tenant`, `tenantPerRequest` or `anyTenant` is required, so that leaving
 *  it out (or misspelling it) cannot accept another account's snapshots.
 *  (The options of the reference build, which the tests hold the shipped
 *  entries to: each entry's own are in its `options.ts`.) */
export type VerifierOptions = TenantChoice & ClockOptions;

export type TenantChoice =
  /** Refuse snapshots of any other account. */
  | { tenant: string; tenantPerRequest?: never; anyTenant?: never }
  /** One edge serves many accounts: the account is named per request (a
   *  `Gate`'s `tenantOf`, or `loadFor(snapshot, tenant)`); `load` refuses. */
  | { tenantPerRequest: true; tenant?: never; anyTenant?: never }
  /** Explicit opt-out: any account signed by the trusted keys (tools, tests). */
  | { anyTenant: true; tenant?: never; tenantPerRequest?: never };

/** Which records a person may see, as data an app can push into a query:
 *  keep a record when `all`, or when any clause matches (the record's
 *  `field` — a string, a number, or an array holding one — is in `values`). */
export interface RecordFilter {
  kind: string;
  scope: "none" | "own" | "assigned" | "specific" | "all";
  all: boolean;
  clauses: Array<{ field: string; values: string[] }>;
}

export interface Revocations {
  /** Per account: snapshots with a lower epoch are revoked. */
  minEpoch?: Record<string, number>;
  /** Revoked snapshot ids (16 hex digits). */
  ids?: string[];
}

/** What a revocation notice changed (`Verifier.applyNotice`). */
export interface NoticeSummary {
  tenant: string;
  minEpoch: number;
  /** How many snapshot ids the notice revokes. */
  ids: number;
  /** How many people it revokes (every snapshot issued to them before
   *  their new version). */
  staff: number;
}

/** What `Verifier.applyFeed` did with a verified feed head's notices. */
export interface FeedReport {
  /** When the head was signed, seconds since the Unix epoch. */
  issuedAt: number;
  /** Notices verified and applied. */
  applied: number;
  /** Notices of another account, skipped. */
  skipped: number;
  /** Notices that could not be verified or read, by position in the feed:
   *  the feed then does not count as current (`feedAt` unchanged). */
  failed: Array<{ index: number; code: ErrorCode; message: string }>;
}

/** An id list a snapshot names and that is not attached yet
 *  (`Permissions.missingIds`): the `listed` scope of `kind`. */
export interface MissingIds {
  kind: string;
  /** The list's digest (hex), as the snapshot's `listed` scope names it. */
  digest: string;
}

/** What `setJwks` (and the constructor) made of a key set. Keys that are not
 *  Ed25519 signing keys (an app's RS256 or encryption keys published in the
 *  same JWKS) are ignored, as RFC 7517 asks, and reported here. */
export interface KeySetReport {
  /** Ed25519 signing keys now trusted. */
  keys: number;
  /** Keys left out, with the reason. */
  ignored: Array<{ kid: string; reason: string }>;
}

// ---------------------------------------------------------------- platform
// The fetch and WebAssembly types the declarations mention. Each is the
// consumer's own global type when its libraries declare one (DOM, WebWorker,
// @types/node, Deno, Bun, @cloudflare/workers-types), else a minimal shape,
// so that the package's .d.ts type-check with `lib: ["ES2022"]` alone
// (tests/consumers/app/ts/tsconfig.edge.json).

/** Instances of the global class `K`, where the consumer's libraries declare
 *  it as a global `var` (DOM, @types/node), else `Otherwise`. */
type GlobalInstance<K extends string, Otherwise> =
  typeof globalThis extends { [P in K]: { prototype: infer T } } ? T : Otherwise;

/** The runtime's `Response`: what its global `fetch` resolves to (a
 *  `declare class Response`, as in workers-types, is not on `globalThis`;
 *  `fetch` is), else a minimal shape. */
export type PlatformResponse = typeof globalThis extends { fetch: (...args: never[]) => Promise<infer R> }
  ? R
  : GlobalInstance<"Response", { readonly ok: boolean; readonly status: number; text(): Promise<string>; json(): Promise<unknown> }>;

/** A compiled `WebAssembly.Module` (never, where no library declares WebAssembly). */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : never;

/** Where `init()` loads the WebAssembly module from: its URL (a string or a
 *  `URL`), a fetch `Request` or `Response`, its bytes, or a compiled module. */
export type WasmSource =
  | string
  | GlobalInstance<"URL", never>
  | GlobalInstance<"Request", never>
  | PlatformResponse
  | ArrayBuffer
  | ArrayBufferView
  | WasmModule;

/** The `fetch` a `Refresher` calls (the global one fits; so does a stub). */
export type FetchLike = (
  url: string,
  // `signal`: the platform's AbortSignal (typed by its one property read
  // here, so that the edge's types need no DOM library).
  init: { headers: Record<string, string>; redirect: "manual"; signal?: { readonly aborted: boolean } },
) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  readonly type?: string;
  /** Read when present (a platform `Response`): at most 8 MiB, JSON that
   *  names no key twice in one object. */
  readonly body?: unknown;
  text?(): Promise<string>;
  /** Read only when the answer has neither `body` nor `text` (a stub). */
  json(): Promise<unknown>;
}>;
