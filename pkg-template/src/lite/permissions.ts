// permsnap/lite: what one verified snapshot allows. `can()` reads the
// effective permissions decided in the core at load (one map lookup and a
// bit); scopes, filters and hidden fields are asked of the core on first
// use and kept. The same answers as the default entry's `Permissions`
// (tests/js/lite.test.mjs compares them on every vector).

import { PermsnapError } from "../errors.js";
import { frozen, list, noExtra, strictOptions, text, unreadable } from "../internal.js";
import { compileFilter, type CompiledFilter } from "../filter.js";
import { armExpiry, expiry } from "../expiry.js";
import { planRedaction, redactAll, type Redaction, type RedactOptions } from "../redact.js";
import type { PermissionName, RecordFilter, Scope } from "../types.js";
import { hex } from "./text.js";
import type { Core } from "./wasm.js";

/** A record kind of the catalog: its index in the core, its fields. */
export interface Kind {
  k: number;
  fields: ReadonlyArray<{ name: string; mask: string | null }>;
}

/** @internal What revocations are checked against: a loaded snapshot's
 *  person, version, epoch and id. */
export interface Claims {
  subject: string;
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
  kinds: ReadonlyMap<string, Kind>;
  /** Moves on each time the verifier's revocations change. */
  revision: () => number;
  /** Why `claims` are revoked now, or null. */
  revoked: (claims: Claims) => PermsnapError | null;
}

const SCOPES = ["none", "own", "assigned", "specific", "all", "listed"] as const;

type Rec = Record<string, unknown>;


/** A loaded snapshot's handle in the core, let go when its permissions
 *  are collected without `free()`. */
const handles = new FinalizationRegistry<{ core: Core; handle: number }>(({ core, handle }) => core.x.ps_drop(handle));

/** @internal Permissions from a loaded snapshot (`handle` 0: none, deny-all). */
export let permissionsFrom: (c: Catalog, handle: number, effective: Uint8Array, expiresAt: number, error: PermsnapError | null, deadline?: number, claims?: Claims) => Permissions;

/** What one verified snapshot allows. */
export class Permissions {
  #c: Catalog;
  #handle: number;
  #effective: Uint8Array;
  #error: PermsnapError | null;
  #deadline: number | undefined;
  #tick = expiry.tick;
  #memo = new Map<string, unknown>();
  #claims: Claims | undefined;
  /** The verifier's revocations when these were last checked against them. */
  #checked: number;
  /** Seconds since the epoch when the snapshot expires (0: deny-all). */
  readonly expiresAt: number;

  private constructor(c: Catalog, handle: number, effective: Uint8Array, expiresAt: number, error: PermsnapError | null, deadline?: number, claims?: Claims) {
    this.#c = c;
    this.#claims = claims;
    this.#checked = c.revision();
    this.#handle = handle;
    this.#effective = effective;
    this.#error = error;
    this.expiresAt = expiresAt;
    if (handle !== 0) handles.register(this, { core: c.core, handle }, this);
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
    permissionsFrom = (c, handle, effective, expiresAt, error, deadline, claims) => new Permissions(c, handle, effective, expiresAt, error, deadline, claims);
  }

  /** The first thing every use does: past its expiry, or revoked by a
   *  notice the verifier applied since, everything is denied. (A notice
   *  moves `expiry.tick` on: one number compared per check until then.) */
  #current(): void {
    if (this.#tick === expiry.tick) return;
    this.#tick = expiry.tick;
    if (this.#error !== null) return;
    if (this.#deadline !== undefined && !(Date.now() < this.#deadline)) {
      this.#deny(new PermsnapError("expired", "the snapshot expired: everything is denied until a fresh one is loaded"));
    } else if (this.#claims !== undefined && this.#checked !== this.#c.revision()) {
      this.#checked = this.#c.revision();
      const e = this.#c.revoked(this.#claims);
      if (e) this.#deny(e);
    }
  }

  #deny(error: PermsnapError): void {
    this.#error = error;
    this.#effective = new Uint8Array(0);
    this.#memo.clear();
    this.free();
  }

  /** Calls core export `f` on this snapshot (and `args`). */
  #ask(f: string, ...args: number[]): Uint32Array {
    if (this.#handle === 0) throw new PermsnapError("invalid_argument", "these permissions were freed");
    return this.#c.core.call(f, this.#handle, ...args);
  }

