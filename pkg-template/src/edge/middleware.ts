// From a decision to an answer: the JSON denial, and the one-call guards
// for fetch handlers, Hono and Node/Express.

import type { Decision, Gate, RequestLike } from "./gate.js";
import { Refresher } from "./refresher.js";
import type { PlatformResponse } from "../types.js";
import { PermsnapError } from "../errors.js";
import { noExtra, strictOptions } from "../internal.js";

/** The JSON answer for a refused request (status and body from the decision). */
export function denial(decision: Decision): PlatformResponse {
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

/** Who is signed in on a request by the app's own session (its account and
 *  staff id), or `null`/`undefined` when nobody is. */
export type SignedIn = { tenant: string; subject: string } | null | undefined;

/** Options of the guards, beside the gate. */
export interface GuardOptions<Req> {
  /** Keeps keys and revocations fresh (see `Refresher`). */
  refresher?: Refresher;
  /** At an origin with its own sessions: the signed-in person of the
   *  request. A snapshot that is not theirs (a copied cookie or header
   *  carries its owner's powers otherwise) is refused 403
   *  `wrong_subject`, and so is a snapshot with nobody signed in. */
  signedIn?: (request: Req) => SignedIn | Promise<SignedIn>;
}

/** The second argument of the guards: a refresher (as before) or options.
 *  A refresher must keep the gate's own verifier fresh: one of another
 *  verifier (two edges' objects mixed up) loaded keys and revocations
 *  where the gate never looked, and revoked snapshots went on passing
 *  (attack review, session 14). */
function guardOptions<Req>(gate: Gate, arg: Refresher | GuardOptions<Req> | undefined): GuardOptions<Req> {
  const o = readGuardOptions(arg);
  if (o.refresher !== undefined && o.refresher.verifier !== (gate as { verifier?: unknown } | null)?.verifier) {
    throw new PermsnapError("invalid_argument", "the refresher keeps another verifier fresh than the gate's: give `new Refresher(gate.verifier, …)`, or the gate of that verifier");
  }
  return o;
}

function readGuardOptions<Req>(arg: Refresher | GuardOptions<Req> | undefined): GuardOptions<Req> {
  if (arg === undefined) return {};
  if (typeof arg === "object" && arg !== null && Object.getPrototypeOf(arg) === Object.prototype) {
    // A key given as `undefined` (`signedIn: auth.curentUser`) would turn
    // the binding off without a word: refused, like an unknown key.
    for (const k of Object.keys(arg)) {
      if ((arg as Record<string, unknown>)[k] === undefined) throw new PermsnapError("invalid_argument", `guard option \`${k}\` is undefined: leave it out, or give it`);
    }
    const o = strictOptions(arg, ["refresher", "signedIn"], "guard options") as GuardOptions<Req>;
    if (o.signedIn !== undefined && typeof o.signedIn !== "function") throw new PermsnapError("invalid_argument", "`signedIn` is a function returning { tenant, subject } or null");
    if (o.refresher !== undefined && !(o.refresher instanceof Refresher)) throw new PermsnapError("invalid_argument", "`refresher` is a permsnap/edge Refresher");
    return o;
  }
  if (arg instanceof Refresher) return { refresher: arg };
  throw new PermsnapError("invalid_argument", "the guard's second argument is a Refresher or options ({ refresher, signedIn })");
}

/** The decision, refused `wrong_subject` when it carries a snapshot that is
 *  not the signed-in person's. */
async function bindSubject<Req>(d: Decision, request: Req, signedIn: GuardOptions<Req>["signedIn"]): Promise<Decision> {
  if (!signedIn || d.status !== 200 || d.subject === undefined) return d;
  const who = await signedIn(request);
  if (who !== null && who !== undefined && (typeof who !== "object" || typeof who.subject !== "string" || typeof who.tenant !== "string")) {
    throw new PermsnapError("invalid_argument", "`signedIn` returned neither { tenant, subject } nor null");
  }
  if (who) strictOptions(who, ["tenant", "subject"], "what `signedIn` returned");
  if (who && who.subject === d.subject && who.tenant === d.tenant) return d;
  return {
    status: 403,
    code: "wrong_subject",
    message: who
      ? "the snapshot is not the signed-in person's: fetch your own"
      : "nobody is signed in: a snapshot alone is not a session",
    route: d.route,
  };
}

/** Checks a request, keeping keys fresh first when a refresher is given:
 *  the one call a fetch handler needs. With `{ signedIn }`, the snapshot
 *  must also be the signed-in person's. */
export async function guard(gate: Gate, request: RequestLike, options?: Refresher | GuardOptions<RequestLike>): Promise<Decision> {
  noExtra(arguments.length, 3, "guard");
  const o = guardOptions(gate, options);
  return bindSubject(await check(gate, request, o.refresher), request, o.signedIn);
}

async function check(gate: Gate, request: RequestLike, refresher?: Refresher): Promise<Decision> {
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
  if (d.code === "stale_feed" && refresher) {
    // The revocation feed applied is older than the verifier's
    // `maxFeedAge`: fetch it now (at most every `minInterval`) rather than
    // wait for `maxAge`; still stale, the request gets 503 `stale_feed`.
    try {
      if (await refresher.onStaleFeed()) d = gate.check(request);
    } catch {
      // Reported through onError.
    }
  }
  // Without a complete, recent load of keys and revocations, nothing that
  // depends on a snapshot is decided (public routes and malformed requests
  // still are).
  const needsSnapshot = d.subject !== undefined || d.status === 401 || d.status === 403 || d.status === 503;
  if (refresher && needsSnapshot && !refresher.usable) {
    // The cause goes to the refresher's `onError` and `lastError`, not to
    // whoever asked: it may name the issuer's internal URLs (re-review,
    // session 17).
    return { status: 503, code: "unavailable", message: "the edge could not load its keys and revocations (its onError says why)" };
  }
  return d;
}

/** Hono's context variables set by `honoGuard`: type the app with them,
 *  `new Hono<{ Variables: PermsnapVariables }>()`, and
 *  `c.get("permsnap")` is a `Decision` without a cast. */
export type PermsnapVariables = { permsnap: Decision };

declare global {
  // Express's request type (with @types/express), extended by `nodeGuard`:
  // `req.permsnap` is the decision of an allowed request, without a cast.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** permsnap/edge's decision (set by `nodeGuard` on allowed requests). */
      permsnap?: Decision;
    }
  }
}

