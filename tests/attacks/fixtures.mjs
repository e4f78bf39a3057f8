// Shared fixtures of the attack suite (issue #10): keys, snapshots, notices,
// signed feeds and catalogs made by the `permsnap` CLI as a backend would; a
// key server (JWKS + signed revocation feeds) on 127.0.0.1; raw HTTP requests (the request
// target exactly as written: `fetch`/`URL` would normalise `//`, dot
// segments, `\`...); route tables; and the attack list shared by the Express,
// Hono and workerd files.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPrivateKey, sign } from "node:crypto";
import { createServer, request as httpRequest } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signFeed } from "../js/feed-signer.mjs";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const cliPath = join(root, "target/debug/permsnap");
export const bin = (name) => join(root, "node_modules/.bin", name);

const readJson = (p) => JSON.parse(readFileSync(p, "utf8"));

// ------------------------------------------------------------ route tables

export const routes = {
  /** routes/lightspeed.json: `/ecom/orders` needs ecom.orders + app ecom,
   *  `/ecom/{*rest}` only app ecom. */
  lightspeed: readJson(join(root, "routes/lightspeed.json")),
  /** routes/sitee.json plus a public SPA fallback, as a front-end app has. */
  siteeSpa: (() => {
    const t = readJson(join(root, "routes/sitee.json"));
    t.routes.push({ path: "/{*rest}", public: true });
    return t;
  })(),
  /** Step-up through `any` (the shared desk account needs a PIN for
   *  payments.charge and holds loyalty.view_all without one). */
  stepUp: {
    routes: [
      { path: "/health", public: true },
      { methods: ["POST"], path: "/api/quick-charge", any: ["payments.charge"] },
      { methods: ["POST"], path: "/api/charge-or-campaign", any: ["payments.charge", "campaigns.manage"] },
      { methods: ["GET"], path: "/api/loyalty-or-charge", any: ["payments.charge", "loyalty.view_all"] },
    ],
  },
  /** The shared desk's own table (`deskPolicy`): sales and refunds behind
   *  a PIN on the shared account, payments and notes without one; a DELETE
   *  (void a sale, delete notes) needs refunds.make, so a method override
   *  turns a POST into an action needing another PIN. */
  desk: {
    routes: [
      { path: "/health", public: true },
      { methods: ["POST"], path: "/api/sales", requires: ["sales.make"] },
      { methods: ["DELETE"], path: "/api/sales", requires: ["refunds.make"] },
      { methods: ["POST"], path: "/api/refunds", requires: ["refunds.make"] },
      { methods: ["GET"], path: "/api/payments", requires: ["payments.view"] },
      { methods: ["POST"], path: "/api/notes", requires: ["notes.write"] },
      { methods: ["DELETE"], path: "/api/notes", requires: ["refunds.make"] },
      // An exchange: a sale, and a refund any of whose permissions does
      // (here the only one, behind a PIN too): two PINs, never one proof.
      { methods: ["POST"], path: "/api/exchanges", requires: ["sales.make"], any: ["refunds.make"] },
    ],
  },
  /** Method overrides: DELETE is not allowed on /api/campaigns (405) and
   *  needs staff.manage on /api/notes (POST needs any verified snapshot). */
  override: {
    routes: [
      { path: "/health", public: true },
      { methods: ["GET", "POST"], path: "/api/campaigns", requires: ["campaigns.manage"] },
      { methods: ["POST"], path: "/api/notes", authenticated: true },
      { methods: ["DELETE"], path: "/api/notes", requires: ["staff.manage"] },
    ],
  },
};

/** What the real origin serves, in a neutral syntax (`{id}`, `{*rest}`):
 *  `secret` handlers answer 200 "SECRET <name>"; the others harmless pages. */
