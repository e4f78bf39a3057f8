// The browser entry: what one verified snapshot allows. `can()` reads the
// effective permissions decided in the core at load (one map lookup and a
// bit); scopes, filters and hidden fields are asked of the core on first
// use and kept. The same answers as the default entry's `Permissions`
// (tests/js/browser.test.mjs compares them on every vector).

import { PermsnapError } from "../errors.js";
import { alive, expiredError, interned, weakRef, type Ref, frozen, graceAll, isBytes, lengthOf, list, nameList, noExtra, ownBytes, refusedExplanation, text, unknownPermission, unreadable } from "../internal.js";
import { REASONS } from "../codes.js";
import { compileFilter, type CompiledFilter } from "../filter.js";
import { armExpiry, expiry } from "../expiry.js";
import { planRedaction, redactAll, redactOptions, type Redaction, type RedactOptions, type RedactPlan } from "../redact.js";
import type { Claims, Explanation, MissingIds, PermissionName, Reason, RecordFilter, Scope } from "../types.js";
import { binary, hex } from "./text.js";
import { letGo, loaded, refusal, type Core, type Loaded } from "./wasm.js";
import { handleIndex, nameOf, type Permission } from "../permission.js";

/** A record kind of the catalog: its name, its index in the core, its fields. */
export interface Kind {
  name: string;
  k: number;
  fields: ReadonlyArray<{ name: string; mask: string | null }>;
}

/** @internal What revocations are checked against: a loaded snapshot's
 *  person, version, epoch and id. */
export interface Identity {
  subject: string;
  tenant: string;
  version: bigint;
  epoch: number;
  /** 16 hex digits. */
  id: string;
}

/** @internal What a verifier and its permissions share: the catalog, and
 *  the verifier's revocations. */
export interface Catalog {
  core: Core;
  /** Its handle in the core. */
  id: number;
  /** Permission name → index. */
  names: ReadonlyMap<string, number>;
  /** Per permission, in catalog order: the kind it acts on (none:
   *  undefined), and whether it is `scoped` (a scope of its own). */
  perms: ReadonlyArray<{ kind: Kind | undefined; scoped: boolean }>;
  kinds: ReadonlyMap<string, Kind>;
  /** Application and feature id → index. */
  apps: ReadonlyMap<string, number>;
  features: ReadonlyMap<string, number>;
  /** Moves on each time the verifier's revocations change. */
  revision: () => number;
  /** Why `claims` are revoked now, or null. */
  revoked: (claims: Identity) => PermsnapError | null;
}

const SCOPES = ["none", "own", "assigned", "specific", "all", "listed"] as const;
/** The largest id list (FORMAT.md, "Id lists"). */
const MAX_IDS = 8 << 20;
/** `ps_scope`'s permission argument for a kind's view scope. */
const VIEW = 0xffff_ffff;
/** `ps_bit`'s sets. */
const STEP_UP = 0;
const APPS = 1;
const FEATURES = 2;

type Rec = Record<string, unknown>;


/** @internal Permissions from a loaded snapshot, of which they are one
 *  more holder (none: deny-all). */
export let permissionsFrom: (c: Catalog, loaded: Loaded | null, effective: Uint8Array, expiresAt: number, error: PermsnapError | null, deadline?: number, claims?: Identity) => Permissions;

/** @internal Turns `p` into permissions that deny everything, refused
 *  with `error` (a session's: it was closed, or a notice revoked them and
 *  no fresh snapshot came in time): answers change in place, so every
 *  holder of the object stops getting yes. */
export let expirePermissions: (p: Permissions, error?: PermsnapError) => void;

/** @internal The loaded snapshot's handle in the core, once `p` checked
 *  itself as on any use (0: none, or it denies: revoked since, past its
 *  expiry, freed): what `permsnap/edge`'s gate decides a request with. */
export let handleOf: (p: Permissions) => number;

/** Permissions a session holds as its current ones (`grace`). */
const graced = new WeakSet<Permissions>();

