// permsnap/edge: the route guard for edge functions (Cloudflare workerd,
// Deno, Node), and the small helpers around it: a JSON answer for refusals,
// keeping keys and revocations fresh, and middleware for Hono and Node.
// Built only into the edge copy of the package (pkg/edge/), so browsers
// never download the router.

import { Gate as WasmGate } from "./permsnap_wasm.js";
import { PermsnapError, Verifier, _wasmVerifier, _now, rethrow } from "./index.js";

/** One route: method(s) + path pattern → what it needs. Patterns use the
 *  matchit syntax: `/clients/{id}`, `/files/{*rest}`. */
export interface RouteDef {
  /** Upper-case methods; empty or `["*"]`: any. `GET` also covers `HEAD`. */
  methods?: string[];
  path: string;
  /** Every one of these permissions. */
  requires?: string[];
  /** At least one of these permissions. */
  any?: string[];
  /** The person must be allowed into this application. */
  app?: string;
  /** No snapshot needed. */
  public?: boolean;
}

/** The gate's answer for one request. */
export interface Decision {
  /** 200 allows; 401 no or refused snapshot; 403 missing permission,
   *  application or PIN step-up; 404 no route; 405 wrong method. */
  status: 200 | 401 | 403 | 404 | 405;
  /** `ok`, `no_snapshot`, a refusal code (`expired`, `revoked`...),
   *  `forbidden`, `app_not_allowed`, `step_up_required`, `no_route`,
   *  `method_not_allowed`. */
  code: string;
  message: string;
  route?: string;
  permission?: string;
  reason?: string;
  subject?: string;
  tenant?: string;
}

/** The parts of a request the gate reads. A fetch `Request` fits. */
export interface RequestLike {
  method: string;
  url: string;
  headers: { get(name: string): string | null };
}

export interface GateOptions {
  /** Cookie holding the snapshot (default `permsnap`). */
  cookie?: string;
}

/** Gates requests by route: compiled once (routes are checked against the
 *  verifier's catalog: a typo throws `invalid_policy`), then `check` per request. */
export class Gate {
  #g: WasmGate;
  #v: Verifier;

  constructor(verifier: Verifier, routes: RouteDef[] | { routes: RouteDef[] }, options: GateOptions = {}) {
    this.#v = verifier;
    try {
      this.#g = new WasmGate(_wasmVerifier(verifier), routes, options);
    } catch (e) {
      rethrow(e);
    }
  }

  /** The verifier the gate uses (for `setJwks`, `applyNotice`...). */
  get verifier(): Verifier {
    return this.#v;
  }

  /** Decides a request from its method, path (query ignored) and the
   *  `Authorization: Permsnap <snapshot>` header or the snapshot cookie. */
  check(request: RequestLike): Decision {
    const url = new URL(request.url, "http://localhost");
    return this.checkParts(request.method, url.pathname, request.headers.get("authorization"), request.headers.get("cookie"));
  }

  /** `check` from raw parts (Node's `IncomingMessage`, tests). */
  checkParts(method: string, path: string, authorization?: string | null, cookie?: string | null): Decision {
    return this.#g.check(_wasmVerifier(this.#v), method, path, authorization ?? undefined, cookie ?? undefined, _now(this.#v)) as Decision;
  }
}

/** The JSON answer for a refused request (status and body from the decision). */
export function denial(decision: Decision): Response {
  const { status, headers, body } = denialParts(decision);
  return new Response(body, { status, headers });
}

/** Status, headers and JSON body of a refusal: shared by `denial` (fetch
 *  runtimes) and `nodeGuard` (Node's `ServerResponse`). */
function denialParts(decision: Decision): { status: number; headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };
  if (decision.status === 401) headers["www-authenticate"] = 'Permsnap realm="permsnap"';
  const { status, ...error } = decision;
  return { status, headers, body: JSON.stringify({ error }) };
}

export interface RefreshOptions {
  /** URL of the JWKS (key rotation). */
  jwksUrl?: string;
  /** URL of the revocation notices: JSON `{ "notices": ["<notice>", ...] }`. */
  revocationsUrl?: string;
  /** Refetch when older than this many seconds (default 300). */
  maxAge?: number;
  /** On a snapshot signed by an unknown key, refetch the JWKS at most this
   *  often, in seconds (default 30): a new key works without waiting. Also
   *  the wait before trying again after a failed refresh. */
  minInterval?: number;
  fetch?: typeof fetch;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
  /** Told about every failed refresh (the verifier keeps what it had). */
  onError?: (error: unknown) => void;
}

