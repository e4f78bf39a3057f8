// The Verifier of the small core's entries: a catalog and trusted keys
// checking snapshots. The core reads the catalog and the snapshot in
// place, checks the strict Ed25519 rules that need no curve arithmetic
// (canonical keys, R and S; no small-order key or R) and decides. Who
// checks the signature's equation over the exact bytes signed depends on
// the build:
// - the browser entry: the platform's WebCrypto, so verification is
//   asynchronous; `load` and `applyNotice` answer synchronously for a
//   document this verifier verified before (a snapshot's time and account
//   checked anew), and refuse another with `async_required`;
// - `permsnap/sync` (`permsnap` in Node, Deno, Bun and workerd): the core
//   itself (lean's `curve`: each trusted key a handle with its own table),
//   so `load` and `applyNotice` verify at once, and `verify` is the same
//   as a promise;
// - `permsnap/edge`: the same as `permsnap/sync`, on a core with feeds
//   (`applyFeed`, `maxFeedAge`) and the route gate (edge/gate.ts).

import { PermsnapError } from "../errors.js";
import { accountId, finalizer, interned, isBytes, noExtra, ownBytes, plainData, readClock, strictOptions, text } from "../internal.js";
import { permissionOf, type Permission } from "../permission.js";
import { platformVerify } from "../platform.js";
import { recheckAll } from "../expiry.js";
import type { CatalogInput, ErrorCode, FeedReport, Jwks, KeySetReport, NoticeSummary, PermissionName, Revocations } from "../types.js";
import type { VerifierOptions } from "./options.js";
import { offCurve, readKeys } from "./keys.js";
import { permissionsFrom, type Catalog, type Identity, type Kind, type Permissions } from "./permissions.js";
import { base64url, binary, hex, strictUtf8, trim } from "./text.js";
import { Core, hold, letGo, loaded, refusal, type Loaded } from "./wasm.js";

/** Whether this build's core applies revocation feeds and gates routes
 *  (lean's `edge`: `permsnap/edge`). Defined by scripts/build-pkg.sh
 *  (esbuild `--define`) from the build's own .wasm, so that the other
 *  builds' minified code leaves the edge's parts out. */
declare const LEAN_FEEDS: boolean;

export type { VerifierOptions };

/** `ps_load`'s account checks. */
const FIXED = 0;
const ANY = 1;
const NONE_NAMED = 2;

const CHOOSE = "a Verifier names its account: { tenant: \"acme\" }, { tenantPerRequest: true } (one verifier, many accounts: each load names it), or { anyTenant: true } (explicit opt-out)";

/** What one account's notices revoked: its snapshots below an epoch, a
 *  person's below a version, snapshot ids. */
interface Revoked {
  epoch: number;
  staff: Map<string, bigint>;
  ids: Set<string>;
}

/** The app's own revocation list (`setRevocations`): per account, the
 *  epoch below which its snapshots are revoked; snapshot ids (lowercase
 *  hex). */
interface Listed {
  minEpoch: Map<string, number>;
  ids: Set<string>;
}

const DOMAIN = new TextEncoder().encode("permsnap/v2 snapshot\0");
const NOTICE_DOMAIN = new TextEncoder().encode("permsnap/v2 revocation\0");
const MAX_SNAPSHOT = 4096;
const MAX_NOTICE = 65_536;
/** A u64 from its low and high words. */
const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const MAX_CATALOG = 1 << 20;
/** The keys `bytesKey` made, by the very array (the bytes of a text
 *  decoded before are the same array: `snapshotBytes`). */
const keyOf = new WeakMap<Uint8Array, string>();
/** A document's bytes as a map key (one character per byte), in chunks:
 *  a notice's 64 KB as one call's arguments overflowed a small stack
 *  (review, session 19). */
function bytesKey(b: Uint8Array): string {
  let key = keyOf.get(b);
  if (key !== undefined) return key;
  key = "";
  for (let i = 0; i < b.length; i += 4096) key += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  keyOf.set(b, key);
  return key;
}
/** A signed document's kind: how the core splits it, the domain its
 *  signature covers (WebCrypto checks the bytes), that domain's number for
 *  the core's `ps_verify`, and whether reading it needs the time. */
interface Signed {
  split: string;
  domain: Uint8Array;
  d: number;
  timed: boolean;
}
const SNAPSHOT: Signed = { split: "ps_split", domain: DOMAIN, d: 0, timed: true };
const NOTICE: Signed = { split: "ps_notice_split", domain: NOTICE_DOMAIN, d: 1, timed: false };
/** A feed head (`permsnap/edge`: checked in the core, never by WebCrypto). */
const FEED: Signed = { split: "ps_feed_split", domain: /* @__PURE__ */ new Uint8Array(0), d: 2, timed: false };
const MAX_FEED_HEAD = 1024;
/** A step-up proof (`permsnap/edge`'s gate). */
const STEP_UP: Signed = { split: "ps_proof_split", domain: /* @__PURE__ */ new Uint8Array(0), d: 3, timed: false };
const MAX_STEP_UP = 2048;

/** What a verifier holds in the core: its catalog, and (`curve`) its
 *  trusted keys' handles by key id. */
interface Held {
  /** The instance they are in (after a trap, `Core.get()` is another). */
  core: Core;
  catalog: number;
  keys: Map<string, number>;
  /** The last snapshots loaded, by their bytes (`bytesKey`). */
  loads: Map<string, Kept>;
}

/** A snapshot a verifier loaded, kept to hand out again: loading the same
 *  bytes for the same account under the same keys reads it once, and
 *  checks its time (in the core) and its revocations anew each time. */
interface Kept {
  /** Its handle in the core; this load is one of its holders. */
  loaded: Loaded;
  effective: Uint8Array;
  expiresAt: number;
  claims: Identity;
  /** How `ps_load` checked the account, and against what. */
  check: number;
  expected: Uint8Array;
  /** The verifier's `#keyset` it was verified under. */
  keyset: number;
}
/** How many loads a verifier keeps. */
const KEPT_LOADS = 16;