export const origins = {
  lightspeed: [
    { method: "GET", path: "/health", name: "health" },
    { method: "GET", path: "/ecom/orders", name: "orders", secret: true },
    { method: "GET", path: "/ecom/{*rest}", name: "ecom-page" },
    { method: "POST", path: "/retail/sales", name: "sales", secret: true },
    { method: "GET", path: "/retail/{*rest}", name: "retail-page" },
  ],
  sitee: [
    { method: "GET", path: "/health", name: "health" },
    { method: "GET", path: "/api/payments", name: "payments", secret: true },
    { method: "GET", path: "/api/staff", name: "staff", secret: true },
    { method: "GET", path: "/api/campaigns", name: "campaigns", secret: true },
    { method: "POST", path: "/api/payments/{id}/charge", name: "charge", secret: true },
    { method: "GET", path: "/api/reports/{*rest}", name: "reports", secret: true },
    { method: "GET", path: "/{*rest}", name: "spa" },
  ],
  stepUp: [
    { method: "GET", path: "/health", name: "health" },
    { method: "POST", path: "/api/quick-charge", name: "quick-charge", secret: true },
    { method: "POST", path: "/api/charge-or-campaign", name: "charge-or-campaign", secret: true },
    { method: "GET", path: "/api/loyalty-or-charge", name: "loyalty-or-charge", secret: true },
  ],
  /** `echoDecision`: the handler answers `SECRET <name> {subject, actor,
   *  nonce}`, the decision the framework's middleware handed it. */
  desk: [
    { method: "GET", path: "/health", name: "health" },
    ...[
      ["POST", "/api/sales", "sale"],
      ["DELETE", "/api/sales", "sale-voided"],
      ["POST", "/api/refunds", "refund"],
      ["GET", "/api/payments", "payments"],
      ["POST", "/api/notes", "note-added"],
      ["DELETE", "/api/notes", "notes-deleted"],
      ["POST", "/api/exchanges", "exchange"],
    ].map(([method, path, name]) => ({ method, path, name, secret: true, echoDecision: true })),
  ],
  override: [
    { method: "GET", path: "/health", name: "health" },
    { method: "GET", path: "/api/campaigns", name: "campaigns", secret: true },
    { method: "POST", path: "/api/campaigns", name: "campaign-sent", secret: true },
    { method: "DELETE", path: "/api/campaigns", name: "campaigns-deleted", secret: true },
    { method: "POST", path: "/api/notes", name: "note-added" },
    { method: "DELETE", path: "/api/notes", name: "notes-deleted", secret: true },
  ],
};

// ------------------------------------------------------------ path variants

/** Non-canonical spellings of `/ecom/orders` (Lightspeed table) and
 *  `/api/payments` (Sitee table with a public SPA fallback). Each must be
 *  refused 400 before any handler runs. `beyond` marks variants that are
 *  not in issue #10's list. */
export const pathVariants = [
  ...[
    "/ecom/orders/",
    "/ecom/Orders",
    "/ecom/%6Frders",
    "/ecom//orders",
    "/ecom/./orders",
    "/ecom/x/../orders",
    "/ecom/orders;x=1",
    "/ecom\\orders",
    "/ecom%2Forders",
  ].map((path) => ({ table: "lightspeed", path })),
  ...["/ECOM/ORDERS", "/ecom/orders%2F", "/ecom/orders/.", "/ecom/ord%65rs", "/ecom/orders%00", "/ecom/orders%09", "//ecom/orders", "/ecom/%2e/orders"].map(
    (path) => ({ table: "lightspeed", path, beyond: true }),
  ),
  // Canonical paths of the catch-all: the gate allows them (app ecom), and
  // they must not reach the orders handler (a backend that trims trailing
  // whitespace or strips a format suffix would route them there).
  ...["/ecom/orders%20", "/ecom/orders.json"].map((path) => ({ table: "lightspeed", path, beyond: true, catchAll: true })),
  ...["/API/payments", "/api/payments/", "/api/%70ayments"].map((path) => ({ table: "siteeSpa", path })),
  ...["/api/Payments/", "/api//payments", "/api/./payments", "/api/payments%2F", "/api/payments;.js", "/api/payments/..;/payments"].map(
    (path) => ({ table: "siteeSpa", path, beyond: true }),
  ),
  // The bare prefix of a catch-all rule (`/api/reports/{*rest}`): matchit
  // needs one character more and the public SPA fallback took it, while
  // Express 5 and Hono route it to the reports handler (attack review,
  // session 13: 200 "SECRET reports" with no snapshot at all). It must
  // pass the catch-all's rule too: `denied` (403 for the person lacking
  // it).
  ...["/api/reports", "/api/reports/", "/api/reports.json", "/API/reports"].map((path) => ({ table: "siteeSpa", path, beyond: true, denied: true })),
];

/** The canonical path of each table, the person lacking the permission and
 *  the one holding it. */
