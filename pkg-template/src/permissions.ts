// What one verified snapshot allows. Decisions are made once, in
// WebAssembly, when a snapshot is loaded: `can()` then reads a precomputed
// answer (no call into wasm), and `filter()` / `redact()` apply, in plain
// JavaScript, a description computed by wasm.

import type { Permissions as WasmPermissions } from "./permsnap_wasm.js";
import { PermsnapError } from "./errors.js";
import { alive, expiredError, frozen, graceAll, isBytes, lengthOf, list, nameList, noExtra, ownBytes, refusedExplanation, text, unknownPermission, unreadable, wasmCall, weakRef, type Ref } from "./internal.js";
import { compileFilter, type CompiledFilter } from "./filter.js";
import { armExpiry, expiry } from "./expiry.js";
import { planRedaction, redactAll, redactOptions, type Redaction, type RedactOptions, type RedactPlan } from "./redact.js";
import type { Claims, Explanation, MissingIds, PermissionName, RecordFilter, Scope } from "./types.js";
import { nameOf, type Permission } from "./permission.js";

type Rec = Record<string, unknown>;

/** @internal What a verifier and its permissions share about the catalog. */
export interface CatalogInfo {
  names: string[];
  kinds: string[];
  fingerprint: string;
  fields: (kind: string) => string[];
  /** The verifier's deny-all wasm object (shared, never freed here). */
  denied: () => WasmPermissions;
  /** Permission name → allowed, for `p`; shared by every load of the same
   *  snapshot text `key` (never mutated: expiry swaps in `none`). */
  allowed: (p: WasmPermissions, key: string | null) => ReadonlyMap<string, boolean>;
  /** Every name → false. */
  none: ReadonlyMap<string, boolean>;
  /** Moves on each time the verifier's revocations change. */
  revocations: () => number;
  /** Why `load` would refuse `p` now (a revocation applied since), or null. */
  recheck: (p: WasmPermissions) => PermsnapError | null;
}

/** @internal Name → allowed from wasm's `allowedBits` (catalog order). */
export function allowedMap(names: readonly string[], bits: Uint8Array | null): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (let i = 0; i < names.length; i++) m.set(names[i], bits !== null && (((bits[i >> 3] ?? 0) >> (i & 7)) & 1) === 1);
  return m;
}

/** @internal Permissions from a wasm object (for the Verifier of this
 *  entry); `shared` when the wasm object is the verifier's deny-all one. */
export let permissionsFrom: (p: WasmPermissions, info: CatalogInfo, error: PermsnapError | null, shared: boolean, key?: string | null) => Permissions;

/** @internal Turns `p` (and what `withIds` made from it) into permissions
 *  that deny everything, refused with `error` (`expired` by default: its
 *  expiry timer; `revoked`: a session that saw a notice): answers change in
 *  place, so every holder of the object stops getting yes. */
export let expirePermissions: (p: Permissions, error?: PermsnapError) => void;

/** Permissions a session holds as its current ones (`grace`), and what
 *  `withIds` made from them. */
const graced = new WeakSet<Permissions>();

/** @internal Marks `p` (and what `withIds` made from it) as a session's
 *  current permissions (`on`), or no longer. After a notice that revokes
 *  them, the session gives a fresh snapshot a few seconds, then turns them
 *  to deny-all itself (no blink for a person whose access only grew):
 *  meanwhile they do not check themselves. Let go, they check on their
 *  next use, as any a verifier handed out. */
export let grace: (p: Permissions, on: boolean) => void;

/** @internal Arms `p`'s expiry `ms` from now (browser build: a timer; the
 *  edge build's `armExpiry` arms none). */
export let expireIn: (p: Permissions, ms: number) => void;

function run<T extends object>(f: CompiledFilter, records: readonly T[]): T[] {
  if (f.spec.clauses.length === 0 && !f.spec.all) return [];
  try {
    // (A Proxy's `slice` may throw too: attack review, session 20.)
    if (f.spec.all) return records.slice();
    return f.run(records as readonly Rec[]) as T[];
  } catch (e) {
    unreadable(e);
  }
}

