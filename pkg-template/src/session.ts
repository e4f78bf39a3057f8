// The refresh loop of a page: one signed-in person's permissions, kept
// fresh. Loads the snapshot from an endpoint the app owns, refreshes it
// before it expires (working from the server's clock: front-desk PCs often
// have a wrong one), follows revocation notices pushed by the app, retries
// a request once when the edge says the snapshot is stale, and swaps the
// `Permissions` atomically, telling subscribers (React, applyToDom).
// Browser build only.

import { PermsnapError } from "./errors.js";
import { noExtra, parseJson, strictOptions, weakRef, type Ref } from "./internal.js";
import { fingerprintOf, Verifier } from "./verifier.js";
import { expirePermissions, grace, type Permissions } from "./permissions.js";
import { recheckAll } from "./expiry.js";
import type { CatalogInput, Jwks } from "./types.js";

/** What the app's snapshot endpoint answered: the issuer's output
 *  (`{ snapshot, issuedAt, fresh, … }`, what permsnap/issuer's helpers
 *  send), the bare text, or `null` when the person has no snapshot (signed
 *  out, deactivated): everything is denied. */
export type FetchedSnapshot = string | { snapshot: string; issuedAt?: number; fresh?: string } | null;

/** What the session asks of `fetchSnapshot`: `fresh`, a random token, to
 *  send as the `Permsnap-Fresh` header; the endpoint echoes it (the
 *  helpers do) and that proves the answer is not a cached or replayed one,
 *  so its `issuedAt` may set the session's clock. An endpoint of the app's
 *  own echoes it only beside an issuance made for this request: one it
 *  cached would set the clock back by its age, and a snapshot would then
 *  be taken as current up to that long past its expiry. */
export interface SnapshotRequest {
  fresh: string;
}

export interface SessionOptions {
  /** The compiled catalog (what `permsnap catalog` prints, or its `binary`). */
  catalog: CatalogInput;
  /** The issuer's public keys. */
  jwks: Jwks | string;
  /** The account this page belongs to: another account's snapshot is refused. */
  tenant: string;
  /** Fetches a fresh snapshot for the signed-in person. Throwing means "try
   *  again later" (the current permissions stay until they expire);
   *  resolving `null` means "no snapshot" (deny everything now). The
   *  session works from the server's clock when the answer echoes
   *  `request.fresh` (see `SnapshotRequest`) with the snapshot's `issuedAt`;
   *  otherwise from the device's. A URL (the app's endpoint, e.g.
   *  permsnap/issuer's `expressSnapshot`) is fetched with the page's cookies
   *  and the token: 200 is the snapshot; 401, 403 and a redirect (the
   *  app's sign-in middleware sending a signed-out person to its login
   *  page) mean none; anything else is tried again later. */
  fetchSnapshot: ((request: SnapshotRequest) => Promise<FetchedSnapshot>) | string | URL;
  /** Seconds a fetch of the snapshot may take before it counts as failed
   *  (default 10). */
  timeout?: number;
  /** Fetches the issuer's keys again: called when the edge answers
   *  `unknown_key` (a key rotation) or a fresh snapshot is signed by a key
   *  this page does not know. */
  fetchKeys?: () => Promise<Jwks | string>;
  /** Fetches the compiled catalog again: called when the edge answers
   *  `wrong_catalog` or a fresh snapshot is refused so (a catalog deploy). */
  fetchCatalog?: () => Promise<CatalogInput>;
  /** The snapshot the page was rendered with (inlined by the server, with
   *  server rendering). Verified at once where verification is synchronous
   *  (`permsnap/sync`, Node); in the browser build with WebCrypto, so in
   *  force once `ready` resolves: hydrate after `await session.ready`. When
   *  refused, or absent, the session fetches; when taken, it fetches too,
   *  in the background (a page from a cache may carry access removed
   *  since, judged by a device clock that is off). */
  initial?: FetchedSnapshot;
  /** Subscribes to the app's revocation notices (Server-Sent Events, a
   *  WebSocket, polling): call `deliver(noticeText)` for each; return a
   *  function that stops. A notice revoking the current snapshot (an admin
   *  changed this person's access) refreshes it at once. */
  notices?: (deliver: (notice: string) => void) => () => void;
  /** When to refresh, as a fraction of the snapshot's lifetime (default
   *  0.8, from 0.1 to 0.95); a jitter of up to a tenth of the lifetime is
   *  taken off so that many pages do not refresh together. */
  refreshAt?: number;
  /** Clock skew tolerated, seconds (the Verifier's `leeway`; at most 3600:
   *  the session works from the server's clock, and 30000, milliseconds
   *  by mistake, kept snapshots eight hours past their expiry). */
  leeway?: number;
  /** Errors the session handled itself (a failed refresh, a bad notice);
   *  without it they go to `console.error`. What it throws is ignored. */
  onError?: (error: unknown) => void;
}

/** One person of one account, as a key. */
const personOf = (p: Permissions): string => `${p.tenant}\u0000${p.subject}`;

/** The `error` of a 401 answered by a permsnap edge that a fresh snapshot
 *  can fix (RFC 6750 style `WWW-Authenticate: Permsnap error="…"`). */
const REFRESHABLE = new Set(["expired", "revoked", "unknown_key", "wrong_catalog", "no_snapshot", "not_yet_valid"]);

/** Creates the session of one signed-in person and starts loading their
 *  snapshot. Until a verified snapshot arrives everything is denied. */
export function createSession(options: SessionOptions): Session {
  noExtra(arguments.length, 1, "createSession");
  return new Session(options);
}

