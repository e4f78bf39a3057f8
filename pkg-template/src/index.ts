// permsnap: verify signed permission snapshots and answer from them, in
// browsers, Node, workerd and Deno. This file is the package's public API; it
// is compiled against the wasm-bindgen output (./permsnap_wasm.d.ts), so the
// two cannot drift apart.
//
// Decisions are made once, in WebAssembly, when a snapshot is loaded. `can()`
// then reads a precomputed answer (no call into wasm), and `filter()` /
// `redact()` apply, in plain JavaScript, a description computed by wasm —
// the same description the Rust core applies (tests check both agree).

import initWasm, {
  initSync as initSyncWasm,
  Verifier as WasmVerifier,
  Permissions as WasmPermissions,
} from "./permsnap_wasm.js";
import { compileRedactor, type Redaction, type RedactOptions } from "./redact.js";
import { PermsnapError, parseJson, rethrow, strictOptions, type ErrorCode } from "./errors.js";

export { PermsnapError };
export type { ErrorCode };

export type { Redaction, RedactOptions };

let ready = false;

/** Loads the WebAssembly module (browsers, Deno): from the package's own
 *  `.wasm` file by default, or from a URL, `Response`, bytes or a compiled
 *  `WebAssembly.Module`. Idempotent. */
export async function init(input?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<void> {
  if (ready) return;
  await initWasm(input === undefined ? undefined : { module_or_path: input });
  ready = true;
}

/** Synchronous initialisation from a compiled `WebAssembly.Module` or the
 *  module's bytes (workerd, Node). Idempotent. */
export function initSync(module: WebAssembly.Module | BufferSource): void {
  if (ready) return;
  initSyncWasm({ module });
  ready = true;
}

/** True once `init` or `initSync` has run. */
export function isInitialized(): boolean {
  return ready;
}

// ---------------------------------------------------------------- types

/** Declaration merging point: `permsnap codegen` emits
 *  `declare module "permsnap" { interface Register { permission: Permission } }`
 *  so that `can`, `useCan` and `<Can>` accept only the catalog's names and a
 *  typo fails to type-check. Without it, any string is accepted (and an
 *  unknown name is refused at run time). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Register {}

/** A permission name: the catalog's names once `Register` is augmented. */
export type PermissionName = Register extends { permission: infer P extends string } ? P : string;

/** A JSON Web Key Set of Ed25519 public keys. */
export interface Jwks {
  keys: Array<{ kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg?: string; use?: string }>;
}

/** A compiled catalog, as `permsnap catalog <policy>` makes it: the printed
 *  object (its `binary` member is used), the base64url text, or the bytes. */
export type CatalogInput = { binary: string } | string | Uint8Array;

/** How a verifier checks the account (tenant) of a snapshot: exactly one of
 *  `tenant`, `tenantPerRequest` or `anyTenant` is required, so that leaving
 *  it out (or misspelling it) cannot accept another account's snapshots. */
export type VerifierOptions = TenantChoice & {
  /** Clock skew tolerated, seconds (default 30, at most 86400). */
  leeway?: number;
  /** The clock, in seconds since the Unix epoch (default: `Date.now() / 1000`). */
  clock?: () => number;
};

export type TenantChoice =
  /** Refuse snapshots of any other account. */
  | { tenant: string; tenantPerRequest?: never; anyTenant?: never }
  /** One edge serves many accounts: the account is named per request (a
   *  `Gate`'s `tenantOf`, or `loadFor(snapshot, tenant)`); `load` refuses. */
  | { tenantPerRequest: true; tenant?: never; anyTenant?: never }
  /** Explicit opt-out: any account signed by the trusted keys (tools, tests). */
  | { anyTenant: true; tenant?: never; tenantPerRequest?: never };

export type Scope = "none" | "own" | "assigned" | "all" | { specific: string[] };

export type Reason =
  | { code: "owner" }
  | { code: "granted_by_role"; role: string }
  | { code: "granted_to_person" }
  | { code: "not_granted" }
  | { code: "removed_for_person"; role: string }
  | { code: "missing_requirement"; requires: string }
  | { code: "app_not_allowed"; app: string }
  | { code: "no_scope"; kind: string }
  | { code: "refused"; error: ErrorCode };

export interface Explanation {
  permission: string;
  allowed: boolean;
  reason: Reason;
  /** The action needs the acting person's PIN first. */
  step_up: boolean;
  message: string;
}

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

type Rec = Record<string, unknown>;

/** What a revocation notice changed (`Verifier.applyNotice`). */
export interface NoticeSummary {
  tenant: string;
  minEpoch: number;
  /** How many snapshot ids the notice revokes. */
  ids: number;
}

/** The verified claims, names resolved, for display. */
export interface ClaimsView {
  tenant: string;
  subject: string;
  issued_at: number;
  not_before: number;
  expires_at: number;
  id: string;
  epoch: number;
  catalog: string;
  role: string | null;
  owner: boolean;
  principal: boolean;
  shared_account: boolean;
  allowed: string[];
  step_up: string[];
  scopes: Record<string, Scope>;
  hidden_fields: Record<string, string[]>;
  apps: string[];
}

// ------------------------------------------------------------- verifier

/** What `setJwks` (and the constructor) made of a key set. Keys that are not
 *  Ed25519 signing keys (an app's RS256 or encryption keys published in the
 *  same JWKS) are ignored, as RFC 7517 asks, and reported here. */
export interface KeySetReport {
  /** Ed25519 signing keys now trusted. */
  keys: number;
  /** Keys left out, with the reason. */
  ignored: Array<{ kid: string; reason: string }>;
}

/** @internal What a verifier and its permissions share about the catalog. */
interface CatalogInfo {
  names: string[];
  kinds: string[];
  fingerprint: string;
  fields: (kind: string) => string[];
}

const VERIFIER = Symbol.for("permsnap.Verifier");

/** Verifies snapshots. Build it once (catalog + JWKS), load many snapshots. */
export class Verifier {
  #w: WasmVerifier;
  #info: CatalogInfo;
  #clock?: () => number;
  #denied: WasmPermissions | null = null;
  #report: KeySetReport;

  constructor(catalog: CatalogInput, jwks: Jwks | string, options: VerifierOptions) {
    if (!ready) throw new PermsnapError("not_initialized", "call init() or initSync() before creating a Verifier");
    if (typeof options !== "object" || options === null) {
      throw new PermsnapError("invalid_argument",
        "a Verifier needs options naming its account: { tenant: \"acme\" }, { tenantPerRequest: true } or { anyTenant: true }");
    }
    const { clock, ...rest } = options as VerifierOptions & Record<string, unknown>;
    if (clock !== undefined && typeof clock !== "function") {
      throw new PermsnapError("invalid_argument", "`clock` is a function returning seconds since the Unix epoch");
    }
    const keys = typeof jwks === "string" ? parseJson(jwks, "invalid_key") : jwks;
    try {
      this.#w = new WasmVerifier(catalog, keys, rest);
    } catch (e) {
      rethrow(e);
    }
    const w = this.#w;
    const fields = new Map<string, string[]>();
    this.#info = {
      names: w.permissionNames(),
      kinds: w.kindNames(),
      fingerprint: w.fingerprint,
      fields: (kind) => {
        let f = fields.get(kind);
        if (!f) {
          try {
            f = w.fieldNames(kind);
          } catch (e) {
            rethrow(e);
          }
          fields.set(kind, f);
        }
        return f;
      },
    };
    this.#report = w.keyReport() as KeySetReport;
    this.#clock = clock;
    Object.defineProperty(this, VERIFIER, { value: true });
  }

  /** Verifies a snapshot (base64url text or bytes) and returns what it
   *  allows, or throws a `PermsnapError` naming the cause. A verifier made
   *  with `tenantPerRequest` refuses: use `loadFor`. */
  load(snapshot: string | Uint8Array): Permissions {
    let p: WasmPermissions;
    try {
      p = this.#w.load(snapshot, this.#clock?.());
    } catch (e) {
      rethrow(e);
    }
    return Permissions._from(p, this.#info, null, false);
  }

  /** `load`, for the account `tenant` (what this request is for): the
   *  snapshot must belong to it (`wrong_tenant` otherwise). */
  loadFor(snapshot: string | Uint8Array, tenant: string): Permissions {
    let p: WasmPermissions;
    try {
      p = this.#w.loadFor(snapshot, tenant, this.#clock?.());
    } catch (e) {
      rethrow(e);
    }
    return Permissions._from(p, this.#info, null, false);
  }

  /** Like `load`, but never throws for a refused snapshot: returns
   *  permissions that deny everything, with the refusal in `error`
   *  (`no_snapshot` when there is none). */
  loadOrDeny(snapshot: string | Uint8Array | null | undefined): Permissions {
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

  /** Permissions that deny everything (what a refusal means). They share
   *  one object in wasm memory: denying allocates nothing there. */
  denyAll(error?: PermsnapError): Permissions {
    this.#denied ??= this.#w.denyAll();
    return Permissions._from(this.#denied, this.#info, error ?? new PermsnapError("no_snapshot", "no snapshot"), true);
  }

  /** Replaces the trusted keys (key rotation) without rebuilding the
   *  verifier. Keys that are not Ed25519 signing keys are ignored and
   *  reported; a malformed or weak Ed25519 key, a private part (`d`) or a
   *  repeated `kid` refuses the whole set (nothing changes). */
  setJwks(jwks: Jwks | string): KeySetReport {
    try {
      this.#w.setJwks(typeof jwks === "string" ? parseJson(jwks, "invalid_key") : jwks);
    } catch (e) {
      rethrow(e);
    }
    this.#report = this.#w.keyReport() as KeySetReport;
    return this.#report;
  }

  /** What the last key set held and left out. */
  get keys(): KeySetReport {
    return this.#report;
  }

  /** Replaces the revocation list. */
  setRevocations(revocations: Revocations): void {
    try {
      this.#w.setRevocations(revocations);
    } catch (e) {
      rethrow(e);
    }
  }

  /** Verifies a signed revocation notice (base64url text or bytes, as
   *  `permsnap revoke` makes it) with the trusted keys and applies it:
   *  snapshots it revokes are refused with `revoked` from now on. Notices
   *  only add revocations; applying an old one again changes nothing. */
  applyNotice(notice: string | Uint8Array): NoticeSummary {
    try {
      return this.#w.applyNotice(notice) as NoticeSummary;
    } catch (e) {
      rethrow(e);
    }
  }

  /** The catalog's fingerprint (hex), as snapshots carry it. */
  get fingerprint(): string {
    return this.#info.fingerprint;
  }

  /** Every record kind of the catalog. */
  get kindNames(): readonly string[] {
    return this.#info.kinds;
  }

  /** Every permission name of the catalog. */
  get permissionNames(): readonly string[] {
    return this.#info.names;
  }

  /** The fields of `kind` the catalog declares (those a snapshot can hide). */
  fieldNames(kind: string): readonly string[] {
    return this.#info.fields(kind);
  }

  /** Releases the WebAssembly memory held by the verifier. */
  free(): void {
    this.#w.free();
  }

  /** @internal The wasm verifier, for permsnap/edge: refuses anything that
   *  is not a Verifier of this very entry (a Verifier of `permsnap` cannot
   *  serve a Gate of `permsnap/edge`: each has its own WebAssembly memory). */
  static _wasm(v: unknown): WasmVerifier {
    if (typeof v === "object" && v !== null && #w in v) return (v as Verifier).#w;
    const other = typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[VERIFIER] === true;
    throw new PermsnapError("invalid_argument", other
      ? "this Verifier comes from another permsnap entry: import Verifier from \"permsnap/edge\" for a Gate"
      : "expected a permsnap Verifier");
  }

  /** @internal */
  static _now(v: Verifier): number | undefined {
    return v.#clock?.();
  }
}

// ---------------------------------------------------------- permissions

function unknown(name: string): never {
  throw new PermsnapError("unknown_permission", `unknown permission \`${name}\`: it is not in the catalog (check the spelling)`);
}

/** What one verified snapshot allows. */
export class Permissions {
  #p: WasmPermissions | null = null;
  /** Permission name → allowed. */
  #allowed = new Map<string, boolean>();
  #info!: CatalogInfo;
  #shared = false;
  #filters = new Map<string, CompiledFilter>();
  #redactions = new Map<string, Redaction>();
  #error: PermsnapError | null = null;

  private constructor() {}

  /** @internal */
  static _from(p: WasmPermissions, info: CatalogInfo, error: PermsnapError | null, shared: boolean): Permissions {
    const out = new Permissions();
    out.#p = p;
    out.#info = info;
    out.#error = error;
    out.#shared = shared;
    const names = info.names;
    const bits = p.allowedBits();
    for (let i = 0; i < names.length; i++) {
      out.#allowed.set(names[i], (((bits[i >> 3] ?? 0) >> (i & 7)) & 1) === 1);
    }
    return out;
  }

  /** The fields of `kind` the catalog declares (those a snapshot can hide);
   *  throws `unknown_kind` for a kind not in the catalog. */
  fieldNames(kind: string): readonly string[] {
    return this.#info.fields(kind);
  }

  /** The refusal, when these permissions come from `loadOrDeny`/`denyAll`. */
  get error(): PermsnapError | null {
    return this.#error;
  }

  #wasm<T>(f: (p: WasmPermissions) => T): T {
    if (this.#p === null) throw new PermsnapError("invalid_argument", "these permissions were freed");
    try {
      return f(this.#p);
    } catch (e) {
      rethrow(e);
    }
  }

  /** May the person do `name`? Throws for a name not in the catalog. */
  can(name: PermissionName): boolean {
    const v = this.#allowed.get(name);
    if (v === true) return true;
    if (v === false) return false;
    return unknown(name);
  }

  /** All of `names`? (Every name is checked, so a typo throws.) */
  canAll(names: readonly PermissionName[]): boolean {
    let all = true;
    for (const n of names) all = this.can(n) && all;
    return all;
  }

  /** Any of `names`? (Every name is checked, so a typo throws.) */
  canAny(names: readonly PermissionName[]): boolean {
    let any = false;
    for (const n of names) any = this.can(n) || any;
    return any;
  }

  /** Names of every allowed permission, in catalog order. */
  allowed(): string[] {
    return this.#info.names.filter((n) => this.#allowed.get(n) === true);
  }

  /** Why `can(name)` answers what it does. */
  explain(name: PermissionName): Explanation {
    const e = this.#error;
    if (e) {
      this.can(name);
      return { permission: name, allowed: false, reason: { code: "refused", error: e.code }, step_up: false, message: `snapshot refused: ${e.message}` };
    }
    return this.#wasm((p) => p.explain(name)) as Explanation;
  }

  /** The view scope on records of `kind`. */
  scope(kind: string): Scope {
    return this.#wasm((p) => p.scope(kind)) as Scope;
  }

  /** Fields of `kind` hidden from the person. */
  hiddenFields(kind: string): string[] {
    return this.#wasm((p) => p.hiddenFields(kind));
  }

  /** Applications the person may enter. */
  apps(): string[] {
    return this.#wasm((p) => p.apps());
  }

  /** May the person enter application `id`? */
  hasApp(id: string): boolean {
    return this.#wasm((p) => p.hasApp(id));
  }

  /** Does `name` need the acting person's PIN first? */
  needsStepUp(name: PermissionName): boolean {
    return this.#wasm((p) => p.needsStepUp(name));
  }

  /** Permissions that need a PIN step-up. */
  stepUpActions(): string[] {
    return this.#wasm((p) => p.stepUpActions());
  }

  get subject(): string | null { return this.#error ? null : this.#wasm((p) => p.subject); }
  get tenant(): string | null { return this.#error ? null : this.#wasm((p) => p.tenant); }
  /** Expiry, seconds since the Unix epoch (0 when refused). */
  get expiresAt(): number { return this.#wasm((p) => p.expiresAt); }
  get role(): string | null { return this.#wasm((p) => p.role) ?? null; }
  get isOwner(): boolean { return this.#wasm((p) => p.isOwner); }
  get isPrincipal(): boolean { return this.#wasm((p) => p.isPrincipal); }
  get isSharedAccount(): boolean { return this.#wasm((p) => p.isSharedAccount); }
  /** Snapshot id (16 hex digits), what a revocation names. */
  get id(): string | null { return this.#error ? null : this.#wasm((p) => p.id); }
  /** The tenant's revocation epoch when the snapshot was issued. */
  get epoch(): number { return this.#wasm((p) => p.epoch); }

  /** The verified claims, names resolved, for display (`null` when refused). */
  claims(): ClaimsView | null {
    if (this.#error) return null;
    return this.#wasm((p) => {
      const scopes: Record<string, Scope> = {};
      const hidden: Record<string, string[]> = {};
      for (const k of this.#info.kinds) {
        scopes[k] = p.scope(k) as Scope;
        const h = p.hiddenFields(k);
        if (h.length > 0) hidden[k] = h;
      }
      return {
        tenant: p.tenant, subject: p.subject,
        issued_at: p.issuedAt, not_before: p.notBefore, expires_at: p.expiresAt,
        id: p.id, epoch: p.epoch, catalog: this.#info.fingerprint,
        role: p.role ?? null, owner: p.isOwner, principal: p.isPrincipal, shared_account: p.isSharedAccount,
        allowed: this.allowed(), step_up: p.stepUpActions(),
        scopes, hidden_fields: hidden, apps: p.apps(),
      };
    });
  }

  /** Which records of `kind` the person may see, as data (for a query). */
  filterSpec(kind: string): RecordFilter {
    return this.#compiled(kind).spec;
  }

  #compiled(kind: string): CompiledFilter {
    let f = this.#filters.get(kind);
    if (!f) {
      f = compileFilter(this.#wasm((p) => p.filter(kind)) as RecordFilter);
      this.#filters.set(kind, f);
    }
    return f;
  }

  /** The records of `kind` the person may see (a new array; records are not copied). */
  filter<T extends object>(kind: string, records: readonly T[]): T[] {
    const f = this.#compiled(kind);
    if (f.spec.all) return records.slice();
    if (f.spec.clauses.length === 0) return [];
    return f.run(records as readonly Rec[]) as T[];
  }

  /** How `kind` records are redacted for the person. */
  redaction(kind: string): Redaction {
    let r = this.#redactions.get(kind);
    if (!r) {
      r = this.#wasm((p) => p.redaction(kind)) as Redaction;
      this.#redactions.set(kind, r);
    }
    return r;
  }

  /** Copies of `records` with hidden fields removed or masked (field names
   *  may be paths: `client.email`). Never mutates the input. With `keep`,
   *  only those top-level keys survive (allow-list mode). */
  redact<T extends object>(kind: string, records: readonly T[], options: RedactOptions = {}): Partial<T>[] {
    const opts = strictOptions(options, ["keep"], "redact options");
    if (opts.keep !== undefined && (!Array.isArray(opts.keep) || !opts.keep.every((k) => typeof k === "string"))) {
      throw new PermsnapError("invalid_argument", "`keep` is an array of field names");
    }
    const one = compileRedactor(this.redaction(kind), opts as RedactOptions);
    const out: Partial<T>[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) out[i] = one(records[i] as Rec) as Partial<T>;
    return out;
  }

  /** The Rust reference filter (one call into wasm per list; slower):
   *  indexes of the records the person may see. For tests and audits. */
  filterIndexesReference(kind: string, records: readonly object[]): number[] {
    return Array.from(this.#wasm((p) => p.filterIndexes(kind, records as unknown[])));
  }

  /** Releases the WebAssembly memory held by these permissions. Every
   *  answer needing wasm throws afterwards; `can` keeps answering. */
  free(): void {
    if (!this.#shared) this.#p?.free();
    this.#p = null;
  }
}

interface CompiledFilter { spec: RecordFilter; run: (records: readonly Rec[]) => Rec[] }

/** Turns a filter description into a fast runner, with the semantics of
 *  `RecordFilter::matches` in the Rust core: a clause matches when the
 *  record's field is a string among the values, a number whose decimal form
 *  is among them, or an array holding such an element.
 *
 *  Speed: a scope has one to three clauses (owner fields, assignee, ids),
 *  usually with one accepted value (the person's id). For up to three
 *  clauses the loop is written out with one property read per clause at its
 *  own site and a plain `===` first, so V8 keeps every read monomorphic;
 *  anything else (numbers, arrays, several values) takes `hit`. */
function compileFilter(spec: RecordFilter): CompiledFilter {
  const n = spec.clauses.length;
  const fields = spec.clauses.map((c) => c.field);
  // A clause's single accepted value, or a value no record field can hold.
  const NONE = Symbol("none");
  const ones: Array<string | symbol> = spec.clauses.map((c) => (c.values.length === 1 ? c.values[0] : NONE));
  const sets = spec.clauses.map((c) => new Set(c.values));
  const one = (x: unknown, i: number): boolean =>
    (typeof x === "string" && sets[i].has(x)) || (typeof x === "number" && sets[i].has(String(x)));
  /** Clause `i` on value `v`, once `v === ones[i]` has failed. */
  const hit = (v: unknown, i: number): boolean => {
    if (typeof v === "string") return ones[i] === NONE && sets[i].has(v);
    if (typeof v === "number") return one(v, i);
    if (Array.isArray(v)) {
      for (const x of v) if (one(x, i)) return true;
    }
    return false;
  };
  const [f0, f1, f2] = fields;
  const [o0, o1, o2] = ones;
  let run: (records: readonly Rec[]) => Rec[];
  if (n === 1) {
    run = (records) => {
      const out: Rec[] = [];
      for (let j = 0; j < records.length; j++) {
        const r = records[j];
        const a = r[f0];
        if (a === o0 || hit(a, 0)) out.push(r);
      }
      return out;
    };
  } else if (n === 2) {
    run = (records) => {
      const out: Rec[] = [];
      for (let j = 0; j < records.length; j++) {
        const r = records[j];
        const a = r[f0];
        const b = r[f1];
        if (a === o0 || b === o1 || hit(a, 0) || hit(b, 1)) out.push(r);
      }
      return out;
    };
  } else if (n === 3) {
    run = (records) => {
      const out: Rec[] = [];
      for (let j = 0; j < records.length; j++) {
        const r = records[j];
        const a = r[f0];
        const b = r[f1];
        const c = r[f2];
        if (a === o0 || b === o1 || c === o2 || hit(a, 0) || hit(b, 1) || hit(c, 2)) out.push(r);
      }
      return out;
    };
  } else {
    run = (records) => {
      const out: Rec[] = [];
      for (let j = 0; j < records.length; j++) {
        const r = records[j];
        for (let i = 0; i < n; i++) {
          const v = r[fields[i]];
          if (v === ones[i] || hit(v, i)) {
            out.push(r);
            break;
          }
        }
      }
      return out;
    };
  }
  return { spec, run };
}
