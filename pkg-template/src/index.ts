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

/** Every error permsnap throws. `code` is stable; `message` is for people. */
export class PermsnapError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "PermsnapError";
    this.code = code;
  }
}

/** Stable error codes. */
export type ErrorCode =
  | "bad_encoding" | "truncated" | "too_large" | "bad_magic" | "unsupported_version"
  | "unknown_key" | "bad_signature" | "malformed" | "expired" | "not_yet_valid"
  | "wrong_tenant" | "wrong_catalog" | "revoked" | "unknown_permission" | "unknown_kind"
  | "invalid_key" | "invalid_policy" | "invalid_argument" | "not_initialized";

function parseJson(text: string, code: ErrorCode): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PermsnapError(code, `not JSON: ${(e as Error).message}`);
  }
}

/** @internal Re-throws a wasm error as a `PermsnapError`. */
export function rethrow(e: unknown): never {
  if (e instanceof Error && e.name === "PermsnapError") {
    throw new PermsnapError((e as Error & { code: ErrorCode }).code, e.message);
  }
  throw e;
}

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

/** A JSON Web Key Set of Ed25519 public keys. */
export interface Jwks {
  keys: Array<{ kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg?: string; use?: string }>;
}

/** A compiled catalog, as `permsnap catalog <policy>` makes it: the printed
 *  object (its `binary` member is used), the base64url text, or the bytes. */
export type CatalogInput = { binary: string } | string | Uint8Array;

export interface VerifierOptions {
  /** Refuse snapshots for any other account. */
  tenant?: string;
  /** Clock skew tolerated, seconds (default 30). */
  leeway?: number;
  /** The clock, in seconds since the Unix epoch (default: `Date.now() / 1000`). */
  clock?: () => number;
}

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

export interface Redaction {
  kind: string;
  remove: string[];
  mask: Array<{ field: string; with: string }>;
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

/** Verifies snapshots. Build it once (catalog + JWKS), load many snapshots. */
export class Verifier {
  #w: WasmVerifier;
  #names: string[];
  #kinds: string[];
  #fingerprint: string;
  #clock?: () => number;

  constructor(catalog: CatalogInput, jwks: Jwks | string, options: VerifierOptions = {}) {
    if (!ready) throw new PermsnapError("not_initialized", "call init() or initSync() before creating a Verifier");
    const keys = typeof jwks === "string" ? parseJson(jwks, "invalid_key") : jwks;
    try {
      this.#w = new WasmVerifier(catalog, keys, { tenant: options.tenant, leeway: options.leeway });
    } catch (e) {
      rethrow(e);
    }
    this.#names = this.#w.permissionNames();
    this.#kinds = this.#w.kindNames();
    this.#fingerprint = this.#w.fingerprint;
    this.#clock = options.clock;
  }

