// The demo's backend, as a business would run it: staff, roles and data in
// a SQLite database (demo/db.mjs), snapshots issued by permsnap/issuer for
// the signed-in person (its `expressSnapshot` endpoint, the cookie the edge
// reads), an edge (permsnap/edge's Node middleware, bound to the signed-in
// person), and a Staff configuration page whose edits reach every open page
// through signed revocation notices (Server-Sent Events). Listens on
// 127.0.0.1 only.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { readFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, extname, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { openDemoDb } from "../demo/db.mjs";
import { staffAdmin } from "../demo/admin.mjs";

const started = performance.now();
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = process.env.PERMSNAP_CLI ?? join(root, "target/debug/permsnap");
const keyDir = process.env.PERMSNAP_DEMO_KEYS ?? join(root, ".demo");
const port = Number(process.env.PORT ?? 8787);
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".map": "application/json" };

const { Issuer, expressSnapshot, PermsnapError } = await import("../pkg/issuer/node.js");
const edgePkg = await import("../pkg/edge/node.js");

mkdirSync(keyDir, { recursive: true });
const db = openDemoDb(process.env.PERMSNAP_DEMO_DB ?? join(keyDir, "demo.db"), join(root, "presets"));
const privateJwk = readFileSync(join(keyDir, "issuer.key"), "utf8");
const jwks = JSON.parse(readFileSync(join(keyDir, "jwks.json"), "utf8"));

// Per product: its catalog (compiled once by the CLI: the public part the
// pages and the edge load), its issuer, its edge gate.
// Who may use the Staff configuration API, per product: the permission the
// product's help page gives for managing staff (Lightspeed: its owner).
// A permission behind a PIN step-up is not held without one: the demo has
// no step-up path for its own API, so such an admin is refused (as the
// edge answers `step_up_required`).
const held = (p, name) => p.can(name) && !p.needsStepUp(name);
const ADMIN = {
  sitee: (p) => held(p, "staff.manage"),
  ecwid: (p) => held(p, "staff.grant"),
  "shopify-partner": (p) => held(p, "team.manage_members"),
  amilia: (p) => held(p, "org.admins"),
  lightspeed: (p) => p.isOwner,
};

const products = new Map();
for (const account of db.accounts()) {
  const policy = JSON.parse(readFileSync(join(root, "presets", `${account.product}.json`), "utf8"));
  const compiled = JSON.parse(execFileSync(cli, ["--json", "catalog", join(root, "presets", `${account.product}.json`)], { encoding: "utf8" }));
  const issuer = new Issuer(policy.catalog, privateJwk);
  issuer.setAccount(account.tenant, db.roles(account.tenant), { features: account.features });
  const routes = JSON.parse(readFileSync(join(root, "routes", `${account.product}.json`), "utf8"));
  const verifier = new edgePkg.Verifier(compiled, jwks, { tenant: account.tenant });
  // Notices signed before a restart still hold (a day covers any lifetime).
  for (const notice of db.notices(account.tenant)) verifier.applyNotice(notice);
  const guard = edgePkg.nodeGuard(new edgePkg.Gate(verifier, routes), {
    // A person deactivated or deleted in the database is nobody to the
    // edge: their snapshot is refused at once, before any notice.
    signedIn: (req) => {
      const who = signedIn(req);
      const usable = who && who.record.active !== false && !unsigned.has(`${who.tenant}\u0000${who.id}`);
      return usable ? { tenant: who.tenant, subject: who.id } : null;
    },
  });
  const endpoint = expressSnapshot({
    issuer,
    staff: (req) => {
      const who = signedIn(req);
      if (!who) return null;
      // Roles and features as the database holds them now: an edit made
      // by another writer (a script, a second server) counts at the next
      // snapshot, not at the next restart. Read with the record in one
      // read transaction: read apart, a role edit committed between them
      // signed the old role under the version the edit gave, which no
      // notice revokes (attack review, session 18).
      return db.consistently(() => {
        syncAccount(who.product);
        return { tenant: who.tenant, record: db.record(who.tenant, who.id) };
      });
    },
    // Plain http on 127.0.0.1: a production app keeps the default `Secure`.
    cookie: { secure: false },
    onWarnings: (w) => console.log(`issuer warnings for ${w[0].staff}: ${w.map((x) => x.code).join(", ")}`),
  });
  products.set(account.product, { account, policy, compiled, issuer, routes, verifier, guard, endpoint });
}

/** Loads a product's roles and features from the database into its
 *  issuer. Roles the issuer refuses are left out (`setAccount` reports
 *  them): their holders get no snapshot until they are mended. */
function syncAccount(product) {
  const p = products.get(product);
  const account = db.account(product);
  const broken = p.issuer.setAccount(account.tenant, db.roles(account.tenant), { features: account.features });
  for (const b of broken) console.log(`role ${b.role} of ${account.tenant} refused: ${b.problem}`);
}