/** @internal Marks `p` as a session's current permissions (`on`), or no
 *  longer. After a notice that revokes them, the session gives a fresh
 *  snapshot a few seconds, then turns them to deny-all itself: meanwhile
 *  they do not check themselves against the notices. Let go, they check on
 *  their next use, as any a verifier handed out. */
export let grace: (p: Permissions, on: boolean) => void;

/** What one verified snapshot allows. */
export class Permissions {
  #c: Catalog;
  /** The loaded snapshot these hold (null once freed, or none). */
  #loaded: Loaded | null;
  #effective: Uint8Array;
  #error: PermsnapError | null;
  #deadline: number | undefined;
  #tick = expiry.tick;
  #memo: Map<string, unknown> | undefined; // made on first use: a cached load makes none
  /** Redaction plans by kind (`redact` without `keep`). */
  #plans: Map<string, RedactPlan> | undefined;
  #claims: Identity | undefined;
  /** What `withIds` made from these (they go with them). */
  #derived: Ref<Permissions>[] | undefined;
  /** The verifier's revocations when these were last checked against them. */
  #checked: number;
  #expiresAt: number;

  private constructor(c: Catalog, loaded: Loaded | null, effective: Uint8Array, expiresAt: number, error: PermsnapError | null, deadline?: number, claims?: Identity) {
    this.#c = c;
    this.#claims = claims;
    this.#checked = c.revision();
    this.#loaded = loaded;
    this.#effective = effective;
    this.#error = error;
    this.#expiresAt = expiresAt;
    if (deadline !== undefined) {
      // Not a finite time (a clock gone wrong): expired on the next use.
      this.#deadline = Number.isFinite(deadline) ? deadline : -Infinity;
      // Already past (loaded in the last fraction of its second): the
      // first use checks.
      if (!(this.#deadline > Date.now())) this.#tick = -1;
      armExpiry(this.#deadline);
    }
  }

  static {
    permissionsFrom = (c, l, effective, expiresAt, error, deadline, claims) => new Permissions(c, l, effective, expiresAt, error, deadline, claims);
    expirePermissions = (p, error) => {
      if (p.#error === null) p.#deny(error ?? expiredError());
    };
    // Let go, due for a check: a notice may have come meanwhile.
    grace = (p, on) => graceAll(graced, p, on, (q) => void (q.#tick = -1), (q) => q.#derived);
    handleOf = (p) => {
      p.#current();
      return p.#error === null ? p.#handle : 0;
    };
  }

  /** The first thing every use does: past its expiry, or revoked by a
   *  notice the verifier applied since, everything is denied. (A notice
   *  moves `expiry.tick` on: one number compared per check until then.) */
  #current(): void {
    if (this.#tick === expiry.tick) return;
    this.#tick = expiry.tick;
    if (this.#error !== null) return;
    if (this.#deadline !== undefined && !(Date.now() < this.#deadline)) {
      this.#deny(expiredError());
    } else if (this.#claims !== undefined && this.#checked !== this.#c.revision() && !graced.has(this)) {
      this.#checked = this.#c.revision();
      const e = this.#c.revoked(this.#claims);
      if (e) this.#deny(e);
    }
  }

  #deny(error: PermsnapError): void {
    // What withIds made goes too (a session's revocation, its closing).
    for (const d of alive(this.#derived)) if (d.#error === null) d.#deny(error);
    this.#derived = undefined;
    this.#error = error;
    this.#effective = new Uint8Array(0);
    this.#memo = this.#plans = undefined;
    this.free();
  }

  /** The loaded snapshot's handle in the core (0: none, or freed). */
  get #handle(): number {
    return this.#loaded === null ? 0 : this.#loaded.state.handle;
  }

  /** Calls core export `f` on this snapshot (and `args`). */
  #ask(f: string, ...args: number[]): Uint32Array {
    if (this.#handle === 0) throw new PermsnapError("invalid_argument", "these permissions were freed");
    return this.#c.core.call(f, this.#handle, ...args);
  }

  #kind(name: string): Kind {
    const kind = this.#c.kinds.get(text(name, "a kind"));
    if (kind === undefined) throw new PermsnapError("unknown_kind", `unknown record kind \`${name}\`: it is not in the catalog`);
    return kind;
  }

  /** `make()`, once per key while these permissions stand (freed, they
   *  answer only what they answered before). */
  #once<T>(key: string, make: () => T): T {
    this.#current();
    const memo = (this.#memo ??= new Map());
    if (!memo.has(key)) {
      if (this.#handle === 0 && this.#error === null) throw new PermsnapError("invalid_argument", "these permissions were freed");
      memo.set(key, frozen(make()));
    }
    return memo.get(key) as T;
  }

  /** The refusal, when these permissions come from `loadOrDeny`,
   *  `verifyOrDeny` or `denyAll`, or expired. */
  get error(): PermsnapError | null {
    this.#current();
    return this.#error;
  }

  /** May the person do `name`? Throws for a name not in the catalog. A
   *  `Permission` from `verifier.permission(name)` is answered without
   *  looking its name up (by its name, for another verifier's). */
  can(name: PermissionName | Permission): boolean {
    if (arguments.length !== 1) noExtra(arguments.length, 1, "can");
    if (this.#tick !== expiry.tick) this.#current();
    const i = typeof name === "string" ? this.#perm(name) : this.#ofHandle(name);
    return ((this.#effective[i >> 3] >> (i & 7)) & 1) === 1;
  }

  /** The index of permission `name`, or `unknown_permission`. */
  #perm(name: PermissionName): number {
    const i = this.#c.names.get(name);
    return i === undefined ? unknownPermission(name) : i;
  }

  /** The index of `h`: a handle of this verifier's catalog directly, one
   *  of another verifier by its name; anything else is no name. */
  #ofHandle(h: Permission): number {
    const i = handleIndex(h, this.#c);
    return i >= 0 ? i : this.#perm(nameOf(h) as PermissionName);
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
    const i = this.#perm(text(name, "a permission name"));
    const [r, at, len, isSet] = this.#ask("ps_explain", i);
    const [code, key, sentence] = REASONS[r];
    const core = this.#c.core;
    // `implied`: the permissions whose holding gives it, joined with `+`
    // (the sentence joins them with "` and `").
    const names = isSet ? this.#members(core.bytes(at, len)) : [];
    const detail = isSet ? names.join("+") : core.text(at, len);
    const shown = isSet ? names.join("` and `") : detail;
    const reason = (key === null ? { code } : { code, [key]: detail }) as Reason;
    return {
      permission: name,
      allowed: this.can(name),
      reason,
      stepUp: this.#bit(STEP_UP, i),
      // (A function: a `$&` in a role id is text, not a pattern.)
      message: sentence.replace("{}", () => shown),
    };
  }

  /** The names of the permissions in bitset `set`, in catalog order. */
  #members(set: Uint8Array): string[] {
    return [...this.#c.names].filter(([, i]) => ((set[i >> 3] >> (i & 7)) & 1) === 1).map(([n]) => n);
  }

  /** Attaches the id list that travels beside the snapshot for a `listed`
   *  scope (base64url text or bytes): new permissions whose scope on that
   *  kind is `specific` with those ids (and on every kind naming the same
   *  list). The list is accepted only if it hashes to the digest the
   *  verified snapshot names (`malformed` otherwise). */
  withIds(list: string | Uint8Array): Permissions {
    noExtra(arguments.length, 1, "withIds");
    if (typeof list !== "string" && !isBytes(list)) {
      throw new PermsnapError("invalid_argument", "an id list is base64url text or a Uint8Array");
    }
    this.#current();
    if (this.#error !== null) return permissionsFrom(this.#c, null, new Uint8Array(0), 0, this.#error);
    // Before the list is read, as the reference refuses it.
    if (this.missingIds().length === 0) throw new PermsnapError("invalid_argument", "this snapshot lists no record ids beside it (no `listed` scope)");
    const bytes = binary(typeof list === "string" ? list : (ownBytes(list) as Uint8Array), "PSI", MAX_IDS);
    this.#c.core.input(bytes);
    const [handle] = this.#ask("ps_with_ids");
    const derived = permissionsFrom(this.#c, loaded(this.#c.core, handle), this.#effective, this.#expiresAt, null, this.#deadline, this.#claims);
    // Checked against the revocations when its parent was: made in a
    // session's grace after a notice, it checks itself once let go
    // (review, session 21).
    derived.#checked = this.#checked;
    (this.#derived ??= []).push(weakRef(derived));
    if (graced.has(this)) graced.add(derived); // waits with its session's current permissions
    return derived;
  }

  /** The id lists the snapshot names that are not attached yet, one per
   *  kind whose scope is `listed` (empty when refused). */
  missingIds(): MissingIds[] {
    noExtra(arguments.length, 0, "missingIds");
    if (this.error !== null) return [];
    return [...this.#c.kinds.values()].flatMap((kind) => {
      const s = this.#scope(kind, VIEW);
      return typeof s === "object" && "listed" in s ? [{ kind: kind.name, digest: s.listed.digest }] : [];
    });
  }

  /** Does `name` need the acting person's PIN first? */
  needsStepUp(name: PermissionName | Permission): boolean {
    noExtra(arguments.length, 1, "needsStepUp");
    name = nameOf(name) as PermissionName;
    return this.#bit(STEP_UP, this.#perm(text(name, "a permission name")));
  }

  /** Permissions that need a PIN step-up. */
  stepUpActions(): string[] {
    noExtra(arguments.length, 0, "stepUpActions");
    return this.#set(STEP_UP, this.#c.names);
  }

  /** May the person enter application `id`? */
  hasApp(id: string): boolean {
    noExtra(arguments.length, 1, "hasApp");
    const a = this.#c.apps.get(text(id, "an application id"));
    if (a === undefined) throw new PermsnapError("invalid_argument", `unknown application \`${id}\``);
    return this.#bit(APPS, a);
  }

  /** Applications the person may enter. */
  apps(): string[] {
    noExtra(arguments.length, 0, "apps");
    return this.#set(APPS, this.#c.apps);
  }

  /** Does the account have feature `id` (a plan, a partner tier)? Throws
   *  `unknown_feature` for an id the catalog does not define. */
  hasFeature(id: string): boolean {
    noExtra(arguments.length, 1, "hasFeature");
    const f = this.#c.features.get(text(id, "a feature id"));
    if (f === undefined) throw new PermsnapError("unknown_feature", `unknown feature \`${id}\`: it is not in the catalog`);
    return this.#bit(FEATURES, f);
  }

  /** The account's features (empty when refused). */
  features(): string[] {
    noExtra(arguments.length, 0, "features");
    return this.#set(FEATURES, this.#c.features);
  }

  /** Bit `i` of the snapshot's set `set`, as signed (none when refused). */
  #bit(set: number, i: number): boolean {
    return this.#once(`b${set} ${i}`, () => this.#error === null && this.#ask("ps_bit", set, i)[0] === 1);
  }

  /** The names of `names` whose bit is set in `set`, in catalog order. */
  #set(set: number, names: ReadonlyMap<string, number>): string[] {
    return [...names].filter(([, i]) => this.#bit(set, i)).map(([n]) => n);
  }

  /** The claims not kept for revocations, read on first use. */
  #more(): { flags: number; issuedAt: number; roles: readonly string[] } {
    return this.#once("m", () => {
      if (this.#error) return { flags: 0, issuedAt: 0, roles: [] };
      const [, , , , flags, lo, hi, roles] = this.#ask("ps_claims");
      return {
        flags,
        issuedAt: hi * 2 ** 32 + lo,
        roles: Array.from({ length: roles }, (_, i) => {
          const [at, len] = this.#ask("ps_role", i);
          return this.#c.core.text(at, len);
        }),
      };
    });
  }

  /** Staff id (`null` when refused). */
  get subject(): string | null {
    return this.error ? null : (this.#claims?.subject ?? null);
  }

  /** Account id (`null` when refused). */
  get tenant(): string | null {
    return this.error ? null : (this.#claims?.tenant ?? null);
  }

  /** Snapshot id (16 hex digits), what a revocation names (`null` when refused). */
  get id(): string | null {
    return this.error ? null : (this.#claims?.id ?? null);
  }

  /** The account's revocation epoch when the snapshot was issued (0 when refused). */
  get epoch(): number {
    return this.error ? 0 : (this.#claims?.epoch ?? 0);
  }

  /** The person's revocation counter when the snapshot was issued (0 when refused). */
  get version(): number {
    return this.error ? 0 : Number(this.#claims?.version ?? 0);
  }

  /** Expiry, seconds since the Unix epoch (0 when refused). */
  get expiresAt(): number {
    return this.error ? 0 : this.#expiresAt;
  }

  /** When the issuer signed it, seconds since the Unix epoch, by the
   *  issuer's clock (0 when refused). */
  get issuedAt(): number {
    return this.#more().issuedAt;
  }

  /** Ids of the roles the person holds (empty when refused). */
  get roles(): string[] {
    return [...this.#more().roles];
  }

  /** Whether the person is an owner of the account. */
  get isOwner(): boolean {
    return (this.#more().flags & 1) !== 0;
  }

  /** Whether the person is the account's principal admin. */
  get isPrincipal(): boolean {
    return (this.#more().flags & 2) !== 0;
  }

  /** Whether the snapshot is for a shared front-desk account. */
  get isSharedAccount(): boolean {
    return (this.#more().flags & 4) !== 0;
  }

  /** Everything the snapshot says, names resolved (`null` when refused):
   *  a new object on each call. */
  claims(): Claims | null {
    noExtra(arguments.length, 0, "claims");
    if (this.error) return null;
    const { subject, tenant, id, epoch, version } = this.#claims as Identity;
    const { flags, issuedAt, roles } = this.#more();
    const [lo, hi, fingerprint, revision, count] = this.#ask("ps_issued");
    const catalog = hex(this.#c.core.bytes(fingerprint, 8));
    const scopes: Record<string, Scope> = {};
    const hiddenFields: Record<string, string[]> = {};
    for (const kind of this.#c.kinds.values()) {
      scopes[kind.name] = structuredClone(this.#scope(kind, VIEW));
      // The fields this catalog declares (a kind hiding more is listed
      // with those: the default entry's summary).
      const hidden = this.#declaredHidden(kind).map((f) => f.name);
      if (hidden.length > 0) hiddenFields[kind.name] = hidden;
    }
    const names = [...this.#c.names.keys()];
    const permissionScopes: Record<string, Scope> = {};
    for (let i = 0; i < count; i++) {
      const [p, tag] = this.#ask("ps_permission_scope", i);
      // (One revision ahead: a permission this catalog does not have yet.)
      if (p < names.length) permissionScopes[names[p]] = SCOPES[tag] as Scope;
    }
    return {
      tenant, subject, issuedAt, notBefore: hi * 2 ** 32 + lo, expiresAt: this.#expiresAt, id, epoch, version: Number(version), catalog, revision,
      roles: [...roles], owner: (flags & 1) !== 0, principal: (flags & 2) !== 0, sharedAccount: (flags & 4) !== 0,
      allowed: this.allowed(), stepUp: this.stepUpActions(), scopes, hiddenFields, apps: this.apps(), features: this.features(), permissionScopes,
    };
  }

  /** All of `names`? (Each is checked: a typo throws; none is an error.) */
  canAll(names: Iterable<PermissionName | Permission>): boolean {
    noExtra(arguments.length, 1, "canAll");
    return this.#each(names, "canAll").every(Boolean);
  }

  /** Any of `names`? (Each is checked: a typo throws; none is an error.) */
  canAny(names: Iterable<PermissionName | Permission>): boolean {
    noExtra(arguments.length, 1, "canAny");
    return this.#each(names, "canAny").some(Boolean);
  }

  #each(names: Iterable<PermissionName | Permission>, what: string): boolean[] {
    const answers = nameList(names, `${what}'s argument`).map((n) => this.can(n));
    if (answers.length === 0) throw new PermsnapError("invalid_argument", `${what} needs at least one permission name`);
    return answers;
  }

  /** Names of every allowed permission, in catalog order. */
  allowed(): string[] {
    noExtra(arguments.length, 0, "allowed");
    return [...this.#c.names.keys()].filter((n) => this.can(n));
  }

  /** The fields of `kind` the catalog declares. */
  fieldNames(kind: string): readonly string[] {
    noExtra(arguments.length, 1, "fieldNames");
    return this.#kind(kind).fields.map((f) => f.name);
  }


  /** The view scope on records of `kind`. */
  scope(kind: string): Scope {
    noExtra(arguments.length, 1, "scope");
    return this.#scope(this.#kind(kind), VIEW);
  }

  /** The scope permission `name` acts with on the records of its kind:
   *  `"none"` unless `can(name)`; the permission's own scope when it has
   *  one ("own financial reports" vs "all"), else its kind's view scope. */
  permissionScope(name: PermissionName | Permission): Scope {
    noExtra(arguments.length, 1, "permissionScope");
    name = nameOf(name) as PermissionName;
    const [kind, p] = this.#acting(name);
    return this.#scope(kind, p);
  }

  /** Permission `name`'s kind and index, when it acts on a kind. */
  #acting(name: PermissionName): [Kind, number] {
    const p = this.#perm(name);
    const kind = this.#c.perms[p].kind;
    if (kind === undefined) throw new PermsnapError("invalid_argument", `permission \`${name}\` acts on no kind of record`);
    return [kind, p];
  }

  /** The scope on `kind` (`p`: `VIEW`, or the permission acting). */
  #scope({ k }: Kind, p: number): Scope {
    return this.#once(`s${k} ${p}`, (): Scope => {
      if (this.#error) return "none";
      const [tag, n, at, , len] = this.#ask("ps_scope", k, p);
      if (tag === 3) return { specific: this.#c.core.texts(at, len) };
      if (tag === 5) return { listed: { count: n, digest: hex(this.#c.core.bytes(at, 16)) } };
      return SCOPES[tag] as Scope;
    });
  }

  /** Which records of `kind` the person may see, as data (for a query). */
  filterSpec(kind: string): RecordFilter {
    noExtra(arguments.length, 1, "filterSpec");
    return this.#filter(this.#kind(kind), VIEW).spec;
  }

  /** Which records permission `name` acts on, as data: its kind, with
   *  `permissionScope(name)`. */
  filterSpecFor(name: PermissionName | Permission): RecordFilter {
    noExtra(arguments.length, 1, "filterSpecFor");
    name = nameOf(name) as PermissionName;
    return this.#filter(...this.#acting(text(name, "a permission name"))).spec;
  }

  #filter(kind: Kind, p: number): CompiledFilter {
    const { name, k } = kind;
    const spec = this.#once(`f${k} ${p}`, (): RecordFilter => {
      if (this.#error) return { kind: name, scope: "none", all: false, clauses: [] };
      const [tag, , at, , len] = this.#ask("ps_scope", k, p);
      if (tag === 5) {
        const digest = hex(this.#c.core.bytes(at, 16));
        throw refusal("ids_not_loaded", `the \`${name}\` scope lists its record ids beside the snapshot (id list ${digest}); attach that list (withIds) before filtering`);
      }
      const ids = tag === 3 ? this.#c.core.texts(at, len) : [];
      const [all, count] = this.#ask("ps_filter", k, p);
      const subject = (this.#claims as Identity).subject;
      const clauses = Array.from({ length: count }, (_, i) => {
        const [f, fl, byIds] = this.#ask("ps_clause", k, p, i);
        // Interned: the filter reads `record[field]` for every record.
        return { field: interned(this.#c.core.text(f, fl)), values: byIds ? ids : [subject] };
      });
      return { kind: name, scope: SCOPES[tag] as RecordFilter["scope"], all: all === 1, clauses };
    });
    return this.#once(`c${k} ${p}`, () => compileFilter(spec));
  }

  /** The records of `kind` the person may see (a new array; records are
   *  not copied). */
  filter<T extends object>(kind: string, records: readonly T[]): T[] {
    noExtra(arguments.length, 2, "filter");
    return this.#run(this.#filter(this.#kind(kind), VIEW), records);
  }

  /** The records permission `name` acts on (a new array): e.g. the
   *  payments an "own financial reports" right covers. */
  filterFor<T extends object>(name: PermissionName | Permission, records: readonly T[]): T[] {
    noExtra(arguments.length, 2, "filterFor");
    name = nameOf(name) as PermissionName;
    return this.#run(this.#filter(...this.#acting(text(name, "a permission name"))), records);
  }

  #run<T extends object>(f: CompiledFilter, records: readonly T[]): T[] {
    list(records, "the records");
    if (f.spec.clauses.length === 0 && !f.spec.all) return [];
    try {
      // (A Proxy's `slice` may throw too: attack review, session 20.)
      if (f.spec.all) return records.slice();
      return f.run(records as readonly Rec[]) as T[];
    } catch (e) {
      return unreadable(e);
    }
  }

  /** Fields of `kind` hidden from the person. */
  hiddenFields(kind: string): string[] {
    noExtra(arguments.length, 1, "hiddenFields");
    return this.#hidden(kind).map((f) => f.name);
  }

  #hidden(kind: string): ReadonlyArray<{ name: string; mask: string | null }> {
    const declared = this.#kind(kind);
    return this.#once("h" + kind, () => {
      // Denying everything hides every field the catalog declares.
      if (this.#error !== null) return declared.fields;
      // A snapshot one revision ahead that hides fields of this kind the
      // catalog does not declare yet: they cannot be named, nor redacted.
      // Asked of the kind, not of a field: a kind with no field of its own
      // here listed nothing and redacted nothing, and the new field passed
      // through (attack review, session 21).
      if (this.#ask("ps_hidden", declared.k, 0)[1] === 1) throw refusal("wrong_catalog", `the snapshot hides fields of \`${kind}\` this catalog does not declare`);
      return this.#declaredHidden(declared);
    });
  }

  /** The fields of `kind` the catalog declares that the snapshot hides. */
  #declaredHidden({ k, fields }: Kind): ReadonlyArray<{ name: string; mask: string | null }> {
    return fields.filter((_, j) => this.#ask("ps_hidden", k, j)[0] === 1);
  }

  /** How `kind` records are redacted for the person. */
  redaction(kind: string): Redaction {
    noExtra(arguments.length, 1, "redaction");
    const hidden = this.#hidden(kind);
    return this.#once("r" + kind, (): Redaction => ({
      kind,
      remove: hidden.filter((f) => f.mask === null).map((f) => f.name),
      mask: hidden.filter((f) => f.mask !== null).map((f) => ({ field: f.name, with: f.mask as string })),
    }));
  }

  /** Copies of `records` with hidden fields removed or masked (paths such
   *  as `client.email` too); never mutates them. With `keep`, only those
   *  top-level keys survive (allow-list mode). */
  redact<T extends object>(kind: string, records: readonly T[], options: RedactOptions = {}): Partial<T>[] {
    noExtra(arguments.length, 3, "redact");
    list(records, "the records");
    const opts = redactOptions(options);
    this.#kind(kind);
    // No record: nothing to redact (a kind hiding fields this catalog
    // cannot name needs a record to matter).
    if (lengthOf(records, "the records") === 0) return [];
    // The plan without `keep` made once, and kept unfrozen (never handed
    // out): redact 10k read a frozen plan's arrays in 1.2 ms against 0.9
    // (session 27). Expired or revoked since (`#current`), the plans are
    // gone with the answers they were made from.
    this.#current();
    let plan = opts.keep === undefined ? this.#plans?.get(kind) : undefined;
    if (plan === undefined) {
      plan = planRedaction(this.redaction(kind), opts);
      if (opts.keep === undefined) (this.#plans ??= new Map()).set(kind, plan);
    }
    try {
      return redactAll(plan, records as readonly Rec[]) as Partial<T>[];
    } catch (e) {
      return unreadable(e);
    }
  }

  /** Releases the core's memory for this snapshot. `can` keeps answering;
   *  answers not asked before throw afterwards. */
  free(): void {
    noExtra(arguments.length, 0, "free");
    const l = this.#loaded;
    if (l === null) return;
    this.#loaded = null;
    letGo(l);
  }
}

