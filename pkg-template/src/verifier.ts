// The Verifier: a catalog and trusted keys, checking snapshots. It is
// compiled against the wasm-bindgen output (./permsnap_wasm.d.ts), so the two
// cannot drift apart.

import { Verifier as WasmVerifier, type Permissions as WasmPermissions } from "./permsnap_wasm.js";
import { PermsnapError } from "./errors.js";
import { isInitialized } from "./init.js";
import { accountId, inputBytes, interned, isBytes, noExtra, notInitialized, ownBytes, parseJson, plainData, readClock, text, wasmCall } from "./internal.js";
import { allowedMap, permissionsFrom, expireIn, type CatalogInfo, type Permissions } from "./permissions.js";
import { recheckAll } from "./expiry.js";
import type { CatalogInput, FeedReport, Jwks, KeySetReport, NoticeSummary, PermissionName, Revocations, VerifierOptions } from "./types.js";
import { permissionOf, type Permission } from "./permission.js";

const VERIFIER = Symbol.for("permsnap.Verifier");

/** Verifies snapshots. Build it once (catalog + JWKS), load many snapshots.
 *
 *  The reference build (target/reference/, not shipped: the JavaScript
 *  tests hold the small core's entries to it) verifies in WebAssembly:
 *  `load`, `loadFor`, `loadOrDeny` and `applyNotice` answer
 *  synchronously; `verify`, `verifyFor`, `verifyOrDeny` and
 *  `verifyNotice` are the same as promises. Revocation feeds are
 *  `permsnap/edge`'s (refused here). */
export class Verifier {
  #w: WasmVerifier;
  #info: CatalogInfo;
  #clock?: () => number;
  #denied: WasmPermissions | null = null;
  /** Moves on each time the revocations change (`CatalogInfo.revocations`). */
  #revocations = 0;
  #report: KeySetReport;
  /** The leeway, seconds (fixed at construction). */
  #leeway: number;
  /** `permission(name)`'s handles, made on first use. */
  #handles: Map<string, Permission> | undefined;

