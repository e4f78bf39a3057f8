// permsnap/issuer: issue snapshots from a JavaScript backend (Node, Deno,
// Bun, workerd). Server-only: its own WebAssembly build, never part of a
// browser's download (the package's `browser` condition maps this entry to
// a module that throws). The same issuer as the Rust crate: records and
// roles are read by the Rust readers, strictly (an unknown column or key is
// an error, never ignored, unless named in `ignore`).

import { Issuer as WasmIssuer, generateKeyJwk } from "../permsnap_wasm.js";
import { PermsnapError } from "../errors.js";
import { noExtra, notInitialized, strictOptions, wasmCall, parseJson } from "../internal.js";
import { plainJson } from "../plain.js";
import { isInitialized } from "../init.js";

export { PermsnapError } from "../errors.js";
export { snapshotHandler, honoSnapshot, expressSnapshot, type SnapshotEndpointOptions, type SignedInStaff } from "./http.js";
export { init, initSync, isInitialized } from "../init.js";

/** A staff record as the app's database holds it (see the README:
 *  `id`, `roles`, `version`, `grant`, `remove`, `scopes`, …). */
export type StaffRecord = Record<string, unknown> & { id: string };
/** A role (permission group) of one account. */
export type RoleDef = Record<string, unknown> & { id: string };

/** A signed snapshot and what the issuer noticed. */
export interface IssuedSnapshot {
  /** The base64url text: the cookie value or `Authorization: Permsnap <text>`. */
  snapshot: string;
  /** Snapshot id (16 hex digits), what a revocation by id names. */
  id: string;
  /** Seconds since the Unix epoch. */
  issuedAt: number;
  expiresAt: number;
  /** Adjustments without effect (never silently dropped): code, person, field. */
  warnings: { code: string; staff: string; field: string; message: string }[];
  /** Long `specific` lists that travel beside the snapshot (`withIds`). */
  idLists: { kind: string; digest: string; count: number; list: string }[];
}

/** A signed step-up proof: send `proof` in the `Permsnap-Step-Up` header. */
export interface StepUpProof {
  proof: string;
  /** Hex; the edge reports it too: record it to accept each proof once. */
  nonce: string;
  actor: string;
  permission: string;
  method: string;
  path: string;
  expiresAt: number;
}

export interface IssuerOptions {
  /** Record columns to drop (e.g. `["email", "created_at"]`). Any other
   *  unknown column is an error; a name close to an access key, or one that
   *  smells of a secret (`pin_hash`), cannot be ignored. */
  ignore?: string[];
  /** The clock, seconds since the Unix epoch (default `Date.now() / 1000`). */
  clock?: () => number;
}

function call<T>(f: () => T): T {
  if (!isInitialized()) throw notInitialized("permsnap/issuer needs the WebAssembly module");
  return wasmCall(f);
}

function parsed<T>(text: string): T {
  return parseJson(text, "invalid_argument") as T;
}

function tenantArg(tenant: unknown): string {
  if (typeof tenant !== "string") throw new PermsnapError("invalid_argument", "`tenant` is a string");
  // A lone surrogate would reach wasm as U+FFFD: another account's id.
  if (!(tenant as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new PermsnapError("invalid_argument", "`tenant` holds a lone surrogate (text decoded with errors?)");
  }
  return tenant;
}

function stringArray(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new PermsnapError("invalid_argument", `${what} is an array of strings`);
  }
  return v as string[];
}

// The argument's shape is the caller's (`invalid_argument`, as in Python),
// before its content is the policy's (`invalid_policy`): roles given as an
// object keyed by id, or a record as an array of rows, were
// `invalid_policy` here and `invalid_argument` in Python (review, session 23).
function arrayArg(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new PermsnapError("invalid_argument", `${what} is an array, not ${v === null ? "null" : typeof v}`);
  return v;
}

function recordArg(v: unknown, what: string): object {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new PermsnapError("invalid_argument", `${what} is an object, not ${v === null ? "null" : Array.isArray(v) ? "an array" : typeof v}`);
  }
  return v;
}

/** Issues and signs snapshots, revocation notices, feed heads and step-up
 *  proofs with one key for one catalog. Build it once per process. */
export class Issuer {
  #w: WasmIssuer;
  #clock: () => number;