/** The signed-in person's verified permissions, from the snapshot cookie
 *  the endpoint set (bound to the person: another's is refused), or an
 *  error for the caller to answer. The backend holds the database: a
 *  snapshot older than the person's record (an edit whose notice this
 *  server never sent: another writer's) or of a person deactivated or
 *  deleted since is refused here, whatever its signature says. */
function permissionsOf(req, who) {
  const text = /(?:^|;\s*)permsnap=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "")?.[1];
  if (!text) throw fail(401, "no snapshot: load /api/permsnap first");
  const p = products.get(who.product).verifier.loadOrDeny(text);
  if (p.error) throw fail(401, `snapshot refused: ${p.error.code}`);
  // Read again: an admin edit checks after its body came (`who.record` is
  // from before).
  const record = db.record(who.tenant, who.id);
  let refused = null;
  if (p.subject !== who.id) refused = fail(403, "the snapshot is not the signed-in person's");
  else if (!record || record.active === false) refused = fail(403, "deactivated");
  // Older than the record: edited since. Newer: from edits the database
  // no longer holds (a backup restored).
  else if (p.version !== record.version) refused = fail(401, "snapshot refused: revoked (the person's record changed): load /api/permsnap again");
  if (refused) {
    p.free();
    throw refused;
  }
  return p;
}

/** The demo's own sign-in: a cookie naming the person picked in the page
 *  (a real app has its own sessions; permsnap only needs to know who),
 *  with their record as the database holds it now (`record`). */
function signedIn(req) {
  // The whole value: `product.id`, the id URI-encoded (`jean.paul`, `zoé`).
  const m = /(?:^|;\s*)demo_user=([a-z-]+)\.([^;\s]+)(?:;|$)/.exec(req.headers.cookie ?? "");
  const p = m && products.get(m[1]);
  let id;
  try {
    id = m && decodeURIComponent(m[2]);
  } catch {
    return null;
  }
  const record = p && db.record(p.account.tenant, id);
  return record ? { product: m[1], tenant: p.account.tenant, id, record } : null;
}

// Open pages listening for their account's revocation notices.
const listeners = new Map();

// Every change of someone's access moves their version in the database,
// forward only, whoever writes it (the Staff API, a script, another
// server: triggers on roles, features and staff rows do it, demo/db.mjs).
// The server compares each person's version with the one it last saw,
// every second and right after its own edits, and revokes what is older:
// its edge refuses those snapshots at once, its open pages hear a notice.
// The first pass (at start) revokes everyone's older snapshots (edits made
// while the server was down); a person deleted is revoked whole. It never
// throws: what cannot be signed is logged and left.
const seen = new Map();
/** People whose revocation could not be signed (`tenant\0id`): the edge
 *  refuses them. */
const unsigned = new Set();
function watchVersions(product) {
  try {
    const tenant = products.get(product).account.tenant;
    const now = db.versions(tenant);
    const last = seen.get(tenant);
    const moved = [];
    for (const [id, version] of now) {
      const was = last?.get(id);
      if (was === undefined || version !== was) moved.push({ subject: id, before: was === undefined || version > was ? version : was + 1 });
    }
    for (const [id, version] of last ?? []) if (!now.has(id)) moved.push({ subject: id, before: version + 1 });
    // At start: people deleted while the server was down, whole.
    if (!last) for (const [id, version] of db.deleted(tenant)) moved.push({ subject: id, before: version + 1 });
    const next = new Map(last ?? []);
    for (const m of publishAll(product, moved)) {
      if (now.has(m.subject)) next.set(m.subject, now.get(m.subject));
      else next.delete(m.subject);
    }
    seen.set(tenant, next);
  } catch (e) {
    console.error(e); // the database busy: the next second
  }
}

/** Publishes notices for `moved` (500 people a notice, each under the
 *  notices' 64 KiB); an entry the issuer refuses is logged and dropped,
 *  not the whole batch. Returns the entries done. */
function publishAll(product, moved) {
  const done = [];
  for (let i = 0; i < moved.length; i += 500) {
    const chunk = moved.slice(i, i + 500);
    try {
      publish(product, chunk);
      done.push(...chunk);
    } catch {
      for (const one of chunk) {
        try {
          publish(product, [one]);
        } catch (e) {
          // Cannot be signed (an id the issuer refuses): refused at this
          // server's edge until a notice for them is signed.
          console.error(`no notice for ${one.subject}: ${e.message}`);
          unsigned.add(`${products.get(product).account.tenant}\u0000${one.subject}`);
        }
        done.push(one);
      }
    }
  }
  return done;
}
for (const product of products.keys()) watchVersions(product);
setInterval(() => {
  for (const product of products.keys()) watchVersions(product);
}, 1000).unref();

