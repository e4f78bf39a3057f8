// Keeping an edge verifier's keys and revocations current from the
// issuer's URLs, failing closed when they cannot be loaded.

import { PermsnapError } from "../errors.js";
import { strictOptions } from "../internal.js";
import type { Verifier } from "../verifier.js";
import type { FetchLike, Jwks } from "../types.js";

export interface RefreshOptions {
  /** URL of the JWKS (key rotation). Required: an edge with no keys
   *  verifies nothing. */
  jwksUrl: string;
  /** URL of the revocation notices: JSON `{ "notices": ["<notice>", ...] }`. */
  revocationsUrl?: string;
  /** Refetch when older than this many seconds (default 300). */
  maxAge?: number;
  /** On a snapshot signed by an unknown key, refetch the JWKS at most this
   *  often, in seconds (default 30): a new key works without waiting. Also
   *  the wait before trying again after a failed refresh. */
  minInterval?: number;
  /** After this many seconds without a complete refresh (keys and every
   *  notice), requests are refused 503 `unavailable` rather than decided on
   *  stale revocations (default 3600). */
  maxStale?: number;
  /** The fetch to use (default: the global `fetch`). */
  fetch?: FetchLike;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
  /** Told about every failed refresh and every notice that could not be
   *  applied (the verifier keeps what it had). */
  onError?: (error: unknown) => void;
}

const REFRESH_OPTIONS = ["jwksUrl", "revocationsUrl", "maxAge", "minInterval", "maxStale", "fetch", "now", "onError"];

/** Keeps a verifier's keys and revocations current from URLs: fetched on
 *  first use, again when older than `maxAge`, and the JWKS again when a
 *  snapshot names a key it does not know. A failed fetch keeps what was
 *  loaded; until a first complete load, and once the last one is older than
 *  `maxStale`, `guard` answers 503 (fail closed). One bad notice in the
 *  feed never keeps the others out: another account's is skipped, one that
 *  cannot be verified is reported and fails the refresh. */
export class Refresher {
  #v: Verifier;
  #o: Required<Omit<RefreshOptions, "revocationsUrl">> & Pick<RefreshOptions, "revocationsUrl">;
  #loadedAt = -Infinity;
  #triedAt = -Infinity;
  #jwksAt = -Infinity;
  #pending: Promise<void> | null = null;
  #lastError: unknown = null;

  constructor(verifier: Verifier, options: RefreshOptions) {
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
    this.#v = verifier;
    this.#o = {
      maxAge: 300,
      minInterval: 30,
      maxStale: 3600,
      fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
      now: () => Date.now(),
      onError: () => {},
      ...o,
      jwksUrl: o.jwksUrl,
    };
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
    const now = this.#o.now();
    if (now - this.#loadedAt <= this.#o.maxAge * 1000) return;
    if (now - this.#triedAt < this.#o.minInterval * 1000) return;
    this.#triedAt = now;
    await this.refresh();
  }

  /** After an `unknown_key` refusal: refetches the JWKS unless that was done
   *  less than `minInterval` ago. Returns whether it refetched. */
  async onUnknownKey(): Promise<boolean> {
    if (this.#o.now() - this.#jwksAt < this.#o.minInterval * 1000) return false;
    try {
      await this.#jwks();
    } catch (e) {
      this.#report(e);
      throw e;
    }
    return true;
  }

  async #json(url: string, what: string): Promise<unknown> {
    const res = await this.#o.fetch(url, { headers: { accept: "application/json" } });
    if (!res.ok) throw new PermsnapError("unavailable", `${what} fetch failed: HTTP ${res.status}`);
    try {
      return await res.json();
    } catch (e) {
      throw new PermsnapError("unavailable", `${what} is not JSON`, { cause: e });
    }
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
    if (this.#o.revocationsUrl) {
      const doc = await this.#json(this.#o.revocationsUrl, "revocation feed");
      const notices = (doc as { notices?: unknown })?.notices;
      if (typeof doc !== "object" || doc === null || !Array.isArray(notices)) {
        throw new PermsnapError("unavailable", "the revocation feed is `{ \"notices\": [...] }`");
      }
      // Every notice is applied on its own: one that cannot be must not keep
      // the others out. A notice for another account (a feed shared by
      // every account of the issuer) is not ours: skipped. Any other that
      // cannot be applied — signed by a key the JWKS no longer lists, forged,
      // damaged — may have revoked someone: reported, and the refresh fails
      // (503 once `maxStale` passes). Retiring a key, the issuer re-signs the
      // notices still in its feed with a current one.
      let failed = 0;
      notices.forEach((n, i) => {
        try {
          if (typeof n !== "string") throw new PermsnapError("malformed", "a notice is base64url text");
          this.#v.applyNotice(n);
        } catch (e) {
          const code = e instanceof PermsnapError ? e.code : "malformed";
          if (code === "wrong_tenant") return;
          failed++;
          this.#report(new PermsnapError(code, `revocation notice ${i}: ${(e as Error).message}`, { cause: e }));
        }
      });
      if (failed > 0) {
        // The good notices are in force; the feed is not counted as loaded.
        throw new PermsnapError("unavailable", `${failed} of ${notices.length} revocation notices could not be verified`);
      }
    }
    this.#loadedAt = this.#o.now();
  }
}