/** What one verified snapshot allows. */
export class Permissions {
  #p: WasmPermissions | null;
  /** Permission name → allowed. */
  #allowed: ReadonlyMap<string, boolean>;
  #info: CatalogInfo;
  #shared: boolean;
  /** Made on first use (most loads never filter nor redact). */
  #filters: Map<string, CompiledFilter> | undefined;
  #redactions: Map<string, Redaction> | undefined;
  #redactPlans: Map<string, RedactPlan> | undefined;
  #error: PermsnapError | null;
  #derived: Ref<Permissions>[] | undefined;
  /** When it expires (`Date.now()` time), once armed. */
  #deadline: number | undefined;
  /** `expiry.tick` when the deadline was last compared with the clock. */
  #tick = expiry.tick;
  /** The verifier's `revocations` when these were last checked against them. */
  #checked: number;

  private constructor(p: WasmPermissions, info: CatalogInfo, error: PermsnapError | null, shared: boolean, key: string | null) {
    this.#p = p;
    this.#info = info;
    this.#error = error;
    this.#shared = shared;
    this.#allowed = error ? info.none : info.allowed(p, key);
    this.#checked = info.revocations();
  }

  static {
    permissionsFrom = (p, info, error, shared, key = null) => new Permissions(p, info, error, shared, key);
    expirePermissions = (p, error) => p.#expire(error);
    // Let go, due for a check: a notice may have come meanwhile.
    grace = (p, on) => graceAll(graced, p, on, (q) => void (q.#tick = -1), (q) => q.#derived);
    expireIn = (p, ms) => {
      // Not a finite time (a clock gone wrong): expired on the next use.
      p.#deadline = Number.isFinite(ms) ? Date.now() + ms : -Infinity;
      // Already past (loaded in the last fraction of its second): the
      // first use checks, not the timer's next turn (re-review, session 19).
      if (!(p.#deadline > Date.now())) p.#tick = -1;
      armExpiry(p.#deadline);
    };
  }

  /** Expires now when an expiry time came since the last use and this
   *  object's deadline has passed (`expiry`): the first thing every use
   *  does. */
  #current(): void {
    if (this.#tick === expiry.tick) return;
    if (this.#deadline !== undefined && !(Date.now() < this.#deadline)) this.#expire();
    else if (this.#checked !== this.#info.revocations()) this.#recheck();
    this.#tick = expiry.tick;
  }

  /** The verifier's revocations changed since the last check: refused now
   *  (a notice, feed or list names this snapshot), these deny everything.
   *  Freed permissions can no longer be checked: they deny too. */
  #recheck(): void {
    if (graced.has(this)) return; // its session decides, and keeps it due for a check
    this.#checked = this.#info.revocations();
    if (this.#error) return;
    const p = this.#p;
    const e = p === null
      ? new PermsnapError("revoked", "these permissions were freed, so the revocations applied since could not be checked against them: everything is denied")
      : this.#info.recheck(p);
    if (e) this.#expire(e);
  }

  #expire(error?: PermsnapError): void {
    // What withIds made goes too, even when this object was freed.
    for (const d of alive(this.#derived)) d.#expire(error);
    this.#derived = undefined;
    if (this.#error) return;
    // The answers first, whatever happens to the wasm object below (freed
    // permissions, or a freed verifier, deny all the same).
    this.#error = error ?? expiredError();
    this.#allowed = this.#info.none;
    this.#filters = undefined;
    this.#redactions = undefined;
    this.#redactPlans = undefined;
    const p = this.#p;
    if (p === null) return;
    try {
      if (!this.#shared) p.free();
    } catch {
      // In use by a call of its own (a record's getter applying a notice
      // during `filterIndexesReference`): left to wasm (a small leak), as
      // `free()` does; these permissions deny from now on all the same.
    }
    this.#p = null;
    this.#shared = true;
    try {
      this.#p = this.#info.denied();
    } catch {
      // The verifier was freed: these permissions are freed too.
    }
  }

  /** The fields of `kind` the catalog declares (those a snapshot can hide);
   *  throws `unknown_kind` for a kind not in the catalog. */
  fieldNames(kind: string): readonly string[] {
    noExtra(arguments.length, 1, "fieldNames");
    return this.#info.fields(kind);
  }

  /** The refusal, when these permissions come from `loadOrDeny`,
   *  `verifyOrDeny` or `denyAll`. */
  get error(): PermsnapError | null {
    this.#current();
    return this.#error;
  }

  #wasm<T>(f: (p: WasmPermissions) => T): T {
    this.#current();
    if (this.#p === null) throw new PermsnapError("invalid_argument", "these permissions were freed");
    const p = this.#p;
    return wasmCall(() => f(p));
  }

  /** May the person do `name`? Throws for a name not in the catalog. A
   *  `Permission` from `verifier.permission(name)` is answered by its name. */
  can(name: PermissionName | Permission): boolean {
    // Not a list: `can("a", "b")` answered for "a" alone (attack review,
    // session 17). A branch, not a call, on the hot path.
    if (arguments.length !== 1) noExtra(arguments.length, 1, "can");
    if (this.#tick !== expiry.tick) this.#current();
    if (typeof name !== "string") name = nameOf(name) as PermissionName;
    const v = this.#allowed.get(name);
    if (v === true) return true;
    if (v === false) return false;
    return unknownPermission(name);
  }

  /** All of `names`? (Every name is checked, so a typo throws; an empty
   *  list is an error, not a vacuous yes.) */
  canAll(names: readonly (PermissionName | Permission)[]): boolean {
    noExtra(arguments.length, 1, "canAll");
    const asked = nameList(names, "canAll's argument");
    if (asked.length === 0) throw new PermsnapError("invalid_argument", "canAll needs at least one permission name");
    let all = true;
    for (const n of asked) all = this.can(n) && all;
    return all;
  }

  /** Any of `names`? (Every name is checked, so a typo throws; an empty
   *  list is an error.) */
  canAny(names: readonly (PermissionName | Permission)[]): boolean {
    noExtra(arguments.length, 1, "canAny");
    const asked = nameList(names, "canAny's argument");
    if (asked.length === 0) throw new PermsnapError("invalid_argument", "canAny needs at least one permission name");
    let any = false;
    for (const n of asked) any = this.can(n) || any;
    return any;
  }

  /** Names of every allowed permission, in catalog order. */
  allowed(): string[] {
    noExtra(arguments.length, 0, "allowed");
    this.#current();
    return this.#info.names.filter((n) => this.#allowed.get(n) === true);
  }

  /** Why `can(name)` answers what it does. */
  explain(name: PermissionName | Permission): Explanation {
    noExtra(arguments.length, 1, "explain");
    name = nameOf(name) as PermissionName;
    this.#current();
    const e = this.#error;
    if (e) {
      this.can(name);
      return refusedExplanation(name, e);
    }
    return this.#wasm((p) => p.explain(text(name, "a permission name"))) as Explanation;
  }

  /** The view scope on records of `kind`. */
  scope(kind: string): Scope {
    noExtra(arguments.length, 1, "scope");
    return this.#wasm((p) => p.scope(text(kind, "a kind"))) as Scope;
  }

  /** Fields of `kind` hidden from the person. */
  hiddenFields(kind: string): string[] {
    noExtra(arguments.length, 1, "hiddenFields");
    return this.#wasm((p) => p.hiddenFields(text(kind, "a kind")));
  }

  /** Applications the person may enter. */
  apps(): string[] {
    noExtra(arguments.length, 0, "apps");
    return this.#wasm((p) => p.apps());
  }

  /** May the person enter application `id`? */
  hasApp(id: string): boolean {
    noExtra(arguments.length, 1, "hasApp");
    return this.#wasm((p) => p.hasApp(text(id, "an application id")));
  }

  /** Does the account have feature `id` (a plan, a partner tier)? Throws
   *  `unknown_feature` for an id the catalog does not define. */
  hasFeature(id: string): boolean {
    noExtra(arguments.length, 1, "hasFeature");
    return this.#wasm((p) => p.hasFeature(text(id, "a feature id")));
  }

  /** The account's features (empty when refused). */
  features(): string[] {
    noExtra(arguments.length, 0, "features");
    return this.#wasm((p) => p.features());
  }

  /** The scope permission `name` acts with on the records of its kind:
   *  `"none"` unless `can(name)`; the permission's own scope when it has
   *  one ("own financial reports" vs "all"), else its kind's view scope. */
  permissionScope(name: PermissionName | Permission): Scope {
    noExtra(arguments.length, 1, "permissionScope");
    name = nameOf(name) as PermissionName;
    this.can(name);
    return this.#wasm((p) => p.permissionScope(name)) as Scope;
  }

  /** Does `name` need the acting person's PIN first? */
  needsStepUp(name: PermissionName | Permission): boolean {
    noExtra(arguments.length, 1, "needsStepUp");
    name = nameOf(name) as PermissionName;
    return this.#wasm((p) => p.needsStepUp(text(name, "a permission name")));
  }

  /** Permissions that need a PIN step-up. */
  stepUpActions(): string[] {
    noExtra(arguments.length, 0, "stepUpActions");
    return this.#wasm((p) => p.stepUpActions());
  }

  get subject(): string | null { return this.error ? null : this.#wasm((p) => p.subject); }
  get tenant(): string | null { return this.error ? null : this.#wasm((p) => p.tenant); }
  /** Expiry, seconds since the Unix epoch (0 when refused). */
  get expiresAt(): number { return this.#wasm((p) => p.expiresAt); }
  /** When the issuer signed it, seconds since the Unix epoch, by the
   *  issuer's clock (0 when refused). */
  get issuedAt(): number { return this.#wasm((p) => p.issuedAt); }
  /** Ids of the roles the person holds (empty when refused). */
  get roles(): string[] { return this.#wasm((p) => p.roles); }
  get isOwner(): boolean { return this.#wasm((p) => p.isOwner); }
  get isPrincipal(): boolean { return this.#wasm((p) => p.isPrincipal); }
  get isSharedAccount(): boolean { return this.#wasm((p) => p.isSharedAccount); }
  /** Snapshot id (16 hex digits), what a revocation names. */
  get id(): string | null { return this.error ? null : this.#wasm((p) => p.id); }
  /** The tenant's revocation epoch when the snapshot was issued. */
  get epoch(): number { return this.#wasm((p) => p.epoch); }
  /** The person's revocation counter when the snapshot was issued. */
  get version(): number { return this.#wasm((p) => p.version); }

  /** Attaches an id list that travels beside the snapshot (base64url text
   *  or bytes, as the issuer hands it out) and returns new permissions in
   *  which that kind's `listed` scope is `{ specific: [...] }`; these
   *  permissions are left as they were. Until then `filter` and
   *  `filterSpec` on that kind throw `ids_not_loaded`. A list the snapshot
   *  does not name (another person's, another version, altered) is refused
   *  `malformed`. On refused permissions (`error` set) the answer is the
   *  same refusal: everything stays denied, whatever the list. */
  withIds(list: string | Uint8Array): Permissions {
    noExtra(arguments.length, 1, "withIds");
    if (typeof list !== "string" && !isBytes(list)) {
      throw new PermsnapError("invalid_argument", "an id list is base64url text or a Uint8Array");
    }
    this.#current();
    if (this.#error) {
      this.#wasm(() => undefined); // freed permissions throw, as every other call
      return new Permissions(this.#p as WasmPermissions, this.#info, this.#error, this.#shared, null);
    }
    const own = ownBytes(list);
    const p = this.#wasm((w) => w.withIds(own));
    const derived = new Permissions(p, this.#info, null, false, null);
    // Checked against the revocations when its parent was: made in a
    // session's grace after a notice, it checks itself once let go
    // (review, session 21).
    derived.#checked = this.#checked;
    // Its own timer (the parent may be dropped or freed first), and in place
    // with the parent (a session's revocation).
    if (this.#deadline !== undefined) expireIn(derived, this.#deadline - Date.now());
    (this.#derived ??= []).push(weakRef(derived));
    if (graced.has(this)) graced.add(derived); // waits with its session's current permissions
    return derived;
  }

  /** The id lists the snapshot names that are not attached yet, one per
   *  kind whose scope is `listed` (empty when refused). */
  missingIds(): MissingIds[] {
    noExtra(arguments.length, 0, "missingIds");
    return this.#wasm((p) => p.missingIds()) as MissingIds[];
  }

  /** The verified claims, names resolved, for display (`null` when refused):
   *  the Rust core's `Summary`. */
  claims(): Claims | null {
    noExtra(arguments.length, 0, "claims");
    if (this.error) return null;
    return this.#wasm((p) => p.summary()) as Claims;
  }

  /** Which records of `kind` the person may see, as data (for a query). */
  filterSpec(kind: string): RecordFilter {
    noExtra(arguments.length, 1, "filterSpec");
    return this.#compiled(kind).spec;
  }

  #compiled(name: string, permission = false): CompiledFilter {
    text(name, permission ? "a permission name" : "a kind");
    this.#current();
    const key = (permission ? "p:" : "k:") + name;
    let f = this.#filters?.get(key);
    if (!f) {
      if (permission) this.can(name);
      // Frozen: `filterSpec` hands this very object out, and `filter`
      // reads it on every call (an app editing it, `all = true`, made every
      // later filter keep every record: attack review, session 17).
      f = compileFilter(frozen(this.#wasm((p) => (permission ? p.filterFor(name) : p.filter(name))) as RecordFilter));
      (this.#filters ??= new Map()).set(key, f);
    }
    return f;
  }

  /** Which records permission `name` acts on, as data: its kind, with
   *  `permissionScope(name)`. */
  filterSpecFor(name: PermissionName | Permission): RecordFilter {
    noExtra(arguments.length, 1, "filterSpecFor");
    name = nameOf(name) as PermissionName;
    return this.#compiled(name, true).spec;
  }

  /** The records permission `name` acts on (a new array): e.g. the payments
   *  an "own financial reports" right covers. */
  filterFor<T extends object>(name: PermissionName | Permission, records: readonly T[]): T[] {
    noExtra(arguments.length, 2, "filterFor");
    name = nameOf(name) as PermissionName;
    return run(this.#compiled(name, true), list(records, "the records"));
  }

  /** The records of `kind` the person may see (a new array; records are not copied). */
  filter<T extends object>(kind: string, records: readonly T[]): T[] {
    noExtra(arguments.length, 2, "filter");
    return run(this.#compiled(kind), list(records, "the records"));
  }

  /** How `kind` records are redacted for the person. */
  redaction(kind: string): Redaction {
    noExtra(arguments.length, 1, "redaction");
    text(kind, "a kind");
    this.#current();
    let r = this.#redactions?.get(kind);
    if (!r) {
      r = frozen(this.#wasm((p) => p.redaction(kind)) as Redaction); // handed out, and planned from
      (this.#redactions ??= new Map()).set(kind, r);
    }
    return r;
  }

  /** Copies of `records` with hidden fields removed or masked (field names
   *  may be paths: `client.email`). Never mutates the input. With `keep`,
   *  only those top-level keys survive (allow-list mode). */
  redact<T extends object>(kind: string, records: readonly T[], options: RedactOptions = {}): Partial<T>[] {
    noExtra(arguments.length, 3, "redact");
    this.#current();
    list(records, "the records");
    const opts = redactOptions(options);
    // No record: nothing to redact, for a kind the catalog has (a rollout's
    // `wrong_catalog`, a kind hiding fields this catalog cannot name, needs
    // a record to matter: re-review, session 18).
    if (lengthOf(records, "the records") === 0) {
      if (!this.#info.kinds.includes(kind)) this.redaction(kind);
      return [];
    }
    // The same plan for every call without `keep` (made on first use).
    const plan = opts.keep === undefined
      ? ((this.#redactPlans ??= new Map()).get(kind) ?? this.#redactPlanFor(kind))
      : planRedaction(this.redaction(kind), opts);
    try {
      return redactAll(plan, records as readonly Rec[]) as Partial<T>[];
    } catch (e) {
      return unreadable(e);
    }
  }

  #redactPlanFor(kind: string): RedactPlan {
    const plan = planRedaction(this.redaction(kind));
    this.#redactPlans?.set(kind, plan);
    return plan;
  }

  /** The Rust reference filter (one call into wasm per list; slower):
   *  indexes of the records the person may see. For tests and audits. */
  filterIndexesReference(kind: string, records: readonly object[]): number[] {
    noExtra(arguments.length, 2, "filterIndexesReference");
    return Array.from(this.#wasm((p) => p.filterIndexes(text(kind, "a kind"), list(records, "the records") as unknown[])));
  }

  /** Releases the WebAssembly memory held by these permissions. Every
   *  answer needing wasm throws afterwards; `can` keeps answering. */
  free(): void {
    noExtra(arguments.length, 0, "free");
    const p = this.#p;
    this.#p = null;
    if (p === null || this.#shared) return;
    try {
      p.free();
    } catch {
      // In use by a call of its own (a record's getter freeing it during
      // `filterIndexesReference`): wasm-bindgen refuses, and that object
      // is left to wasm (a small leak) rather than answering with untyped
      // errors afterwards; these permissions say "freed" from now on.
    }
  }
}
