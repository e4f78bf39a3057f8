// End-to-end: the demo server (real issuer, real signed snapshots) and the
// page in headless Chromium. Screenshots go to test-output/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./browsers.mjs";
import { errorCode } from "../js/helpers.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = join(root, "test-output");
mkdirSync(out, { recursive: true });
let server, browser, base, keys;

/** Starts the demo server (its database and keys in `keys`): its process and URL. */
async function startDemo(dir = keys) {
  const child = spawn("node", [join(root, "scripts/serve.mjs")], { env: { ...process.env, PORT: "0", PERMSNAP_DEMO_KEYS: dir }, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => { const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(String(d)); if (m) resolve(m[0]); });
    child.on("exit", (c) => reject(new Error(`server exited ${c}`)));
  });
  return { child, url };
}

/** A demo server with its own keys and database (`dir`), so that an
 *  attack test's edits touch no other test; `sql`, that database. */
async function ownDemo(name) {
  const { default: Database } = await import("better-sqlite3");
  const dir = mkdtempSync(join(tmpdir(), `permsnap-e2e-${name}-`));
  execFileSync(join(root, "target/debug/permsnap"), ["keygen", "--out", dir]);
  const demo = await startDemo(dir);
  return { demo, dir, sql: new Database(join(dir, "demo.db")) };
}

/** A JSON PUT through a client of the demo API. */
const putJson = (call, path, body, type = "application/json") =>
  call(path, { method: "PUT", headers: { "content-type": type }, body: JSON.stringify(body) });

/** A client of the demo API with its own cookies, signed in as `staff`. */
async function client(url, product, staff) {
  const jar = new Map();
  const call = async (path, init = {}) => {
    const res = await fetch(url + path.slice(1), { ...init, headers: { ...init.headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(";");
      const i = kv.indexOf("=");
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  await call("/api/sign-in", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ product, staff }) });
  call.cookies = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  return call;
}

before(async () => {
  keys = mkdtempSync(join(tmpdir(), "permsnap-e2e-"));
  execFileSync(join(root, "target/debug/permsnap"), ["keygen", "--out", keys]);
  ({ child: server, url: base } = await startDemo());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill();
});

async function as(preset, staff) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base);
  await page.waitForSelector("body[data-ready]");
  if (preset !== "sitee") {
    await page.selectOption("#preset", preset);
    await page.waitForSelector(`body[data-preset="${preset}"]`);
  }
  await page.selectOption("#staff", staff);
  await page.waitForFunction((s) => document.querySelector("#status").textContent.includes(s) || document.querySelector("#status").textContent.includes("REFUSED"), staff);
  await page.screenshot({ path: join(out, `${preset}-${staff}.png`), fullPage: true });
  assert.deepEqual(errors, []);
  return page;
}

const visible = (page, sel) => page.locator(sel).isVisible();
const column = (page, kind, col) => page.locator(`[data-kind="${kind}"] [data-col="${col}"]`).allTextContents();
/** `[shown, total]` of a kind's list ("showing 12 of 60"). */
const counts = async (page, kind) => (await page.locator(`[data-kind="${kind}"] .count`).textContent()).match(/showing (\d+) of (\d+)/).slice(1).map(Number);

test("Sitee Marketing Professional: no Payments, own appointments only, sees email and phone", async () => {
  const page = await as("sitee", "dia");
  assert.equal(await visible(page, "#sec-payments"), false);
  assert.equal(await visible(page, "#sec-campaigns"), true);
  assert.equal(await visible(page, "#sec-staff"), false);
  const owners = await column(page, "appointments", "staff_id");
  const creators = await column(page, "appointments", "created_by");
  const [shown, total] = await counts(page, "appointments");
  assert.ok(owners.length > 0 && owners.length === shown && shown < total, `${shown} of ${total}`);
  owners.forEach((o, i) => assert.ok(o === "dia" || creators[i] === "dia"));
  const emails = await column(page, "clients", "email");
  const clients = await counts(page, "clients");
  assert.equal(emails.length, clients[1], "all clients");
  assert.ok(emails.every((e) => e.includes("@")), "no per-person settings for this role");
  // Format 2: 142 bytes (the vectors' sitee/dia too): the snapshot names
  // the roles it was computed from.
  assert.match(await page.locator('[data-fact="binary size"]').textContent(), /^14\d bytes$/);
  assert.equal(await page.locator('[data-fact="roles"]').textContent(), "marketing");
  await page.close();
});

