// The browser build in headless Chromium (playwright-core) and Firefox
// (geckodriver, WebDriver): signatures checked by each browser's own
// WebCrypto Ed25519 give, for every committed vector and for the forgeries
// only strict Ed25519 refuses, the answers the build verifying in
// WebAssembly gives in Node (tests/js/webcrypto.test.mjs runs the same
// against Node's WebCrypto). Serves pkg/ on 127.0.0.1; needs a built package.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { launchChromium, servePkg } from "./browsers.mjs";
import { freePort } from "../attacks/fixtures.mjs";
import { pkg as sync, root, vectors, catalog, tenantOptions, strictForgeries } from "../js/helpers.mjs";

let server, base, browser;

before(async () => {
  ({ server, base } = await servePkg({ "/": () => ({ type: "text/html", body: "<!doctype html><title>webcrypto</title>" }) }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
});

/** Runs in the page: every case through the browser build's `verify`. */
const inPage = async ([cases, catalogs, jwks, leeway]) => {
  const ps = await import("/pkg/index.js");
  await ps.init();
  const out = [];
  for (const c of cases) {
    const tenant = typeof c.expected_tenant === "string" ? { tenant: c.expected_tenant } : { anyTenant: true };
    try {
      const v = new ps.Verifier(catalogs[c.catalog], jwks, { ...tenant, leeway, clock: () => c.now });
      if (c.revoked_ids) v.setRevocations({ ids: c.revoked_ids });
      let p = await v.verify(c.snapshot);
      for (const list of c.id_lists ?? []) p = p.withIds(list);
      // Once verified, `load` answers synchronously for the same snapshot.
      if (v.load(c.snapshot).allowed().join() !== p.allowed().join()) throw new Error("load after verify differs");
      out.push({ allowed: p.allowed(), claims: p.claims() });
    } catch (e) {
      out.push(e instanceof ps.PermsnapError ? { error: e.code } : { thrown: String(e) });
    }
  }
  // A snapshot never verified: `load` says to verify first.
  const c = cases[0];
  let sync = "none";
  try {
    new ps.Verifier(catalogs[c.catalog], jwks, { anyTenant: true, clock: () => c.now }).load(c.snapshot);
  } catch (e) {
    sync = e.code;
  }
  return { out, sync };
};

/** The cases: every vector, then the strict forgeries of dia's snapshot. */
function allCases() {
  const dia = vectors.cases.find((c) => c.name === "sitee/dia");
  return [...vectors.cases, ...strictForgeries(dia.snapshot).map(([name, snapshot]) => ({ ...dia, name, snapshot }))];
}

/** The answers a browser gave, against the Node build verifying in wasm. */
function assertSameAnswers(got, cases) {
  assert.equal(got.sync, "async_required");
  cases.forEach((c, i) => assert.deepEqual(got.out[i], expected(c), c.name));
  assert.ok(got.out.filter((o) => o.allowed).length >= 30, "most vectors verify");
  assert.deepEqual(got.out.slice(-3), [{ error: "bad_signature" }, { error: "bad_signature" }, { error: "bad_signature" }]);
}

/** What the Node build verifying in wasm answers for a case. */
function expected(c) {
  try {
    const v = new sync.Verifier(catalog(c.catalog), vectors.key.jwks, { ...tenantOptions(c), leeway: vectors.leeway, clock: () => c.now });
    if (c.revoked_ids) v.setRevocations({ ids: c.revoked_ids });
    let p = v.load(c.snapshot);
    for (const list of c.id_lists ?? []) p = p.withIds(list);
    return { allowed: p.allowed(), claims: p.claims() };
  } catch (e) {
    return { error: e.code };
  }
}

test("Chromium's WebCrypto: every vector and every strict forgery answer as in wasm", async () => {
  const cases = allCases();
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base + "/");
  const got = await page.evaluate(inPage, [cases, vectors.catalogs, vectors.key.jwks, vectors.leeway]);
  assertSameAnswers(got, cases);
  assert.deepEqual(errors, []);
  await page.close();
});

test("Firefox's WebCrypto (geckodriver): every vector and every strict forgery answer as in wasm", { timeout: 180_000 }, async () => {
  const port = await freePort();
  const driver = spawn(process.env.GECKODRIVER ?? "geckodriver", ["--host", "127.0.0.1", "--port", String(port)], { stdio: "ignore" });
  const wd = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const res = await fetch(wd + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  };
  let session;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await call("GET", "/status")).ready) break;
      } catch (e) {
        if (i > 100) throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const binary = process.env.FIREFOX ?? "/usr/bin/firefox-esr";
    session = (await call("POST", "/session", { capabilities: { alwaysMatch: { browserName: "firefox", "moz:firefoxOptions": { binary, args: ["-headless"] } } } })).sessionId;
    await call("POST", `/session/${session}/timeouts`, { script: 120_000 });
    await call("POST", `/session/${session}/url`, { url: base + "/" });
    const cases = allCases();
    const script = `const done = arguments[arguments.length - 1];
      (${inPage.toString()})(arguments[0]).then(done, (e) => done({ thrown: String(e && e.stack || e) }));`;
    const got = await call("POST", `/session/${session}/execute/async`, { script, args: [[cases, vectors.catalogs, vectors.key.jwks, vectors.leeway]] });
    assert.equal(got.thrown, undefined, got.thrown);
    assertSameAnswers(got, cases);
  } finally {
    if (session) await call("DELETE", `/session/${session}`).catch(() => {});
    driver.kill();
  }
});