function publish(product, staff) {
  const p = products.get(product);
  const notice = p.issuer.revoke({ tenant: p.account.tenant, staff });
  p.verifier.applyNotice(notice); // the edge refuses the older snapshots at once
  const set = listeners.get(p.account.tenant) ?? new Set();
  for (const res of [...set]) {
    res.write(`data: ${notice}\n\n`);
    // A stream is for an active person of the account: one deactivated or
    // deleted since it opened hears this notice (its own page denies at
    // once), then no more of the account's edits (it kept hearing who was
    // edited, and when: attack review, session 18).
    const record = db.record(p.account.tenant, res.who);
    if (!record || record.active === false) {
      set.delete(res);
      res.end();
    }
  }
  for (const { subject } of staff) unsigned.delete(`${p.account.tenant}\u0000${subject}`);
  // Kept for a restart (a busy database does not keep the edge and the
  // pages from hearing it first).
  try {
    db.addNotice(p.account.tenant, notice);
  } catch (e) {
    console.error(`notice not saved (applied here): ${e.message}`);
  }
  return notice;
}

const json = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
};
const fail = (status, message) => Object.assign(new Error(message), { status });
const staffApi = staffAdmin({ db, fail, PermsnapError });

/** A request's JSON object body: JSON only (a cross-site form or
 *  `text/plain` post is refused: no CORS preflight stood before it), at
 *  most 64 KiB. */
async function body(req) {
  if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) throw fail(415, "the body is JSON (content-type: application/json)");
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 65_536) throw fail(413, "the body is larger than 64 KiB");
  }
  let value;
  try {
    value = JSON.parse(text || "{}");
  } catch {
    throw fail(400, "the body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail(400, "the body is a JSON object");
  return value;
}

/** An id from a URL path segment (`jean.paul`, `zo%C3%A9`). */
function idIn(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw fail(400, "not an id");
  }
}

function product(name) {
  const p = products.get(name ?? "");
  if (!p) throw fail(404, `no product ${name}`);
  return p;
}