test("Sitee Admin sees Payments and Staff but not the principal credentials; the Principal sees them", async () => {
  const page = await as("sitee", "ben");
  assert.equal(await visible(page, "#sec-payments"), true);
  assert.equal(await visible(page, "#sec-staff"), true);
  assert.equal(await visible(page, '[data-perm="account.principal_credentials"]'), false);
  assert.ok((await column(page, "clients", "email")).every((e) => e.includes("@")));
  await page.close();
  const ana = await as("sitee", "ana");
  assert.equal(await visible(ana, '[data-perm="account.principal_credentials"]'), true);
  await ana.close();
});

test("Sitee User with restricted view: only their own records, no Payments, masked contacts", async () => {
  const page = await as("sitee", "fay");
  assert.equal(await visible(page, "#sec-payments"), false);
  const owners = await column(page, "appointments", "staff_id");
  const creators = await column(page, "appointments", "created_by");
  owners.forEach((o, i) => assert.ok(o === "fay" || creators[i] === "fay"));
  assert.ok((await column(page, "clients", "phone")).every((e) => e === "hidden"));
  assert.match(await page.locator('[data-why="payments.view"]').textContent(), /removed for this person/);
  await page.close();
});

test("Sitee shared front desk: the payment action asks for a PIN", async () => {
  const page = await as("sitee", "desk");
  assert.match(await page.locator('[data-perm="payments.charge"]').textContent(), /PIN/);
  assert.doesNotMatch(await page.locator('[data-perm="payments.view"]').textContent(), /PIN/);
  await page.close();
});

test("Ecwid fulfillment operator: Sales only, no owner sections, every customer, nothing hidden", async () => {
  const page = await as("ecwid", "tom");
  assert.equal(await visible(page, "#sec-sales"), true);
  for (const s of ["staff", "billing", "subscription", "marketing", "catalog"]) assert.equal(await visible(page, `#sec-${s}`), false, s);
  // « Vente: Laissez votre personnel gérer les commandes, chariots abandonnés, et listes de clients. »
  assert.match(await page.locator('[data-kind="customers"] .count').textContent(), /showing (\d+) of \1 \(scope all\)/);
  await page.close();
});

test("Shopify Partner staff with specific stores sees those and the ones they created", async () => {
  const page = await as("shopify-partner", "theo");
  const ids = await column(page, "dev_stores", "id");
  const creators = await column(page, "dev_stores", "created_by");
  assert.ok(ids.includes("dev-104") && ids.includes("dev-221"));
  ids.forEach((id, i) => assert.ok(id === "dev-104" || id === "dev-221" || creators[i] === "theo", id));
  assert.equal(await visible(page, "#sec-finance"), false);
  await page.close();
});

test("Lightspeed associate without the eCom permission sees no eCom", async () => {
  const page = await as("lightspeed", "noe");
  assert.equal(await visible(page, "#sec-retail"), true);
  assert.equal(await visible(page, "#sec-ecom"), false);
  assert.match(await page.locator('[data-why="ecom.orders"]').textContent(), /not granted/);
  await page.close();
});

test("tampering one byte refuses the snapshot and hides everything", async () => {
  const page = await as("sitee", "ben");
  await page.click("#tamper");
  await page.waitForFunction(() => document.querySelector("#status").textContent.includes("REFUSED"));
  await page.screenshot({ path: join(out, "sitee-ben-tampered.png"), fullPage: true });
  assert.match(await page.locator("#status").textContent(), /bad_signature/);
  const sections = await page.locator("section.card[data-requires-any]").count();
  assert.ok(sections > 5);
  for (let i = 0; i < sections; i++) assert.equal(await page.locator("section.card[data-requires-any]").nth(i).isVisible(), false);
  assert.equal(await page.locator("nav a[data-requires-any]:visible").count(), 0);
  await page.click("#reload");
  await page.waitForFunction(() => document.querySelector("#status").textContent.includes("verified"));
  assert.equal(await visible(page, "#sec-payments"), true, "a fresh snapshot restores the view");
  await page.close();
});

