// The app's snapshot endpoint: for the signed-in person of a request, issue
// a snapshot and answer it (JSON for the page's session) and set it as a
// cookie (for the edge). Thin adapters for fetch handlers (workerd, Deno,
// Bun), Hono and Node/Express share one core.

import { PermsnapError } from "../errors.js";
import { noExtra, strictOptions } from "../internal.js";
import type { Issuer, StaffRecord } from "./index.js";

/** Who is signed in on this request, from the app's own session: their
 *  account and staff record (read fresh from the database: an admin's edit
 *  takes effect on the next issue), or `null` when nobody is (any falsy
 *  value, as `req.user && { ... }` gives, reads the same: signed out). */
export type SignedInStaff = { tenant: string; record: StaffRecord } | null | undefined | false;

export interface SnapshotEndpointOptions<Req> {
  issuer: Issuer;
  /** The signed-in person of `request` (see `SignedInStaff`). */
  staff: (request: Req) => SignedInStaff | Promise<SignedInStaff>;
  /** The snapshot cookie the edge reads, or `false` for none (an edge on
   *  another origin gets `Authorization: Permsnap …` from the page).
   *  Default: `permsnap`, `Path=/`, `HttpOnly`, `Secure`, `SameSite=Strict`,
   *  `Max-Age` the snapshot's lifetime. */
  cookie?: false | { name?: string; path?: string; domain?: string; sameSite?: "Strict" | "Lax" | "None"; secure?: boolean };
  /** Snapshot lifetime, seconds (the issuer's default: 900). */
  lifetime?: number;
  /** What the issuer noticed (adjustments without effect): for the app's
   *  logs, never sent to the page. */
  onWarnings?: (warnings: { code: string; staff: string; field: string; message: string }[]) => void;
  /** Why the issuer refused a signed-in person's record (a broken role, a
   *  deactivated account…): for the app's logs. The page gets the code and
   *  a short message only. */
  onRefused?: (error: PermsnapError, request: Req) => void;
}

/** What the page may read of a refusal: the code and a sentence, never the
 *  issuer's details (role ids, column names, account names). */
const REFUSAL_TEXT: Record<string, string> = {
  deactivated: "this staff account is deactivated",
  unknown_role: "a role of this staff account no longer exists: ask an administrator",
};

