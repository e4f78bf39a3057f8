// The route gate: a route table compiled in WebAssembly against the
// verifier's catalog, deciding each request from its method, raw target and
// snapshot (see SECURITY.md for the path policy). The core decides
// (lean/src/edge.rs, `ps_gate_check`); this file hands it the request,
// and the snapshot and step-up proof it asks for, verified by the
// verifier (in WebAssembly too).

import { PermsnapError } from "../errors.js";
import { finalizer, noExtra, strictOptions } from "../internal.js";
import { plainJson } from "../plain.js";
import { CORE_ERROR_CODES } from "../codes.js";
import { edgeView, type EdgeView, type Verifier } from "../browser/verifier.js";
import { handleOf, type Permissions } from "../browser/permissions.js";
import type { Core } from "../browser/wasm.js";
import type { DecisionCode, ErrorCode } from "../types.js";

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
   *  edge has no usable keys (`unavailable`) or its revocation feed is
   *  older than the verifier's `maxFeedAge` (`stale_feed`). */
  status: 200 | 400 | 401 | 403 | 404 | 405 | 503;
  /** `ok`, `no_snapshot`, a refusal code (`expired`, `revoked`...),
   *  `forbidden`, `app_not_allowed`, `step_up_required`, `step_up_refused`, `no_route`,
   *  `method_not_allowed`, `bad_path`, `ambiguous_path`, `ambiguous_host`,
   *  `bad_method_override`, `no_tenant`, `unavailable`, `stale_feed`. */
  code: DecisionCode | ErrorCode;
  message: string;
  route?: string;
  permission?: string;
  reason?: string;
  subject?: string;
  tenant?: string;
  /** On a shared account's request allowed by a step-up proof (header
   *  `Permsnap-Step-Up`): the staff member who gave their PIN. The action
   *  is theirs: record it under this id, not the shared account's. */
  actor?: string;
  /** The step-up proof's nonce (hex): record it to accept each proof once. */
  nonce?: string;
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

/** `name` with `-` or `_` between each of its words, every way: a backend
 *  behind a CGI-style gateway (PHP, WSGI and Rack servers that keep such
 *  headers) reads `X_HTTP_Method_Override` as the same variable as
 *  `X-HTTP-Method-Override` (`HTTP_X_HTTP_METHOD_OVERRIDE`), which the
 *  gate did not see (attack review, session 23). */
function spellings(name: string): string[] {
  const [first, ...rest] = name.split("-");
  return rest.reduce((names, word) => names.flatMap((n) => [`${n}-${word}`, `${n}_${word}`]), [first]);
}

/** Headers a backend may honour as the request's method, each way it may
 *  be spelt; the gate then checks the request as both methods. */
const METHOD_OVERRIDE_HEADERS = ["x-http-method-override", "x-http-method", "x-method-override"].flatMap(spellings);

/** The forwarded-host header, each way a backend may read it. */
const FORWARDED_HOST_HEADERS = spellings("x-forwarded-host");

/** The request target (path and query) exactly as sent: from an absolute
 *  URL, what follows the authority; never re-parsed with `new URL`, which
 *  would normalise what the backend may not. */