export const canonical = {
  lightspeed: { path: "/ecom/orders", lacking: "ivy", holding: "sofia", secret: "SECRET orders", permission: "ecom.orders" },
  siteeSpa: { path: "/api/payments", lacking: "dia", holding: "cam", secret: "SECRET payments", permission: "payments.view" },
};

// ------------------------------------------------------------ shared desk

/** A small account of its own for step-up (independent of the presets):
 *  the shared front-desk login `frontdesk` needs the acting person's PIN
 *  for sales and refunds, and holds payments.view and notes.write without
 *  one; `lea` is a staff member with her own login (no PIN asked). */
export const deskPolicy = {
  tenant: "desk-co",
  catalog: {
    name: "desk",
    permissions: ["sales.make", "refunds.make", "payments.view", "notes.write"].map((name) => ({ name, section: "pos" })),
    account: { shared_account: { step_up: ["sales.make", "refunds.make"] } },
  },
  roles: [{ id: "desk", permissions: ["sales.make", "refunds.make", "payments.view", "notes.write"] }],
  staff: [{ id: "frontdesk", roles: ["desk"], shared_account: true }, { id: "lea", roles: ["desk"] }, { id: "max", roles: ["desk"] }],
};

/** What a handler marked `echoDecision` appends to its answer: the
 *  decision its framework's middleware handed it. */
export const echoDecision = (d) => ` ${JSON.stringify({ subject: d?.subject ?? null, actor: d?.actor ?? null, nonce: d?.nonce ?? null })}`;

/** The decision an `echoDecision` handler named `name` saw. */
export function decisionSeen(r, name) {
  const prefix = `SECRET ${name} `;
  assert.ok(r.status === 200 && r.body.startsWith(prefix), `${name}: ${r.status} ${r.body}`);
  return JSON.parse(r.body.slice(prefix.length));
}

/** Step-up proofs someone at the shared desk may hold or make, each sent
 *  with the desk's snapshot (`request`: method, target, extra headers;
 *  default `POST /api/sales`, which needs sales.make behind a PIN): every
 *  one must be refused 403 `step_up_refused` with no handler run. `proof`
 *  makes it at the time of the request (a genuine one lives 60 s); `why`
 *  matches the refusal's message (refused for that reason, not another);
 *  `override`: the request asks the backend for another method. */
export function stepUpAttacks(fx) {
  const { proof, resign, snap } = fx.desk;
  const now = () => Math.floor(Date.now() / 1000);
  const sale = ["POST", "/api/sales", {}];
  const validity = /is valid from \d+ to \d+, and the time is \d+/;
  return [
    { attack: "proof for another path (sales.make at POST /api/refunds)", proof: () => proof({ path: "/api/refunds" }), request: sale, why: /is for `POST \/api\/refunds`, not `POST \/api\/sales`/ },
    { attack: "a refund's proof (refunds.make, POST /api/refunds) replayed on a sale", proof: () => proof({ permission: "refunds.make", path: "/api/refunds" }), request: sale, why: /proves a PIN for `refunds\.make`/ },
    { attack: "proof for another method (sales.make at DELETE /api/sales)", proof: () => proof({ method: "DELETE" }), request: sale, why: /is for `DELETE \/api\/sales`, not `POST \/api\/sales`/ },
    { attack: "proof for another snapshot of the same shared account", proof: () => proof({ snapshot: snap.frontdesk2 }), request: sale, why: /another snapshot/ },
    { attack: "expired proof (signed 2 minutes ago, 60 s lifetime)", proof: () => proof({ now: now() - 120 }), request: sale, why: validity },
    { attack: "proof dated 10 minutes ahead of the edge", proof: () => proof({ now: now() + 600 }), request: sale, why: validity },
    { attack: "the genuine payload signed by another key under the published kid (k1)", proof: () => resign(proof(), "evil"), request: sale, why: /signature does not verify/ },
    { attack: "the genuine payload signed by an unpublished key (k2)", proof: () => resign(proof(), "k2"), request: sale, why: /`k2`/, code: "unknown_key" },
    { attack: "the genuine payload signed by the retired key (k0)", proof: () => resign(proof(), "k0"), request: sale, why: /`k0`/, code: "unknown_key" },
    { attack: "the desk's snapshot in place of a proof", proof: () => snap.frontdesk, request: sale, why: /not a step-up proof/ },
    {
      attack: "a sale's proof on POST /api/exchanges (requires sales.make, any refunds.make: both behind a PIN)",
      proof: () => proof({ path: "/api/exchanges" }),
      request: ["POST", "/api/exchanges", {}],
      why: /a PIN for each of `sales\.make`, one of `refunds\.make`; a proof proves one/,
    },
    { attack: "garbage in Permsnap-Step-Up", proof: () => "garbage!", request: sale, why: /not a step-up proof/ },
    {
      attack: "a sale's proof on POST /api/sales + X-HTTP-Method-Override: DELETE (voiding needs refunds.make behind a PIN)",
      proof: () => proof(),
      request: ["POST", "/api/sales", { "x-http-method-override": "DELETE" }],
      why: /proves a PIN for `sales\.make`/,
      override: true,
    },
    {
      attack: "a proof for POST /api/notes (refunds.make) on POST /api/notes?_method=DELETE (DELETE needs refunds.make behind a PIN)",
      proof: () => proof({ permission: "refunds.make", path: "/api/notes" }),
      request: ["POST", "/api/notes?_method=DELETE", {}],
      why: /is for `POST \/api\/notes`, not `DELETE \/api\/notes`/,
      override: true,
    },
  ];
}