/** Status, headers and JSON body of the endpoint's answer. */
export interface EndpointAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** What failed, for a 500 (the framework's error handler logs it). */
  error?: unknown;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Reads the options once (strictly: a misspelt option is an error). */
function readOptions<Req>(options: SnapshotEndpointOptions<Req>): SnapshotEndpointOptions<Req> & { cookieParts: string[] | null; cookieName: string } {
  const o = strictOptions(options, ["issuer", "staff", "cookie", "lifetime", "onWarnings", "onRefused"], "snapshot endpoint options") as unknown as SnapshotEndpointOptions<Req>;
  if (typeof o.issuer !== "object" || o.issuer === null || typeof (o.issuer as Issuer).issue !== "function") {
    throw new PermsnapError("invalid_argument", "`issuer` is a permsnap/issuer Issuer");
  }
  if (typeof o.staff !== "function") throw new PermsnapError("invalid_argument", "`staff` is a function returning the signed-in person ({ tenant, record }) or null");
  for (const k of ["onWarnings", "onRefused"] as const) {
    if (o[k] !== undefined && typeof o[k] !== "function") throw new PermsnapError("invalid_argument", `\`${k}\` is a function`);
  }
  if (o.lifetime !== undefined && !(Number.isInteger(o.lifetime) && o.lifetime >= 1 && o.lifetime <= 86_400)) {
    throw new PermsnapError("invalid_argument", "`lifetime` is a whole number of seconds from 1 to 86400");
  }
  if (o.cookie === false) return Object.assign(Object.create(null), o, { cookieParts: null, cookieName: "" });
  const c = strictOptions(o.cookie, ["name", "path", "domain", "sameSite", "secure"], "cookie options") as Exclude<SnapshotEndpointOptions<Req>["cookie"], false | undefined>;
  const name = c.name ?? "permsnap";
  if (typeof name !== "string" || !COOKIE_NAME.test(name)) throw new PermsnapError("invalid_argument", "the cookie `name` is a cookie token (letters, digits, `_`, `-`…)");
  const sameSite = c.sameSite ?? "Strict";
  if (!["Strict", "Lax", "None"].includes(sameSite)) throw new PermsnapError("invalid_argument", "`sameSite` is \"Strict\", \"Lax\" or \"None\"");
  if (c.secure !== undefined && typeof c.secure !== "boolean") throw new PermsnapError("invalid_argument", "`secure` is a boolean");
  const secure = c.secure ?? true;
  if (sameSite === "None" && !secure) throw new PermsnapError("invalid_argument", "browsers drop `SameSite=None` cookies that are not `Secure`");
  for (const [k, v] of [["path", c.path], ["domain", c.domain]] as const) {
    // Printable ASCII only: Node refuses any other character in a header
    // (an internationalised domain not in its `xn--` form threw at the
    // first request; attack review, session 16).
    if (v !== undefined && (typeof v !== "string" || v === "" || /[^\x21-\x7e]|[;,]/.test(v))) throw new PermsnapError("invalid_argument", `the cookie \`${k}\` is printable ASCII text without ';', ',' or spaces (an internationalised domain in its xn-- form)`);
  }
  if (c.path !== undefined && !c.path.startsWith("/")) throw new PermsnapError("invalid_argument", "the cookie `path` starts with `/`");
  // What browsers would drop without a word (no cookie would ever arrive):
  // refused here, saying why (attack review, session 14).
  if (c.domain !== undefined && /^\.|\.$|^\.?$/.test(c.domain)) throw new PermsnapError("invalid_argument", "the cookie `domain` is a host name (`example.com`), without a dot before or after");
  // Browsers compare the prefixes without regard to case.
  const lower = name.toLowerCase();
  if (lower.startsWith("__secure-") && !secure) throw new PermsnapError("invalid_argument", "browsers take a `__Secure-` cookie only when `Secure`");
  if (lower.startsWith("__host-") && (!secure || c.domain !== undefined || (c.path ?? "/") !== "/")) {
    throw new PermsnapError("invalid_argument", "browsers take a `__Host-` cookie only when `Secure`, with `Path=/` and no `Domain`");
  }
  const parts = [`Path=${c.path ?? "/"}`, ...(c.domain ? [`Domain=${c.domain}`] : []), "HttpOnly", ...(secure ? ["Secure"] : []), `SameSite=${sameSite}`];
  return Object.assign(Object.create(null), o, { cookieParts: parts as string[] | null, cookieName: name });
}

/** The session's freshness token (`Permsnap-Fresh`), echoed when well formed. */
const FRESH = /^[A-Za-z0-9_-]{16,128}$/;

/** The endpoint's answer for one request, whatever the framework; `fresh`:
 *  the request's `Permsnap-Fresh` header. */
/** Runs an app's callback (its log) so that nothing it does changes the
 *  answer: a throw, or a rejected promise of an `async` one (which would
 *  otherwise end a Node server as an unhandled rejection). */
function shielded(callback: () => unknown): void {
  try {
    const out = callback() as { then?: unknown } | null | undefined;
    if (typeof out?.then === "function") (out as PromiseLike<unknown>).then(undefined, () => {});
  } catch {
    // The answer stands.
  }
}

async function answer<Req>(o: ReturnType<typeof readOptions<Req>>, request: Req, fresh: string | null | undefined): Promise<EndpointAnswer> {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };
  const clear = () => {
    if (o.cookieParts) headers["set-cookie"] = [`${o.cookieName}=`, "Max-Age=0", ...o.cookieParts].join("; ");
  };
  try {
    return await issueFor(o, request, fresh, headers, clear);
  } catch (error) {
    // `staff()` threw (`req.user.tenant` with nobody signed in, a database
    // down), or gave a wrong shape: 500, "try again later" to a page, which
    // keeps what it holds in memory; the cookie is cleared all the same,
    // so that an edge does not go on accepting the previous person's
    // snapshot (attack review, session 14).
    clear();
    return { status: 500, headers, body: JSON.stringify({ error: { code: "unavailable", message: "the snapshot endpoint failed" } }), error };
  }
}

