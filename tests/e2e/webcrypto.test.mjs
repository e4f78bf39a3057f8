// The browser entry (the small core) in headless Chromium (playwright-core)
// and Firefox (geckodriver, WebDriver): signatures checked by each
// browser's own WebCrypto Ed25519 give, for every committed vector and for
// the forgeries only strict Ed25519 refuses, the answers the build
// verifying in WebAssembly gives in Node (tests/js/webcrypto.test.mjs and
// tests/js/browser.test.mjs run the same against Node's WebCrypto). Serves
// pkg/ on 127.0.0.1; needs a built package.
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

/** Runs in the page: every case through the browser entry, each with a
 *  verifier of its own (its account, or any; its revocation list; its id
 *  lists attached), and 500 verifiers more. */
const inPage = async ([cases, catalogs, jwks, leeway]) => {
  const ps = await import("/pkg/index.js");
  await ps.init();
  const out = [];
  for (const c of cases) {
    try {
      const account = typeof c.expected_tenant === "string" ? { tenant: c.expected_tenant } : { anyTenant: true };
      const v = new ps.Verifier(catalogs[c.catalog], jwks, { ...account, leeway, clock: () => c.now });
      if (c.revoked_ids) v.setRevocations({ ids: c.revoked_ids });
      let p = await v.verify(c.snapshot);
      // Once verified, `load` answers synchronously for the same snapshot.
      if (v.load(c.snapshot).allowed().join() !== p.allowed().join()) throw new Error("load after verify differs");
      for (const list of c.id_lists ?? []) p = p.withIds(list);
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
  // One instance of the core serves them all (an instance per verifier
  // ran Chromium out of memory at 200).
  let many = 0;
  for (let i = 0; i < 500; i++) {
    const v = new ps.Verifier(catalogs[c.catalog], jwks, { tenant: c.expected_tenant, leeway, clock: () => c.now });
    if ((await v.verify(c.snapshot)).allowed().length > 0) many++;
  }
  return { out, sync, many };
};

/** The cases: every vector, then the strict forgeries of dia's snapshot. */
function allCases() {
  const dia = vectors.cases.find((c) => c.name === "sitee/dia");
  return [...vectors.cases, ...strictForgeries(dia.snapshot).map(([name, snapshot]) => ({ ...dia, name, snapshot }))];
}

/** The answers a browser gave, against the Node build verifying in wasm. */
function assertSameAnswers(got, cases) {
  assert.equal(got.thrown, undefined, got.thrown);
  assert.equal(got.sync, "async_required");
  cases.forEach((c, i) => assert.deepEqual(got.out[i], expected(c), c.name));
  assert.ok(got.out.filter((o) => o.allowed).length >= 30, "most vectors verify");
  assert.deepEqual(got.out.slice(-3), [{ error: "bad_signature" }, { error: "bad_signature" }, { error: "bad_signature" }]);
  assert.equal(got.many, 500);
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

test("Chromium's WebCrypto: every vector and every strict forgery answer as in wasm; 500 verifiers share one core", async () => {
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

test("a page shown again after the machine slept denies at once what expired meanwhile (attack review, session 19)", async () => {
  // Sleep stops some platforms' monotonic clock, and timers count the time
  // awake: no expiry timer comes. The wall clock jumps; the page is shown.
  const page = await browser.newPage();
  await page.goto(base + "/");
  const dia = vectors.cases.find((c) => c.name === "sitee/dia");
  const got = await page.evaluate(async ([catalogs, jwks, c]) => {
    const ps = await import("/pkg/index.js");
    await ps.init();
    const offset = Date.now() / 1000 - c.now; // the vector's time, moving with the wall clock
    const v = new ps.Verifier(catalogs[c.catalog], jwks, { tenant: c.expected_tenant, clock: () => Date.now() / 1000 - offset });
    const p = await v.verify(c.snapshot);
    const before = p.can(c.expect.allowed[0]);
    // An ordinary focus or visibility change, nothing expired: no
    // listener told (a watched page is not passed over again).
    const listeners = globalThis[Symbol.for("permsnap.expiryListeners")];
    let told = 0;
    const listener = () => told++;
    listeners.add(listener);
    window.dispatchEvent(new Event("focus"));
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
    const quiet = told;
    const real = Date.now;
    Date.now = () => real() + 2 * 86_400_000;
    try {
      document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
      return [before, quiet, p.can(c.expect.allowed[0]), p.error?.code, told > 0];
    } finally {
      Date.now = real;
      listeners.delete(listener);
    }
  }, [vectors.catalogs, vectors.key.jwks, dia]);
  assert.deepEqual(got, [true, 0, false, "expired", true]);
  await page.close();
});

/** `fn(args)` run in headless Firefox (geckodriver) on the served page. */
async function inFirefox(fn, args) {
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
    const script = `const done = arguments[arguments.length - 1];
      (${fn.toString()})(arguments[0]).then(done, (e) => done({ thrown: String(e && e.stack || e) }));`;
    return await call("POST", `/session/${session}/execute/async`, { script, args: [args] });
  } finally {
    if (session) await call("DELETE", `/session/${session}`).catch(() => {});
    driver.kill();
  }
}

test("Firefox's WebCrypto (geckodriver): every vector and every strict forgery answer as in wasm", { timeout: 180_000 }, async () => {
  const cases = allCases();
  assertSameAnswers(await inFirefox(inPage, [cases, vectors.catalogs, vectors.key.jwks, vectors.leeway]), cases);
});