// ------------------------------------------------------------ CLI fixtures

/** `permsnap --json <args>`, parsed. */
export function cli(...args) {
  return JSON.parse(execFileSync(cliPath, ["--json", ...args], { encoding: "utf8" }));
}

/** Keys, catalogs, snapshots and notices. k1 is the current key, k2 a new
 *  one not yet published, k0 a retired key (no longer in the JWKS). */
export function makeFixtures() {
  assert.ok(existsSync(cliPath), "build the CLI first: cargo build --features cli");
  const tmp = mkdtempSync(join(tmpdir(), "permsnap-attacks-"));
  const fx = { tmp, keys: {}, snap: {}, ls: {}, notice: {} };
  for (const k of ["k0", "k1", "k2"]) {
    execFileSync(cliPath, ["keygen", "--out", join(tmp, k), "--kid", k]);
    fx.keys[k] = readJson(join(tmp, k, "jwks.json")).keys[0];
  }
  const key = (k) => join(tmp, k, "issuer.key");
  fx.catalog = { sitee: cli("catalog", join(root, "presets/sitee.json")), lightspeed: cli("catalog", join(root, "presets/lightspeed.json")) };
  delete fx.catalog.sitee.catalog;
  delete fx.catalog.lightspeed.catalog;

  // Lightspeed: nobody in the preset has app ecom without ecom.orders; Ivy
  // is the eCom staff account with ecom.orders removed.
  const ls = readJson(join(root, "presets/lightspeed.json"));
  ls.staff.push({ id: "ivy", name: "Ivy (eCom staff, no orders)", roles: ["ecom_staff"], remove: ["ecom.orders"] });
  writeFileSync(join(tmp, "lightspeed.json"), JSON.stringify(ls));
  for (const s of ["ivy", "sofia", "noe"]) {
    fx.ls[s] = cli("issue", "--policy", join(tmp, "lightspeed.json"), "--staff", s, "--key", key("k1")).snapshot;
  }
  const ivyClaims = cli("issue", "--policy", join(tmp, "lightspeed.json"), "--staff", "ivy", "--key", key("k1")).claims;
  assert.deepEqual([ivyClaims.apps, ivyClaims.permissions.includes("ecom.orders")], [["ecom"], false]);

  // Sitee (spa-lumi) and its rival account spa-rival, same issuer key.
  const policy = readFileSync(join(root, "presets/sitee.json"), "utf8");
  writeFileSync(join(tmp, "rival.json"), policy.replace('"spa-lumi"', '"spa-rival"'));
  const issue = (staff, k = "k1", ...extra) =>
    cli("issue", "--policy", join(root, "presets/sitee.json"), "--staff", staff, "--key", key(k), ...extra);
  for (const s of ["ana", "cam", "dia", "desk"]) fx.snap[s] = issue(s).snapshot;
  const ben = issue("ben");
  fx.snap.ben = ben.snapshot;
  fx.benId = ben.claims.id;
  fx.snap.diaK2 = issue("dia", "k2").snapshot;
  fx.snap.expired = issue("dia", "k1", "--now", String(Math.floor(Date.now() / 1000) - 7200)).snapshot;
  const i = 60;
  fx.snap.tampered = fx.snap.dia.slice(0, i) + (fx.snap.dia[i] === "A" ? "B" : "A") + fx.snap.dia.slice(i + 1);
  fx.snap.rivalOwner = cli("issue", "--policy", join(tmp, "rival.json"), "--staff", "ana", "--key", key("k1")).snapshot;
  const rivalClaims = cli("inspect", fx.snap.rivalOwner);
  assert.equal(rivalClaims.claims?.tenant ?? rivalClaims.tenant, "spa-rival");

  // Revocation notices: the good one, and two bad ones naming ben too.
  fx.notice.revokeBen = cli("revoke", "--key", key("k1"), "--tenant", "spa-lumi", "--id", fx.benId).notice;
  // Per person: every snapshot of ana issued before version 1 (hers are version 0).
  fx.notice.revokeAna = cli("revoke", "--key", key("k1"), "--tenant", "spa-lumi", "--staff", "ana=1").notice;
  fx.notice.retiredKey = cli("revoke", "--key", key("k0"), "--tenant", "spa-lumi", "--id", fx.benId).notice;
  fx.notice.otherTenant = cli("revoke", "--key", key("k1"), "--tenant", "spa-rival", "--id", fx.benId).notice;
  // A notice whose signature does not verify (one character of the
  // signature changed): the feed is not what the issuer published.
  const good = fx.notice.revokeBen;
  fx.notice.forged = good.slice(0, -3) + (good.at(-3) === "A" ? "B" : "A") + good.slice(-2);

  /** The signed feed of notices `names` (keys of fx.notice) as the issuer
   *  publishes it: `permsnap feed --key k1`, the head signed now (or at
   *  `now`), for every account (or `tenant`). */
  fx.feed = (names, options) => fx.feedOf(names.map((n) => fx.notice[n]), options);
  /** `fx.feed` of notice texts. */
  fx.feedOf = (notices, { now, tenant } = {}) => cli("feed", "--key", key("k1"),
    ...(now === undefined ? [] : ["--now", String(now)]), ...(tenant ? ["--tenant", tenant] : ["--all-accounts"]), ...notices);
  /** A feed whose head k1 signs over notices `permsnap feed` would refuse
   *  to vouch for (one signed by the retired k0, a forged one): an issuer
   *  whose feed kept them. */
  fx.feedAsIs = (names, options) => signFeed(readJson(key("k1")), names.map((n) => fx.notice[n]), options);

  // The shared desk (step-up). Its snapshots date from 5 minutes ago (and
  // live an hour) so that a proof can be signed in the past; the desk has
  // two snapshots (two logins of the same shared account).
  writeFileSync(join(tmp, "desk.json"), JSON.stringify(deskPolicy));
  fx.catalog.desk = cli("catalog", join(tmp, "desk.json"));
  delete fx.catalog.desk.catalog;
  const deskSnapshot = (staff) => cli("issue", "--policy", join(tmp, "desk.json"), "--staff", staff, "--key", key("k1"),
    "--now", String(Math.floor(Date.now() / 1000) - 300), "--lifetime", "3600").snapshot;
  // `evil`: another key under the published key's id (k1).
  execFileSync(cliPath, ["keygen", "--out", join(tmp, "evil"), "--kid", "k1"]);
  fx.desk = { snap: { frontdesk: deskSnapshot("frontdesk"), frontdesk2: deskSnapshot("frontdesk"), lea: deskSnapshot("lea") } };
  /** A step-up proof as the backend signs it after checking `actor`'s PIN
   *  (`permsnap step-up`): by default Léa's, for the desk's first snapshot,
   *  `POST /api/sales` (sales.make), signed now by k1. */
  fx.desk.proof = ({ snapshot = fx.desk.snap.frontdesk, actor = "lea", permission = "sales.make", method = "POST", path = "/api/sales", now, lifetime, k = "k1" } = {}) =>
    cli("step-up", "--policy", join(tmp, "desk.json"), "--key", key(k), "--snapshot", snapshot, "--actor", actor,
      "--permission", permission, "--method", method, "--path", path,
      ...(now === undefined ? [] : ["--now", String(now)]), ...(lifetime === undefined ? [] : ["--lifetime", String(lifetime)])).proof;
  /** `proof` with its payload unchanged, signed again by key `k` (a
   *  directory of tmp: k0, k1, k2, evil) under that key's id:
   *  "PSU" | 2 | kid_len | kid | payload | signature (64), the signature
   *  over "permsnap/v2 step-up" 00 | every byte before it (FORMAT.md). */
  fx.desk.resign = (proof, k) => {
    const jwk = readJson(key(k));
    const bytes = Buffer.from(proof, "base64url");
    const payload = bytes.subarray(5 + bytes[4], bytes.length - 64);
    const kid = Buffer.from(jwk.kid);
    const unsigned = Buffer.concat([Buffer.from("PSU"), Buffer.from([2, kid.length]), kid, payload]);
    const signature = sign(null, Buffer.concat([Buffer.from("permsnap/v2 step-up\0"), unsigned]), createPrivateKey({ key: jwk, format: "jwk" }));
    return Buffer.concat([unsigned, signature]).toString("base64url");
  };

  fx.cleanup = () => rmSync(tmp, { recursive: true, force: true });
  return fx;
}