async function issueFor<Req>(
  o: ReturnType<typeof readOptions<Req>>, request: Req, fresh: string | null | undefined,
  headers: Record<string, string>, clear: () => void,
): Promise<EndpointAnswer> {
  let who = await o.staff(request);
  // `record: db.staffRow(id)` with an async database is a promise: awaited
  // here (a rejected one is a failure, 500), not taken for a record, nor
  // left to end the process as an unhandled rejection (attack review,
  // session 16).
  const pending = (who as { record?: { then?: unknown } } | null)?.record;
  if (typeof who === "object" && who !== null && typeof pending?.then === "function") {
    who = { ...who, record: await (pending as PromiseLike<unknown>) } as typeof who;
  }
  // Nobody: `null`, or what `req.user && { ... }` gives when nobody is
  // signed in (`undefined`, `false`, `0`, `""`). Each clears the cookie
  // and answers 401, which the page reads as signed out; a throw here
  // answered 500, which a page reads as "try again later" and kept the
  // previous person's snapshot (attack review, session 13).
  // `{ tenant: req.user?.tenant, record: req.user }` or `record:
  // req.loggedIn && row` with nobody signed in is nobody too.
  if (!who || (typeof who === "object" && !(who as { record?: unknown }).record)) {
    clear();
    return { status: 401, headers, body: JSON.stringify({ error: { code: "no_snapshot", message: "nobody is signed in" } }) };
  }
  if (typeof who !== "object" || typeof who.tenant !== "string" || typeof who.record !== "object" || who.record === null) {
    throw new PermsnapError("invalid_argument", "`staff` returned neither { tenant, record } nor null");
  }
  // Exactly those two keys: a `lifetime` or `cookie` there is not applied
  // (they are the endpoint's options), nor a misspelt key.
  strictOptions(who, ["tenant", "record"], "what `staff` returned");
  let issued;
  try {
    issued = o.issuer.issue(who.tenant, who.record, o.lifetime === undefined ? undefined : { lifetime: o.lifetime });
  } catch (e) {
    // Deactivated, a broken role, a record the issuer refuses: this person
    // gets no snapshot (the page denies everything), the app its log.
    if (!(e instanceof PermsnapError)) throw e;
    // The refusal goes out whatever the app's callback does: a logger that
    // throws must not turn a 403 (signed out) into a 500 (try again later).
    clear();
    shielded(() => o.onRefused?.(e, request));
    const message = REFUSAL_TEXT[e.code] ?? "no snapshot can be issued for this staff account (the server's log says why)";
    return { status: 403, headers, body: JSON.stringify({ error: { code: e.code, message } }) };
  }
  if (issued.warnings.length > 0) shielded(() => o.onWarnings?.(issued.warnings));
  if (o.cookieParts) {
    headers["set-cookie"] = [`${o.cookieName}=${issued.snapshot}`, `Max-Age=${issued.expiresAt - issued.issuedAt}`, ...o.cookieParts].join("; ");
  }
  const { snapshot, id, issuedAt, expiresAt, idLists } = issued;
  const echo = typeof fresh === "string" && FRESH.test(fresh) ? { fresh } : {};
  return { status: 200, headers, body: JSON.stringify({ snapshot, id, issuedAt, expiresAt, idLists, ...echo }) };
}

/** A fetch handler (workerd, Deno, Bun, Hono's `c.req.raw`):
 *  `(request) => Response`. */
export function snapshotHandler(options: SnapshotEndpointOptions<Request>): (request: Request) => Promise<Response> {
  noExtra(arguments.length, 1, "snapshotHandler");
  const o = readOptions(options);
  return async (request) => {
    const a = await answer(o, request, request.headers.get("permsnap-fresh"));
    // A fetch runtime has no error handler of the app's: the log says why.
    if (a.error !== undefined) console.error("permsnap snapshotHandler:", a.error);
    return new Response(a.body, { status: a.status, headers: a.headers });
  };
}

/** Minimal shape of a Hono context (no dependency on Hono). */
interface HonoContextLike {
  req: { raw: Request };
}

/** A Hono handler: `app.get("/api/permsnap", honoSnapshot({ issuer, staff: (c) => … }))`. */
export function honoSnapshot<C extends HonoContextLike>(options: SnapshotEndpointOptions<C>): (c: C) => Promise<Response> {
  noExtra(arguments.length, 1, "honoSnapshot");
  const o = readOptions(options);
  return async (c) => {
    const a = await answer(o, c, c.req.raw.headers.get("permsnap-fresh"));
    // Answered here, the error in the log: an `onError` that builds its
    // own `Response` would drop the cookie's clearing (review, session 14).
    if (a.error !== undefined) console.error("permsnap honoSnapshot:", a.error);
    return new Response(a.body, { status: a.status, headers: a.headers });
  };
}

/** Minimal shape of Node's `ServerResponse`. */
interface NodeResponseLike {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

/** Node / Express handler: `app.get("/api/permsnap", expressSnapshot({ issuer, staff: (req) => … }))`
 *  (also a plain `node:http` handler: `next` is optional). */
export function expressSnapshot<Req>(options: SnapshotEndpointOptions<Req>): (req: Req, res: NodeResponseLike, next?: (err?: unknown) => void) => void {
  noExtra(arguments.length, 1, "expressSnapshot");
  const o = readOptions(options);
  return (req, res, next) => {
    const fresh = (req as { headers?: Record<string, string | string[] | undefined> }).headers?.["permsnap-fresh"];
    answer(o, req, typeof fresh === "string" ? fresh : null).then((a) => {
      if (a.error !== undefined && next && typeof res.setHeader === "function") {
        // To the app's error handler, with the cookie cleared on its answer.
        if (a.headers["set-cookie"] !== undefined) res.setHeader("set-cookie", a.headers["set-cookie"]);
        return next(a.error);
      }
      res.writeHead(a.status, a.headers);
      res.end(a.body);
    }).catch((e: unknown) => {
      // The answer could not be written (another middleware answered
      // first): logged, not left to end the process (attack review,
      // session 16).
      console.error("permsnap expressSnapshot:", e);
    });
  };
}