/** Lets go of what `h` holds. */
function release(h: Held): void {
  h.core.x.ps_drop_catalog(h.catalog);
  dropKeys(h.core, h.keys.values());
  h.keys = new Map();
  forget(h);
}

/** Lets go of the loads `h` kept. */
function forget(h: Held): void {
  for (const k of h.loads.values()) letGo(k.loaded);
  h.loads.clear();
}

function dropKeys(core: Core, keys: Iterable<number>): void {
  for (const k of keys) core.x.ps_drop_key(k);
}

/** What a verifier holds, let go when it is collected without `free()`
 *  (the snapshots loaded with it keep the catalog). */
const held = finalizer<Held>(release);

/** The catalog fingerprint of `v`, once the platform computed it. */
export let fingerprintOf: (v: Verifier) => Promise<string>;

/** @internal What `permsnap/edge`'s Gate and Refresher read of a
 *  verifier. */
export interface EdgeView {
  core: Core;
  /** The catalog's handle in the core. */
  catalog: number;
  /** Whether the verifier checks the account per request. */
  perRequest: boolean;
  /** Whether it trusts a key. */
  readonly keyed: boolean;
  /** Moves on each time the keys change (`setJwks`). */
  readonly keyset: number;
  leeway: number;
  maxFeedAge: number | undefined;
  /** The verifier's clock (seconds). */
  now(): number;
  /** Permission `i`'s name. */
  permissionName(i: number): string;
  /** A snapshot's text verified and loaded at `now` (for `tenant`). */
  load(snapshot: string, tenant: string | undefined, now: number): Permissions;
  /** With `maxFeedAge`: whether the revocations are not current at `now`. */
  stale(now: number): boolean;
  /** Checks the signature of a step-up proof (the header's text): its
   *  bytes, left in the core's input for `ps_proof`. */
  proof(text: string): void;
}

/** @internal `v`'s view for the edge: a Verifier of this very entry, with a
 *  core checking signatures (a Verifier of another entry has its own
 *  WebAssembly memory: refused, naming the entry to import). */
export let edgeView: (v: unknown) => EdgeView;

/** The options a Verifier takes in this build (`maxFeedAge` where the
 *  core applies feeds: `permsnap/edge`). */
const OPTIONS = ["tenant", "tenantPerRequest", "anyTenant", "leeway", "clock", ...(LEAN_FEEDS ? ["maxFeedAge"] : [])];

/** Verifies snapshots. Build it once (catalog + JWKS), verify many. */
export class Verifier {
  #c: Catalog;
  #keys!: Map<string, Uint8Array>;
  /** The catalog and (`curve`) the keys' handles by id, in the core. */
  #held: Held;
  #report!: KeySetReport;
  /** Moves on each time the keys change (`setJwks`). */
  #keyset = 0;
  /** The catalog's fingerprint (hex). */
  #fingerprint: string;
  /** The account (its UTF-8 bytes), or the number `ANY` or `NONE_NAMED`
   *  (per request). */
  #account: Uint8Array | typeof ANY | typeof NONE_NAMED;
  #clock: () => number;
  #leeway: number;
  /** Snapshots and notices verified (by their bytes), the last 64. */
  #verified = new Set<string>();
  /** What notices revoked, per account. Kept for the verifier's life (a
   *  page's notices are few), as the default entry's browser build keeps
   *  them. */
  #revoked = new Map<string, Revoked>();
  #listed: Listed = { minEpoch: new Map(), ids: new Set() };
  /** Moves on each time the revocations change. */
  #revision = 0;
  #freed = false;
  /** What permsnap/edge reads of this verifier (`edgeView`), once made. */
  #view: EdgeView | undefined;
  /** `permsnap/edge`: the feed age limit, and when the newest feed head
   *  applied in full was signed. */
  #maxFeedAge: number | undefined;
  #feedAt: number | null = null;
  /** `permission(name)`'s handles, made on first use. */
  #handles: Map<string, Permission> | undefined;