  /** Verifies a snapshot (base64url text or bytes) and returns what it
   *  allows, or throws a `PermsnapError` naming the cause. */
  load(snapshot: string | Uint8Array): Permissions {
    let p: WasmPermissions;
    try {
      p = this.#w.load(snapshot, this.#clock?.());
    } catch (e) {
      rethrow(e);
    }
    return Permissions._from(p, this.#names, this.#kinds, this.#fingerprint, null);
  }

  /** Like `load`, but never throws for a refused snapshot: returns
   *  permissions that deny everything, with the refusal in `error`. */
  loadOrDeny(snapshot: string | Uint8Array | null | undefined): Permissions {
    if (snapshot === null || snapshot === undefined || snapshot === "") {
      return this.denyAll(new PermsnapError("truncated", "no snapshot"));
    }
    try {
      return this.load(snapshot);
    } catch (e) {
      if (e instanceof PermsnapError) return this.denyAll(e);
      throw e;
    }
  }

  /** Permissions that deny everything (what a refusal means). */
  denyAll(error?: PermsnapError): Permissions {
    return Permissions._from(this.#w.denyAll(), this.#names, this.#kinds, this.#fingerprint,
      error ?? new PermsnapError("truncated", "no snapshot"));
  }

  /** Replaces the trusted keys (key rotation) without rebuilding the verifier. */
  setJwks(jwks: Jwks | string): void {
    try {
      this.#w.setJwks(typeof jwks === "string" ? parseJson(jwks, "invalid_key") : jwks);
    } catch (e) {
      rethrow(e);
    }
  }

  /** Replaces the revocation list. */
  setRevocations(revocations: Revocations): void {
    try {
      this.#w.setRevocations({ minEpoch: revocations.minEpoch ?? {}, ids: revocations.ids ?? [] });
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
    return this.#fingerprint;
  }

  /** Every record kind of the catalog. */
  get kindNames(): readonly string[] {
    return this.#kinds;
  }

  /** Every permission name of the catalog. */
  get permissionNames(): readonly string[] {
    return this.#names;
  }

  /** Releases the WebAssembly memory held by the verifier. */
  free(): void {
    this.#w.free();
  }

  /** @internal */
  static _wasm(v: Verifier): WasmVerifier {
    return v.#w;
  }

  /** @internal */
  static _now(v: Verifier): number | undefined {
    return v.#clock?.();
  }
}

/** @internal For permsnap/edge. */
export const _wasmVerifier = (v: Verifier): WasmVerifier => Verifier._wasm(v);
/** @internal For permsnap/edge. */
export const _now = (v: Verifier): number | undefined => Verifier._now(v);

// ---------------------------------------------------------- permissions

function unknown(name: string): never {
  throw new PermsnapError("unknown_permission", `unknown permission \`${name}\`: it is not in the catalog (check the spelling)`);
}

/** What one verified snapshot allows. */
export class Permissions {
  #p: WasmPermissions | null = null;
  /** Permission name → allowed. */
  #allowed = new Map<string, boolean>();
  #names: string[] = [];
  #kinds: string[] = [];
  #fingerprint = "";
  #filters = new Map<string, CompiledFilter>();
  #redactions = new Map<string, Redaction>();
  #error: PermsnapError | null = null;

  private constructor() {}

  /** @internal */
  static _from(p: WasmPermissions, names: string[], kinds: string[], fingerprint: string, error: PermsnapError | null): Permissions {
    const out = new Permissions();
    out.#p = p;
    out.#names = names;
    out.#kinds = kinds;
    out.#fingerprint = fingerprint;
    out.#error = error;
    const bits = p.allowedBits();
    for (let i = 0; i < names.length; i++) {
      out.#allowed.set(names[i], (((bits[i >> 3] ?? 0) >> (i & 7)) & 1) === 1);
    }
    return out;
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
  can(name: string): boolean {
    const v = this.#allowed.get(name);
    if (v === true) return true;
    if (v === false) return false;
    return unknown(name);
  }

  /** All of `names`? (Every name is checked, so a typo throws.) */
  canAll(names: readonly string[]): boolean {
    let all = true;
    for (const n of names) all = this.can(n) && all;
    return all;
  }

  /** Any of `names`? (Every name is checked, so a typo throws.) */
  canAny(names: readonly string[]): boolean {
    let any = false;
    for (const n of names) any = this.can(n) || any;
    return any;
  }

  /** Names of every allowed permission, in catalog order. */
  allowed(): string[] {
    return this.#names.filter((n) => this.#allowed.get(n) === true);
  }

  /** Why `can(name)` answers what it does. */
  explain(name: string): Explanation {
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
  needsStepUp(name: string): boolean {
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
      for (const k of this.#kinds) {
        scopes[k] = p.scope(k) as Scope;
        const h = p.hiddenFields(k);
        if (h.length > 0) hidden[k] = h;
      }
      return {
        tenant: p.tenant, subject: p.subject,
        issued_at: p.issuedAt, not_before: p.notBefore, expires_at: p.expiresAt,
        id: p.id, epoch: p.epoch, catalog: this.#fingerprint,
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

  /** Copies of `records` with hidden fields removed or masked. Never mutates the input. */
  redact<T extends object>(kind: string, records: readonly T[]): Partial<T>[] {
    const { remove, mask } = this.redaction(kind);
    if (remove.length === 0 && mask.length === 0) return records.map((r) => ({ ...r }));
    const [d0, d1] = remove;
    const keep =
      remove.length === 1 ? (k: string) => k !== d0
      : remove.length === 2 ? (k: string) => k !== d0 && k !== d1
      : ((drop: Set<string>) => (k: string) => !drop.has(k))(new Set(remove));
    const out: Partial<T>[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as Rec;
      const copy: Rec = {};
      for (const k in r) if (keep(k)) copy[k] = r[k];
      for (let j = 0; j < mask.length; j++) {
        const m = mask[j];
        if (m.field in copy) copy[m.field] = m.with;
      }
      out[i] = copy as Partial<T>;
    }
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
    this.#p?.free();
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

// ------------------------------------------------------------------ DOM

export interface DomOptions {
  /** Text shown in place of a hidden field (default "•••"). */
  mask?: string;
}

/** Hides every element under `root` whose `data-requires` (space-separated:
 *  all needed) or `data-requires-any` (any one) names a permission the person
 *  lacks, and masks elements with `data-field="kind.field"` bound to a hidden
 *  field. Unknown permission names throw, so a typo cannot hide a section
 *  silently. Returns how many elements were hidden and masked. */
export function applyToDom(root: ParentNode, permissions: Permissions, options: DomOptions = {}): { hidden: number; masked: number } {
  let hidden = 0;
  let masked = 0;
  const words = (s: string | null) => (s ?? "").split(/\s+/).filter(Boolean);
  for (const el of Array.from(root.querySelectorAll<HTMLElement>("[data-requires],[data-requires-any]"))) {
    const all = words(el.getAttribute("data-requires"));
    const any = words(el.getAttribute("data-requires-any"));
    const ok = permissions.canAll(all) && (any.length === 0 || permissions.canAny(any));
    el.hidden = !ok;
    if (!ok) hidden++;
  }
  const hiddenByKind = new Map<string, Set<string>>();
  for (const el of Array.from(root.querySelectorAll<HTMLElement>("[data-field]"))) {
    const [kind, field] = (el.getAttribute("data-field") ?? "").split(".");
    let set = hiddenByKind.get(kind);
    if (!set) {
      set = new Set(permissions.hiddenFields(kind));
      hiddenByKind.set(kind, set);
    }
    if (set.has(field)) {
      el.textContent = options.mask ?? "•••";
      el.classList.add("permsnap-masked");
      masked++;
    }
  }
  return { hidden, masked };
}