// ------------------------------------------------------------ key server

/** JWKS and revocation feeds on 127.0.0.1: `/jwks/<name>` and
 *  `/revocations/<name>`, each set with `set(name, { keys, feed })`: `feed`
 *  is the document served (a signed feed, or anything an attacker serves),
 *  or a function making it at each fetch. */
export async function startKeyServer() {
  const feeds = new Map();
  const http = createServer((req, res) => {
    const m = /^\/(jwks|revocations)\/([\w-]+)$/.exec(req.url);
    const entry = m && feeds.get(m[2]);
    let body = null;
    try {
      body = !entry ? null : m[1] === "jwks" ? { keys: entry.keys } : typeof entry.feed === "function" ? entry.feed() : entry.feed;
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e));
      return;
    }
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${http.address().port}`;
  return {
    base,
    set(name, { keys = [], feed = null } = {}) {
      feeds.set(name, { keys, feed });
      return { jwksUrl: `${base}/jwks/${name}`, revocationsUrl: `${base}/revocations/${name}` };
    },
    close: () => new Promise((ok) => http.close(ok)),
  };
}

export async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/** A closed port on 127.0.0.1: connecting there is refused. */
export const unreachable = async () => `http://127.0.0.1:${await freePort()}/jwks`;

// ------------------------------------------------------------ raw requests

/** One HTTP/1.1 request with the target exactly as written (no URL
 *  parsing). Resolves `{ status, headers, body, json, code }`. */
export function raw(port, method, path, { snapshot, headers = {}, body } = {}) {
  const h = { connection: "close", ...headers };
  if (snapshot) h.authorization = `Permsnap ${snapshot}`;
  if (body !== undefined) h["content-length"] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers: h, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON (a handler's text, a framework's own 400 page)
        }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json, code: json?.error?.code ?? null });
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** `status code` for the tables. */
export const show = (r) => `${r.status}${r.code ? ` ${r.code}` : ""}`;