/** Minimal shape of a Hono context (no dependency on Hono). */
interface HonoContextLike {
  req: { raw: RequestLike };
  set(key: string, value: unknown): void;
}

/** Hono middleware (Hono runs on workerd, Deno, Node and Bun): refused
 *  requests get the JSON denial; allowed ones go on with the decision in
 *  `c.get("permsnap")`. */
export function honoGuard<C extends HonoContextLike>(gate: Gate, options?: Refresher | GuardOptions<C>) {
  noExtra(arguments.length, 2, "honoGuard");
  const o = guardOptions(gate, options);
  return async (c: C, next: () => Promise<void>): Promise<PlatformResponse | void> => {
    const d = await bindSubject(await check(gate, c.req.raw, o.refresher), c, o.signedIn);
    if (d.status !== 200) return denial(d);
    c.set("permsnap", d);
    await next();
  };
}

/** Minimal shapes of Node's `IncomingMessage` / `ServerResponse`. */
interface NodeRequestLike {
  method?: string;
  url?: string;
  /** Express: the mount path of the middleware (`app.use("/api", guard)`
   *  sees `req.url` without `/api`); `baseUrl + url` is what Express routes
   *  next, after any rewriting middleware before the gate. */
  baseUrl?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  permsnap?: Decision;
}
interface NodeResponseLike {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}

/** The target Express routes next: `baseUrl + url` (so a path-rewriting
 *  middleware before the gate is seen rewritten). Mounted at `/api`, a
 *  request for `/api` has `url` `/`: the slash is Express's, not the
 *  client's (`originalUrl` tells). */
function routedTarget(req: NodeRequestLike): string {
  const url = req.url ?? "/";
  // Connect mounts (`app.use("/api", guard)`) cut the mount path off `url`
  // and keep the client's in `originalUrl`, with no `baseUrl` to put it
  // back: `/api/payments` would be decided as `/payments` (attack review,
  // session 12). Whether `url` was cut or rewritten cannot be told: refused.
  if (req.baseUrl === undefined && typeof req.originalUrl === "string" && req.originalUrl !== url) {
    throw new PermsnapError("invalid_argument",
      "nodeGuard sees a request URL changed before it (`req.url` is not `req.originalUrl`) and no Express `baseUrl`: " +
        "mounted by Connect (`app.use(\"/api\", guard)`) or after a rewriting middleware, it cannot tell the path the app routes. " +
        "Put the guard first, on the whole app, or use Express");
  }
  if (!req.baseUrl) return url;
  if ((url === "/" || url.startsWith("/?")) && !(req.originalUrl ?? "").split("?")[0].endsWith("/")) {
    return req.baseUrl + url.slice(1);
  }
  return req.baseUrl + url;
}

/** Node / Connect / Express middleware: `(req, res, next)`. Refused
 *  requests are answered here; allowed ones get `req.permsnap`. */
export function nodeGuard<Req extends NodeRequestLike>(gate: Gate, options?: Refresher | GuardOptions<Req>) {
  noExtra(arguments.length, 2, "nodeGuard");
  const o = guardOptions(gate, options);
  const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("; ") : v ?? null);
  return (req: Req, res: NodeResponseLike, next: (err?: unknown) => void): void => {
    // The guard's own failure is answered here, 503, never handed to
    // `next(err)`: an error handler that logs and calls `next()` would run
    // the protected handler with nothing checked (attack review, session
    // 14). The error goes to the server's log.
    const failed = (e: unknown) => {
      console.error("permsnap nodeGuard:", e);
      const { status, headers, body } = denialParts({ status: 503, code: "unavailable", message: "the permsnap guard failed (the server's log says why)" });
      res.writeHead(status, headers);
      res.end(body);
    };
    let url: string;
    try {
      url = routedTarget(req);
    } catch (e) {
      failed(e);
      return;
    }
    const request: RequestLike = {
      method: req.method ?? "GET",
      url,
      headers: { get: (name: string) => header(req.headers[name.toLowerCase()]) },
    };
    check(gate, request, o.refresher).then((d) => bindSubject(d, req, o.signedIn)).then(
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
      failed,
    );
  };
}