export function requestTarget(url: string): string {
  let target = url;
  if (!url.startsWith("/")) {
    const scheme = url.indexOf("://");
    if (scheme < 0) return url; // refused by the gate: not `/`-rooted
    // The authority ends at the first `/`, `?` or `#` (as `authorityOf`
    // reads it): `http://h#/health` is `/`, not `/health` (attack review,
    // session 14).
    const end = url.slice(scheme + 3).search(/[/?#]/);
    const start = end < 0 ? -1 : scheme + 3 + end;
    target = start < 0 || url[start] === "#" ? "/" : url.slice(start);
    if (target.startsWith("?")) target = "/" + target;
  }
  const hash = target.indexOf("#");
  return hash < 0 ? target : target.slice(0, hash);
}

/** A host name (letters, digits, `.`, `-`, `_`) or a bracketed IPv6
 *  literal, and an optional port of up to 5 digits (`host:` is valid and
 *  Deno passes it on): no userinfo, `%`, `;` nor a port a URL parser would
 *  read as part of the path. */
const PLAIN_AUTHORITY = /^(?:[a-z0-9._-]+|\[[0-9a-f:.]+\])(?::\d{0,5})?$/;

/** Whether `v` is a plain `host[:port]`, spaces around it aside. */
function plain(v: string): boolean {
  return PLAIN_AUTHORITY.test(v.trim().toLowerCase());
}

/** Whether every host in `X-Forwarded-Host` (comma-separated) and every
 *  `host=` of `Forwarded` is a plain `host[:port]`. */
function forwardedHostsPlain(h: RequestLike["headers"]): boolean {
  for (const name of FORWARDED_HOST_HEADERS) {
    const xfh = h.get(name);
    if (xfh !== null && !xfh.split(",").every(plain)) return false;
  }
  const fwd = h.get("forwarded");
  if (fwd === null) return true;
  for (const m of fwd.matchAll(/(?:^|[;,\s])host\s*=\s*("[^"]*"?|[^;,\s]*)/gi)) {
    const v = m[1].startsWith('"') ? m[1].slice(1, m[1].endsWith('"') && m[1].length > 1 ? -1 : undefined) : m[1];
    if (!plain(v)) return false;
  }
  return true;
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

/** The route table as JSON text, after checking it is plain data (a
 *  member left `undefined`, a getter or a class instance could loosen a
 *  route: refused, naming where). */
function routesJson(routes: unknown): string {
  return plainJson(routes, "routes", "invalid_policy");
}

/** `ps_gate_check`'s answers besides a decision (0) and a refusal. */
const NEEDS_SNAPSHOT = 0xffff_fffe;
const NEEDS_PROOF = 0xffff_fffd;
/** How far the snapshot or the proof was checked (`ps_gate_check`). */
const NOT_YET = 0;
const READ = 1;
const REFUSED = 2;
/** A length `ps_gate_check` reads as "not sent". */
const ABSENT = 0xffff_ffff;

/** A compiled table in the core, let go when its Gate is collected. */
const tables = finalizer<{ core: Core; g: number }>(({ core, g }) => core.x.ps_drop_gate(g));

const utf8 = new TextEncoder();
/** The most UTF-8 `fields` writes for one request: 1 MiB of text. */
const MAX_REQUEST = 3 << 20;

/** Where `fields` encodes (grown as needed, reused). */
let scratch = new Uint8Array(4096);

/** `ps_gate_check`'s input: the eight texts' lengths (`ABSENT` for none),
 *  then their UTF-8 bytes: a copy, since a decision may run app code (a
 *  kept snapshot checking itself reads the verifier's clock) that could
 *  ask the gate again and write `scratch` meanwhile. */
function fields(texts: (string | undefined)[]): Uint8Array {
  // UTF-8 takes at most three bytes per UTF-16 unit.
  let most = 32;
  let joined = "";
  for (const t of texts) {
    if (t === undefined) continue;
    most += 3 * t.length;
    joined += t;
  }
  // Far over any server's header limit (Node's 16 KB, workerd's 128 KB):
  // refused before the core copies it into its answer (a gigabyte ran
  // the instance out of memory: review, session 28).
  if (most > MAX_REQUEST) throw new PermsnapError("too_large", `the request's method, target and headers the gate reads are over ${MAX_REQUEST / 3} characters together`);
  if (scratch.length < most) scratch = new Uint8Array(most);
  const view = new DataView(scratch.buffer);
  // One encoding call for all of them (each costs a few microseconds in
  // workerd): as many bytes as UTF-16 units means all ASCII, so each
  // text's length is its byte count. Else each text on its own.
  const { read, written } = utf8.encodeInto(joined, scratch.subarray(32));
  const ascii = read === joined.length && written === read;
  let at = 32;
  for (let i = 0; i < 8; i++) {
    const t = texts[i];
    let n = ABSENT;
    if (t !== undefined) {
      n = ascii ? t.length : utf8.encodeInto(t, scratch.subarray(at)).written;
      at += n;
    }
    view.setUint32(i * 4, n, true);
  }
  return scratch.slice(0, at);
}

/** The nine texts of a decision the core left at `at` (their u32
 *  lengths, `ABSENT` for none, then their bytes one after another), read
 *  in place: in one decoding call when they are ASCII. */
function decisionTexts(core: Core, at: number): (string | undefined)[] {
  const view = new DataView(core.x.memory.buffer);
  const lengths: number[] = [];
  let total = 0;
  for (let f = 0; f < 9; f++) {
    const n = view.getUint32(at + 4 * f, true);
    lengths.push(n);
    if (n !== ABSENT) total += n;
  }
  at += 36;
  const all = core.text(at, total);
  const ascii = all.length === total;
  const out: (string | undefined)[] = [];
  let i = 0;
  for (const n of lengths) {
    if (n === ABSENT) {
      out.push(undefined);
      continue;
    }
    out.push(ascii ? all.slice(i, i + n) : core.text(at + i, n));
    i += n;
  }
  return out;
}

/** A refusal's code as the core numbers it (`CORE_ERROR_CODES`). */
function codeIndex(code: string): number {
  const i = (CORE_ERROR_CODES as readonly string[]).indexOf(code);
  return i < 0 ? (CORE_ERROR_CODES as readonly string[]).indexOf("invalid_argument") : i;
}

/** The headers of `checkParts`: `Authorization` and `Cookie`. */
class Parts {
  #authorization: string | null;
  #cookie: string | null;

  constructor(authorization?: string | null, cookie?: string | null) {
    this.#authorization = authorization || null;
    this.#cookie = cookie || null;
  }

  get(name: string): string | null {
    return name === "authorization" ? this.#authorization : name === "cookie" ? this.#cookie : null;
  }
}

/** How many loaded snapshots a gate keeps. */
const KEPT = 16;

/** A kept snapshot's key: the verifier's key set, the account, the text. */
function keptKey(view: EdgeView, text: string, tenant: string | undefined): string {
  return `${view.keyset}\u0000${tenant ?? ""}\u0000${text}`;
}

/** How far a request's snapshot was checked, for `ps_gate_check`. */
interface Asked {
  snapshot: number;
  /** The loaded snapshot's handle (`READ`). */
  loaded: number;
  /** The refusal's HTTP status and code (`REFUSED`), and its words. */
  status: number;
  code: number;
  why: string | undefined;
  perms: Permissions | undefined;
  /** `perms` is the gate's (kept for the next requests), not the request's. */
  kept: boolean;
}

/** The snapshot text `text` verified and loaded into `st`, or refused. */
function verifySnapshot(view: EdgeView, text: string, tenant: string | undefined, now: number, st: Asked): void {
  try {
    st.perms = view.load(text, tenant, now);
    const handle = handleOf(st.perms);
    // Loaded in the last instant of its life: as `load`'s permissions
    // refuse on their first use.
    if (handle === 0) throw st.perms.error ?? new PermsnapError("expired", "expired");
    [st.snapshot, st.loaded] = [READ, handle];
  } catch (e) {
    if (!(e instanceof PermsnapError)) throw e;
    // The edge's revocations not current: its problem, not the snapshot's
    // (no refresh on the client would help).
    [st.snapshot, st.status, st.code, st.why] = [REFUSED, e.code === "stale_feed" ? 503 : 401, codeIndex(e.code), e.message];
  }
}

/** The request's texts with the refusals' words. */
function worded(texts: (string | undefined)[], why: string | undefined, whyProof: string | undefined): (string | undefined)[] {
  return [...texts.slice(0, 6), why, whyProof];
}

/** The decision the core left (`out`: its texts' address, the status, the
 *  permission to explain or `ABSENT`). */
function decision(core: Core, out: Uint32Array, view: EdgeView, perms: Permissions | undefined): Decision {
  const [at, , status, explain] = out;
  const [code, message, route, permission, reason, subject, tenant, actor, nonce] = decisionTexts(core, at);
  const d: Decision = { status: status as Decision["status"], code: code as Decision["code"], message: message as string };
  if (route !== undefined) d.route = route;
  if (permission !== undefined) d.permission = permission;
  if (reason !== undefined) d.reason = reason;
  if (subject !== undefined) d.subject = subject;
  if (tenant !== undefined) d.tenant = tenant;
  if (actor !== undefined) d.actor = actor;
  if (nonce !== undefined) d.nonce = nonce;
  // A missing permission: why, in the snapshot's words.
  if (explain !== ABSENT && perms !== undefined) {
    d.message = `${d.message}: ${perms.explain(view.permissionName(explain)).message}`;
  }
  return d;
}

/** Gates requests by route: compiled once (routes are checked against the
 *  verifier's catalog: a typo, an unknown key or a route demanding nothing
 *  throws `invalid_policy`), then `check` per request. */
export class Gate {
  #g: number;
  #v: Verifier;
  /** The last snapshots this gate loaded, by the verifier's key set, the
   *  request's account and the text: the same snapshot on the next
   *  requests is not loaded again. One is used only as a load would
   *  answer: it checks itself first (revocations applied since, the
   *  verifier freed), a stale feed loads it again (to refuse it), and the
   *  core checks its time at each request (an expired one is loaded
   *  again, and refused). */
  #kept = new Map<string, Permissions>();
  #warnings: string[];
  #tenantOf?: (request: RequestLike) => string | null | undefined;

  constructor(verifier: Verifier, routes: RouteDef[] | { routes: RouteDef[] }, options: GateOptions = {}) {
    noExtra(arguments.length, 3, "new Gate");
    const view = edgeView(verifier);
    const { tenantOf, cookie = "permsnap" } = strictOptions(options, ["cookie", "tenantOf"], "Gate options");
    if (tenantOf !== undefined && typeof tenantOf !== "function") {
      throw new PermsnapError("invalid_argument", "`tenantOf` is a function of the request returning an account id");
    }
    if (view.perRequest && tenantOf === undefined) {
      throw new PermsnapError("invalid_argument",
        "the verifier checks the account per request ({ tenantPerRequest: true }): give the Gate a `tenantOf(request)`");
    }
    if (typeof cookie !== "string") throw new PermsnapError("invalid_argument", "`cookie` is the name of the cookie holding the snapshot");
    // The table goes to the core as JSON text (after `routesJson` refused
    // anything that is not plain JSON data), read there by the CLI's own
    // strict reader: any unknown key is refused.
    const json = routesJson(routes);
    const core = view.core;
    const name = utf8.encode(cookie);
    core.input(utf8.encode(json), name);
    const status = core.raw("ps_gate", view.catalog, name.length);
    if (status !== 0) {
      const [at, len] = core.out();
      const code = CORE_ERROR_CODES[status - 1];
      if (code === "invalid_policy") throw new PermsnapError("invalid_policy", core.text(at, len));
      if (code === "invalid_argument") {
        throw new PermsnapError("invalid_argument", "`cookie` is a cookie name: letters, digits, `_` and `-`");
      }
      throw new PermsnapError("invalid_argument", "this Verifier was freed");
    }
    const [g, warnings] = core.out();
    this.#g = g;
    this.#warnings = Array.from({ length: warnings }, (_, i) => {
      core.raw("ps_gate_warning", g, i);
      const [at, len] = core.out();
      return core.text(at, len);
    });
    tables.register(this, { core, g }, this);
    this.#v = verifier;
    this.#tenantOf = tenantOf as GateOptions["tenantOf"];
  }

  /** The verifier the gate uses (for `setJwks`, `applyFeed`...). */
  get verifier(): Verifier {
    return this.#v;
  }

  /** Advice about the route table: routes lying under more general ones
   *  that demand something else (see SECURITY.md). */
  get warnings(): string[] {
    return [...this.#warnings];
  }

  /** Decides a request from its method, target (path and query, as sent),
   *  method-override headers, the `Authorization: Permsnap <snapshot>`
   *  header or the snapshot cookie. */
  check(request: RequestLike): Decision {
    if (arguments.length > 1) noExtra(arguments.length, 1, "check");
    const h = request.headers;
    // An absolute-form target (`GET http://other.example/...`) naming
    // another host than the Host header: the gate, `tenantOf` and the app
    // could each read the account from a different one.
    const authority = authorityOf(request.url);
    // An absolute-form target must name a plain `host[:port]` over http(s):
    // `GET http://h:x/health` passed as `/health` here, while Express
    // (`url.parse`) routed `/:x/health`, a protected catch-all (attack
    // review, session 15).
    if (authority !== null && (!PLAIN_AUTHORITY.test(authority) || !/^https?:\/\//i.test(request.url))) {
      return { status: 400, code: "ambiguous_host", message: "the request target's authority is not a plain host[:port] over http(s)" };
    }
    // The authority must end where the path starts: Deno and workerd paste
    // the Host header in front of the path, and `Host: h#` made
    // `http://h#/api/payments`, which this gate read as `/` and Hono as
    // `/api/payments` (attack review, session 18).
    if (authority !== null && /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*[?#]/i.test(request.url)) {
      return { status: 400, code: "ambiguous_host", message: "the request target's authority is followed by `?` or `#`, not a path: routers read its path differently" };
    }
    const host = h.get("host");
    if (host !== null && !PLAIN_AUTHORITY.test(host.trim().toLowerCase())) {
      return { status: 400, code: "ambiguous_host", message: "the Host header is not a plain host[:port]" };
    }
    // The same for the hosts a proxy forwards: an app that builds its URL
    // from them (Express's `req.hostname` behind `trust proxy`, as Remix
    // and React Router's adapters do) routed `X-Forwarded-Host:
    // h/api/payments?` past a public route the gate decided (attack
    // review, session 18).
    if (!forwardedHostsPlain(h)) {
      return { status: 400, code: "ambiguous_host", message: "a forwarded host (X-Forwarded-Host, Forwarded host=) is not a plain host[:port]" };
    }
    if (authority !== null && host !== null && authorityOf(`http://${host.trim()}`) !== authority &&
        authorityOf(`https://${host.trim()}`) !== authority) {
      return { status: 400, code: "ambiguous_host", message: "the request target names another host than the Host header" };
    }
    const overrides = METHOD_OVERRIDE_HEADERS.map((n) => h.get(n)).filter((v): v is string => v !== null);
    const tenant = this.#tenantOf ? this.#tenantOf(request) : undefined;
    if (this.#tenantOf && (tenant === null || tenant === undefined || tenant === "")) {
      return { status: 400, code: "no_tenant", message: "the request names no account this edge serves" };
    }
    return this.#decide(request.method, requestTarget(request.url), h.get("authorization") ?? undefined,
      h.get("cookie") ?? undefined, overrides.length > 0 ? overrides.join(",") : undefined, tenant ?? undefined,
      h.get("permsnap-step-up") ?? undefined);
  }

  /** The core's decision. The request's snapshot, when it carries one,
   *  is verified and loaded (or refused) first, so that the core routes
   *  the request once; the core asks again for the step-up proof when it
   *  needs it (and for the snapshot, should it find none given). (No
   *  closure per request: the edge build keeps names, and naming each one
   *  cost a `defineProperty`.) */
  #decide(method: string, target: string, authorization?: string, cookie?: string, override?: string, tenant?: string, stepUp?: string): Decision {
    const view = edgeView(this.#v);
    const core = view.core;
    const now = view.now();
    const flags = (view.perRequest && tenant === undefined ? 1 : 0) | (view.keyed ? 2 : 0);
    const st: Asked = { snapshot: NOT_YET, loaded: 0, status: 0, code: 0, why: undefined, perms: undefined, kept: false };
    let [proof, proofCode] = [NOT_YET, 0];
    let whyProof: string | undefined;
    const texts = [method, target, authorization, cookie, override, stepUp, undefined, undefined];
    try {
      let bytes = fields(texts);
      core.input(bytes);
      const [has, at, len] = core.call("ps_gate_snapshot", this.#g);
      let text: string | undefined;
      if (has === 1) {
        text = core.text(at, len);
        this.#verify(view, text, tenant, now, st);
        if (st.why !== undefined) bytes = fields(worded(texts, st.why, whyProof));
      }
      // At most: the decision, after the proof, after the snapshot.
      for (let ask = 0; ask < 3; ask++) {
        core.input(bytes);
        const answer = core.raw("ps_gate_check", this.#g, flags, st.snapshot, st.loaded, st.status, st.code, proof, proofCode, now, view.leeway) >>> 0;
        const out = core.out();
        if (answer === 0) return decision(core, out, view, st.perms);
        if (answer === NEEDS_SNAPSHOT && st.kept && text !== undefined) {
          // The kept snapshot is not valid now (its time): loaded again,
          // which refuses it as a first load would.
          this.#drop(view, text, tenant);
          Object.assign(st, { snapshot: NOT_YET, loaded: 0, perms: undefined, kept: false });
          verifySnapshot(view, text, tenant, now, st);
          if (st.why !== undefined) bytes = fields(worded(texts, st.why, whyProof));
        } else if (answer === NEEDS_SNAPSHOT && st.snapshot === NOT_YET) {
          verifySnapshot(view, core.text(out[0], out[1]), tenant, now, st);
          if (st.why !== undefined) bytes = fields(worded(texts, st.why, whyProof));
        } else if (answer === NEEDS_PROOF && proof === NOT_YET && stepUp !== undefined) {
          try {
            view.proof(stepUp);
            core.call("ps_proof");
            proof = READ;
          } catch (e) {
            if (!(e instanceof PermsnapError)) throw e;
            [proof, proofCode, whyProof] = [REFUSED, codeIndex(e.code), e.message];
            bytes = fields(worded(texts, st.why, whyProof));
          }
        } else {
          break;
        }
      }
    } finally {
      if (!st.kept) st.perms?.free();
    }
    // The core asked for what it was given, or refused its input: a bug
    // on this side, never a door opened.
    throw new PermsnapError("invalid_argument", "the gate could not decide this request");
  }

  /** The request's snapshot `text` into `st`: the one this gate kept,
   *  while it is as good as a load of it, or loaded (then kept). */
  #verify(view: EdgeView, text: string, tenant: string | undefined, now: number, st: Asked): void {
    const key = keptKey(view, text, tenant);
    const kept = this.#kept.get(key);
    if (kept !== undefined) {
      const handle = view.stale(now) ? 0 : handleOf(kept);
      if (handle !== 0) {
        Object.assign(st, { snapshot: READ, loaded: handle, perms: kept, kept: true });
        return;
      }
      this.#drop(view, text, tenant);
    }
    verifySnapshot(view, text, tenant, now, st);
    if (st.snapshot !== READ || st.perms === undefined) return;
    if (this.#kept.size >= KEPT) {
      const [oldest, p] = this.#kept.entries().next().value as [string, Permissions];
      this.#kept.delete(oldest);
      p.free();
    }
    this.#kept.set(key, st.perms);
    st.kept = true;
  }

  /** Lets go of the kept snapshot `text`. */
  #drop(view: EdgeView, text: string, tenant: string | undefined): void {
    const key = keptKey(view, text, tenant);
    this.#kept.get(key)?.free();
    this.#kept.delete(key);
  }

  /** `check` from raw parts (tests, other servers): `target` is the path
   *  and query as sent. */
  checkParts(method: string, target: string, authorization?: string | null, cookie?: string | null): Decision {
    if (arguments.length > 4) noExtra(arguments.length, 4, "checkParts");
    return this.check({ method, url: target, headers: new Parts(authorization, cookie) });
  }
}