test("the demo's edge gate answers each route with the snapshot shown: 200, 403 with the permission, 401 when tampered", async () => {
  const page = await as("sitee", "dia");
  await page.waitForSelector("body[data-edge-ready]");
  const status = (route) => page.locator(`#edge tr[data-route="${route}"] td[data-status]`).textContent();
  const row = (route) => page.locator(`#edge tr[data-route="${route}"]`).textContent();
  assert.equal(await status("GET /api/campaigns"), "200");
  assert.equal(await status("GET /api/payments"), "403");
  assert.match(await row("GET /api/payments"), /forbidden \(payments\.view\)/);
  assert.equal(await status("GET /api/billing"), "403");
  await page.screenshot({ path: join(out, "sitee-dia-edge.png"), fullPage: true });
  await page.click("#tamper");
  await page.waitForFunction(() => document.querySelector("#status").textContent.includes("REFUSED"));
  await page.waitForSelector("body[data-edge-ready]");
  const codes = await page.locator("#edge tr").allTextContents();
  assert.ok(codes.length >= 10);
  assert.ok(codes.every((t) => t.includes("401") && t.includes("bad_signature")), codes.join("\n"));
  await page.close();
});

// ------------------------------------------------------------ live edits
// An admin edits staff on the Staff configuration page (another browser
// context); each edited person's page, left idle in its own context (no
// request of its own that could get a 401), follows within seconds: the
// backend bumps the person's version in SQLite, signs a revocation notice by
// person and pushes it (Server-Sent Events); the page's session sees its
// snapshot revoked, fetches a fresh one and re-renders.

/** A page in its own browser context (own cookies: own sign-in), signed in
 *  as `staff` of Sitee. */
async function idle(staff) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base);
  await page.waitForSelector("body[data-ready]");
  await page.selectOption("#staff", staff);
  await page.waitForFunction((s) => document.querySelector("#status").textContent.includes(`verified: ${s} `), staff);
  return { page, context, errors };
}

/** Milliseconds from `act()` until `check` holds in every page. */
async function timeUntil(act, pages, check, arg) {
  const t0 = Date.now();
  await act();
  await Promise.all(pages.map((p) => p.waitForFunction(check, arg, { timeout: 15_000 })));
  return Date.now() - t0;
}