  /** `catalog`: the catalog definition (an object, or the JSON text of a
   *  policy file or catalog); `privateJwk`: what `generateKey()` or
   *  `permsnap keygen` wrote (object or JSON text). */
  constructor(catalog: object | string, privateJwk: object | string, options?: IssuerOptions) {
    noExtra(arguments.length, 3, "new Issuer");
    const o = strictOptions(options, ["ignore", "clock"], "Issuer options");
    if (o.clock !== undefined && typeof o.clock !== "function") throw new PermsnapError("invalid_argument", "`clock` is a function returning seconds");
    const ignore = o.ignore === undefined ? [] : stringArray(o.ignore, "`ignore`");
    const text = (v: unknown, what: string) => (typeof v === "string" ? v : plainJson(v, what, "invalid_argument"));
    this.#w = call(() => new WasmIssuer(text(catalog, "catalog"), text(privateJwk, "privateJwk"), JSON.stringify(ignore)));
    this.#clock = (o.clock as () => number) ?? (() => Date.now() / 1000);
  }

  #now(now: unknown): number {
    if (now === undefined) {
      // What the clock answers is read as strictly as `now`: text, `null`
      // or `true` became a number here, and `null` signed a snapshot of
      // 1970 (attack review, session 16).
      const t: unknown = this.#clock();
      if (typeof t !== "number" || !Number.isFinite(t)) throw new PermsnapError("invalid_argument", `the clock answers seconds since the Unix epoch (a number), not ${t === null ? "null" : typeof t}`);
      return Math.floor(t);
    }
    if (typeof now !== "number" || !Number.isFinite(now)) throw new PermsnapError("invalid_argument", "`now` is seconds since the Unix epoch");
    return now;
  }

  /** Loads (or replaces) one account's roles, once, and again whenever an
   *  admin edits them. Returns the broken roles (each refuses its holders
   *  only, `unknown_role`). */
  setAccount(tenant: string, roles: RoleDef[], options?: { features?: string[]; epoch?: number }): { role: string; problem: string }[] {
    let t: string;
    try {
      t = tenantArg(tenant);
    } catch (e) {
      // A tenant that is no string (`42`, `42n`, a `String` object) names
      // no account that can be told: every account is unloaded, rather
      // than one keep the roles of before this edit (attack review,
      // session 14).
      this.#w.unloadAllAccounts();
      throw e;
    }
    let rolesJson: string;
    let featuresJson: string;
    let epoch: unknown;
    try {
      // An extra argument (`setAccount(t, roles, {}, { epoch })`) is
      // refused like a wrong option, and unloads the account (attack
      // review, session 16: it was ignored).
      noExtra(arguments.length, 3, "setAccount");
      const o = strictOptions(options, ["features", "epoch"], "account options");
      featuresJson = JSON.stringify(o.features === undefined ? [] : stringArray(o.features, "`features`"));
      // Left out: 0; `null` (a NULL column) is refused below, as in Python.
      epoch = o.epoch === undefined ? 0 : o.epoch;
      if (typeof epoch !== "number" || !Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) {
        throw new PermsnapError("invalid_argument", "`epoch` is a whole number from 0 to 4294967295");
      }
      rolesJson = plainJson(arrayArg(roles, "`roles`"), "roles", "invalid_argument");
    } catch (e) {
      // A refused call unloads the account, as wasm does for what it
      // refuses: the roles of before this edit (perhaps wider) must not
      // stay in force (an `epoch` of node-postgres' BIGINT text, say).
      this.#w.unloadAccount(t);
      throw e;
    }
    return parsed(call(() => this.#w.setAccount(t, rolesJson, featuresJson, epoch as number)));
  }

  /** Issues a snapshot for one staff record of `tenant` (loaded with
   *  `setAccount`). `lifetime` seconds (default 900, at most 86,400); `id`
   *  16 hex digits (tests and parity vectors; random by default). */
  issue(tenant: string, record: StaffRecord, options?: { now?: number; lifetime?: number; id?: string }): IssuedSnapshot {
    noExtra(arguments.length, 3, "issue");
    const o = strictOptions(options, ["now", "lifetime", "id"], "issue options");
    // `NaN` (a setting like "60s" through `Number`) would reach wasm as
    // `null` in JSON: refused here, with what it should be.
    if (o.lifetime !== undefined && !(Number.isInteger(o.lifetime) && (o.lifetime as number) >= 1 && (o.lifetime as number) <= 86_400)) {
      throw new PermsnapError("invalid_argument", `\`lifetime\` is a whole number of seconds from 1 to 86400, not ${String(o.lifetime)}`);
    }
    if (o.id !== undefined && typeof o.id !== "string") throw new PermsnapError("invalid_argument", "`id` is 16 hex digits");
    const args = JSON.stringify({ now: this.#now(o.now), lifetime: o.lifetime, id: o.id });
    const row = plainJson(recordArg(record, "`record`"), "record", "invalid_argument");
    const t = tenantArg(tenant);
    return parsed(call(() => this.#w.issue(t, row, args)));
  }

  /** The account check an app runs when it saves staff: broken roles,
   *  account rules (one principal admin, one owner…), who would be refused
   *  and why, and every adjustment without effect. Never stops anyone's
   *  snapshot. */
  review(tenant: string, staff: StaffRecord[]): { problems: { code: string; message: string }[]; warnings: IssuedSnapshot["warnings"] } {
    noExtra(arguments.length, 2, "review");
    const t = tenantArg(tenant);
    return parsed(call(() => this.#w.review(t, plainJson(arrayArg(staff, "`staff`"), "staff", "invalid_argument"))));
  }

  /** Signs a revocation notice (base64url text): every snapshot of the
   *  account before `beforeEpoch`, these snapshot ids, and per person every
   *  snapshot before their new `version` (`staff: [{ subject, before }]`). */
  revoke(notice: { tenant: string; beforeEpoch?: number; ids?: string[]; staff?: { subject: string; before: number }[]; now?: number }): string {
    noExtra(arguments.length, 1, "revoke");
    const o = strictOptions(notice, ["tenant", "beforeEpoch", "ids", "staff", "now"], "notice");
    const args = plainJson({ ...o, now: this.#now(o.now) }, "notice", "invalid_argument");
    return call(() => this.#w.revoke(args));
  }

  /** Signs the head of a revocation feed holding `notices` (texts, in feed
   *  order): of account `tenant`, or, with `tenant` `null` and
   *  `{ allAccounts: true }`, of every account. Serve `{ head, notices }`
   *  where edges fetch their feed. (`null` alone is refused: a NULL
   *  account id would sign a head every account's edges take as current,
   *  without their notices; attack review, session 16.) */
  feedHead(tenant: string | null, notices: string[], options?: { now?: number; allAccounts?: boolean }): string {
    noExtra(arguments.length, 3, "feedHead");
    const o = strictOptions(options, ["now", "allAccounts"], "feed options");
    if (o.allAccounts !== undefined && typeof o.allAccounts !== "boolean") throw new PermsnapError("invalid_argument", "`allAccounts` is true or false");
    if (tenant === null && o.allAccounts !== true) throw new PermsnapError("invalid_argument", "`tenant` is null: a feed of every account says so (`{ allAccounts: true }`); a NULL account id is not every account");
    if (tenant !== null && o.allAccounts === true) throw new PermsnapError("invalid_argument", "a feed is of one account (`tenant`) or of every account (`allAccounts`), not both");
    if (tenant !== null && typeof tenant !== "string") throw new PermsnapError("invalid_argument", "`tenant` is a string or null");
    const list = stringArray(notices, "`notices`");
    return call(() => this.#w.feedHead(tenant ?? undefined, this.#now(o.now), list));
  }

  /** Once the backend has checked `actor`'s PIN (the PIN never reaches
   *  permsnap) on the shared account whose snapshot the request carried,
   *  signs a step-up proof for that one action, method and canonical path,
   *  valid `lifetime` seconds (default and at most 60). */
  stepUp(snapshot: string | Uint8Array, request: { actor: string; permission: string; method: string; path: string; lifetime?: number; now?: number }): StepUpProof {
    noExtra(arguments.length, 2, "stepUp");
    const o = strictOptions(request, ["actor", "permission", "method", "path", "lifetime", "now"], "step-up request");
    const args = plainJson({ ...o, now: this.#now(o.now) }, "step-up request", "invalid_argument");
    return parsed(call(() => this.#w.stepUp(snapshot, args)));
  }

  /** The JWKS verifiers and edges load (this issuer's public key). */
  publicJwks(): { keys: object[] } {
    noExtra(arguments.length, 0, "publicJwks");
    return parsed(call(() => this.#w.publicJwks()));
  }

  /** Releases the WebAssembly memory. */
  free(): void {
    this.#w.free();
  }
}

/** A new Ed25519 signing key: the private JWK (keep it secret, e.g. in a
 *  secrets store) and the JWKS to publish. */
export function generateKey(options?: { kid?: string }): { privateJwk: string; jwks: { keys: object[] } } {
  noExtra(arguments.length, 1, "generateKey");
  const o = strictOptions(options, ["kid"], "key options");
  if (o.kid !== undefined && typeof o.kid !== "string") throw new PermsnapError("invalid_argument", "`kid` is a string");
  return parsed(call(() => generateKeyJwk(o.kid as string | undefined)));
}