  constructor(catalog: CatalogInput, jwks: Jwks | string, options: VerifierOptions) {
    noExtra(arguments.length, 3, "new Verifier");
    // Copied first (`plainData`): a getter or proxy of the app runs once,
    // its error typed.
    if (options === undefined || options === null) throw new PermsnapError("invalid_argument", CHOOSE);
    const o = strictOptions(plainData(options, "Verifier options", "invalid_argument", ["clock"]), OPTIONS, "Verifier options");
    const { leeway = 30, clock = () => Date.now() / 1000, maxFeedAge } = o;
    const account = accountOf(o);
    if (typeof leeway !== "number" || !(leeway >= 0 && leeway <= 86_400)) {
      throw new PermsnapError("invalid_argument", "`leeway` is 0 to 86400 seconds");
    }
    if (typeof clock !== "function") throw new PermsnapError("invalid_argument", "`clock` is a function returning seconds since the Unix epoch");
    if (LEAN_FEEDS && maxFeedAge !== undefined && !(Number.isInteger(maxFeedAge) && (maxFeedAge as number) >= 1 && (maxFeedAge as number) <= 1e9)) {
      throw new PermsnapError("invalid_argument", "`maxFeedAge` is a whole number of seconds, at least 1");
    }
    const core = Core.get();
    core.input(catalogBytes(catalog));
    const [permCount, appCount, kindCount, featureCount, id, fingerprint] = core.call("ps_catalog");
    this.#fingerprint = hex(core.bytes(fingerprint, 8));
    this.#held = { core, catalog: id, keys: new Map(), loads: new Map() };
    held.register(this, this.#held, this);
    const names = new Map<string, number>();
    const kinds = new Map<string, Kind>();
    const apps = new Map<string, number>();
    const features = new Map<string, number>();
    const perms: { kind: Kind | undefined; scoped: boolean }[] = [];
    this.#c = { core, id, names, perms, kinds, apps, features, revision: () => this.#revision, revoked: (claims) => this.#check(claims) };
    try {
      const byIndex: Kind[] = [];
      for (let k = 0; k < kindCount; k++) {
        const [at, len, fieldCount] = core.call("ps_kind", id, k);
        const fields = Array.from({ length: fieldCount }, (_, j) => {
          const [f, fl, m, ml] = core.call("ps_field", id, k, j);
          // Interned (as permission names are): redaction and filters
          // compare every record's keys with them.
          return { name: interned(core.text(f, fl)), mask: m === 0 ? null : core.text(m, ml) };
        });
        const name = core.text(at, len);
        kinds.set(name, (byIndex[k] = { name, k, fields }));
      }
      // Names of permissions (with their kind), applications, features.
      ([[permCount, names], [appCount, apps], [featureCount, features]] as const).forEach(([count, map], list) => {
        for (let i = 0; i < count; i++) {
          const [at, len, kind, scoped] = core.call("ps_name", id, list, i);
          map.set(interned(core.text(at, len)), i);
          if (list === 0) perms.push({ kind: byIndex[kind], scoped: scoped === 1 });
        }
      });
      this.setJwks(jwks);
    } catch (e) {
      this.free();
      throw e;
    }
    this.#account = account;
    this.#clock = clock as () => number;
    this.#leeway = leeway as number;
    this.#maxFeedAge = maxFeedAge as number | undefined;
    // The brand every entry's Verifier carries: an edge Gate given this one
    // says which entry to import (it said "expected a permsnap Verifier").
    Object.defineProperty(this, Symbol.for("permsnap.Verifier"), { value: true });
  }

  #live(): Core {
    if (this.#freed) throw new PermsnapError("invalid_argument", "this Verifier was freed");
    return this.#c.core;
  }

  #now(): number {
    return readClock(this.#clock);
  }

  /** Verifies a snapshot (base64url text or bytes) and returns what it
   *  allows, or rejects with a `PermsnapError` naming the cause. */
  async verify(snapshot: string | Uint8Array): Promise<Permissions> {
    noExtra(arguments.length, 1, "verify");
    return this.#verify(snapshot, null);
  }

  /** `verify`, for the account `tenant` (what this request is for): the
   *  snapshot must belong to it (`wrong_tenant` otherwise). */
  async verifyFor(snapshot: string | Uint8Array, tenant: string): Promise<Permissions> {
    noExtra(arguments.length, 2, "verifyFor");
    return this.#verify(snapshot, requestTenant(tenant));
  }

  async #verify(snapshot: string | Uint8Array, tenant: Uint8Array | null): Promise<Permissions> {
    const bytes = snapshotBytes(snapshot);
    this.#live();
    return this.#checked(bytes, SNAPSHOT, (now) => this.#load(bytes, tenant, now));
  }

  /** `then(now)`, in the very turn that found `bytes` signed under the
   *  keys in force: keys replaced during the check, or in the turns after
   *  it, check it again, once. (A verify read its snapshot a turn after
   *  `setJwks` withdrew its key: attack review, session 20.) The clock
   *  (`now`, for a document of a `timed` kind) is read before the keys are
   *  last compared: an app's clock that replaces the keys cannot slip a
   *  withdrawn key's signature through (review, session 27). */
  async #checked<T>(bytes: Uint8Array, kind: Signed, then: (now: number) => T): Promise<T> {
    if (this.#c.core.curve) {
      const now = this.#clockFor(kind);
      this.#signedNow(bytes, kind);
      return then(now);
    }
    for (let tries = 0; tries < 2; tries++) {
      const keyset = await this.#signed(bytes, kind);
      const now = this.#clockFor(kind);
      if (keyset === this.#keyset) return then(now);
    }
    throw refusal("async_required", "the keys changed twice while this was verified: verify it again");
  }