test("an admin's edits reach each edited person's idle page within seconds: per-person switch, shared role, deactivation", async () => {
  // fay's snapshot before any edit, as a copy someone kept.
  const fayApi = await client(base, "sitee", "fay");
  const before = (await (await fayApi("/api/permsnap")).json()).snapshot;
  // Not an admin: the Staff configuration API refuses her.
  const selfPromotion = await fayApi("/api/admin/staff/fay", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ roles: ["admin"] }) });
  assert.equal(selfPromotion.status, 403);
  // Her records leave the server filtered and redacted by her snapshot.
  const clients = await (await fayApi("/api/records?kind=clients")).json();
  assert.ok(clients.records.length > 0 && clients.records.length < clients.total, `${clients.records.length} of ${clients.total}`);
  assert.ok(clients.records.every((c) => c.phone === "hidden" && c.email === "hidden"), JSON.stringify(clients.records[0]));
  const fay = await idle("fay");
  const desk = await idle("desk");
  const cam = await idle("cam"); // not edited: keeps its snapshot
  const admin = await idle("ana");
  await admin.page.goto(`${base}staff.html`);
  await admin.page.waitForSelector("body[data-ready]");
  assert.equal(await fay.page.locator("#sec-payments").isVisible(), false, "fay starts without payments");
  assert.equal(await desk.page.locator("#sec-calendar").isVisible(), true);
  const camSnapshot = await cam.page.getAttribute("body", "data-snapshot");
  const fayRequests = [];
  fay.page.on("request", (r) => fayRequests.push(new URL(r.url()).pathname));
  const timings = [];

  // 1. fay's per-person switches: payments back to what her role gives.
  const card = '[data-staff="fay"]';
  await admin.page.click(`${card} summary`);
  await admin.page.selectOption(`${card} select[data-perm="payments.view"]`, "");
  await admin.page.selectOption(`${card} select[data-perm="payments.charge"]`, "");
  timings.push(["fay: payments switched back on (one person)", await timeUntil(
    () => admin.page.click(`${card} button.save`), [fay.page], ({ id }) => document.querySelector(id)?.checkVisibility() === true, { id: "#sec-payments" })]);
  assert.match(await admin.page.locator(`${card} .result`).textContent(), /saved: version \d+, notice sent/);
  // The page asked for nothing before the notice came: its first request is the fresh snapshot.
  assert.equal(fayRequests[0], "/api/permsnap", fayRequests.join(" "));
  await fay.page.waitForSelector("body[data-edge-ready]");
  assert.equal(await fay.page.locator('#edge tr[data-route="GET /api/payments"] td[data-status]').textContent(), "200", "the edge follows too");

  // 2. The role `user`, held by fay and the front desk: no more calendar.
  const role = '[data-role="user"]';
  await admin.page.click(`${role} summary`);
  await admin.page.uncheck(`${role} input[data-perm="calendar.view"]`);
  timings.push(["role `user` loses calendar.view (fay and desk)", await timeUntil(
    () => admin.page.click(`${role} button.save`), [fay.page, desk.page], ({ id }) => document.querySelector(id)?.checkVisibility() === false, { id: "#sec-calendar" })]);
  assert.match(await admin.page.locator(`${role} .result`).textContent(), /notice sent for fay, desk/);
  assert.match(await fay.page.locator('[data-why="calendar.view"]').textContent(), /not granted/);
  assert.equal(await cam.page.getAttribute("body", "data-snapshot"), camSnapshot, "cam's page was not touched");

  // 3. fay is deactivated: her open page denies everything.
  await admin.page.uncheck(`${card} [data-active]`);
  timings.push(["fay deactivated", await timeUntil(
    () => admin.page.click(`${card} button.save`), [fay.page], () => document.querySelector("#status").textContent.includes("REFUSED"))]);
  assert.equal(await fay.page.locator("#sec-clients").isVisible(), false);
  assert.match(await fay.page.locator('[data-fact="issuer"]').textContent(), /deactivated/);
  await fay.page.screenshot({ path: join(out, "live-fay-deactivated.png"), fullPage: true });
  await admin.page.screenshot({ path: join(out, "live-staff-page.png"), fullPage: true });

  // The edge refuses the copy kept from before the edits, and still does
  // after a restart of the backend (the notices are in the database).
  const edge = async (url) => (await fetch(`${url}edge/api/calendar`, { headers: { authorization: `Permsnap ${before}`, cookie: "demo_user=sitee.fay" } })).status;
  assert.equal(await edge(base), 401);
  const again = await startDemo();
  try {
    assert.equal(await edge(again.url), 401, "revocations survive a restart");
  } finally {
    again.child.kill();
  }

  console.log("admin's edit -> idle page updated (ms)");
  for (const [what, ms] of timings) console.log(`  ${what.padEnd(52)} ${String(ms).padStart(6)}`);
  for (const p of [fay, desk, cam, admin]) {
    assert.deepEqual(p.errors, []);
    await p.context.close();
  }
});