export class Session {
  #o: SessionOptions;
  #verifier: Verifier;
  /** Server time minus device time, seconds (0 until a snapshot says). */
  #offset = 0;
  #text: string | null = null;
  #current: Permissions;
  #listeners = new Set<(p: Permissions) => void>();
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  #inflight: Promise<Permissions> | null = null;
  /** The fetch after the one on its way, for calls made meanwhile. */
  #queued: Promise<Permissions> | null = null;
  #failures = 0;
  #stopNotices: (() => void) | undefined;
  #closed = false;
  /** Notices applied (text to device time): applied again to the verifier
   *  of a new catalog, forgotten two days after (no snapshot lives longer),
   *  each once however often it is delivered (a channel re-sending the
   *  day's notices on every poll grew this without bound), the oldest
   *  dropped past `MAX_NOTICES`. */
  #notices = new Map<string, number>();
  /** Verifiers a new catalog replaced, until every snapshot they verified
   *  has expired (`until`, device seconds): notices and keys still reach
   *  them, so permissions they handed out (and an app kept) are revoked in
   *  place too. */
  #retired: { verifier: Verifier; until: number }[] = [];
  /** Verifiers of a new catalog being made ready (its notices applied,
   *  in the browser entry its fingerprint computed): keys fetched meanwhile
   *  reach them too. (A rotation landing then was lost: the new catalog's
   *  verifier kept trusting the withdrawn key; attack review, session 20.) */
  #incoming = new Set<Verifier>();
  /** When keys were last fetched for a notice under an unknown key (ms). */
  #keysForNotices = -Infinity;
  /** Notices under a key this page does not know yet, until the keys come. */
  #pending: string[] = [];
  /** The snapshot a notice revoked, while a fresh one is on its way. */
  #revoked: string | null = null;
  /** Each person this tab held and then let go (a sign-out, a swap to
   *  someone else), with when: the later of their last verified
   *  snapshot's `issuedAt` and the session's clock then. An answer that
   *  does not prove itself fresh (no echo of this request's token) never
   *  brings back one of theirs issued until then: a cache replaying it,
   *  or another tab's newer one (attack review, session 14). */
  #left = new Map<string, number>();
  /** The last verified snapshot's person and time. */
  #held: { who: string; issuedAt: number } | null = null;
  /** Subscribers are being told of a swap. */
  #notifying = false;
  /** The recovery from an edge's 401 on its way (`fetch`); when the last
   *  one ended (`monotonic` ms), the snapshot it left in force, whether
   *  the edge has accepted that one since, and a recovery put off. */
  #recovery: Promise<void> | null = null;
  #recovered = -Infinity;
  #recoveredText: string | null | undefined = undefined;
  #recoveredAccepted = false;
  #recoverTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the last snapshot fetch started (`monotonic` ms). */
  #lastFetch = -Infinity;
  /** How many times the permissions were swapped. */
  #swaps = 0;
  /** Every Permissions the session has held (what `ready`, `permissions`
   *  and subscribers handed out), weakly: `close()` turns each still
   *  alive to deny-all. (Only the current one was: the object `ready`
   *  gave, replaced by a later swap, kept the person's powers after
   *  sign-out: attack review, session 18.) */
  #heldOnce: Ref<Permissions>[] = [];
  /** The first load, settled: the permissions it gave (deny-all when it failed). */
  readonly ready: Promise<Permissions>;

  constructor(options: SessionOptions) {
    noExtra(arguments.length, 1, "new Session");
    const o = strictOptions(options, ["catalog", "jwks", "tenant", "initial", "fetchSnapshot", "timeout", "fetchKeys", "fetchCatalog", "notices", "refreshAt", "leeway", "onError"], "session options") as unknown as SessionOptions;
    if (typeof o.fetchSnapshot === "string" && o.fetchSnapshot.trim() === "") throw new PermsnapError("invalid_argument", "`fetchSnapshot` is empty: give the snapshot endpoint's URL (an empty one fetched the page itself)");
    if (typeof o.fetchSnapshot === "string" || o.fetchSnapshot instanceof URL) o.fetchSnapshot = fromEndpoint(o.fetchSnapshot);
    if (typeof o.fetchSnapshot !== "function") throw new PermsnapError("invalid_argument", "`fetchSnapshot` is the endpoint's URL or a function returning a promise of the snapshot");
    for (const k of ["fetchKeys", "fetchCatalog", "notices", "onError"] as const) {
      if (o[k] !== undefined && typeof o[k] !== "function") throw new PermsnapError("invalid_argument", `\`${k}\` is a function`);
    }
    const at = o.refreshAt ?? 0.8;
    if (typeof at !== "number" || !(at >= 0.1 && at <= 0.95)) throw new PermsnapError("invalid_argument", "`refreshAt` is a fraction of the lifetime from 0.1 to 0.95");
    if (typeof o.tenant !== "string") throw new PermsnapError("invalid_argument", "`tenant` is the account's id (a string)");
    if (o.leeway !== undefined && !(typeof o.leeway === "number" && o.leeway >= 0 && o.leeway <= 3600)) throw new PermsnapError("invalid_argument", "`leeway` is a number of seconds from 0 to 3600");
    if (o.timeout !== undefined && !(typeof o.timeout === "number" && o.timeout > 0 && o.timeout <= 600)) throw new PermsnapError("invalid_argument", "`timeout` is seconds, more than 0 and at most 600");
    this.#o = Object.assign(Object.create(null), o, { refreshAt: at });
    this.#verifier = this.#makeVerifier(o.catalog);
    this.#current = this.#verifier.denyAll(new PermsnapError("no_snapshot", "no snapshot loaded yet"));
    if (o.notices) this.#stopNotices = subscribeNotices(o.notices, (n) => this.applyNotice(n));
    this.ready = o.initial !== undefined ? this.#takeInitial(o.initial) : this.refresh();
  }