  /** The time, when a document of `kind` needs it. */
  #clockFor(kind: Signed): number {
    return kind.timed ? this.#now() : 0;
  }

  /** The key id of the document `bytes` (split by the core's `split`,
   *  which leaves it in the core's input), and the length signed. */
  #split(core: Core, bytes: Uint8Array, split: string): [string, number] {
    core.input(bytes);
    const [kidAt, kidLen, signedLen] = core.call(split);
    try {
      return [strictUtf8.decode(bytes.subarray(kidAt, kidAt + kidLen)), signedLen];
    } catch {
      return ["", signedLen]; // no key has an id that is not UTF-8
    }
  }

  /** `curve`: checks the signature of `bytes` in the core, at once, unless
   *  this verifier checked these very bytes before. */
  #signedNow(bytes: Uint8Array, kind: Signed): void {
    const key = bytesKey(bytes);
    if (this.#verified.has(key)) return;
    const core = this.#live();
    const [kid, signedLen] = this.#split(core, bytes, kind.split);
    const handle = this.#held.keys.get(kid);
    if (handle === undefined) throw unknownKey(kid);
    core.call("ps_verify", handle, kind.d, signedLen);
    this.#remember(key);
  }

  /** `key` (a document's bytes) verified under the keys in force. */
  #remember(key: string): void {
    if (this.#verified.size >= 64) this.#verified.delete(this.#verified.values().next().value as string);
    this.#verified.add(key);
  }

  /** Has the platform check the signature of `bytes` (a document of
   *  `kind`), unless this verifier checked these very bytes before;
   *  answers the keys' `#keyset` it was checked under (-1: they changed
   *  during the check). */
  async #signed(bytes: Uint8Array, kind: Signed): Promise<number> {
    const key = bytesKey(bytes);
    if (this.#verified.has(key)) return this.#keyset;
    const core = this.#live();
    const keyset = this.#keyset;
    const [kid, signedLen] = this.#split(core, bytes, kind.split);
    const raw = this.#keys.get(kid);
    if (raw === undefined) throw unknownKey(kid);
    core.call("ps_shape");
    const domain = kind.domain;
    // key | signature | domain | bytes signed: the job the platform checks.
    const job = new Uint8Array(96 + domain.length + signedLen);
    job.set(raw);
    job.set(bytes.subarray(signedLen, signedLen + 64), 32);
    job.set(domain, 96);
    job.set(bytes.subarray(0, signedLen), 96 + domain.length);
    const verified = await platformVerify(job);
    // The keys changed during the check (a rotation, a key withdrawn).
    if (keyset !== this.#keyset) return -1;
    if (!verified) throw refusal("bad_signature");
    this.#remember(key);
    return keyset;
  }

  /** Verifies a revocation notice of this verifier's account (base64url
   *  text or bytes) and applies it: every snapshot it revokes is refused
   *  from now on, and permissions already loaded from one deny everything
   *  on their next use (`error` `revoked`). */
  async verifyNotice(notice: string | Uint8Array): Promise<NoticeSummary> {
    noExtra(arguments.length, 1, "verifyNotice");
    const bytes = documentBytes(notice, "PSR", MAX_NOTICE);
    this.#live();
    return this.#checked(bytes, NOTICE, () => this.#apply(bytes));
  }

  /** `verifyNotice`, synchronously: in the browser entry for a notice
   *  this verifier verified before (another is refused with
   *  `async_required`), in `permsnap/sync` for any. */
  applyNotice(notice: string | Uint8Array): NoticeSummary {
    noExtra(arguments.length, 1, "applyNotice");
    const bytes = documentBytes(notice, "PSR", MAX_NOTICE);
    const core = this.#live();
    if (core.curve) this.#signedNow(bytes, NOTICE);
    else if (!this.#verified.has(bytesKey(bytes))) throw refusal("async_required", "await verifyNotice() first");
    return this.#apply(bytes);
  }

  /** Reads a verified notice and adds what it revokes. A verifier of one
   *  account takes its notices only (`wrong_tenant`); one of several
   *  accounts, every account's, each revoking in its account. */
  #apply(bytes: Uint8Array): NoticeSummary {
    const core = this.#live();
    const account = this.#account;
    const fixed = typeof account !== "number" ? account : new Uint8Array(0);
    core.input(bytes, fixed);
    const [ids, staff, , , minEpoch, at, len] = core.call("ps_notice", fixed.length, typeof account !== "number" ? 0 : 1);
    const tenant = core.text(at, len);
    let r = this.#revoked.get(tenant);
    if (r === undefined) this.#revoked.set(tenant, (r = { epoch: 0, staff: new Map(), ids: new Set() }));
    // Only ever more: an older notice applied again lifts nothing.
    let more = minEpoch > r.epoch;
    r.epoch = Math.max(r.epoch, minEpoch);
    for (let i = 0; i < ids; i++) {
      const id = hex(core.bytes(core.call("ps_notice_id", i)[0], 8));
      more ||= !r.ids.has(id);
      r.ids.add(id);
    }
    for (let i = 0; i < staff; i++) {
      const [at, len, lo, hi] = core.call("ps_notice_staff", i);
      const subject = core.text(at, len);
      const version = u64(lo, hi);
      if (version > (r.staff.get(subject) ?? 0n)) {
        r.staff.set(subject, version);
        more = true;
      }
    }
    if (more) this.#changed();
    return { tenant, minEpoch, ids, staff };
  }

  /** The revocations changed: what is loaded checks itself on its next
   *  use. */
  #changed(): void {
    this.#revision++;
    recheckAll();
  }

  /** Verifies a revocation feed's head and the notices it lists (each
   *  base64url text or bytes, in feed order), applies every notice that
   *  verifies (another account's is skipped), and reports them; the feed
   *  counts as current (`feedAt`, what `maxFeedAge` checks) only when
   *  none failed. Throws, changing nothing, when the head does not verify,
   *  names another account (any one account, for a verifier of several),
   *  does not list exactly these notices, is dated after this verifier's
   *  clock plus the leeway, or is older than one applied (`stale_feed`: a
   *  replayed copy). `permsnap/edge` only: a page refreshes its snapshot
   *  and takes notices (`verifyNotice`) instead. */
  applyFeed(head: string | Uint8Array, notices: ReadonlyArray<string | Uint8Array>): FeedReport {
    noExtra(arguments.length, 2, "applyFeed");
    const core = this.#live();
    // The edge's build only (the others' minified code ends here).
    if (!LEAN_FEEDS) throw new PermsnapError("invalid_argument", "revocation feeds are applied at the edge: use the Verifier of `permsnap/edge` (the browser build refreshes snapshots instead)");
    const bytes = documentBytes(head, "PSH", MAX_FEED_HEAD);
    if (!Array.isArray(notices)) throw new PermsnapError("invalid_argument", "`notices` is an array of notices");
    // Index by index: a hole of a sparse array is no notice (`map` kept
    // it: review, session 28).
    const list: Uint8Array[] = [];
    for (let i = 0; i < notices.length; i++) list.push(documentBytes(notices[i], "PSR", MAX_NOTICE));
    // Whole seconds, as the reference's clock reads.
    const now = Math.floor(this.#now());
    this.#signedNow(bytes, FEED);
    core.input(bytes);
    const [named, at, len, lo, hi, count] = core.call("ps_feed");
    const issuedAt = hi * 2 ** 32 + lo;
    const account = this.#account;
    const tenant = named === 1 ? core.text(at, len) : null;
    if (tenant !== null && (typeof account === "number" || tenant !== strictUtf8.decode(account))) {
      const expected = typeof account === "number" ? "every account" : strictUtf8.decode(account);
      throw refusal("wrong_tenant", `the feed is account \`${tenant}\`'s, this verifier's is ${expected === "every account" ? expected : `\`${expected}\``}`);
    }
    if (issuedAt > now + this.#leeway) {
      throw refusal("stale_feed", `this feed head is dated ${Math.floor(issuedAt - now)} s after this verifier's clock (beyond the leeway): the issuer's clock runs ahead, or gave milliseconds`);
    }
    if (this.#feedAt !== null && issuedAt < this.#feedAt) {
      throw refusal("stale_feed", `this feed head was signed at ${issuedAt}, before the one already applied (${this.#feedAt}): an old copy`);
    }
    const framed = new Uint8Array(list.reduce((n, b) => n + 4 + b.length, 0));
    const view = new DataView(framed.buffer);
    let o = 0;
    for (const b of list) {
      view.setUint32(o, b.length, true);
      framed.set(b, o + 4);
      o += 4 + b.length;
    }
    core.input(framed);
    try {
      core.call("ps_feed_lists");
    } catch (e) {
      throw e instanceof PermsnapError && e.code === "malformed"
        ? refusal("malformed", `the feed's ${list.length} notices are not the ${count} its head lists (one left out, added or changed)`)
        : e;
    }
    const report: FeedReport = { issuedAt, applied: 0, skipped: 0, failed: [] };
    list.forEach((n, index) => {
      try {
        this.#signedNow(n, NOTICE);
        this.#apply(n);
        report.applied++;
      } catch (e) {
        if (!(e instanceof PermsnapError)) throw e;
        if (e.code === "wrong_tenant") report.skipped++;
        else report.failed.push({ index, code: e.code as ErrorCode, message: e.message });
      }
    });
    if (report.failed.length === 0) this.#feedAt = issuedAt;
    return report;
  }

  /** When the newest feed head applied in full was signed (seconds), or
   *  `null`: none yet (always in the browser entry and `permsnap/sync`). */
  get feedAt(): number | null {
    return this.#feedAt;
  }

  /** Replaces the app's own revocation list: per account, the epoch below
   *  which its snapshots are revoked (`minEpoch: { acme: 3 }`), and
   *  snapshot ids (`ids`, 16 hex digits each). What notices revoked stays.
   *  Permissions loaded before deny from their next use when it revokes
   *  them (`error` `revoked`). */
  setRevocations(revocations: Revocations): void {
    noExtra(arguments.length, 1, "setRevocations");
    const listed = readRevocations(revocations);
    this.#live();
    this.#listed = listed;
    this.#changed();
  }

  /** Why `c` is revoked by the notices applied (or, with `maxFeedAge`,
   *  not known not to be at `now`), or null. */
  #check(c: Identity, now?: number): PermsnapError | null {
    // Freed, this verifier takes no more notices: what it handed out
    // could no longer be revoked, so it denies (as the default entry's).
    if (this.#freed) return refusal("revoked", "its Verifier was freed: later revocations could not reach these permissions");
    // With `maxFeedAge`: a feed applied, recent enough (before the lists,
    // as the default entry checks it).
    const stale = this.#stale(now);
    if (stale) return stale;
    // The app's list, then the notices (the default entry's order).
    const min = this.#listed.minEpoch.get(c.tenant) ?? 0;
    if (c.epoch < min) return refusal("revoked", `account \`${c.tenant}\` revoked everything before epoch ${min}; this snapshot has epoch ${c.epoch}`);
    if (this.#listed.ids.has(c.id)) return refusal("revoked", `snapshot \`${c.id}\` was revoked`);
    const r = this.#revoked.get(c.tenant);
    if (r === undefined) return null;
    if (c.epoch < r.epoch) return refusal("revoked", `account \`${c.tenant}\` revoked everything before epoch ${r.epoch}; this snapshot has epoch ${c.epoch}`);
    const v = r.staff.get(c.subject);
    if (v !== undefined && c.version < v) return refusal("revoked", `staff member \`${c.subject}\` was edited or deactivated: snapshots before version ${v} are revoked, this one has version ${c.version}`);
    if (r.ids.has(c.id)) return refusal("revoked", `snapshot \`${c.id}\` was revoked`);
    return null;
  }

  /** With `maxFeedAge`: why the revocations are not current, or null. */
  #stale(clock = this.#now()): PermsnapError | null {
    const max = this.#maxFeedAge;
    if (!LEAN_FEEDS || max === undefined) return null;
    const at = this.#feedAt;
    if (at === null) return refusal("stale_feed", "no revocation feed has been applied yet");
    // Whole seconds, as the reference's clock reads (it answered 200 at
    // the limit's last half second, where this said `stale_feed`).
    const now = Math.floor(clock);
    return now > at + max ? refusal("stale_feed", `the last feed head was signed ${Math.floor(now - at)} s ago; the limit is ${max} s`) : null;
  }

  /** `verify`, but never rejects for a refused snapshot: permissions that
   *  deny everything, the refusal in `error` (`no_snapshot` for none). */
  async verifyOrDeny(snapshot: string | Uint8Array | null | undefined): Promise<Permissions> {
    noExtra(arguments.length, 1, "verifyOrDeny");
    if (snapshot === null || snapshot === undefined || snapshot === "") return this.denyAll();
    try {
      return await this.verify(snapshot);
    } catch (e) {
      if (e instanceof PermsnapError && e.code !== "not_initialized") return this.denyAll(e);
      throw e;
    }
  }

  /** What a snapshot allows, synchronously. In the browser entry, for a
   *  snapshot this verifier verified before (its time and account checked
   *  anew); another is refused with `async_required`: `await verify()` it
   *  first. In `permsnap/sync`, for any: verified at once. */
  load(snapshot: string | Uint8Array): Permissions {
    noExtra(arguments.length, 1, "load");
    return this.#loadVerified(snapshot, null);
  }

  /** `load`, for the account `tenant` (what this request is for): the
   *  snapshot must belong to it (`wrong_tenant` otherwise). */
  loadFor(snapshot: string | Uint8Array, tenant: string): Permissions {
    noExtra(arguments.length, 2, "loadFor");
    return this.#loadVerified(snapshot, requestTenant(tenant));
  }

  #loadVerified(snapshot: string | Uint8Array, tenant: Uint8Array | null): Permissions {
    const bytes = snapshotBytes(snapshot);
    const core = this.#live();
    // The clock first: keys it replaces are the keys the signature is
    // checked (or found checked) under (review, session 27).
    const now = this.#now();
    if (core.curve) this.#signedNow(bytes, SNAPSHOT);
    else if (!this.#verified.has(bytesKey(bytes))) {
      throw refusal("async_required", "the browser entry checks signatures with the platform's WebCrypto (permsnap/sync loads at once)");
    }
    return this.#load(bytes, tenant, now);
  }

  /** `load`, but never throws for a refused snapshot (see `verifyOrDeny`). */
  loadOrDeny(snapshot: string | Uint8Array | null | undefined): Permissions {
    noExtra(arguments.length, 1, "loadOrDeny");
    if (snapshot === null || snapshot === undefined || snapshot === "") return this.denyAll();
    try {
      return this.load(snapshot);
    } catch (e) {
      if (e instanceof PermsnapError) return this.denyAll(e);
      throw e;
    }
  }

  /** Permissions that deny everything, `error` saying why. */
  denyAll(error: PermsnapError = new PermsnapError("no_snapshot", "no snapshot")): Permissions {
    noExtra(arguments.length, 1, "denyAll");
    if (!(error instanceof PermsnapError)) throw new PermsnapError("invalid_argument", "denyAll takes a PermsnapError");
    this.#live();
    return permissionsFrom(this.#c, null, new Uint8Array(0), 0, error);
  }

  /** Reads a verified snapshot's bytes against the catalog at `now`. */
  #load(bytes: Uint8Array, tenant: Uint8Array | null, now: number): Permissions {
    const core = this.#live();
    const fixed = this.#account;
    // The account the snapshot must belong to (a request naming another
    // than this verifier's one account: none, so `wrong_tenant`), or how
    // it is checked.
    // (`typeof`, not `instanceof Uint8Array`: what TextEncoder makes is of
    // another realm in a Firefox page driven by WebDriver.)
    const [expected, check] = typeof fixed !== "number"
      ? [tenant === null || sameBytes(tenant, fixed) ? fixed : new Uint8Array(0), FIXED]
      : tenant === null ? [new Uint8Array(0), fixed] : [tenant, FIXED];
    const loads = this.#held.loads;
    const key = bytesKey(bytes);
    const kept = loads.get(key);
    if (kept !== undefined && kept.check === check && kept.keyset === this.#keyset && sameBytes(kept.expected, expected)) {
      // Read before for this account under these keys: its time checked
      // again in the core, then its revocations, as a load checks them.
      core.call("ps_recheck", kept.loaded.state.handle, now, this.#leeway);
      return this.#handOut(kept, now, null);
    }
    core.input(bytes, expected);
    let out: Uint32Array;
    try {
      out = core.call("ps_load", this.#c.id, expected.length, check, now, this.#leeway);
    } catch (e) {
      if (check === NONE_NAMED && e instanceof PermsnapError && e.code === "invalid_argument") {
        throw new PermsnapError("invalid_argument", "this verifier checks the account per request: name it (verifyFor / loadFor)");
      }
      throw e;
    }
    const [handle, at, len, lo, hi] = out;
    // Held from here: should a read below throw, the core still frees it.
    const l = loaded(core, handle);
    const expiresAt = hi * 2 ** 32 + lo;
    const effective = core.bytes(at, len);
    const [epoch, vlo, vhi, idAt] = core.call("ps_claims", handle);
    const id = hex(core.bytes(idAt, 8));
    const [s, sl, t, tl] = core.call("ps_subject", handle);
    const claims: Identity = { subject: core.text(s, sl), tenant: core.text(t, tl), version: u64(vlo, vhi), epoch, id };
    return this.#handOut({ loaded: l, effective, expiresAt, claims, check, expected, keyset: this.#keyset }, now, key);
  }

  /** Permissions from `loaded` at `now`, unless a notice applied before
   *  revoked it (refused, as the default entry refuses it after the
   *  account and the clock). A new load (read from the bytes `key`) is
   *  kept for the next load of the same bytes, or let go when refused. */
  #handOut(kept: Kept, now: number, key: string | null): Permissions {
    const loads = this.#held.loads;
    const revoked = this.#check(kept.claims, now);
    if (revoked) {
      if (key !== null) letGo(kept.loaded);
      throw revoked;
    }
    if (key !== null) {
      // The same bytes read for another account or under older keys are
      // replaced; else the oldest goes once there are KEPT_LOADS.
      const out = loads.has(key) ? key : loads.size >= KEPT_LOADS ? (loads.keys().next().value as string) : null;
      if (out !== null) {
        letGo((loads.get(out) as Kept).loaded);
        loads.delete(out);
      }
      loads.set(key, kept);
    }
    hold(kept.loaded);
    // Denies everything once `load` would refuse it (its expiry plus the
    // leeway, by this verifier's clock): a timer per expiry time, no clock
    // read per check.
    const deadline = Date.now() + (kept.expiresAt + this.#leeway - now) * 1000;
    return permissionsFrom(this.#c, kept.loaded, kept.effective, kept.expiresAt, null, deadline, kept.claims);
  }

  /** Replaces the trusted keys (key rotation) without rebuilding the
   *  verifier. Keys that are not Ed25519 signing keys are ignored and
   *  reported; a malformed or weak Ed25519 key, a private part (`d`) or a
   *  repeated `kid` refuses the whole set (nothing changes). What was
   *  verified with the keys before is verified again on its next use. */
  setJwks(jwks: Jwks | string): KeySetReport {
    noExtra(arguments.length, 1, "setJwks");
    const core = this.#live();
    const { keys, report } = readKeys(jwks, core);
    if (core.curve) {
      const handles = trust(core, keys, this.#keys, this.#held.keys);
      const kept = new Set(handles.values());
      dropKeys(core, [...this.#held.keys.values()].filter((h) => !kept.has(h)));
      this.#held.keys = handles;
    }
    this.#keys = keys;
    this.#report = report;
    this.#keyset++;
    this.#verified.clear();
    forget(this.#held);
    return report;
  }

  /** What the last key set held and left out. */
  get keys(): KeySetReport {
    return this.#report;
  }

  /** The catalog's fingerprint (hex), as snapshots carry it. */
  get fingerprint(): string {
    return this.#fingerprint;
  }

  static {
    fingerprintOf = async (v) => v.fingerprint;
    // The edge's build only (an empty block in the others' minified code).
    if (LEAN_FEEDS) edgeView = (v) => {
      if (typeof v !== "object" || v === null || !(#held in v)) {
        const other = typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[Symbol.for("permsnap.Verifier")] === true;
        throw new PermsnapError("invalid_argument", other
          ? "this Verifier comes from another permsnap entry: import Verifier from \"permsnap/edge\" for a Gate"
          : "expected a permsnap Verifier");
      }
      const w = v as Verifier;
      const core = w.#live();
      // Made once per verifier: a request's check makes no closures.
      return (w.#view ??= {
        core,
        catalog: w.#held.catalog,
        perRequest: w.#account === NONE_NAMED,
        get keyed() {
          return w.#held.keys.size > 0;
        },
        get keyset() {
          return w.#keyset;
        },
        leeway: w.#leeway,
        maxFeedAge: w.#maxFeedAge,
        now: () => w.#now(),
        permissionName: (i) => w.permissionNames[i],
        stale: (now) => w.#stale(now) !== null,
        load: (text, tenant, now) => {
          const bytes = snapshotBytes(text);
          w.#signedNow(bytes, SNAPSHOT);
          return w.#load(bytes, tenant === undefined ? null : requestTenant(tenant), now);
        },
        // A step-up proof's signature (the header's text), refused as the
        // default entry refuses it: `unknown_key` for a key this verifier
        // does not trust (the edge then reloads its keys), else
        // `step_up_refused`. Its bytes stay in the core's input. (Not kept
        // among the documents verified: a proof serves one request.)
        proof: (text) => {
          let bytes: Uint8Array;
          let kid: string;
          let signedLen: number;
          try {
            bytes = documentBytes(trim(text), "PSU", MAX_STEP_UP);
            [kid, signedLen] = w.#split(core, bytes, STEP_UP.split);
          } catch (e) {
            if (!(e instanceof PermsnapError)) throw e;
            throw refusal("step_up_refused", `not a step-up proof (${e.message})`);
          }
          const handle = w.#held.keys.get(kid);
          if (handle === undefined) throw unknownKey(kid);
          try {
            core.call("ps_verify", handle, STEP_UP.d, signedLen);
          } catch (e) {
            if (!(e instanceof PermsnapError)) throw e;
            throw refusal("step_up_refused", `its signature does not verify (${e.message})`);
          }
        },
      });
    };
  }

  /** The catalog's permission names, in its order. */
  get permissionNames(): readonly string[] {
    return [...this.#c.names.keys()];
  }

  /** Permission `name` of the catalog, resolved once (`unknown_permission`
   *  for a name not in it): `can()` answers it without looking the name
   *  up. The same object for the same name. */
  permission(name: PermissionName): Permission {
    noExtra(arguments.length, 1, "permission");
    return permissionOf((this.#handles ??= new Map()), this.#c, name, (n) => this.#c.names.get(n) ?? -1);
  }

  /** The catalog's record kinds. */
  get kindNames(): readonly string[] {
    return [...this.#c.kinds.keys()];
  }

  /** The fields of `kind` the catalog declares. */
  fieldNames(kind: string): readonly string[] {
    noExtra(arguments.length, 1, "fieldNames");
    const k = this.#c.kinds.get(text(kind, "a kind"));
    if (k === undefined) throw new PermsnapError("unknown_kind", `unknown record kind \`${kind}\`: it is not in the catalog`);
    return k.fields.map((f) => f.name);
  }

  /** Lets go of the verifier's catalog in the core. It takes no more
   *  notices, so the permissions it handed out deny from their next use
   *  (`error` `revoked`): nothing could revoke them any more (a session
   *  frees the verifiers a new catalog replaced, and its own at `close()`). */
  free(): void {
    noExtra(arguments.length, 0, "free");
    if (this.#freed) return;
    this.#freed = true;
    held.unregister(this);
    release(this.#held);
    this.#changed();
  }
}

/** A document signed by a key this verifier does not trust. */
function unknownKey(kid: string): PermsnapError {
  return refusal("unknown_key", `no trusted key is named \`${kid}\``);
}

/** `curve`: the keys, each trusted in the core (read strictly there
 *  again); their handles by key id. A key the verifier trusted before
 *  (`before`, `handles`: the same id, the same bytes) keeps its handle,
 *  and with it the table the core built for it (a rotation, a session's
 *  JWKS refresh: review, session 27). */
function trust(core: Core, keys: ReadonlyMap<string, Uint8Array>, before: ReadonlyMap<string, Uint8Array> | undefined, handles: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  const made: number[] = [];
  try {
    for (const [kid, raw] of keys) {
      const [old, handle] = [before?.get(kid), handles.get(kid)];
      if (old !== undefined && handle !== undefined && sameBytes(old, raw)) {
        out.set(kid, handle);
        continue;
      }
      core.input(raw);
      let h: number;
      try {
        [h] = core.call("ps_trust");
      } catch (e) {
        // readKeys checked all but the curve equation: the core's reader
        // refuses a key off the curve here, in readKeys' words.
        throw e instanceof PermsnapError && e.code === "invalid_key" ? offCurve(kid) : e;
      }
      made.push(h);
      out.set(kid, h);
    }
  } catch (e) {
    dropKeys(core, made);
    throw e;
  }
  return out;
}

/** The account a verifier's options name: its UTF-8 bytes, `ANY` or
 *  `NONE_NAMED` (per request), read as the default entry reads them. */
function accountOf(o: Record<string, unknown>): Uint8Array | typeof ANY | typeof NONE_NAMED {
  const flag = (key: string): boolean => {
    if (o[key] === undefined) return false;
    if (o[key] !== true) throw new PermsnapError("invalid_argument", `\`${key}\` is \`true\` when given`);
    return true;
  };
  const { tenant } = o;
  if (tenant !== undefined) accountId(tenant, "`tenant`");
  const perRequest = flag("tenantPerRequest");
  const any = flag("anyTenant");
  if (Number(tenant !== undefined) + Number(perRequest) + Number(any) > 1) {
    throw new PermsnapError("invalid_argument", "`tenant`, `tenantPerRequest` and `anyTenant` exclude each other");
  }
  if (tenant !== undefined) return new TextEncoder().encode(tenant as string);
  if (perRequest) return NONE_NAMED;
  if (any) return ANY;
  throw new PermsnapError("invalid_argument", CHOOSE);
}

/** The account a request names (`loadFor`, `verifyFor`), as bytes. */
function requestTenant(tenant: unknown): Uint8Array {
  return new TextEncoder().encode(accountId(tenant, "the request's account"));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The app's revocation list (`setRevocations`), read as the default
 *  entry reads it: `minEpoch` a plain object of epochs (an array, a `Map`
 *  or a `Date` would read as no entries and lift every epoch revocation),
 *  `ids` snapshot ids of 16 hex digits. */
function readRevocations(revocations: unknown): Listed {
  const arg = (message: string) => new PermsnapError("invalid_argument", message);
  if (typeof revocations !== "object" || revocations === null) throw arg("revocations are an object: { minEpoch?, ids? }");
  const o = strictOptions(plainData(revocations, "revocations"), ["minEpoch", "ids"], "revocations");
  const minEpoch = new Map<string, number>();
  const m = o.minEpoch;
  if (m !== undefined) {
    if (typeof m !== "object" || m === null || Array.isArray(m) || isBytes(m)) throw arg("`minEpoch` maps account ids to epochs");
    for (const [tenant, epoch] of Object.entries(m)) {
      accountId(tenant, "an account of `minEpoch`");
      if (!Number.isInteger(epoch) || (epoch as number) < 0 || (epoch as number) > 0xffff_ffff) throw arg(`\`minEpoch.${tenant}\` is not an epoch (an integer)`);
      minEpoch.set(tenant, epoch as number);
    }
  }
  const ids = new Set<string>();
  if (o.ids !== undefined) {
    if (!Array.isArray(o.ids)) throw arg("`ids` is an array of snapshot ids");
    for (const id of o.ids) {
      if (typeof id !== "string") throw arg("`ids` holds snapshot ids as hex strings");
      if (!/^[0-9a-fA-F]{16}$/.test(id)) throw arg(`\`${id}\` is not a snapshot id (16 hex digits)`);
      ids.add(id.toLowerCase());
    }
  }
  return { minEpoch, ids };
}

/** The bytes of the last snapshot texts decoded: a page reloads one text,
 *  a server sees one cookie many times (the cached reload: 11 µs, 4 of
 *  them decoding, in session 27). Decoding is a function of the text, and
 *  the bytes are only read (copied into the core, compared). */
const decoded = new Map<string, Uint8Array>();

/** A snapshot argument as bytes (text decoded strictly), or refused. */
function snapshotBytes(input: unknown): Uint8Array {
  if (typeof input === "string") {
    const known = decoded.get(input);
    if (known !== undefined) return known;
  }
  // The length of the copy: the app's array (a Proxy, a subclass) may say
  // another, or throw (attack review, session 23).
  const own = documentInput(input);
  if (own.length === 0) throw refusal("no_snapshot");
  const bytes = binary(own, "PSN", MAX_SNAPSHOT);
  if (typeof input === "string") {
    if (decoded.size >= 16) decoded.delete(decoded.keys().next().value as string);
    decoded.set(input, bytes);
  }
  return bytes;
}

/** A signed document argument (magic `magic`, at most `max` bytes) as
 *  bytes, text decoded strictly; a copy of the array's own bytes, made at
 *  once (`ownBytes`): the app's buffer may change while the platform
 *  verifies. */
function documentBytes(input: unknown, magic: string, max: number): Uint8Array {
  return binary(documentInput(input), magic, max);
}

/** A document argument: text, or a copy of the array's own bytes. */
function documentInput(input: unknown): string | Uint8Array {
  if (typeof input === "string") return input;
  if (!isBytes(input)) throw new PermsnapError("invalid_argument", "expected a base64url string or a Uint8Array");
  return ownBytes(input) as Uint8Array;
}

/** A compiled catalog over the limit: `invalid_policy`, as the core and
 *  the reference refuse it (this entry said `too_large`: review, session
 *  26). */
function catalogTooLarge(len: number): PermsnapError {
  return new PermsnapError("invalid_policy", `the compiled catalog is ${len} bytes, over the limit of ${MAX_CATALOG}`);
}

/** A compiled catalog argument as bytes: `Uint8Array`, base64url text, or
 *  the object `permsnap catalog` prints (its `binary`). */
function catalogBytes(catalog: unknown): Uint8Array {
  if (isBytes(catalog)) {
    const bytes = ownBytes(catalog) as Uint8Array; // the array's own storage, whatever it says its length is
    if (bytes.length > MAX_CATALOG) throw catalogTooLarge(bytes.length);
    return bytes;
  }
  let t = catalog;
  if (typeof catalog === "object" && catalog !== null) {
    t = (plainData(catalog, "the catalog") as { binary?: unknown }).binary;
    if (t === undefined || t === null) throw new PermsnapError("invalid_argument", "the catalog object has no `binary` member: pass what `permsnap catalog` prints");
    if (typeof t !== "string") throw new PermsnapError("invalid_argument", "`binary` must be a string");
  } else if (typeof catalog !== "string") {
    throw new PermsnapError("invalid_argument", "a catalog is a compiled catalog: bytes, base64url text, or the object `permsnap catalog` prints");
  }
  const s = trim(t as string);
  if (s.length > Math.ceil((MAX_CATALOG * 4) / 3)) throw catalogTooLarge(Math.floor((s.length * 3) / 4));
  const bytes = base64url(s);
  if (bytes === null) throw new PermsnapError("invalid_policy", "the compiled catalog is not base64url");
  return bytes;
}

