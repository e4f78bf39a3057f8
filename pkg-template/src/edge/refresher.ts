// Keeping an edge verifier's keys and revocations current from the
// issuer's URLs, failing closed when they cannot be loaded.

import { PermsnapError } from "../errors.js";
import { noExtra, parseJson, strictOptions } from "../internal.js";
import { edgeView, type Verifier } from "../browser/verifier.js";
import type { FetchLike, Jwks } from "../types.js";

export interface RefreshOptions {
  /** URL of the JWKS (key rotation). Required: an edge with no keys
   *  verifies nothing. */
  jwksUrl: string;
  /** URL of the signed revocation feed, as `permsnap feed` prints it:
   *  JSON `{ "head": "<feed head>", "notices": ["<notice>", ...] }` (no
   *  other key). Applied with `Verifier.applyFeed`. Required: `null` says
   *  the edge runs without one, and then a person the issuer revokes keeps
   *  access until their snapshot expires (left out, it is an error, not
   *  that). A verifier with `maxFeedAge`, which an edge should set, needs
   *  the URL: without it a feed that stops loading leaves old revocations
   *  in force until `maxStale`, and a replayed old copy cannot be told
   *  from a current one. */
  revocationsUrl: string | null;
  /** Refetch when older than this many seconds (default 300; below the
   *  verifier's `maxFeedAge` when it has one). */
  maxAge?: number;
  /** On a snapshot signed by an unknown key, refetch the JWKS at most this
   *  often, in seconds (default 30): a new key works without waiting. Also
   *  the wait before trying again after a failed refresh. */
  minInterval?: number;
  /** After this many seconds without a complete refresh (keys and every
   *  notice), requests are refused 503 `unavailable` rather than decided on
   *  stale revocations (default 3600; at least `maxAge` + `minInterval` +
   *  20). */
  maxStale?: number;
  /** The fetch to use (default: the global `fetch`): a service binding, a
   *  wrapper adding an `Authorization` header. The URLs stay absolute and
   *  without credentials; http(s) ones are https (plain http only to this
   *  machine); other schemes are its own. */
  fetch?: FetchLike;
  /** Clock in milliseconds since the Unix epoch (default `Date.now`): a
   *  clock in seconds is refused. */
  now?: () => number;
  /** Told about every failed refresh and every notice of the feed that
   *  could not be applied (the verifier keeps what it had). */
  onError?: (error: unknown) => void;
}

/** Keys and revocations fetched with the platform's `fetch` come over
 *  https, or over http from this machine (a sidecar, tests): plain http
 *  from elsewhere lets anyone on the path install their own keys (attack
 *  review, session 13). */
function trustedUrl(url: string, what: string, ownFetch: boolean): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Also with a `fetch` of the app's own: a lenient parser of its may
    // read `http://[host]/` as plain http to that host (re-review,
    // session 17).
    throw new PermsnapError("invalid_argument", `${what} is not an absolute URL: ${url}`);
  }
  const host = u.hostname;
  // Exactly these: `*.localhost` names go to DNS in Node.
  const local = host === "localhost" || host === "127.0.0.1" || host === "[::1]";
  // A `fetch` of the app's own (a service binding, a wrapper adding a
  // header) still sends an http(s) URL over the network: plain http is
  // refused with it too (it was not: attack review, session 17). Other
  // schemes are its transport's.
  const web = u.protocol === "https:" || u.protocol === "http:";
  if ((!ownFetch || web) && u.protocol !== "https:" && !(u.protocol === "http:" && local)) {
    throw new PermsnapError("invalid_argument", `${what} must be an https URL (plain http only to this machine), not ${url}`);
  }
  // Never in the URL, even for a `fetch` of the app's own: error messages
  // quote the URL (re-review, session 17).
  if (u.username !== "" || u.password !== "") {
    throw new PermsnapError("invalid_argument", `${what} holds credentials (fetch refuses such URLs, and messages quote URLs): send them as a header with a \`fetch\` of your own`);
  }
}

/** The largest JWKS or feed body read (each is kilobytes): an endpoint
 *  answering gigabytes would exhaust the edge's memory. */
const MAX_BODY = 8 << 20;

/** A response's body as UTF-8 text, refused (`unavailable`) past
 *  `MAX_BODY` bytes: read as a stream where there is one (a platform
 *  `Response`'s, or a Node stream's: node-fetch, undici's `request`), so
 *  that an oversized body is cut off, not held. */