  /** The current permissions (deny-all until a verified snapshot). The
   *  object changes on each swap; a given object never changes its
   *  answers, except turning to deny-all at its expiry or when a notice
   *  revokes its snapshot. */
  get permissions(): Permissions {
    return this.#current;
  }

  /** The current snapshot's text (for an `Authorization: Permsnap …`
   *  header to another origin), or `null`. */
  get snapshot(): string | null {
    return this.#text;
  }

  /** The server's time as this page sees it (seconds since the Unix epoch):
   *  the device clock corrected by the last snapshot's issue time. */
  serverNow(): number {
    noExtra(arguments.length, 0, "serverNow");
    return Date.now() / 1000 + this.#offset;
  }

  /** Calls `listener` with the new permissions after every swap; returns
   *  the function that unsubscribes. */
  subscribe(listener: (permissions: Permissions) => void): () => void {
    noExtra(arguments.length, 1, "subscribe");
    if (typeof listener !== "function") throw new PermsnapError("invalid_argument", "a listener is a function");
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Fetches and verifies a fresh snapshot now. A call made while a fetch
   *  is on its way waits for it and fetches once more (shared by every call
   *  made meanwhile): that fetch may have been answered before what made
   *  the app call (a sign-out, an admin's edit). Resolves with the
   *  permissions in force afterwards:
   *  the new ones, deny-all when the app said there is no snapshot or a
   *  fresh one was refused, or the old ones when the fetch failed (they
   *  still expire on time; the session retries with backoff). */
  refresh(): Promise<Permissions> {
    // (Refused as a rejection: what it answers is a promise.)
    if (arguments.length > 0) return Promise.reject(new PermsnapError("invalid_argument", "refresh takes no argument"));
    return this.#refresh(true);
  }

  /** `refresh()`; `spaced`: at most one fetch a second (`#spaced`), for
   *  what the app asks. The session's own (a notice revoking the snapshot
   *  in force, an edge's 401, limited otherwise) fetch at once. */
  #refresh(spaced: boolean): Promise<Permissions> {
    if (this.#closed) return Promise.resolve(this.#current);
    // Asked by a subscriber hearing a swap: what it hears is that fresh
    // answer. A subscriber refreshing on every swap fetched back to back
    // for as long as the page was open (attack review, session 17).
    if (this.#notifying) return Promise.resolve(this.#current);
    if (this.#inflight === null) {
      this.#inflight = (spaced ? this.#spaced() : this.#fetch()).finally(() => {
        this.#inflight = null;
      });
      return this.#inflight;
    }
    const settled = () => {
      this.#queued = null;
      return this.#refresh(spaced);
    };
    this.#queued ??= this.#inflight.then(settled, settled);
    return this.#queued;
  }

  /** Applies a signed revocation notice (text from the app's channel):
   *  when it revokes the current snapshot, a fresh one is fetched at once;
   *  if none is in force within 3 seconds everything is denied, and the
   *  revoked `Permissions` object itself turns to deny-all. A notice that
   *  does not verify changes nothing (reported to `onError`). */
  applyNotice(notice: string): void {
    noExtra(arguments.length, 1, "applyNotice");
    void this.#applyNotice(notice);
  }

  async #applyNotice(notice: string): Promise<void> {
    const verifier = this.#verifier;
    try {
      await verifier.verifyNotice(notice);
    } catch (e) {
      this.#report(e);
      if (!(e instanceof PermsnapError) || e.code !== "unknown_key" || this.#closed) return;
      // Signed with a key this page does not know yet (the issuer rotated):
      // not proven forged, so never dropped. It waits for the keys
      // (`#pending`, tried again after every key load), and the snapshot in
      // force counts as revoked meanwhile: a fresh one gets its few seconds,
      // else everything is denied (re-reviews, session 15).
      if (!this.#pending.includes(notice)) {
        this.#pending.push(notice);
        if (this.#pending.length > 64) this.#pending.shift();
      }
      const text = this.#text;
      if (text !== null && this.#revoked !== text) void this.#replaceRevoked(text, e);
      // At most one key fetch for notices every 30 s (a flood of notices
      // under unknown key ids fetches no more; a refresh may fetch them).
      const now = Date.now();
      if (this.#o.fetchKeys && now - this.#keysForNotices >= 30_000) {
        this.#keysForNotices = now;
        try {
          await this.#newKeys();
        } catch (again) {
          this.#report(again);
        }
      }
      return;
    }
    const now = Date.now() / 1000;
    for (const [text, at] of this.#notices) if (!(now - at < NOTICE_MEMORY)) this.#notices.delete(text);
    this.#notices.delete(notice); // kept in the order last applied
    this.#notices.set(notice, now);
    if (this.#notices.size > MAX_NOTICES) this.#notices.delete(this.#notices.keys().next().value as string);
    // A new catalog's verifier made meanwhile started without it.
    if (this.#verifier !== verifier) await this.#verifier.verifyNotice(notice).catch((e) => this.#report(e));
    // Those a new catalog replaced, for the permissions they handed out
    // (refused there: another account's, a key they never had; nothing to
    // revoke then).
    for (const old of this.#stillRetired()) if (old !== verifier) await old.verifyNotice(notice).catch(() => undefined);
    const text = this.#text;
    if (text === null || this.#revoked === text) return;
    try {
      (await this.#verifier.verify(text)).free();
    } catch (e) {
      if (!(e instanceof PermsnapError)) return this.#report(e); // nobody awaits this: no unhandled rejection
      if (this.#text === text) void this.#replaceRevoked(text, e);
    }
  }

  /** Refresh first and swap once, so a page whose access only grew does not
   *  blink (a React form keeps its state); deny when no fresh snapshot is
   *  in force in time. */
  async #replaceRevoked(text: string, e: PermsnapError): Promise<void> {
    this.#revoked = text;
    const revokedPermissions = this.#current;
    const deny = () => {
      if (this.#text !== text) return;
      expirePermissions(revokedPermissions, e);
      recheckAll(); // watchers of those permissions pass over the page again
      this.#swap(null, this.#verifier.denyAll(e));
    };
    const grace = later(deny, REVOKED_GRACE);
    // A fetch already on its way may bring a snapshot from before the
    // edit: `refresh()` then fetches once more after it.
    await this.#refresh(false);
    clearTimeout(grace);
    if (this.#text === text) {
      deny();
      this.#retryLater();
    } else {
      expirePermissions(revokedPermissions, e); // held elsewhere: it stops answering yes too
      recheckAll();
    }
    if (this.#revoked === text) this.#revoked = null;
  }

  /** `fetch` for the app's own API behind a permsnap edge: when the edge
   *  answers 401 with an error a fresh snapshot fixes (`expired`,
   *  `revoked`, `unknown_key`, `wrong_catalog`…), reloads keys or catalog as
   *  needed, refreshes, and sends the request once more. The snapshot goes
   *  as the cookie the app's endpoint set (same origin); `header: true`
   *  sends it as `Authorization: Permsnap …` instead. */
  async fetch(input: RequestInfo | URL, init?: RequestInit & { header?: boolean }): Promise<Response> {
    noExtra(arguments.length, 2, "fetch");
    // Read strictly: a misspelt `heder: true` sent no snapshot, and
    // `header: "no"` sent it (attack review, session 24).
    const { header, ...rest } = strictOptions(init, FETCH_OPTIONS, "fetch options");
    if (header !== undefined && typeof header !== "boolean") throw new PermsnapError("invalid_argument", "`header` is true or false");
    let original: Request;
    try {
      original = new Request(input, rest as RequestInit); // never sent: each try sends a clone (the body too)
    } catch (e) {
      throw new PermsnapError("invalid_argument", `fetch: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    const send = () => {
      const r = original.clone();
      if (header && this.#text !== null) r.headers.set("authorization", `Permsnap ${this.#text}`);
      return fetch(r);
    };
    const sent = this.#text;
    const res = await send();
    if (res.status !== 401) {
      // Past the edge: what the last recovery brought works.
      if (sent === this.#recoveredText) this.#recoveredAccepted = true;
      return res;
    }
    const code = edgeError(res.headers.get("www-authenticate"));
    if (code === null || !REFRESHABLE.has(code)) return res;
    // A snapshot swapped in while the request was on its way is what the
    // next try sends. Otherwise one recovery serves every request refused
    // meanwhile; and when the edge refuses the very snapshot the last
    // recovery brought, before accepting it once, the next recovery waits
    // until RECOVERY_INTERVAL after that one and the edge's answer is
    // returned as it is: an edge refusing every fresh snapshot (its
    // catalog or clock behind the issuer's) cost a snapshot issuance and
    // a catalog fetch per request of the app (attack review, session 24).
    // A snapshot the edge took, then refuses (a second revocation), is
    // recovered from at once (re-review, session 24).
    if (this.#text === null || this.#text === sent) {
      const left = this.#recovered + RECOVERY_INTERVAL * 1000 - monotonic();
      if (this.#recovery === null && sent === this.#recoveredText && !this.#recoveredAccepted && left > 0) {
        this.#recoverLater(code, left);
        return res;
      }
      await this.#recover(code);
    }
    return send();
  }

  /** Stops timers and the notice channel, and denies everything: a session
   *  no longer kept fresh would answer yes past a revocation (an app
   *  closing it at sign-out kept the person's powers, and the text worked
   *  as a bearer token: attack review, session 17). Subscribers hear the
   *  deny-all; `snapshot` is `null`; `refresh()` answers deny-all. The
   *  session's verifiers are freed (their catalog and snapshots leave the
   *  WebAssembly memory now, not at the next garbage collection), and what
   *  was under way ends without a report. */
  close(): void {
    noExtra(arguments.length, 0, "close");
    if (this.#closed) return;
    const closed = new PermsnapError("no_snapshot", "the session was closed");
    const held = [this.#current, ...this.#heldOnce.map((r) => r.deref())];
    this.#swap(null, this.#verifier.denyAll(closed));
    // Every copy the app kept stops answering yes too: the current one and
    // those handed out before it (`ready`'s, an old subscriber's).
    for (const p of held) if (p !== undefined) expirePermissions(p, closed);
    recheckAll();
    this.#closed = true;
    grace(this.#current, false);
    for (const r of this.#retired) r.verifier.free();
    this.#retired = [];
    this.#verifier.free();
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#expiryTimer);
    clearTimeout(this.#recoverTimer);
    this.#listeners.clear();
    // The app's stop function may throw: reported, and `close()` itself
    // returns (a sign-out handler goes on to clear its cookie).
    try {
      this.#stopNotices?.();
    } catch (e) {
      this.#report(e, true);
    }
  }

  /** Reloads what the edge's `code` asks and refreshes, once for every
   *  request refused meanwhile. */
  #recover(code: string): Promise<void> {
    clearTimeout(this.#recoverTimer);
    this.#recoverTimer = undefined;
    this.#recovery ??= (async () => {
      try {
        await this.#reload(code);
        await this.#refresh(false);
      } finally {
        this.#recovered = monotonic();
        this.#recoveredText = this.#text;
        this.#recoveredAccepted = false;
        this.#recovery = null;
      }
    })();
    return this.#recovery;
  }

  /** `#recover` in `ms`, once however many requests the edge refuses
   *  meanwhile: a snapshot refused for good is still replaced without
   *  waiting for the app's next request. */
  #recoverLater(code: string, ms: number): void {
    if (this.#recoverTimer !== undefined || this.#closed) return;
    this.#recoverTimer = later(() => {
      this.#recoverTimer = undefined;
      if (!this.#closed) this.#recover(code).catch((e) => this.#report(e));
    }, ms / 1000);
  }

  /** For `unknown_key` and `wrong_catalog`, fetches the keys or the catalog
   *  again (when the app said how): true when something was reloaded. */
  async #reload(code: string): Promise<boolean> {
    try {
      if (code === "unknown_key" && this.#o.fetchKeys) await this.#newKeys();
      else if (code === "wrong_catalog" && this.#o.fetchCatalog) await this.#newCatalog();
      else return false;
      return true;
    } catch (e) {
      this.#report(e);
      return false;
    }
  }

  async #newKeys(): Promise<void> {
    const jwks = await (this.#o.fetchKeys as () => Promise<Jwks | string>)();
    this.#verifier.setJwks(jwks);
    this.#o.jwks = jwks; // a verifier for a new catalog starts from these
    // Those of a catalog being made ready, and those a new catalog
    // replaced (notices signed with a new key reach them too).
    for (const other of [...this.#incoming, ...this.#stillRetired()]) {
      try {
        other.setJwks(jwks);
      } catch {
        // keys it refuses change nothing there
      }
    }
    // The notices that waited for these keys.
    const pending = this.#pending;
    this.#pending = [];
    for (const n of pending) void this.#applyNotice(n);
  }

  async #newCatalog(): Promise<void> {
    const catalog = await (this.#o.fetchCatalog as () => Promise<CatalogInput>)();
    // The old verifier is kept (`#retired`): permissions handed out earlier
    // still answer from it, and later notices revoke them. The new one starts with
    // every notice this page has seen, those arriving meanwhile too: it
    // replaces the old one only once none is left to apply (no await
    // between that check and the swap).
    const verifier = this.#makeVerifier(catalog);
    this.#incoming.add(verifier);
    try {
      await this.#ready(verifier);
    } catch (e) {
      verifier.free();
      throw e;
    } finally {
      this.#incoming.delete(verifier);
    }
  }

  /** Makes `verifier`, of a fetched catalog, the current one: unless it is
   *  the catalog in force (a stale copy), once it has applied every notice
   *  this page has seen. */
  async #ready(verifier: Verifier): Promise<void> {
    // The same catalog again (a stale copy): nothing to replace.
    if ((await fingerprintOf(verifier)) === (await fingerprintOf(this.#verifier))) {
      verifier.free();
      return;
    }
    const applied = new Set<string>();
    for (;;) {
      const pending = Array.from(this.#notices.keys()).filter((n) => !applied.has(n));
      if (pending.length === 0) break;
      for (const n of pending) {
        applied.add(n);
        try {
          await verifier.verifyNotice(n);
        } catch (e) {
          this.#report(e);
        }
      }
    }
    // Closed meanwhile: nothing to replace.
    if (this.#closed) {
      verifier.free();
      return;
    }
    this.#retired.push({ verifier: this.#verifier, until: Date.now() / 1000 + RETIRED_MEMORY });
    // A few at most: the oldest's permissions, if still held, then deny
    // (they can no longer be checked).
    while (this.#retired.length > MAX_RETIRED) (this.#retired.shift() as { verifier: Verifier }).verifier.free();
    this.#verifier = verifier;
  }

  /** The retired verifiers still in use (those past their time freed). */
  #stillRetired(): Verifier[] {
    const now = Date.now() / 1000;
    for (const r of this.#retired) if (!(now < r.until)) r.verifier.free();
    this.#retired = this.#retired.filter((r) => now < r.until);
    return this.#retired.map((r) => r.verifier);
  }

  /** A verifier on the server's clock, with the keys it was last given. */
  #makeVerifier(catalog: CatalogInput): Verifier {
    const { tenant, leeway } = this.#o;
    return new Verifier(catalog, this.#o.jwks, { tenant, clock: () => this.serverNow(), ...(leeway === undefined ? {} : { leeway }) });
  }

  /** `#load`, at least FETCH_SPACING after the last fetch began: a
   *  subscriber refreshing on every swap from a later task (a React
   *  effect on the permissions, a `setTimeout`) fetched back to back
   *  without end, hundreds a second (attack review, session 24); calls
   *  made meanwhile share this fetch. */
  async #spaced(): Promise<Permissions> {
    // On the monotonic clock, and never more than the spacing: a device
    // clock set back (NTP correcting it) froze the session for as long
    // (re-review, session 24).
    const wait = Math.min(this.#lastFetch + FETCH_SPACING * 1000 - monotonic(), FETCH_SPACING * 1000);
    // A timer that holds the process (Node): this fetch is awaited.
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (this.#closed) return this.#current;
    return this.#fetch();
  }

  #fetch(): Promise<Permissions> {
    this.#lastFetch = monotonic();
    return this.#load();
  }

  async #load(): Promise<Permissions> {
    const fresh = freshToken();
    const asked = Date.now() / 1000;
    let fetched: FetchedSnapshot;
    try {
      // A function answering a value rather than a promise is read as
      // resolved with it (it was a retry forever on `then is not a function`).
      const answer = (this.#o.fetchSnapshot as (r: SnapshotRequest) => Promise<FetchedSnapshot> | FetchedSnapshot)({ fresh });
      fetched = await withTimeout(Promise.resolve(answer), this.#o.timeout ?? 10);
    } catch (e) {
      this.#report(e);
      this.#retryLater();
      return this.#current;
    }
    if (this.#closed) return this.#current;
    const text = this.#textOf(fetched);
    if (text === null) return this.#current;
    // The server's clock, only from an answer that proves it is fresh (it
    // echoes this request's token) and whose `issuedAt` is the one signed:
    // a cached or replayed answer would make an old snapshot look current.
    const claimed = typeof fetched === "object" && fetched !== null ? fetched : null;
    // An answer echoing another request's token is a cached or replayed
    // one (a cache-first service worker, a proxy ignoring `no-store`): it
    // may be the previous person's, after a sign-out (attack review,
    // session 14). Never swapped in.
    if (claimed !== null && typeof claimed.fresh === "string" && claimed.fresh !== fresh) {
      this.#report(new PermsnapError("invalid_argument", "the snapshot endpoint answered another request's `fresh` token: a cached or replayed answer (does a service worker or a proxy cache it?)"));
      this.#retryLater();
      return this.#current;
    }
    // Proven fresh: it echoes this request's token.
    const proven = claimed !== null && claimed.fresh === fresh;
    const clockFromIt = proven && typeof claimed.issuedAt === "number" && Number.isFinite(claimed.issuedAt);
    const previousOffset = this.#offset;
    if (clockFromIt) this.#offset = (claimed.issuedAt as number) - (asked + Date.now() / 1000) / 2;
    // A refused answer does not keep the clock it claimed (the time a
    // person is let go at is read from it).
    const p = await this.#verify(text, () => { this.#offset = previousOffset; });
    if (p === null) {
      this.#offset = previousOffset;
      return this.#current;
    }
    const current = this.#text === null ? null : this.#current;
    // Older than the snapshot in force counts for the same person only: a
    // swap to another person (sign-out, then someone else on this tab)
    // whose snapshot happens to be older kept the previous person's
    // powers (attack review, session 13).
    const samePerson = current !== null && p.subject === current.subject && p.tenant === current.tenant;
    const left = p.error === null ? this.#left.get(personOf(p)) : undefined;
    const replayed = !proven && left !== undefined && p.issuedAt <= left;
    // A lower version of the same person is older whatever its time says:
    // a replica behind the edit, on an issuer whose clock runs ahead
    // (review, session 24).
    const older = current !== null && current.error === null && samePerson && (p.issuedAt < current.issuedAt || p.version < current.version);
    const stale = (clockFromIt && p.issuedAt !== claimed.issuedAt) || older || replayed;
    if (stale) {
      // Another `issuedAt` than the signed one, or older than the snapshot
      // in force: not a fresh answer. Keep what is in force, try again.
      this.#offset = previousOffset;
      p.free();
      this.#report(new PermsnapError("invalid_argument", "the snapshot endpoint answered an older snapshot (an earlier time or version), one from before a sign-out, or an issuedAt that is not the snapshot's"));
      this.#retryLater();
      return this.#current;
    }
    this.#swap(text, p);
    // Already due for a refresh when it came (a device clock far ahead and
    // no server clock, an issuance cached upstream): fetching again at once
    // brings the same, ten times a second (attack review, session 17). It
    // backs off as a failure does.
    // (Closed meanwhile, `#swap` freed it: nothing to schedule.)
    if (this.#current === p && this.#refreshPoint(p) <= this.serverNow()) {
      this.#report(new PermsnapError("invalid_argument", `the fresh snapshot was already due for a refresh when it came (issued ${Math.round(this.serverNow() - p.issuedAt)} s before, by this page's clock): is the device clock off, or the endpoint's answer cached? Trying again later`));
      this.#retryLater();
    } else {
      this.#failures = 0;
    }
    // What is in force: `p`, unless the session was closed meanwhile
    // (`#swap` then freed it, and a freed object cannot be checked any
    // more: it was handed to the app answering yes; re-review, session 17).
    return this.#current;
  }

  /** The text of what the endpoint gave; `null` (everything denied) when
   *  there is none. */
  #textOf(fetched: FetchedSnapshot): string | null {
    if (fetched === null) {
      this.#swap(null, this.#verifier.denyAll(new PermsnapError("no_snapshot", "the app gave no snapshot (signed out or deactivated)")));
      return null;
    }
    const text = typeof fetched === "string" ? fetched : typeof fetched === "object" ? fetched.snapshot : undefined;
    if (typeof text !== "string") {
      const e = new PermsnapError("invalid_argument", "the session was given neither a snapshot text, { snapshot, issuedAt } nor null");
      this.#report(e);
      this.#swap(null, this.#verifier.denyAll(e));
      return null;
    }
    return text;
  }

  /** The server-rendered snapshot: verified synchronously where the build
   *  verifies in WebAssembly (the first render already uses it), else
   *  with the platform's WebCrypto (in force once `ready` resolves: an app
   *  hydrating server-rendered HTML awaits it first). It does not set the
   *  clock, and it is confirmed by a fetch in the background: a page
   *  served from a cache (back and forward, a restored tab) may carry
   *  access removed since, a notice it never saw, and a device clock that
   *  is off accepts it past its expiry; the fresh answer swaps in without
   *  a blink when nothing changed, and sets the clock (attack review,
   *  session 12). */
  #takeInitial(initial: FetchedSnapshot): Promise<Permissions> {
    const text = this.#textOf(initial);
    if (text === null) return this.refresh();
    try {
      this.#swap(text, this.#verifier.load(text));
      void this.refresh();
      return Promise.resolve(this.#current);
    } catch (e) {
      if (!(e instanceof PermsnapError && e.code === "async_required")) {
        this.#report(e);
        return this.refresh();
      }
    }
    const swaps = this.#swaps;
    return this.#verifier.verify(text).then(
      (p) => {
        // Unless something was decided meanwhile (a refresh's answer, a
        // "no snapshot", a refusal): that stays.
        if (this.#swaps === swaps) {
          this.#swap(text, p);
          void this.refresh();
        } else {
          p.free();
        }
        return this.#current;
      },
      (e) => {
        this.#report(e);
        return this.refresh();
      },
    );
  }

  /** Verifies a fresh text; on `unknown_key` / `wrong_catalog` reloads keys
   *  or catalog once and tries again. A refusal denies everything. */
  async #verify(text: string, refused?: () => void): Promise<Permissions | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#verifier.verify(text);
      } catch (e) {
        // Closed meanwhile (its verifier freed), before or during the
        // reload: nothing to decide.
        if (this.#closed) return null;
        if (!(e instanceof PermsnapError)) throw e;
        if (attempt === 0 && (await this.#reload(e.code))) continue;
        if (this.#closed) return null;
        this.#report(e);
        refused?.();
        // A revoked answer (fetched before the edit) while the revoked
        // snapshot in force waits for a fresh one: its few seconds decide
        // (`#replaceRevoked`), no blink now.
        if (e.code === "revoked" && this.#revoked !== null && this.#revoked === this.#text) return null;
        this.#swap(null, this.#verifier.denyAll(e));
        this.#retryLater();
        return null;
      }
    }
  }

  #swap(text: string | null, next: Permissions): void {
    // Closed meanwhile (a fetch or a key reload was on its way): nothing
    // changes any more.
    if (this.#closed) {
      if (next !== this.#current) next.free();
      return;
    }
    this.#swaps++;
    // Who this tab holds now: the person it held before is let go on a
    // sign-out (no snapshot) or a swap to someone else.
    const holding = text !== null && next.error === null ? { who: personOf(next), issuedAt: next.issuedAt } : null;
    const held = this.#held;
    if (held !== null && (text === null || (holding !== null && holding.who !== held.who))) {
      this.#left.delete(held.who);
      this.#left.set(held.who, Math.max(held.issuedAt, Math.floor(this.serverNow()), this.#left.get(held.who) ?? 0));
      if (this.#left.size > 64) this.#left.delete(this.#left.keys().next().value as string);
    }
    if (holding !== null) this.#held = holding;
    else if (text === null) this.#held = null;
    this.#text = text;
    // The session's current permissions wait for it after a notice (it
    // gives a fresh snapshot a few seconds); those it lets go check
    // themselves again, as any a verifier handed out.
    grace(this.#current, false);
    grace(next, true);
    this.#current = next;
    this.#heldOnce = this.#heldOnce.filter((r) => r.deref() !== undefined);
    this.#heldOnce.push(weakRef(next));
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#expiryTimer);
    if (text !== null && !this.#closed) {
      const now = this.serverNow();
      const jitter = Math.random() * Math.max(1, next.expiresAt - next.issuedAt) * 0.1;
      const refreshIn = this.#refreshPoint(next) - jitter - now;
      this.#refreshTimer = later(() => void this.refresh(), refreshIn);
      // At expiry, subscribers get deny-all (the object itself also turns).
      this.#expiryTimer = later(() => {
        if (this.#current === next) {
          this.#swap(null, this.#verifier.denyAll(new PermsnapError("expired", "the snapshot expired and no fresh one could be fetched")));
          void this.refresh();
        }
      }, next.expiresAt - now);
    }
    this.#notifying = true;
    try {
      for (const l of Array.from(this.#listeners)) {
        try {
          l(next);
        } catch (e) {
          this.#report(e);
        }
      }
    } finally {
      this.#notifying = false;
    }
  }

  /** When `p` is due for a refresh (server seconds, before the jitter):
   *  `refreshAt` of its lifetime. */
  #refreshPoint(p: Permissions): number {
    return p.issuedAt + Math.max(1, p.expiresAt - p.issuedAt) * (this.#o.refreshAt as number);
  }

  /** After a failure: 1, 2, 4 … 60 seconds, until one works. */
  #retryLater(): void {
    if (this.#closed) return;
    const wait = Math.min(60, 2 ** this.#failures++);
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = later(() => void this.refresh(), wait);
  }

  /** Tells the app (`onError`; without one, the console). An `onError`
   *  that throws is contained: it is called before the step that narrows
   *  access (a refused snapshot swapped for deny-all, a notice kept for
   *  its keys, the next subscriber told), and a throw there left the
   *  wider permissions in force (attack review, session 17). */
  #report(e: unknown, atClose = false): void {
    // Closed, what was under way meets freed verifiers: not the app's
    // concern any more.
    if (this.#closed && !atClose) return;
    try {
      if (this.#o.onError) this.#o.onError(e);
      else console.error("permsnap session:", e);
    } catch {
      // contained on purpose
    }
  }
}

/** What `Session.fetch` takes: `RequestInit`'s keys and `header`. */
const FETCH_OPTIONS = ["header", "body", "cache", "credentials", "headers", "integrity", "keepalive", "method", "mode", "priority", "redirect", "referrer", "referrerPolicy", "signal", "window", "duplex"];
/** Seconds after a recovery from an edge's 401 during which a 401 on the
 *  snapshot it brought, before the edge ever accepted that one, is
 *  answered as it is (the next recovery waits until then). */
const RECOVERY_INTERVAL = 10;
/** Seconds between the starts of two snapshot fetches, at least. */
const FETCH_SPACING = 1;
/** How long a revoked snapshot may stay in force while a fresh one is on
 *  its way, seconds. */
const REVOKED_GRACE = 3;
/** How long applied notices are kept for a new catalog's verifier, seconds:
 *  as long as the core keeps a person's bound (the longest snapshot
 *  lifetime, a day, plus the replica lag allowed, a day), plus the largest
 *  leeway a session takes. */
const NOTICE_MEMORY = 2 * 86_400 + 3600;
/** How many applied notices are kept for a new catalog's verifier: two
 *  days' edits of a large account. */
const MAX_NOTICES = 4096;
/** How long a replaced verifier is kept (s): the longest snapshot lifetime
 *  and a leeway of a day. */
const RETIRED_MEMORY = 2 * 86_400;
/** How many replaced verifiers are kept at most. */
const MAX_RETIRED = 4;

/** Milliseconds on a clock that never goes back (the device's may). */
function monotonic(): number {
  return typeof performance !== "undefined" && typeof performance.now === "function" ? performance.now() : Date.now();
}

/** A random token (128 bits, hex) for `Permsnap-Fresh`. */
function freshToken(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** `p`, or a rejection after `seconds` (the fetch is abandoned, not
 *  waited for: a hung request cannot hold the session). */
function withTimeout<T>(p: Promise<T>, seconds: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = later(() => reject(new PermsnapError("unavailable", `the snapshot endpoint did not answer within ${seconds} s`)), seconds);
    p.then(
      (v) => { clearTimeout(t); resolve(v); },
      (e) => { clearTimeout(t); reject(e); },
    );
  });
}

/** Opens the app's notice channel: what `notices` returns is the function
 *  that stops it. An `EventSource` returned instead (`return es`, not
 *  `() => es.close()`) made `close()` throw a `TypeError` and left the
 *  channel open on a signed-out page; a channel that throws (a bad URL)
 *  escaped `createSession` untyped (attack review, session 24). Both are
 *  `invalid_argument`; a returned object that can `close()` is closed
 *  first, so that the refused session leaves nothing open. */
function subscribeNotices(notices: NonNullable<SessionOptions["notices"]>, deliver: (notice: string) => void): (() => void) | undefined {
  let stop: unknown;
  try {
    stop = notices(deliver);
  } catch (e) {
    throw new PermsnapError("invalid_argument", `\`notices\` threw while subscribing: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  if (stop === undefined || typeof stop === "function") return stop as (() => void) | undefined;
  try {
    // An `async` subscriber: its channel is stopped once it says how
    // (re-review, session 24: it kept delivering into the refused session).
    const then = (stop as { then?: unknown } | null)?.then;
    if (typeof then === "function") {
      (stop as Promise<unknown>).then(
        (f) => {
          try {
            if (typeof f === "function") f();
          } catch {
            // the session was refused already
          }
        },
        () => undefined,
      );
    }
    const close = (stop as { close?: unknown } | null)?.close;
    if (typeof close === "function") close.call(stop);
  } catch {
    // refused below either way
  }
  const what = stop === null ? "null" : typeof (stop as { then?: unknown }).then === "function" ? "a promise (an async function? return the stop function itself)" : `a ${typeof stop}`;
  throw new PermsnapError("invalid_argument", `\`notices\` returns the function that stops the channel (\`() => source.close()\`), or nothing; it returned ${what}`);
}

/** `fetchSnapshot` for an endpoint URL. */
function fromEndpoint(url: string | URL): (request: SnapshotRequest) => Promise<FetchedSnapshot> {
  return async ({ fresh }) => {
    // Not followed: a sign-in middleware redirecting a signed-out person to
    // its login page answered 200 with HTML, which read as "try again
    // later", and the previous person's permissions stayed until expiry
    // (attack review, session 12). A browser gives an opaque redirect.
    // `no-store`: an endpoint answering with `max-age` would otherwise be
    // replayed from the HTTP cache (refused, as its token is another
    // request's, but no refresh then until it expired).
    const res = await fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual", headers: { accept: "application/json", "permsnap-fresh": fresh } });
    if (res.status === 401 || res.status === 403 || res.type === "opaqueredirect" || (res.status >= 300 && res.status < 400)) return null;
    if (!res.ok) throw new PermsnapError("unavailable", `the snapshot endpoint answered ${res.status}`);
    // Read strictly: an answer naming `snapshot` twice is refused.
    return parseJson(await res.text(), "unavailable") as FetchedSnapshot;
  };
}

/** A timer in seconds (at least a tenth), not keeping Node alive. */
function later(f: () => void, seconds: number): ReturnType<typeof setTimeout> {
  const t = setTimeout(f, Math.min(Math.max(seconds, 0.1), 86_400) * 1000);
  (t as { unref?: () => void }).unref?.();
  return t;
}

/** The `error` of `WWW-Authenticate: Permsnap realm="…", error="…"`. */
function edgeError(header: string | null): string | null {
  if (header === null || !/^\s*Permsnap\b/i.test(header)) return null;
  return /\berror="([^"]*)"/.exec(header)?.[1] ?? null;
}
