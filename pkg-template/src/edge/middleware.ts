// From a decision to an answer: the JSON denial, and the one-call guards
// for fetch handlers, Hono and Node/Express.

import type { Decision, Gate, RequestLike } from "./gate.js";
import type { Refresher } from "./refresher.js";
import type { PlatformResponse } from "../types.js";

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
    const why = refresher.lastError instanceof Error ? `: ${refresher.lastError.message}` : "";
    return { status: 503, code: "unavailable", message: `the edge could not load its keys and revocations${why}` };
  }
  return d;
}

/** Minimal shape of a Hono context (no dependency on Hono). */
interface HonoContextLike {
  req: { raw: RequestLike };
  set(key: string, value: unknown): void;
}

/** Hono middleware (Hono runs on workerd, Deno, Node and Bun): refused
 *  requests get the JSON denial; allowed ones go on with the decision in
 *  `c.get("permsnap")`. */
export function honoGuard(gate: Gate, refresher?: Refresher) {
  return async (c: HonoContextLike, next: () => Promise<void>): Promise<PlatformResponse | void> => {
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
  if (!req.baseUrl) return url;
  if ((url === "/" || url.startsWith("/?")) && !(req.originalUrl ?? "").split("?")[0].endsWith("/")) {
    return req.baseUrl + url.slice(1);
  }
  return req.baseUrl + url;
}

/** Node / Connect / Express middleware: `(req, res, next)`. Refused
 *  requests are answered here; allowed ones get `req.permsnap`. */
export function nodeGuard(gate: Gate, refresher?: Refresher) {
  const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("; ") : v ?? null);
  return (req: NodeRequestLike, res: NodeResponseLike, next: (err?: unknown) => void): void => {
    const request: RequestLike = {
      method: req.method ?? "GET",
      url: routedTarget(req),
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