async function bodyText(
  res: { body?: unknown; headers?: { get(name: string): string | null }; text(): Promise<string> },
  what: string,
): Promise<string> {
  const tooLarge = () => new PermsnapError("unavailable", `${what} is larger than ${MAX_BODY} bytes`);
  if (Number(res.headers?.get("content-length") ?? 0) > MAX_BODY) throw tooLarge();
  const stream = res.body as {
    getReader?: () => { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> };
    [Symbol.asyncIterator]?: () => AsyncIterator<unknown>;
    destroy?: () => void;
  } | null | undefined;
  const parts: Uint8Array[] = [];
  let size = 0;
  const add = (value: unknown): boolean => {
    if (!(value instanceof Uint8Array)) throw new PermsnapError("unavailable", `${what}: the body is not bytes`);
    size += value.byteLength;
    parts.push(value);
    return size <= MAX_BODY;
  };
  if (typeof stream?.getReader === "function") {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!add(value)) {
        void reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
    }
  } else if (typeof stream?.[Symbol.asyncIterator] === "function") {
    for await (const value of stream as AsyncIterable<unknown>) {
      if (!add(value)) {
        stream.destroy?.();
        throw tooLarge();
      }
    }
  } else {
    const text = await res.text();
    if (text.length > MAX_BODY) throw tooLarge();
    return text;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(all);
  } catch (e) {
    throw new PermsnapError("unavailable", `${what} is not UTF-8 text`, { cause: e });
  }
}

/** What the app's clock gives, refused (`invalid_argument`) unless it is
 *  milliseconds since the Unix epoch, from 1973 to 5138: a clock in
 *  seconds or microseconds is a configuration mistake. */
function epochMs(now: () => number): number {
  const t: unknown = now();
  if (typeof t !== "number" || !Number.isFinite(t) || t < 1e11 || t > 1e14) {
    throw new PermsnapError("invalid_argument", `\`now\` is a clock in milliseconds since the Unix epoch, as Date.now() (it gave ${String(t)})`);
  }
  return t;
}

/** How many fetches given up on may still be on their way before no new
 *  one is started. */
const MAX_ABANDONED = 2;

/** How long one JWKS or feed fetch (headers and body) may take. */
const FETCH_TIMEOUT_MS = 10_000;

const REFRESH_OPTIONS = ["jwksUrl", "revocationsUrl", "maxAge", "minInterval", "maxStale", "fetch", "now", "onError"];

/** Keeps a verifier's keys and revocations current from URLs: fetched on
 *  first use, again when older than `maxAge`, and the JWKS again when a
 *  snapshot names a key it does not know. A failed fetch keeps what was
 *  loaded; until a first complete load, and once the last one is older than
 *  `maxStale`, `guard` answers 503 (fail closed). The revocation feed is
 *  signed (`permsnap feed`): a head that does not verify, names another
 *  account, does not list exactly the notices served or is older than the
 *  one applied fails the refresh and changes nothing. One bad notice in a
 *  good feed never keeps the others out: another account's is skipped, one
 *  that cannot be verified is reported and fails the refresh.
 *
 *  Give the edge's verifier `maxFeedAge` (seconds): its snapshots are then
 *  refused 503 `stale_feed` whenever the last feed head applied is older
 *  than that — the issuer re-signs the head more often than `maxFeedAge`
 *  minus this refresher's `maxAge`. */
export class Refresher {
  #v: Verifier;
  #o: Required<RefreshOptions>;
  #loadedAt = -Infinity;
  #triedAt = -Infinity;
  #jwksAt = -Infinity;
  #pending: Promise<void> | null = null;
  /** Fetches given up on (`FETCH_TIMEOUT_MS`) and still on their way. */
  #abandoned = 0;
  #lastError: unknown = null;

  /** The verifier this refresher keeps fresh (a guard refuses one of
   *  another verifier than its gate's). */
  get verifier(): Verifier {
    return this.#v;
  }

