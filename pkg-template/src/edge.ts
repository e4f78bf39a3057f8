// permsnap/edge: the route guard for edge functions (Cloudflare workerd,
// Deno, Node), and the small helpers around it: a JSON answer for refusals,
// keeping keys and revocations fresh, and middleware for Hono and Node.
// Built only into the edge copy of the package (pkg/edge/), so browsers
// never download the router.

import { Gate as WasmGate } from "./permsnap_wasm.js";
import { Verifier, type Jwks } from "./index.js";
import { PermsnapError, rethrow, strictOptions } from "./errors.js";

/** One route: method(s) + path pattern → what it needs. Patterns use the
 *  matchit syntax: `/clients/{id}`, `/files/{*rest}`. A route says what it
 *  demands — `public: true`, `authenticated: true`, or `requires` / `any` /
 *  `app` — and any other key is an error (so is a route demanding nothing). */
export interface RouteDef {
  /** Upper-case methods, or `["*"]`; absent: any. `GET` also covers `HEAD`. */
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
  /** Any verified snapshot of the account. */
  authenticated?: boolean;
}

/** The gate's answer for one request. */
export interface Decision {
  /** 200 allows; 400 a path or method override that is not canonical
   *  (`bad_path`, `ambiguous_path`, `bad_method_override`), a target whose
   *  host is not the Host header's (`ambiguous_host`), or no account
   *  (`no_tenant`); 401 no or refused snapshot; 403 missing permission,
   *  application or PIN step-up; 404 no route; 405 wrong method; 503 the
   *  edge has no usable keys (`unavailable`). */
  status: 200 | 400 | 401 | 403 | 404 | 405 | 503;
  /** `ok`, `no_snapshot`, a refusal code (`expired`, `revoked`...),
   *  `forbidden`, `app_not_allowed`, `step_up_required`, `no_route`,
   *  `method_not_allowed`, `bad_path`, `ambiguous_path`, `ambiguous_host`,
   *  `bad_method_override`, `no_tenant`, `unavailable`. */
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
  /** The account a request is for (e.g. from its host name): required with
   *  a `{ tenantPerRequest: true }` verifier, an extra check otherwise.
   *  `null` answers 400 `no_tenant`. */
  tenantOf?: (request: RequestLike) => string | null | undefined;
}

/** Headers a backend may honour as the request's method; the gate then
 *  checks the request as both methods. */
const METHOD_OVERRIDE_HEADERS = ["x-http-method-override", "x-http-method", "x-method-override"];

/** The request target (path and query) exactly as sent: from an absolute
 *  URL, what follows the authority; never re-parsed with `new URL`, which
 *  would normalise what the backend may not. */
export function requestTarget(url: string): string {
  let target = url;
  if (!url.startsWith("/")) {
    const scheme = url.indexOf("://");
    if (scheme < 0) return url; // refused by the gate: not `/`-rooted
    const slash = url.indexOf("/", scheme + 3);
    const query = url.indexOf("?", scheme + 3);
    const start = slash < 0 ? query : query < 0 ? slash : Math.min(slash, query);
    target = start < 0 ? "/" : url.slice(start);
    if (target.startsWith("?")) target = "/" + target;
  }
  const hash = target.indexOf("#");
  return hash < 0 ? target : target.slice(0, hash);
}

/** The authority of an absolute URL (`host[:port]`, lower case, default
 *  port dropped), or `null` for an origin-form target. */
