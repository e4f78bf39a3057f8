// End-to-end: the demo server (real issuer, real signed snapshots) and the
// page in headless Chromium. Screenshots go to test-output/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = join(root, "test-output");
mkdirSync(out, { recursive: true });
let server, browser, base;

before(async () => {
  const keys = mkdtempSync(join(tmpdir(), "permsnap-e2e-"));
  execFileSync(join(root, "target/debug/permsnap"), ["keygen", "--out", keys]);
  server = spawn("node", [join(root, "scripts/serve.mjs")], { env: { ...process.env, PORT: "0", PERMSNAP_DEMO_KEYS: keys }, stdio: ["ignore", "pipe", "inherit"] });
  base = await new Promise((resolve, reject) => {
    server.stdout.on("data", (d) => { const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(String(d)); if (m) resolve(m[0]); });
    server.on("exit", (c) => reject(new Error(`server exited ${c}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
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
const column = (page, kind, col) => page.locator(`[data-kind="${kind}"] td[data-col="${col}"]`).allTextContents();

test("Sitee Marketing Professional: no Payments, own appointments only, sees email and phone", async () => {
  const page = await as("sitee", "dia");
  assert.equal(await visible(page, "#sec-payments"), false);
  assert.equal(await visible(page, "#sec-campaigns"), true);
  assert.equal(await visible(page, "#sec-staff"), false);
  const owners = await column(page, "appointments", "staff_id");
  const creators = await column(page, "appointments", "created_by");
  assert.ok(owners.length > 0 && owners.length < 24);
  owners.forEach((o, i) => assert.ok(o === "dia" || creators[i] === "dia"));
  const emails = await column(page, "clients", "email");
  assert.equal(emails.length, 24, "all clients");
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
  assert.equal(await page.locator("nav a:visible").count(), 0);
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