/** Keeps a verifier's keys and revocations current from URLs: fetched on
 *  first use, again when older than `maxAge`, and the JWKS again when a
 *  snapshot names a key it does not know. A failed fetch keeps what was
 *  loaded (and nothing at all before the first success: fail closed). */
export class Refresher {
  #v: Verifier;
  #o: Required<Omit<RefreshOptions, "jwksUrl" | "revocationsUrl">> & Pick<RefreshOptions, "jwksUrl" | "revocationsUrl">;
  #loadedAt = -Infinity;
  #triedAt = -Infinity;
  #jwksAt = -Infinity;
  #pending: Promise<void> | null = null;

  constructor(verifier: Verifier, options: RefreshOptions) {
    this.#v = verifier;
    this.#o = {
      maxAge: 300,
      minInterval: 30,
      fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
      now: () => Date.now(),
      onError: () => {},
      ...options,
    };
  }

  /** Refetches now (both documents). */
  async refresh(): Promise<void> {
    this.#pending ??= this.#load()
      .catch((e: unknown) => {
        this.#o.onError(e);
        throw e;
      })
      .finally(() => {
        this.#pending = null;
      });
    return this.#pending;
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
    if (!this.#o.jwksUrl || this.#o.now() - this.#jwksAt < this.#o.minInterval * 1000) return false;
    try {
      await this.#jwks();
    } catch (e) {
      this.#o.onError(e);
      throw e;
    }
    return true;
  }

  async #jwks(): Promise<void> {
    if (!this.#o.jwksUrl) return;
    this.#jwksAt = this.#o.now();
    const res = await this.#o.fetch(this.#o.jwksUrl, { headers: { accept: "application/json" } });
    if (!res.ok) throw new PermsnapError("invalid_key", `JWKS fetch failed: HTTP ${res.status}`);
    this.#v.setJwks(await res.json());
  }

  async #load(): Promise<void> {
    await this.#jwks();
    if (this.#o.revocationsUrl) {
      const res = await this.#o.fetch(this.#o.revocationsUrl, { headers: { accept: "application/json" } });
      if (!res.ok) throw new PermsnapError("invalid_argument", `revocations fetch failed: HTTP ${res.status}`);
      const doc = (await res.json()) as { notices?: string[] };
      for (const n of doc.notices ?? []) this.#v.applyNotice(n);
    }
    this.#loadedAt = this.#o.now();
  }
}

/** Checks a request, keeping keys fresh first when a refresher is given:
 *  the one call a fetch handler needs. */
export async function guard(gate: Gate, request: RequestLike, refresher?: Refresher): Promise<Decision> {
  if (refresher) {
    try {
      await refresher.ensureFresh();
    } catch {
      // Keep the keys and revocations already loaded; with none, every
      // snapshot is refused (unknown_key).
    }
  }
  let d = gate.check(request);
  if (d.code === "unknown_key" && refresher) {
    try {
      if (await refresher.onUnknownKey()) d = gate.check(request);
    } catch {
      // as above
    }
  }
  return d;
}

/** Minimal shape of a Hono context (no dependency on Hono). */
interface HonoContextLike {
  req: { raw: Request };
  set(key: string, value: unknown): void;
}

/** Hono middleware (Hono runs on workerd, Deno, Node and Bun): refused
 *  requests get the JSON denial; allowed ones go on with the decision in
 *  `c.get("permsnap")`. */
export function honoGuard(gate: Gate, refresher?: Refresher) {
  return async (c: HonoContextLike, next: () => Promise<void>): Promise<Response | void> => {
    const d = await guard(gate, c.req.raw, refresher);
    if (d.status !== 200) return denial(d);
    c.set("permsnap", d);
    await next();
  };
}

/** Minimal shapes of Node's `IncomingMessage` / `ServerResponse`. */
interface NodeRequestLike {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  permsnap?: Decision;
}
interface NodeResponseLike {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}

/** Node / Connect / Express middleware: `(req, res, next)`. Refused
 *  requests are answered here; allowed ones get `req.permsnap`. */
export function nodeGuard(gate: Gate, refresher?: Refresher) {
  const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("; ") : v ?? null);
  return (req: NodeRequestLike, res: NodeResponseLike, next: (err?: unknown) => void): void => {
    const request: RequestLike = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers: { get: (name: string) => header(req.headers[name.toLowerCase()]) },
    };
    guard(gate, request, refresher).then(
      (d) => {
        if (d.status === 200) {
          req.permsnap = d;
          next();
          return;
        }
        const { status, headers, body } = denialParts(d);
        res.writeHead(status, headers);
        res.end(body);
      },
      (e) => next(e),
    );
  };
}

export { PermsnapError };