/** Asserts the request did not reach a protected handler (and, unless
 *  `allowed`, was refused). */
export function assertShut(r, hits, what, { allowed = false } = {}) {
  if (!allowed) assert.notEqual(r.status, 200, `${what}: answered 200 ${r.body}`);
  assert.ok(!r.body.includes("SECRET"), `${what}: the body holds a secret: ${r.body}`);
  if (hits) assert.deepEqual(hits.filter((h) => h.secret), [], `${what}: a protected handler ran`);
}

// ------------------------------------------------------------ results table

/** Collects `attack -> answer` rows and prints them as a table. */
export class Table {
  constructor(title, columns) {
    this.title = title;
    this.columns = columns;
    this.rows = new Map();
  }
  set(attack, column, value) {
    if (!this.rows.has(attack)) this.rows.set(attack, {});
    this.rows.get(attack)[column] = value;
  }
  print() {
    const head = ["attack", ...this.columns];
    const lines = [...this.rows].map(([a, r]) => [a, ...this.columns.map((c) => r[c] ?? "-")]);
    const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (l) => `| ${l.map((c, i) => c.padEnd(w[i])).join(" | ")} |`;
    console.log(
      [`\n${this.title}`, fmt(head), `|${w.map((n) => "-".repeat(n + 2)).join("|")}|`, ...lines.map(fmt), ""].join("\n"),
    );
  }
}