  #kind(name: string): Kind {
    const kind = this.#c.kinds.get(text(name, "a kind"));
    if (kind === undefined) throw new PermsnapError("unknown_kind", `unknown kind \`${name}\`: it is not in the catalog`);
    return kind;
  }

  /** `make()`, once per key while these permissions stand (freed, they
   *  answer only what they answered before). */
  #once<T>(key: string, make: () => T): T {
    this.#current();
    if (!this.#memo.has(key)) {
      if (this.#handle === 0 && this.#error === null) throw new PermsnapError("invalid_argument", "these permissions were freed");
      this.#memo.set(key, frozen(make()));
    }
    return this.#memo.get(key) as T;
  }

  /** The refusal, when these permissions come from `loadOrDeny`,
   *  `verifyOrDeny` or `denyAll`, or expired. */
  get error(): PermsnapError | null {
    this.#current();
    return this.#error;
  }

  /** May the person do `name`? Throws for a name not in the catalog. */
  can(name: PermissionName): boolean {
    if (arguments.length !== 1) noExtra(arguments.length, 1, "can");
    if (this.#tick !== expiry.tick) this.#current();
    const i = this.#c.names.get(name);
    if (i === undefined) {
      throw new PermsnapError("unknown_permission", `unknown permission \`${typeof name === "string" ? name : typeof name}\`: it is not in the catalog (check the spelling)`);
    }
    return ((this.#effective[i >> 3] >> (i & 7)) & 1) === 1;
  }

  /** All of `names`? (Each is checked: a typo throws; none is an error.) */
  canAll(names: Iterable<PermissionName>): boolean {
    noExtra(arguments.length, 1, "canAll");
    return this.#each(names, "canAll").every(Boolean);
  }

  /** Any of `names`? (Each is checked: a typo throws; none is an error.) */
  canAny(names: Iterable<PermissionName>): boolean {
    noExtra(arguments.length, 1, "canAny");
    return this.#each(names, "canAny").some(Boolean);
  }

  #each(names: Iterable<PermissionName>, what: string): boolean[] {
    if (typeof names !== "object" || names === null || typeof (names as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
      throw new PermsnapError("invalid_argument", `${what} takes an array of permission names`);
    }
    const answers = Array.from(names, (n) => this.can(n));
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

  #ids(k: number, n: number): string[] {
    return Array.from({ length: n }, (_, j) => {
      const [at, len] = this.#ask("ps_scope_id", k, j);
      return this.#c.core.text(at, len);
    });
  }

  /** The view scope on records of `kind`. */
  scope(kind: string): Scope {
    noExtra(arguments.length, 1, "scope");
    const { k } = this.#kind(kind);
    return this.#once("s" + kind, (): Scope => {
      if (this.#error) return "none";
      const [tag, n, digest] = this.#ask("ps_scope", k);
      if (tag === 3) return { specific: this.#ids(k, n) };
      if (tag === 5) return { listed: { count: n, digest: hex(this.#c.core.bytes(digest, 16)) } };
      return SCOPES[tag] as Scope;
    });
  }

  /** Which records of `kind` the person may see, as data (for a query). */
  filterSpec(kind: string): RecordFilter {
    noExtra(arguments.length, 1, "filterSpec");
    return this.#filter(kind).spec;
  }

  #filter(kind: string): CompiledFilter {
    const { k } = this.#kind(kind);
    const spec = this.#once("f" + kind, (): RecordFilter => {
      if (this.#error) return { kind, scope: "none", all: false, clauses: [] };
      const [tag, n] = this.#ask("ps_scope", k);
      const [all, count] = this.#ask("ps_filter", k);
      const [s, sl] = this.#ask("ps_subject");
      const subject = this.#c.core.text(s, sl);
      const clauses = Array.from({ length: count }, (_, i) => {
        const [f, fl, byIds] = this.#ask("ps_clause", k, i);
        return { field: this.#c.core.text(f, fl), values: byIds ? this.#ids(k, n) : [subject] };
      });
      return { kind, scope: SCOPES[tag] as RecordFilter["scope"], all: all === 1, clauses };
    });
    return this.#once("c" + kind, () => compileFilter(spec));
  }

  /** The records of `kind` the person may see (a new array; records are
   *  not copied). */
  filter<T extends object>(kind: string, records: readonly T[]): T[] {
    noExtra(arguments.length, 2, "filter");
    const f = this.#filter(kind);
    list(records, "the records");
    if (f.spec.all) return records.slice();
    if (f.spec.clauses.length === 0) return [];
    try {
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
    const { k, fields } = this.#kind(kind);
    // Denying everything hides every field the catalog declares.
    return this.#once("h" + kind, () => fields.filter((_, j) => this.#error !== null || this.#ask("ps_hidden", k, j)[0] === 1));
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
    const opts = strictOptions(options, ["keep"], "redact options");
    if (opts.keep !== undefined && (!Array.isArray(opts.keep) || !opts.keep.every((k) => typeof k === "string"))) {
      throw new PermsnapError("invalid_argument", "`keep` is an array of field names");
    }
    this.#kind(kind);
    // No record: nothing to redact (a kind hiding fields this catalog
    // cannot name needs a record to matter).
    if (records.length === 0) return [];
    const plan = opts.keep === undefined
      ? this.#once("p" + kind, () => planRedaction(this.redaction(kind)))
      : planRedaction(this.redaction(kind), opts as RedactOptions);
    try {
      return redactAll(plan, records as readonly Rec[]) as Partial<T>[];
    } catch (e) {
      return unreadable(e);
    }
  }

  /** Releases the core's memory for this snapshot. `can` keeps answering;
   *  answers not asked before throw afterwards. */
  free(): void {
    if (this.#handle === 0) return;
    handles.unregister(this);
    this.#c.core.x.ps_drop(this.#handle);
    this.#handle = 0;
  }
}