  constructor(verifier: Verifier, options: RefreshOptions) {
    noExtra(arguments.length, 2, "new Refresher");
    const o = strictOptions(options, REFRESH_OPTIONS, "Refresher options") as Partial<RefreshOptions>;
    if (typeof o.jwksUrl !== "string" || o.jwksUrl === "") {
      throw new PermsnapError("invalid_argument", "a Refresher needs `jwksUrl`: the URL of the issuer's JWKS");
    }
    for (const k of ["maxAge", "minInterval", "maxStale"] as const) {
      const v = o[k];
      if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0)) {
        throw new PermsnapError("invalid_argument", `\`${k}\` is a number of seconds`);
      }
    }
    for (const k of ["fetch", "now", "onError"] as const) {
      if (o[k] !== undefined && typeof o[k] !== "function") {
        throw new PermsnapError("invalid_argument", `\`${k}\` is a function`);
      }
    }
    // Left out, revocation would be off without anyone saying so (attack
    // review, session 12): `null` says it.
    if (o.revocationsUrl === undefined) {
      throw new PermsnapError("invalid_argument",
        "name the issuer's signed revocation feed, `revocationsUrl`, or say `revocationsUrl: null` to run without one " +
          "(a person the issuer revokes then keeps access until their snapshot expires)");
    }
    if (o.revocationsUrl !== null && (typeof o.revocationsUrl !== "string" || o.revocationsUrl === "")) {
      throw new PermsnapError("invalid_argument", "`revocationsUrl` is the URL of the issuer's signed revocation feed, or null");
    }
    trustedUrl(o.jwksUrl, "`jwksUrl`", o.fetch !== undefined);
    if (o.revocationsUrl !== null) trustedUrl(o.revocationsUrl, "`revocationsUrl`", o.fetch !== undefined);
    // Room for a refresh to be tried, fail, and be tried again (after
    // `minInterval`, each try up to two fetch timeouts) before `maxStale`:
    // without it every cycle answered 503 with every host up.
    const margin = (o.maxAge ?? 300) + (o.minInterval ?? 30) + (2 * FETCH_TIMEOUT_MS) / 1000;
    if ((o.maxStale ?? 3600) < margin) {
      throw new PermsnapError("invalid_argument", `\`maxStale\` (${o.maxStale ?? 3600} s) must be at least \`maxAge\` + \`minInterval\` + ${(2 * FETCH_TIMEOUT_MS) / 1000} s (${margin} s): the edge would refuse requests around each refresh`);
    }
    // A clock in seconds made every age a thousand times longer: a
    // revocation never fetched (attack review, session 17). Checked at
    // every read: one that changes its unit later is caught then.
    if (o.now !== undefined) epochMs(o.now);
    let limit: number | undefined;
    try {
      limit = edgeView(verifier).maxFeedAge;
    } catch {
      throw new PermsnapError("invalid_argument", "a Refresher keeps a Verifier of permsnap/edge current: expected one");
    }
    if (limit !== undefined) {
      // Either would refuse every snapshot `stale_feed` for good or at
      // every turn: a configuration error, told at start-up.
      if (o.revocationsUrl === null) {
        throw new PermsnapError("invalid_argument",
          "the verifier has `maxFeedAge`: give the Refresher `revocationsUrl`, the signed feed it must keep applying");
      }
      if ((o.maxAge ?? 300) >= limit) {
        throw new PermsnapError("invalid_argument",
          `\`maxAge\` (${o.maxAge ?? 300} s) must be below the verifier's \`maxFeedAge\` (${limit} s): the feed would go stale between refreshes`);
      }
    }
    this.#v = verifier;
    const clock = o.now;
    // No prototype (`strictOptions`): nothing is read from a polluted
    // `Object.prototype`.
    this.#o = Object.assign(Object.create(null), {
      maxAge: 300,
      minInterval: 30,
      maxStale: 3600,
      fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
      onError: () => {},
    }, o, { jwksUrl: o.jwksUrl, now: clock === undefined ? () => Date.now() : () => epochMs(clock) });
  }

  /** Tells `onError`; an `onError` that throws cannot stop a refresh
   *  half-way (the remaining notices must still apply). */
  #report(error: unknown): void {
    try {
      this.#o.onError(error);
    } catch {
      // contained on purpose
    }
  }

  /** Refetches now (both documents). Rejects when a document could not be
   *  fetched or a notice could not be applied (after applying the others). */
  async refresh(): Promise<void> {
    noExtra(arguments.length, 0, "refresh");
    this.#pending ??= this.#load()
      .catch((e: unknown) => {
        this.#lastError = e;
        this.#report(e);
        throw e;
      })
      .finally(() => {
        this.#pending = null;
      });
    return this.#pending;
  }

  /** Loads both documents, for start-up: rejects (with the cause) when the
   *  edge could not get its keys and revocations, so a misconfigured URL
   *  fails at deploy time rather than on every request. */
  async ready(): Promise<void> {
    noExtra(arguments.length, 0, "ready");
    this.#triedAt = this.#o.now();
    await this.refresh();
    if (this.#v.keys.keys === 0) {
      throw new PermsnapError("unavailable", `the JWKS at ${this.#o.jwksUrl} holds no Ed25519 signing key`);
    }
  }

  /** Whether decisions may be made: a complete load happened, less than
   *  `maxStale` ago. */
  get usable(): boolean {
    return this.#o.now() - this.#loadedAt <= this.#o.maxStale * 1000;
  }

  /** The last refresh failure, if any. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** Refetches if the documents are older than `maxAge` (after a failure,
   *  not again before `minInterval`: a down key server is not hammered). */
  async ensureFresh(): Promise<void> {
    noExtra(arguments.length, 0, "ensureFresh");
    const now = this.#o.now();
    if (now - this.#loadedAt <= this.#o.maxAge * 1000) return;
    if (now - this.#triedAt < this.#o.minInterval * 1000) return;
    this.#triedAt = now;
    await this.refresh();
  }

  /** After a `stale_feed` refusal: refetches both documents unless a
   *  refresh was tried less than `minInterval` ago (a feed the issuer
   *  re-signed since the last fetch ends the refusals). Returns whether it
   *  refetched; rejects when that refresh failed. */
  async onStaleFeed(): Promise<boolean> {
    noExtra(arguments.length, 0, "onStaleFeed");
    const now = this.#o.now();
    if (now - this.#triedAt < this.#o.minInterval * 1000) return false;
    this.#triedAt = now;
    await this.refresh();
    return true;
  }

  /** After an `unknown_key` refusal: refetches the JWKS unless that was done
   *  less than `minInterval` ago. Returns whether it refetched. */
  async onUnknownKey(): Promise<boolean> {
    noExtra(arguments.length, 0, "onUnknownKey");
    if (this.#o.now() - this.#jwksAt < this.#o.minInterval * 1000) return false;
    try {
      await this.#jwks();
    } catch (e) {
      this.#report(e);
      throw e;
    }
    return true;
  }

  /** `#fetchJson` within `FETCH_TIMEOUT_MS` by the refresher's own timer:
   *  a `fetch` of the app's own may ignore the abort signal, and its one
   *  pending refresh held every later one for good (attack review,
   *  session 17). */
  #json(url: string, what: string): Promise<unknown> {
    // Fetches given up on but still on their way: a host that never
    // answers, with a fetch ignoring its signal, held one more socket per
    // refresh (re-review, session 17). Past a few, none is started.
    if (this.#abandoned >= MAX_ABANDONED) {
      return Promise.reject(new PermsnapError("unavailable", `${what} not fetched: ${this.#abandoned} earlier fetches never finished (the fetch ignores its abort signal, and the host does not answer)`));
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      // Not unref'd: a fetch on its way is work the process waits for.
      const timer = setTimeout(() => {
        settled = true;
        this.#abandoned++;
        reject(new PermsnapError("unavailable", `${what} fetch did not finish within ${FETCH_TIMEOUT_MS / 1000} s`));
      }, FETCH_TIMEOUT_MS);
      const done = () => {
        if (settled) this.#abandoned--;
        settled = true;
        clearTimeout(timer);
      };
      this.#fetchJson(url, what).then(
        (v) => { const late = settled; done(); if (!late) resolve(v); },
        (e: unknown) => { const late = settled; done(); if (!late) reject(e); },
      );
    });
  }

  async #fetchJson(url: string, what: string): Promise<unknown> {
    // Redirects are not followed: an open redirect on the issuer's host
    // (or a downgrade to http) would hand the edge another party's keys
    // (attack review, session 13). A 3xx is a failed refresh.
    // A bounded wait: an endpoint that trickles its answer kept the refresh
    // pending for ever, and every later one waited on it (the edge then
    // answered 503 until restarted).
    const signal = typeof AbortSignal !== "undefined" && typeof AbortSignal.timeout === "function"
      ? AbortSignal.timeout(FETCH_TIMEOUT_MS)
      : undefined;
    const res = await this.#o.fetch(url, { headers: { accept: "application/json" }, redirect: "manual", signal });
    if (!res.ok) throw new PermsnapError("unavailable", `${what} fetch failed: HTTP ${res.status}${res.status >= 300 && res.status < 400 || res.type === "opaqueredirect" ? " (a redirect: give the final URL)" : ""}`);
    let body: string;
    try {
      if (typeof res.text !== "function") return await res.json(); // a stub of the app's
      body = await bodyText(res as Parameters<typeof bodyText>[0], what);
    } catch (e) {
      if (e instanceof PermsnapError) throw e;
      throw new PermsnapError("unavailable", `${what} is not JSON`, { cause: e });
    }
    // Read strictly: a key written twice (`"d"` beside a public key, two
    // `notices`) is refused, as the Rust reader refuses it.
    return parseJson(body, "unavailable");
  }

  async #jwks(): Promise<void> {
    this.#jwksAt = this.#o.now();
    const report = this.#v.setJwks((await this.#json(this.#o.jwksUrl, "JWKS")) as Jwks);
    for (const k of report.ignored) {
      this.#report(new PermsnapError("invalid_key", `JWKS key \`${k.kid}\` ignored: ${k.reason}`));
    }
  }

  async #load(): Promise<void> {
    await this.#jwks();
    const url = this.#o.revocationsUrl;
    if (url) {
      const { head, notices } = feedDocument(await this.#json(url, "revocation feed"));
      // The head vouches for the exact list: a feed cut short, padded,
      // altered, replayed from before the one applied, or another
      // account's throws here and changes nothing (the refresh fails).
      let report;
      try {
        report = this.#v.applyFeed(head, notices);
      } catch (e) {
        if (!(e instanceof PermsnapError)) throw e;
        throw new PermsnapError(e.code, `the revocation feed at ${url}: ${e.message}`, { cause: e });
      }
      // Every notice of a verified feed is applied on its own: one that
      // cannot be must not keep the others out. Another account's (a feed
      // shared by every account of the issuer) is skipped. Any other that
      // cannot be applied — signed by a key the JWKS no longer lists,
      // damaged — may have revoked someone: reported, and the refresh fails
      // (503 once `maxStale` passes; `feedAt` does not move). Retiring a
      // key, the issuer re-signs the notices still in its feed with a
      // current one.
      for (const f of report.failed) {
        this.#report(new PermsnapError(f.code, `revocation notice ${f.index}: ${f.message}`));
      }
      if (report.failed.length > 0) {
        throw new PermsnapError("unavailable", `${report.failed.length} of ${notices.length} revocation notices could not be verified`);
      }
      // Applied, but already too old for the verifier: every snapshot is
      // refused `stale_feed` until the issuer signs a newer head. Counted
      // as a failed refresh (retried after `minInterval`, told to onError).
      const view = edgeView(this.#v);
      const limit = view.maxFeedAge;
      const now = view.now();
      if (limit !== undefined && now - report.issuedAt > limit) {
        throw new PermsnapError("stale_feed",
          `the revocation feed at ${url} was signed ${Math.floor(now - report.issuedAt)} s ago, more than the verifier's maxFeedAge (${limit} s): the issuer must re-sign its head more often`);
      }
    }
    this.#loadedAt = this.#o.now();
  }
}

/** The feed document, read strictly: `{ head, notices }` and nothing else. */
function feedDocument(doc: unknown): { head: string; notices: string[] } {
  const shape = "the revocation feed is `{ \"head\": \"...\", \"notices\": [...] }`, as `permsnap feed` prints it";
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new PermsnapError("unavailable", shape);
  }
  for (const k of Object.keys(doc)) {
    if (k !== "head" && k !== "notices") throw new PermsnapError("unavailable", `${shape}: unknown key \`${k}\``);
  }
  const { head, notices } = doc as { head?: unknown; notices?: unknown };
  if (typeof head !== "string" || head === "") {
    throw new PermsnapError("unavailable", `${shape}: no signed \`head\` (an unsigned list of notices is not accepted)`);
  }
  if (!Array.isArray(notices) || !notices.every((n) => typeof n === "string")) {
    throw new PermsnapError("unavailable", `${shape}: \`notices\` is an array of base64url notices`);
  }
  return { head, notices };
}