function authorityOf(url: string): string | null {
  const scheme = url.indexOf("://");
  if (url.startsWith("/") || scheme < 0) return null;
  const rest = url.slice(scheme + 3);
  const end = rest.search(/[/?#]/);
  const authority = (end < 0 ? rest : rest.slice(0, end)).toLowerCase();
  const proto = url.slice(0, scheme).toLowerCase();
  return authority.replace(proto === "https" ? /:443$/ : proto === "http" ? /:80$/ : /$^/, "");
}

/** Gates requests by route: compiled once (routes are checked against the
 *  verifier's catalog: a typo, an unknown key or a route demanding nothing
 *  throws `invalid_policy`), then `check` per request. */
export class Gate {
  #g: WasmGate;
  #v: Verifier;
  #tenantOf?: (request: RequestLike) => string | null | undefined;

  constructor(verifier: Verifier, routes: RouteDef[] | { routes: RouteDef[] }, options: GateOptions = {}) {
    const wasmVerifier = Verifier._wasm(verifier);
    const { tenantOf, ...rest } = strictOptions(options, ["cookie", "tenantOf"], "Gate options");
    if (tenantOf !== undefined && typeof tenantOf !== "function") {
      throw new PermsnapError("invalid_argument", "`tenantOf` is a function of the request returning an account id");
    }
    if (wasmVerifier.tenantMode === "per_request" && tenantOf === undefined) {
      throw new PermsnapError("invalid_argument",
        "the verifier checks the account per request ({ tenantPerRequest: true }): give the Gate a `tenantOf(request)`");
    }
    // The table goes to wasm as JSON text, read by the CLI's own strict
    // reader: `undefined` members and functions drop out here exactly as
    // they would in a file; any unknown key is refused there.
    let json: string | undefined;
    try {
      json = JSON.stringify(routes);
    } catch (e) {
      throw new PermsnapError("invalid_policy", `routes: not JSON data (${(e as Error).message})`, { cause: e });
    }
    if (json === undefined) throw new PermsnapError("invalid_policy", "routes: expected `{ routes: [...] }` or an array");
    this.#v = verifier;
    this.#tenantOf = tenantOf as GateOptions["tenantOf"];
    try {
      this.#g = new WasmGate(wasmVerifier, json, rest);
    } catch (e) {
      rethrow(e);
    }
  }

  /** The verifier the gate uses (for `setJwks`, `applyNotice`...). */
  get verifier(): Verifier {
    return this.#v;
  }

  /** Advice about the route table: routes lying under more general ones
   *  that demand something else (see SECURITY.md). */
  get warnings(): string[] {
    return this.#g.warnings();
  }

  /** Decides a request from its method, target (path and query, as sent),
   *  method-override headers, the `Authorization: Permsnap <snapshot>`
   *  header or the snapshot cookie. */
  check(request: RequestLike): Decision {
    const h = request.headers;
    // An absolute-form target (`GET http://other.example/...`) naming
    // another host than the Host header: the gate, `tenantOf` and the app
    // could each read the account from a different one.
    const authority = authorityOf(request.url);
    const host = h.get("host");
    if (authority !== null && host !== null && authorityOf(`http://${host.trim()}`) !== authority &&
        authorityOf(`https://${host.trim()}`) !== authority) {
      return { status: 400, code: "ambiguous_host", message: "the request target names another host than the Host header" };
    }
    const overrides = METHOD_OVERRIDE_HEADERS.map((n) => h.get(n)).filter((v): v is string => v !== null);
    const tenant = this.#tenantOf ? this.#tenantOf(request) : undefined;
    if (this.#tenantOf && (tenant === null || tenant === undefined || tenant === "")) {
      return { status: 400, code: "no_tenant", message: "the request names no account this edge serves" };
    }
    return this.#g.check(Verifier._wasm(this.#v), request.method, requestTarget(request.url),
      h.get("authorization") ?? undefined, h.get("cookie") ?? undefined,
      overrides.length > 0 ? overrides.join(",") : undefined, tenant ?? undefined, Verifier._now(this.#v)) as Decision;
  }

  /** `check` from raw parts (tests, other servers): `target` is the path
   *  and query as sent. */
  checkParts(method: string, target: string, authorization?: string | null, cookie?: string | null): Decision {
    const headers = new Map<string, string>();
    if (authorization) headers.set("authorization", authorization);
    if (cookie) headers.set("cookie", cookie);
    return this.check({ method, url: target, headers: { get: (n) => headers.get(n) ?? null } });
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
  if (decision.status === 401) {
    // RFC 6750 style: `error` tells a client whether to refresh its snapshot
    // (`expired`, `revoked`, `unknown_key`, `wrong_catalog`) or give up.
    const quoted = (s: string) => s.replace(/[^\x20-\x7e]|["\\]/g, "");
    headers["www-authenticate"] =
      `Permsnap realm="permsnap", error="${quoted(decision.code)}", error_description="${quoted(decision.message)}"`;
  }
  const { status, ...error } = decision;
  return { status, headers, body: JSON.stringify({ error }) };
}

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
  fetch?: typeof fetch;
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
 *  feed is reported and skipped: the others still apply. */
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

  /** Refetches now (both documents). Rejects when a document could not be
   *  fetched or a notice could not be applied (after applying the others). */
  async refresh(): Promise<void> {
    this.#pending ??= this.#load()
      .catch((e: unknown) => {
        this.#lastError = e;
        this.#o.onError(e);
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
      this.#o.onError(e);
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
      this.#o.onError(new PermsnapError("invalid_key", `JWKS key \`${k.kid}\` ignored: ${k.reason}`));
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
      // every account of the issuer) is not ours: skipped. One signed by a
      // key the JWKS no longer lists (retired) cannot be verified: skipped
      // and reported (the issuer re-signs what still matters with a current
      // key). Anything else (bad signature, garbage) means the feed is not
      // what the issuer published: reported, and the refresh fails.
      let failed = 0;
      notices.forEach((n, i) => {
        try {
          if (typeof n !== "string") throw new PermsnapError("malformed", "a notice is base64url text");
          this.#v.applyNotice(n);
        } catch (e) {
          const code = e instanceof PermsnapError ? e.code : "malformed";
          if (code === "wrong_tenant") return;
          if (code !== "unknown_key") failed++;
          this.#o.onError(new PermsnapError(code, `revocation notice ${i}: ${(e as Error).message}`, { cause: e }));
        }
      });
      if (failed > 0) {
        // The good notices are in force; the feed is not counted as loaded.
        throw new PermsnapError("unavailable", `${failed} of ${notices.length} revocation notices are damaged or forged`);
      }
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
      // Reported through onError; what was loaded stays in force.
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
  // Without a complete, recent load of keys and revocations, nothing that
  // depends on a snapshot is decided (public routes and malformed requests
  // still are).
  const needsSnapshot = d.subject !== undefined || d.status === 401 || d.status === 403 || d.status === 503;
  if (refresher && needsSnapshot && !refresher.usable) {
    const why = refresher.lastError instanceof Error ? `: ${refresher.lastError.message}` : "";
    return { status: 503, code: "unavailable", message: `the edge could not load its keys and revocations${why}` };
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
  /** Express keeps the full target here when the middleware is mounted on a
   *  path (`app.use("/api", guard)` sees `req.url` without `/api`). */
  originalUrl?: string;
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
      url: req.originalUrl ?? req.url ?? "/",
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