  constructor(catalog: CatalogInput, jwks: Jwks | string, options: VerifierOptions) {
    noExtra(arguments.length, 3, "new Verifier");
    if (!isInitialized()) throw notInitialized("a Verifier needs the WebAssembly module");
    if (typeof options !== "object" || options === null) {
      throw new PermsnapError("invalid_argument",
        "a Verifier needs options naming its account: { tenant: \"acme\" }, { tenantPerRequest: true } or { anyTenant: true }");
    }
    // Own data only, copied before wasm reads it (`plainData`): an option
    // inherited from a polluted `Object.prototype` (`leeway`, `clock`) is
    // never read, and no getter of the app runs inside wasm.
    const rest = plainData(options, "Verifier options", "invalid_argument", ["clock"]) as Record<string, unknown>;
    const clock = rest.clock as (() => number) | undefined;
    delete rest.clock;
    if (typeof rest.tenant === "string" && rest.tenant !== "") accountId(rest.tenant, "`tenant`");
    if (clock !== undefined && typeof clock !== "function") {
      throw new PermsnapError("invalid_argument", "`clock` is a function returning seconds since the Unix epoch");
    }
    const keys = plainData(typeof jwks === "string" ? parseJson(jwks, "invalid_key") : jwks, "the JWKS", "invalid_key");
    // The object `permsnap catalog` prints is read as data too.
    // Bytes copied from the array's own storage (`ownBytes`: a subclass or
    // proxy may lie about its length).
    const compiled = typeof catalog === "object" && catalog !== null && !isBytes(catalog)
      ? plainData(catalog, "the catalog")
      : ownBytes(catalog);
    this.#w = wasmCall(() => new WasmVerifier(compiled, keys, rest));
    const w = this.#w;
    const fields = new Map<string, string[]>();
    // Interned (as property keys are): the names an app passes to `can()`
    // are literals, which the engine interns, so a lookup in the allowed
    // map then compares pointers instead of the characters of two copies.
    const names = w.permissionNames().map(interned);
    // What each snapshot text allows, for the loads of it again (a map per
    // snapshot, not per load; the last few texts).
    const allowedByText = new Map<string, ReadonlyMap<string, boolean>>();
    this.#info = {
      names,
      none: allowedMap(names, null),
      allowed: (p, key) => {
        let m = key === null ? undefined : allowedByText.get(key);
        if (m === undefined) {
          m = allowedMap(names, p.allowedBits());
          if (key !== null) {
            if (allowedByText.size >= 16) allowedByText.delete(allowedByText.keys().next().value as string);
            allowedByText.set(key, m);
          }
        }
        return m;
      },
      kinds: w.kindNames(),
      fingerprint: w.fingerprint,
      fields: (kind) => {
        let f = fields.get(text(kind, "a kind"));
        if (!f) {
          this.#live();
          f = wasmCall(() => w.fieldNames(kind));
          fields.set(kind, f);
        }
        return f;
      },
      denied: () => (this.#denied ??= this.#w.denyAll()),
      revocations: () => this.#revocations,
      recheck: (p) => {
        try {
          wasmCall(() => this.#w.recheck(p, this.#now()));
          return null;
        } catch (e) {
          // A verifier freed since, a clock that fails: not known to be
          // good, so not answering yes.
          return e instanceof PermsnapError ? e : new PermsnapError("revoked", "these permissions could not be checked against the revocations applied since they were loaded", { cause: e });
        }
      },
    };
    this.#report = w.keyReport() as KeySetReport;
    this.#clock = clock;
    this.#leeway = this.#w.leeway;
    Object.defineProperty(this, VERIFIER, { value: true });
  }

  /** Verifies a snapshot (base64url text or bytes) and returns what it
   *  allows, or throws a `PermsnapError` naming the cause. A verifier made
   *  with `tenantPerRequest` refuses: use `loadFor`. */
  load(snapshot: string | Uint8Array): Permissions {
    noExtra(arguments.length, 1, "load");
    this.#live();
    const now = this.#now();
    const bytes = inputBytes(snapshot);
    const p = wasmCall(() => this.#w.load(bytes, now));
    return this.#expiring(permissionsFrom(p, this.#info, null, false, typeof snapshot === "string" ? snapshot : null), now);
  }

  /** `load`, for the account `tenant` (what this request is for): the
   *  snapshot must belong to it (`wrong_tenant` otherwise). */
  loadFor(snapshot: string | Uint8Array, tenant: string): Permissions {
    noExtra(arguments.length, 2, "loadFor");
    this.#live();
    checkTenant(tenant);
    const now = this.#now();
    const bytes = inputBytes(snapshot);
    const p = wasmCall(() => this.#w.loadFor(bytes, tenant, now));
    return this.#expiring(permissionsFrom(p, this.#info, null, false, typeof snapshot === "string" ? snapshot : null), now);
  }

  /** `p` turns into deny-all (`error` `expired`) when `load` would refuse
   *  it (its expiry plus the leeway, by this verifier's clock): one timer
   *  per load, no clock read per check. The edge build arms none
   *  (edge/expiry.ts) (a server loads per request, thousands a second;
   *  each load checks the time). */
  #expiring(p: Permissions, now: number | undefined): Permissions {
    expireIn(p, (p.expiresAt + this.#leeway - (now ?? Date.now() / 1000)) * 1000);
    return p;
  }

  /** Like `load`, but never throws for a refused snapshot: returns
   *  permissions that deny everything, with the refusal in `error`
   *  (`no_snapshot` when there is none). */
  loadOrDeny(snapshot: string | Uint8Array | null | undefined): Permissions {
    noExtra(arguments.length, 1, "loadOrDeny");
    if (snapshot === null || snapshot === undefined || snapshot === "") {
      return this.denyAll(new PermsnapError("no_snapshot", "no snapshot"));
    }
    try {
      return this.load(snapshot);
    } catch (e) {
      if (e instanceof PermsnapError) return this.denyAll(e);
      throw e;
    }
  }

  /** `load` as a promise, as in every entry: resolves with what the
   *  snapshot allows, rejects with the `PermsnapError` naming the refusal. */
  async verify(snapshot: string | Uint8Array): Promise<Permissions> {
    noExtra(arguments.length, 1, "verify");
    return this.#verified(snapshot, (input) => this.load(input));
  }

  /** `loadFor` as a promise. */
  async verifyFor(snapshot: string | Uint8Array, tenant: string): Promise<Permissions> {
    noExtra(arguments.length, 2, "verifyFor");
    checkTenant(tenant);
    return this.#verified(snapshot, (input) => this.loadFor(input, tenant));
  }

  /** `loadOrDeny` as a promise: a refused (or missing) snapshot resolves
   *  with permissions that deny everything, the refusal in `error`. */
  async verifyOrDeny(snapshot: string | Uint8Array | null | undefined): Promise<Permissions> {
    noExtra(arguments.length, 1, "verifyOrDeny");
    if (snapshot === null || snapshot === undefined || snapshot === "") return this.loadOrDeny(snapshot);
    try {
      return await this.verify(snapshot);
    } catch (e) {
      if (e instanceof PermsnapError) return this.denyAll(e);
      throw e;
    }
  }

  /** `applyNotice` as a promise, as in every entry. */
  async verifyNotice(notice: string | Uint8Array): Promise<NoticeSummary> {
    noExtra(arguments.length, 1, "verifyNotice");
    return this.#verified(notice, (input) => this.applyNotice(input));
  }

  /** `then` of a copy of `input` (a `new Uint8Array` copies; a Node
   *  Buffer's `slice` would not), made before anything else: what the
   *  caller's array holds once the promise is made (a pooled Buffer reused
   *  for another request) is never what gets answered. */
  async #verified<T>(input: string | Uint8Array, then: (input: string | Uint8Array) => T): Promise<T> {
    this.#live();
    return then(ownBytes(input));
  }

  /** Permissions that deny everything (what a refusal means). They share
   *  one object in wasm memory: denying allocates nothing there. */
  denyAll(error?: PermsnapError): Permissions {
    noExtra(arguments.length, 1, "denyAll");
    // The refusal is a PermsnapError, as the browser entry's: `{ code: "x" }` or a
    // string became `error` (attack review, session 21).
    if (error !== undefined && !(error instanceof PermsnapError)) throw new PermsnapError("invalid_argument", "denyAll takes a PermsnapError");
    // A freed verifier says so (typed), before wasm-bindgen's freed pointer
    // does (untyped: re-review, session 19).
    this.#live();
    return permissionsFrom(this.#info.denied(), this.#info, error ?? new PermsnapError("no_snapshot", "no snapshot"), true);
  }

  /** Replaces the trusted keys (key rotation) without rebuilding the
   *  verifier. Keys that are not Ed25519 signing keys are ignored and
   *  reported; a malformed or weak Ed25519 key, a private part (`d`) or a
   *  repeated `kid` refuses the whole set (nothing changes). */
  setJwks(jwks: Jwks | string): KeySetReport {
    noExtra(arguments.length, 1, "setJwks");
    const keys = plainData(typeof jwks === "string" ? parseJson(jwks, "invalid_key") : jwks, "the JWKS", "invalid_key");
    wasmCall(() => this.#w.setJwks(keys));
    this.#report = this.#w.keyReport() as KeySetReport;
    return this.#report;
  }

  /** What the last key set held and left out. */
  get keys(): KeySetReport {
    return this.#report;
  }

  /** Replaces the application's own revocation list (`minEpoch` per
   *  account, snapshot `ids`). What signed notices and feeds revoked
   *  (`applyNotice`, `applyFeed`) stays revoked: this list is kept apart. */
  setRevocations(revocations: Revocations): void {
    noExtra(arguments.length, 1, "setRevocations");
    const copy = plainData(revocations, "revocations") as Revocations;
    // Account ids that are text (the browser entry reads them as the same keys).
    const min = typeof copy === "object" && copy !== null ? copy.minEpoch : undefined;
    if (typeof min === "object" && min !== null) for (const tenant of Object.keys(min)) accountId(tenant, "an account of `minEpoch`");
    wasmCall(() => this.#w.setRevocations(copy));
    this.#revoking();
  }

  /** The revocations changed: every `Permissions` this verifier handed
   *  out checks itself again on its next use, and turns to deny-all when
   *  `load` would now refuse it (`revoked`), so an object an app kept stops
   *  answering yes (attack review, session 15). Watching DOM helpers and
   *  React providers are told at once. */
  #revoking(): void {
    this.#revocations++;
    recheckAll();
  }

  /** Verifies a signed revocation notice (base64url text or bytes, as
   *  `permsnap revoke` makes it) with the trusted keys and applies it:
   *  snapshots it revokes are refused with `revoked` from now on. Notices
   *  only add revocations; applying an old one again changes nothing. */
  applyNotice(notice: string | Uint8Array): NoticeSummary {
    noExtra(arguments.length, 1, "applyNotice");
    this.#live();
    const input = ownBytes(notice);
    const now = this.#now();
    const summary = wasmCall(() => this.#w.applyNotice(input, now) as NoticeSummary);
    this.#revoking();
    return summary;
  }

  /** Revocation feeds are applied at the edge (`permsnap/edge`): refused. */
  applyFeed(head: string | Uint8Array, notices: ReadonlyArray<string | Uint8Array>): FeedReport {
    noExtra(arguments.length, 2, "applyFeed");
    throw new PermsnapError("invalid_argument", "revocation feeds are applied at the edge: use the Verifier of `permsnap/edge` (browsers refresh snapshots instead)");
  }

  /** When the newest feed head applied was signed: always `null` here. */
  get feedAt(): number | null {
    return null;
  }

  /** The catalog's fingerprint (hex), as snapshots carry it. */
  get fingerprint(): string {
    return this.#info.fingerprint;
  }

  /** Every record kind of the catalog. */
  get kindNames(): readonly string[] {
    return [...this.#info.kinds];
  }

  /** Every permission name of the catalog. */
  get permissionNames(): readonly string[] {
    return [...this.#info.names];
  }

  /** Permission `name` of the catalog, resolved once (`unknown_permission`
   *  for a name not in it). The same object for the same name. */
  permission(name: PermissionName): Permission {
    noExtra(arguments.length, 1, "permission");
    return permissionOf((this.#handles ??= new Map()), this.#info, name, (n) => this.#info.names.indexOf(n));
  }

  /** The fields of `kind` the catalog declares (those a snapshot can hide). */
  fieldNames(kind: string): readonly string[] {
    noExtra(arguments.length, 1, "fieldNames");
    return this.#info.fields(kind);
  }

  /** Releases the WebAssembly memory held by the verifier. Verifying
   *  with it afterwards (a promise still on its way too) throws
   *  `invalid_argument`. */
  free(): void {
    noExtra(arguments.length, 0, "free");
    if (this.#freed) return;
    this.#freed = true;
    this.#w.free();
    // What it handed out can no longer be checked against revocations:
    // it denies on its next use (a session's replaced verifiers are freed
    // after a while; their permissions an app kept must not answer yes).
    this.#revoking();
  }

  #freed = false;

  #live(): void {
    if (this.#freed) throw new PermsnapError("invalid_argument", "this Verifier was freed");
  }

  /** The verifier's clock, read once per call and as a number (an object
   *  whose `valueOf` runs app code, or answers differently each time, is
   *  refused), or `undefined` for the platform's when none is given. A
   *  given clock that answers `undefined` (a `return` left out), NaN or a
   *  negative number is refused: it fell back to the platform's clock,
   *  which the app's was there to correct (review, session 14). */
  #now(): number | undefined {
    return this.#clock === undefined ? undefined : readClock(this.#clock);
  }
}

/** @internal The catalog fingerprint of `v` (the session compares a
 *  fetched catalog's with the one in force). A promise: the browser
 *  entry's came from the platform's SHA-512 until session 21. */
export const fingerprintOf = async (v: Verifier): Promise<string> => v.fingerprint;

/** The account a request is for (`loadFor`, `verifyFor`): checked before
 *  anything else, so that a missing one never reaches wasm nor the platform. */
function checkTenant(tenant: unknown): asserts tenant is string {
  accountId(tenant, "the request's account");
}