// ------------------------------------------------------------ the demo backend under attack
// Attack review, session 15: the demo's backend is what businesses copy.
// Its own database and server, so that these edits touch no other test.
test("the demo backend: no self-promotion, records only through a held permission, checks after the body, saves that fail change nothing, direct database edits count", async () => {
  const { demo, sql } = await ownDemo("attack");
  const put = putJson;
  /** Signed in as `staff` of Sitee, with a fresh snapshot. */
  const as = async (staff) => {
    const call = await client(demo.url, "sitee", staff);
    assert.equal((await call("/api/permsnap")).status, 200, staff);
    return call;
  };
  const record = (id) => JSON.parse(sql.prepare("SELECT access FROM staff WHERE tenant = 'spa-lumi' AND id = ?").get(id).access);
  const edge = async (call, path = "/edge/api/calendar") => (await call(path)).status;
  try {
    const ben = await as("ben"); // Admin: manages staff
    const ana = await as("ana"); // the principal admin (the owner's role)

    // 1. No self-promotion: owner/principal flags are not editable here,
    //    the principal admin is the owner's to edit, and nobody hands out
    //    what they do not hold.
    for (const body of [{ roles: ["principal"], owner: true, principal: true }, { owner: true }, { principal: true }, { roles: 5 }, { grant: "staff.manage" }, { active: "no" }]) {
      const r = await put(ben, "/api/admin/staff/ben", body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    assert.equal((await put(ben, "/api/admin/staff/ana", { active: false })).status, 403);
    assert.equal((await put(ben, "/api/admin/staff/ben", { roles: ["principal"] })).status, 403, "the owner's role is the owner's to give");
    const grantBeyond = await put(ben, "/api/admin/staff/fay", { grant: ["account.principal_credentials"] });
    assert.ok(grantBeyond.status === 400 || grantBeyond.status === 403, `${grantBeyond.status}`);
    assert.deepEqual(record("ben").roles, ["admin"]);
    assert.equal(record("ana").active, undefined);
    // The only owner cannot leave the account without one.
    assert.equal((await put(ana, "/api/admin/staff/ana", { active: false })).status, 409);
    // A cross-site form (text/plain, no CORS preflight) is refused.
    assert.equal((await put(ben, "/api/admin/staff/fay", { active: false }, "text/plain")).status, 415);

    // 1b. Nothing beyond the editor's own decision: fay, given staff.manage
    //     but with clients' email and phone hidden, cannot give clients.view
    //     back to someone who would see them.
    assert.equal((await put(ana, "/api/admin/staff/fay", { grant: ["staff.manage"] })).status, 200);
    assert.equal((await put(ana, "/api/admin/staff/eli", { remove: ["payments.view", "payments.charge", "clients.view"] })).status, 200);
    const fay = await as("fay");
    const giveBack = await put(fay, "/api/admin/staff/eli", { remove: ["payments.view", "payments.charge"] });
    assert.equal(giveBack.status, 403, await giveBack.text());
    assert.ok(record("eli").remove.includes("clients.view"));
    // Someone holding the owner's role (no flag) is the owner's to edit too.
    assert.equal((await put(ana, "/api/admin/staff/gus", { roles: ["principal"] })).status, 200);
    assert.equal((await put(fay, "/api/admin/staff/gus", { roles: ["admin"] })).status, 403);
    assert.deepEqual(record("gus").roles, ["principal"]);
    // A role another writer (a script, a second server) added is checked
    // against the roles the database holds now, not those this server
    // loaded last.
    sql.prepare("INSERT INTO roles (tenant, id, definition) VALUES ('spa-lumi', 'helper', ?)").run(JSON.stringify({ id: "helper", permissions: ["settings.manage"] }));
    const assigned = await put(fay, "/api/admin/staff/eli", { roles: ["helper"] });
    assert.equal(assigned.status, 403, "fay does not hold settings.manage, whichever writer added the role");
    // Not without the PIN: a shared account managing staff (its
    // payments.charge behind a PIN step-up) gives nobody payments.charge
    // without one.
    assert.equal((await put(ana, "/api/admin/staff/desk", { grant: ["loyalty.view_all", "staff.manage"] })).status, 200);
    const withoutPin = await put(await as("desk"), "/api/admin/staff/eli", { remove: null });
    assert.equal(withoutPin.status, 403);
    assert.match(await withoutPin.text(), /payments\.charge without a PIN step-up/);

    // 2. Records only through a permission acting on the kind: fay has
    //    payments.view removed, so no payment leaves the server.
    const payments = await (await fay("/api/records?kind=payments")).json();
    assert.equal(payments.records.length, 0, JSON.stringify(payments.records[0]));
    assert.ok(payments.total > 0);

    // 3. The admin check runs after the body: a request held open while
    //    its sender is deactivated does not apply; their edge requests are
    //    refused at once.
    const cam = await as("cam"); // Manager: may not manage staff
    assert.equal((await put(cam, "/api/admin/staff/cam", { roles: ["admin"] })).status, 403);
    assert.equal(await edge(ben), 200);
    const benHeld = await holdRequest(demo.url, ben, "/api/admin/staff/ben", { active: true });
    assert.equal((await put(ana, "/api/admin/staff/ben", { active: false })).status, 200);
    assert.notEqual(await benHeld.finish(), 200, "the held edit is refused once its sender is deactivated");
    assert.equal(record("ben").active, false);
    assert.notEqual(await edge(ben), 200, "the edge refuses a deactivated person at once");

    // 4. A role edit whose save fails leaves the issuer with the database's
    //    roles: another writer holds the database's lock.
    const userRole = () => JSON.parse(sql.prepare("SELECT definition FROM roles WHERE tenant = 'spa-lumi' AND id = 'user'").get().definition);
    const was = userRole().permissions;
    sql.exec("BEGIN IMMEDIATE");
    let status;
    try {
      status = (await put(ana, "/api/admin/roles/user", { permissions: [...was, "settings.manage"] })).status;
    } finally {
      sql.exec("ROLLBACK");
    }
    assert.equal(status, 500);
    assert.deepEqual(userRole().permissions, was);
    const fresh = await (await fay("/api/permsnap")).json();
    const { Verifier } = await import("../../pkg/sync/node.js");
    const catalog = await (await fetch(`${demo.url}api/catalog?preset=sitee`)).json();
    const jwks = await (await fetch(`${demo.url}api/jwks`)).json();
    const v = new Verifier(catalog, jwks, { tenant: "spa-lumi" });
    assert.equal(v.load(fresh.snapshot).can("settings.manage"), false, "the failed save is not in force");

    // 5. Edits made in the database directly (another writer): the holders'
    //    versions move (triggers), the backend and its edge refuse their
    //    older snapshots within a second or two, and the next snapshot
    //    follows the database.
    assert.equal(await edge(fay), 200);
    sql.prepare("UPDATE roles SET definition = ? WHERE tenant = 'spa-lumi' AND id = 'user'").run(JSON.stringify({ ...userRole(), permissions: ["calendar.view"] }));
    assert.equal((await fay("/api/records?kind=clients")).status, 401, "a snapshot older than the record is refused");
    const t0 = Date.now();
    while ((await edge(fay)) === 200 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await edge(fay), 401, "the edge heard the version move");
    const narrowed = await (await fay("/api/permsnap")).json();
    assert.equal(v.load(narrowed.snapshot).can("clients.view"), false, "the role as the database holds it");
    sql.prepare("UPDATE staff SET access = json_set(access, '$.active', json('false')) WHERE tenant = 'spa-lumi' AND id = 'fay'").run();
    assert.equal((await fay("/api/records?kind=appointments")).status, 403, "deactivated in the database: refused");
    assert.notEqual(await edge(fay), 200);

    // 5b. Writes the triggers see whatever their form (a REPLACE, a version
    //     set back).
    const dia = await as("dia"); // Marketing: campaigns
    assert.equal(await edge(dia, "/edge/api/campaigns"), 200);
    const marketing = JSON.parse(sql.prepare("SELECT definition FROM roles WHERE tenant = 'spa-lumi' AND id = 'marketing'").get().definition);
    sql.prepare("INSERT OR REPLACE INTO roles (tenant, id, definition) VALUES ('spa-lumi', 'marketing', ?)").run(JSON.stringify({ ...marketing, permissions: marketing.permissions.filter((x) => !x.startsWith("campaigns.")) }));
    const t1 = Date.now();
    while ((await edge(dia, "/edge/api/campaigns")) === 200 && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await edge(dia, "/edge/api/campaigns"), 401, "a replaced role revokes its holders");
    const camVersion = () => sql.prepare("SELECT version FROM staff WHERE tenant = 'spa-lumi' AND id = 'cam'").get().version;
    const before = camVersion();
    sql.prepare("UPDATE staff SET access = '{\"roles\":[\"user\"]}', version = 1 WHERE tenant = 'spa-lumi' AND id = 'cam'").run();
    assert.ok(camVersion() > before, `a version set back moves forward: ${before} -> ${camVersion()}`);

    // 6. Files answer GET and HEAD only.
    assert.equal((await fetch(`${demo.url}index.html`, { method: "POST" })).status, 405);
    assert.equal((await fetch(`${demo.url}index.html`, { method: "HEAD" })).status, 200);
  } finally {
    sql.close();
    demo.child.kill();
  }
});

test("the demo backend, third review: a busy database, an editor deactivated while waiting, odd rows and ids, deletions while stopped", async () => {
  const { Verifier } = await import("../../pkg/sync/node.js");
  const own = await ownDemo("third");
  let demo = own.demo;
  const { dir, sql } = own;
  const put = putJson;
  const as = async (staff) => {
    const call = await client(demo.url, "sitee", staff);
    const r = await call("/api/permsnap");
    return { call, status: r.status, snapshot: r.status === 200 ? (await r.json()).snapshot : null };
  };
  const waitEdge = async (call, path, want) => {
    const t0 = Date.now();
    let status;
    while ((status = (await call(path)).status) !== want && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 100));
    return status;
  };
  try {
    // A busy database (another writer holds its lock past the busy
    // timeout): the edge hears the revocation anyway.
    const ben = await as("ben");
    assert.equal((await ben.call("/edge/api/staff")).status, 200);
    sql.prepare("UPDATE staff SET access = '{\"roles\":[\"user\"]}' WHERE tenant = 'spa-lumi' AND id = 'ben'").run();
    sql.exec("BEGIN IMMEDIATE");
    await new Promise((r) => setTimeout(r, 11_000)); // past two busy timeouts (5 s each)
    sql.exec("ROLLBACK");
    assert.notEqual(await waitEdge(ben.call, "/edge/api/staff", 401), 200, "revoked at the edge though the notice could not be saved");

    // An editor deactivated by another writer while their edit waited for
    // the database: the edit does not apply.
    const ana = await as("ana");
    sql.exec("BEGIN IMMEDIATE");
    const pending = put(ana.call, "/api/admin/staff/dia", { roles: ["admin"] });
    await new Promise((r) => setTimeout(r, 300));
    sql.prepare("UPDATE staff SET access = json_set(access, '$.active', json('false')) WHERE tenant = 'spa-lumi' AND id = 'ana'").run();
    sql.exec("COMMIT");
    assert.equal((await pending).status, 401);
    assert.deepEqual(JSON.parse(sql.prepare("SELECT access FROM staff WHERE tenant = 'spa-lumi' AND id = 'dia'").get().access).roles, ["marketing"]);
    sql.prepare("UPDATE staff SET access = json_remove(access, '$.active') WHERE tenant = 'spa-lumi' AND id = 'ana'").run();

    // Rows the triggers and the app would read differently are refused:
    // a `roles` key written twice is nobody's; a role's id column must be
    // its definition's; a version is a whole number.
    sql.prepare("UPDATE staff SET access = '{\"roles\":[\"user\"],\"roles\":[\"contributor\"]}' WHERE tenant = 'spa-lumi' AND id = 'eli'").run();
    assert.notEqual((await as("eli")).status, 200);
    assert.throws(() => sql.prepare("INSERT INTO roles (tenant, id, definition) VALUES ('spa-lumi', 'role-17', '{\"id\":\"contributor\",\"permissions\":[]}')").run(), /differ/);
    assert.throws(() => sql.prepare("UPDATE staff SET version = 1795764801.175 WHERE tenant = 'spa-lumi' AND id = 'cam'").run(), /whole number/);

    // Ids beyond [A-Za-z0-9_-] sign in as themselves and can be edited.
    sql.prepare("INSERT INTO staff (tenant, id, name, access) VALUES ('spa-lumi', 'jean.paul', 'Jean-Paul', '{\"roles\":[\"user\"]}')").run();
    const jp = await as("jean.paul");
    assert.equal(jp.status, 200);
    assert.equal((await (await jp.call("/api/me")).json()).id, "jean.paul");
    const ana2 = await as("ana");
    assert.equal((await put(ana2.call, `/api/admin/staff/${encodeURIComponent("jean.paul")}`, { active: false })).status, 200);
    assert.equal((await fetch(`${demo.url}api/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ product: "sitee", staff: { id: "ben" } }) })).status, 400);

    // Someone deleted while the server was stopped is revoked at its start.
    const cam = await as("cam");
    demo.child.kill();
    await new Promise((r) => demo.child.once("exit", r));
    sql.prepare("DELETE FROM staff WHERE tenant = 'spa-lumi' AND id = 'cam'").run();
    demo = await startDemo(dir);
    const catalog = await (await fetch(`${demo.url}api/catalog?preset=sitee`)).json();
    const jwks = await (await fetch(`${demo.url}api/jwks`)).json();
    const elsewhere = new Verifier(catalog, jwks, { tenant: "spa-lumi" }); // another edge, fed by the notices
    assert.equal(elsewhere.load(cam.snapshot).subject, "cam", "control");
    for (const { text } of sql.prepare("SELECT text FROM notices WHERE tenant = 'spa-lumi' ORDER BY seq").all()) elsewhere.applyNotice(text);
    assert.equal(errorCode(() => elsewhere.load(cam.snapshot)), "revoked");
  } finally {
    sql.close();
    demo.child.kill();
  }
});

test("the demo backend, fourth review: the admin permission behind a PIN, a restored database, roles and rows written around the rules, notice streams", async () => {
  const { demo, sql } = await ownDemo("fourth");
  const put = putJson;
  const as = async (staff) => {
    const call = await client(demo.url, "sitee", staff);
    const r = await call("/api/permsnap");
    return { call, status: r.status };
  };
  const access = (id) => JSON.parse(sql.prepare("SELECT access FROM staff WHERE tenant = 'spa-lumi' AND id = ?").get(id).access);
  const setAccess = (id, a) => sql.prepare("UPDATE staff SET access = ? WHERE tenant = 'spa-lumi' AND id = ?").run(JSON.stringify(a), id);
  try {
    // The admin permission behind a PIN step-up is not held without one.
    setAccess("desk", { ...access("desk"), grant: ["loyalty.view_all", "staff.manage"], step_up: ["payments.charge", "staff.manage"] });
    const desk = await as("desk");
    assert.equal(desk.status, 200);
    assert.equal((await desk.call("/api/admin/staff")).status, 403);
    assert.equal((await put(desk.call, "/api/admin/staff/dia", { active: false })).status, 403);

    // A snapshot newer than the record (a backup restored: the database
    // forgot the edit it was issued after) is refused by the backend.
    const eli = await as("eli");
    sql.prepare("UPDATE staff SET version = version + 1 WHERE tenant = 'spa-lumi' AND id = 'eli'").run();
    const eli2 = await as("eli");
    sql.exec("DROP TRIGGER staff_written"); // a restore writes around the rules
    sql.prepare("UPDATE staff SET version = version - 1 WHERE tenant = 'spa-lumi' AND id = 'eli'").run();
    assert.equal((await eli2.call("/api/records?kind=clients")).status, 401, "newer than the record: refused");
    void eli;

    // A role definition naming its id twice, and access that is not JSON,
    // are refused by the database; escaped JSON reads as it means.
    const user = sql.prepare("SELECT definition FROM roles WHERE tenant = 'spa-lumi' AND id = 'user'").get().definition;
    assert.throws(() => sql.prepare("UPDATE roles SET definition = ? WHERE tenant = 'spa-lumi' AND id = 'user'").run(user.replace(/}$/, ',"id":"admin"}')), /one id/);
    assert.throws(() => sql.prepare("UPDATE staff SET access = '{roles' WHERE tenant = 'spa-lumi' AND id = 'cam'").run(), /JSON/);
    sql.prepare("INSERT INTO staff (tenant, id, name, access) VALUES ('spa-lumi', 'rita', 'Rita', ?)").run('{"roles": ["us\\u0065r"]}');
    assert.equal((await as("rita")).status, 200, "escaped JSON is the same role");

    // Notice streams: for a person with a valid snapshot, a few each.
    const gus = await client(demo.url, "sitee", "gus"); // deactivated
    const stream = await gus("/api/notices");
    assert.notEqual(stream.status, 200);
    // A stream whose person is deactivated since it opened hears that
    // notice (the page denies at once), then ends: it kept hearing the
    // account's edits, who and when (attack review, session 18).
    const dia = await as("dia");
    const heard = [];
    const ended = new Promise((resolve, reject) => {
      const req = request(new URL("api/notices", demo.url), { headers: { cookie: dia.call.cookies() } }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (c) => heard.push(c));
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 300));
    setAccess("dia", { ...access("dia"), active: false });
    await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error("the stream stayed open")), 5000))]);
    assert.match(heard.join(""), /data: /, "it heard its own revocation first");
  } finally {
    sql.close();
    demo.child.kill();
  }
});

/** Sends a PUT's headers (with `call`'s cookies) now and its body when
 *  `finish()` is called: resolves with the status. */
async function holdRequest(url, call, path, body) {
  const req = request(new URL(path.slice(1), url), { method: "PUT", headers: { "content-type": "application/json", cookie: call.cookies() } });
  const status = new Promise((resolve, reject) => {
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", reject);
  });
  req.flushHeaders();
  await new Promise((r) => setTimeout(r, 200));
  return { finish: () => (req.end(JSON.stringify(body)), status) };
}