async function api(req, res, url) {
  const who = signedIn(req);
  const mine = () => {
    if (!who) throw fail(401, "sign in first");
    return products.get(who.product);
  };
  // The Staff configuration API: only for those the product lets manage
  // staff. Checked after the body is read, right before the edit, with
  // no wait between the check and the write: a request held open while
  // its sender is removed does not apply. The caller frees `perms`.
  const admin = () => {
    const p = mine();
    const perms = permissionsOf(req, who);
    if (!ADMIN[who.product](perms)) {
      perms.free();
      throw fail(403, "managing staff is not among your permissions");
    }
    return { p, perms };
  };
  switch (`${req.method} ${url.pathname}`) {
    case "GET /api/presets":
      return json(res, 200, db.accounts().map((a) => a.product));
    case "POST /api/sign-in": {
      const { product: name, staff } = await body(req);
      if (typeof name !== "string" || typeof staff !== "string") throw fail(400, "`product` and `staff` are ids (strings)");
      const p = product(name);
      if (!db.record(p.account.tenant, staff)) throw fail(404, `no staff member ${staff}`);
      res.setHeader("set-cookie", `demo_user=${name}.${encodeURIComponent(staff)}; Path=/; HttpOnly; SameSite=Strict`);
      return json(res, 200, { product: name, staff });
    }
    case "GET /api/me":
      return who ? json(res, 200, who) : json(res, 401, { code: "signed_out" });
    case "GET /api/catalog": {
      // The public part only: the compiled catalog the page's session
      // loads, and the definition for labels.
      const p = product(url.searchParams.get("preset"));
      return json(res, 200, { tenant: p.account.tenant, business: p.account.name, fingerprint: p.compiled.fingerprint, binary: p.compiled.binary, catalog: p.compiled.catalog });
    }
    case "GET /api/staff": {
      const p = product(url.searchParams.get("preset"));
      return json(res, 200, db.staff(p.account.tenant).map((s) => ({ id: s.id, name: s.name, roles: s.roles ?? [], active: s.active !== false })));
    }
    case "GET /api/routes":
      return json(res, 200, product(url.searchParams.get("preset")).routes);
    case "GET /api/jwks":
      return json(res, 200, jwks);
    case "GET /api/permsnap": {
      // The snapshot endpoint: the signed-in person's record, fresh from the
      // database, issued and set as the edge's cookie.
      const p = who ? products.get(who.product) : products.values().next().value;
      return p.endpoint(req, res);
    }
    case "GET /api/records": {
      // The records this person may see, their hidden fields removed or
      // masked, decided by their own snapshot on the server: nothing
      // protected leaves it (`total`: how many the account has).
      const p = mine();
      const kind = url.searchParams.get("kind");
      if (!p.compiled.catalog.kinds?.some((k) => k.name === kind)) throw fail(404, `no kind ${kind}`);
      const perms = permissionsOf(req, who);
      try {
        const all = db.records(p.account.tenant, kind);
        // `filter(kind)` is the person's view scope on the kind, not a
        // permission to open it. Where permissions act on the kind
        // (`scope_kind`: Sitee's `payments.view`), the records those the
        // person holds cover (none held: none shown); elsewhere (Ecwid's
        // customers) the view scope.
        const acting = p.compiled.catalog.permissions.filter((x) => x.scope_kind === kind).map((x) => x.name);
        let shown = perms.filter(kind, all);
        if (acting.length > 0) {
          const seen = new Set();
          for (const name of acting) if (perms.can(name)) for (const r of perms.filterFor(name, all)) seen.add(r);
          shown = all.filter((r) => seen.has(r));
        }
        return json(res, 200, { total: all.length, records: perms.redact(kind, shown) });
      } finally {
        perms.free();
      }
    }
    case "GET /api/notices": {
      // For an active person of the account (the page opens it before its
      // first snapshot), a few streams each.
      const p = mine();
      if (who.record.active === false) throw fail(403, "deactivated");
      const streams = [...(listeners.get(p.account.tenant) ?? [])].filter((r) => r.who === who.id).length;
      if (streams >= 8) throw fail(429, "too many notice streams for this person");
      res.who = who.id;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write(": permsnap revocation notices\n\n");
      const set = listeners.get(p.account.tenant) ?? new Set();
      listeners.set(p.account.tenant, set.add(res));
      const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
      req.on("close", () => {
        clearInterval(ping);
        set.delete(res);
      });
      return;
    }
    case "GET /api/admin/staff": {
      const { p, perms } = admin();
      perms.free();
      return json(res, 200, {
        business: p.account.name, product: who.product, roles: db.roles(p.account.tenant), staff: db.staff(p.account.tenant),
        permissions: p.policy.catalog.permissions.filter((x) => !x.derived).map(({ name, section, description, owner_only, principal_only }) => ({ name, section, description, owner_only, principal_only })),
        rolesPerPerson: p.policy.catalog.account?.roles_per_person ?? "many",
      });
    }
  }
  const staffEdit = /^PUT \/api\/admin\/staff\/([^/]+)$/.exec(`${req.method} ${url.pathname}`);
  if (staffEdit) {
    const change = await body(req);
    const { p, perms } = admin();
    try {
      const edited = staffApi.editStaff(p, perms, idIn(staffEdit[1]), change, () => syncAccount(p.account.product));
      watchVersions(p.account.product); // its notice, now
      return json(res, 200, edited);
    } finally {
      perms.free();
    }
  }
  const roleEdit = /^PUT \/api\/admin\/roles\/([^/]+)$/.exec(`${req.method} ${url.pathname}`);
  if (roleEdit) {
    const change = await body(req);
    const { p, perms } = admin();
    try {
      const edited = staffApi.editRole(p, perms, idIn(roleEdit[1]), change, () => syncAccount(p.account.product));
      watchVersions(p.account.product);
      return json(res, 200, edited);
    } finally {
      perms.free();
    }
  }
  throw fail(404, "not found");
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://127.0.0.1");
    if (url.pathname.startsWith("/api/")) return await api(req, res, url);
    if (url.pathname.startsWith("/edge/")) {
      // The demo server is also an edge: /edge/... goes through the gate
      // of the signed-in person's product (or `?preset=`), bound to them.
      const p = product(url.searchParams.get("preset") ?? signedIn(req)?.product);
      req.url = req.url.slice("/edge".length);
      return p.guard(req, res, (err) => {
        if (err) return json(res, 500, { code: "error", message: String(err) });
        json(res, 200, { ok: true, route: req.permsnap.route, subject: req.permsnap.subject });
      });
    }
    if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { code: "method_not_allowed", message: "files answer GET and HEAD" });
    const path = url.pathname === "/" ? "/index.html" : url.pathname;
    const base = path.startsWith("/pkg/") ? root : join(root, "www");
    const file = normalize(join(base, path));
    if (!file.startsWith(normalize(base))) return json(res, 403, { code: "forbidden" });
    const content = await readFile(file);
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(req.method === "HEAD" ? undefined : content);
  } catch (e) {
    if (res.headersSent) return;
    if (e.code === "ENOENT" || e.code === "EISDIR") return json(res, 404, { code: "not_found", message: "not found" });
    if (!e.status) console.error(e);
    json(res, e.status ?? 500, { code: "error", message: e.status ? e.message : "internal error (see the server's log)" });
  }
});
server.listen(port, "127.0.0.1", () => {
  console.log(`permsnap demo: http://127.0.0.1:${server.address().port}/  (ready in ${Math.round(performance.now() - started)} ms; Ctrl-C to stop)`);
});
