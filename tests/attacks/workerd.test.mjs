// Attack suite against the workerd example worker (examples/edge/workerd,
// run by the `workerd` npm package, configured by make-config.mjs): the
// same path variants, tenants, revocation feeds, step-up, method overrides
// and 401/503 answers, sent as raw HTTP to 127.0.0.1. The example has no
// origin: what it answers for an allowed request (`{"ok":true,...}`) stands
// for the protected handler.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeConfig } from "../../examples/edge/workerd/make-config.mjs";
import {
  makeFixtures, startKeyServer, freePort, unreachable, raw, show, Table, bin, root,
  routes, pathVariants, canonical, stepUpAttacks,
} from "./fixtures.mjs";

const table = new Table("permsnap attack suite: workerd (examples/edge/workerd)", ["expected", "workerd"]);
const row = (attack, expected, r) => {
  table.set(attack, "expected", expected);
  table.set(attack, "workerd", typeof r === "string" ? r : show(r));
};
let fx;
let keys;
let feeds = 0;

/** Sitee with the SPA fallback, plus the step-up and override routes. */
const siteeAll = {
  routes: [
    ...routes.siteeSpa.routes.slice(0, -1),
    ...routes.stepUp.routes.filter((r) => r.path !== "/health"),
    ...routes.override.routes.filter((r) => r.path === "/api/notes"),
    routes.siteeSpa.routes.at(-1),
  ],
};

before(async () => {
  fx = makeFixtures();
  keys = await startKeyServer();
  writeFileSync(join(fx.tmp, "sitee-catalog.json"), JSON.stringify(fx.catalog.sitee));
  writeFileSync(join(fx.tmp, "lightspeed-catalog.json"), JSON.stringify(fx.catalog.lightspeed));
  writeFileSync(join(fx.tmp, "sitee-all.json"), JSON.stringify(siteeAll));
  writeFileSync(join(fx.tmp, "desk-catalog.json"), JSON.stringify(fx.catalog.desk));
  writeFileSync(join(fx.tmp, "desk-routes.json"), JSON.stringify(routes.desk));
});
after(async () => {
  table.print();
  await keys?.close();
  fx?.cleanup();
});

/** Starts the example worker; resolves once it answers anything. */
async function startWorker({ catalog = "sitee", routesFile, tenant = "spa-lumi", notices = [], feed, jwksUrl, maxFeedAge = "" } = {}) {
  const port = await freePort();
  // The signed feed of `notices`, the `feed` document given, or an empty
  // feed whose head is signed at each fetch.
  const served = feed ?? (notices.length > 0 ? fx.feedOf(notices) : () => fx.feed([]));
  const urls = keys.set(`w${++feeds}`, { keys: [fx.keys.k1], feed: served });
  const config = makeConfig(join(fx.tmp, `worker-${port}.capnp`), {
    ADDRESS: `127.0.0.1:${port}`,
    CATALOG: join(fx.tmp, `${catalog}-catalog.json`),
    ROUTES: routesFile ?? join(fx.tmp, "sitee-all.json"),
    TENANT: tenant,
    JWKS_URL: jwksUrl ?? urls.jwksUrl,
    REVOCATIONS_URL: urls.revocationsUrl,
    MAX_FEED_AGE: maxFeedAge,
    MAX_AGE: "1",
    MIN_INTERVAL: "0",
  });
  const child = spawn(bin("workerd"), ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await raw(port, "GET", "/health");
      break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`workerd did not start:\n${log}`);
    await sleep(100);
  }
  return {
    port,
    feed: `w${feeds}`,
    call: (method, path, opts) => raw(port, method, path, opts),
    log: () => log,
    stop: () => new Promise((ok) => {
      child.once("exit", ok);
      child.kill("SIGTERM");
    }),
  };
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** The example's stand-in for the protected handler was reached. */
const reached = (r) => r.status === 200 && r.json?.ok === true;
function assertShut(r, what) {
  assert.ok(!reached(r), `${what}: the worker's origin answered: ${r.body}`);
  assert.notEqual(r.status, 200, `${what}: ${r.body}`);
}

async function withWorker(options, fn) {
  const w = await startWorker(options);
  try {
    await fn(w);
  } catch (e) {
    e.message += `\n--- workerd log ---\n${w.log()}`;
    throw e;
  } finally {
    await w.stop();
  }
}

// ---------------------------------------------------------------- paths

for (const name of ["lightspeed", "siteeSpa"]) {
  test(`workerd: path variants of ${canonical[name].path} (${name})`, { timeout: 120_000 }, async (t) => {
    const c = canonical[name];
    const people = name === "lightspeed" ? fx.ls : fx.snap;
    const options = name === "lightspeed"
      ? { catalog: "lightspeed", tenant: "velo-qc", routesFile: join(root, "routes/lightspeed.json") }
      : {};
    await withWorker(options, async ({ call }) => {
      await t.test(`canonical ${c.path}`, async () => {
        let r = await call("GET", c.path, { snapshot: people[c.lacking] });
        row(`GET ${c.path} (${c.lacking}, lacks ${c.permission})`, "403 forbidden", r);
        assertShut(r, "canonical, lacking");
        assert.deepEqual([r.status, r.code, r.json.error.permission], [403, "forbidden", c.permission]);
        r = await call("GET", c.path, { snapshot: people[c.holding] });
        row(`GET ${c.path} (${c.holding}, holds it)`, "200 origin", reached(r) ? "200 origin" : show(r));
        assert.ok(reached(r), r.body);
        assert.equal(r.json.route, c.path);
      });
      for (const v of pathVariants.filter((p) => p.table === name)) {
        await t.test(v.path, async () => {
          const r = await call("GET", v.path, { snapshot: people[c.lacking] });
          const label = `GET ${v.path}${v.beyond ? " *" : ""}`;
          if (v.catchAll) {
            row(label, "200 origin, route /ecom/{*rest} (gate: catch-all)", reached(r) ? `200 origin, route ${r.json.route}` : show(r));
            assert.notEqual(r.json?.route, c.path, r.body);
            return;
          }
          if (v.denied) {
            row(label, "403 forbidden (the catch-all's rule)", r);
            assertShut(r, v.path);
            assert.deepEqual([r.status, r.code], [403, "forbidden"], r.body);
            return;
          }
          row(label, "400 bad_path|ambiguous_path", r);
          assertShut(r, v.path);
          assert.equal(r.status, 400, r.body);
          assert.ok(["bad_path", "ambiguous_path"].includes(r.code), r.body);
        });
      }
      await t.test("absolute-form request targets (beyond #10)", async () => {
        const upper = c.path.replace(/\/(\w)/, (m, ch) => "/" + ch.toUpperCase());
        let r = await call("GET", `http://127.0.0.1${upper}`, { snapshot: people[c.lacking] });
        row(`GET http://127.0.0.1${upper} *`, "400 ambiguous_path", r);
        assertShut(r, "absolute-form case variant");
        assert.deepEqual([r.status, r.code], [400, "ambiguous_path"], r.body);
        r = await call("GET", `http://127.0.0.1${c.path}`, { snapshot: people[c.lacking] });
        row(`GET http://127.0.0.1${c.path} *`, "403 forbidden", r);
        assert.deepEqual([r.status, r.code], [403, "forbidden"], r.body);
      });
    });
  });
}

// ---------------------------------------------------------------- the rest

test("workerd: tenant, step-up, method overrides, 401 answers", { timeout: 120_000 }, async (t) => {
  await withWorker({ notices: [fx.notice.revokeBen] }, async ({ call }) => {
    await t.test("an owner of spa-rival: 401 wrong_tenant", async () => {
      const r = await call("GET", "/api/staff", { snapshot: fx.snap.rivalOwner });
      row("GET /api/staff, owner of spa-rival (same issuer key)", "401 wrong_tenant", r);
      assertShut(r, "rival");
      assert.deepEqual([r.status, r.code], [401, "wrong_tenant"]);
      assert.ok(reached(await call("GET", "/api/staff", { snapshot: fx.snap.ana })));
    });
    await t.test("step-up through `any`", async () => {
      let r = await call("POST", "/api/quick-charge", { snapshot: fx.snap.desk });
      row("POST any:[payments.charge] as desk (PIN step-up)", "403 step_up_required", r);
      assertShut(r, "step-up any");
      assert.deepEqual([r.status, r.code], [403, "step_up_required"]);
      r = await call("POST", "/api/charge-or-campaign", { snapshot: fx.snap.desk });
      row("POST any:[payments.charge, campaigns.manage] as desk", "403 step_up_required", r);
      assert.deepEqual([r.status, r.code], [403, "step_up_required"]);
      assert.ok(reached(await call("GET", "/api/loyalty-or-charge", { snapshot: fx.snap.desk })));
    });
    await t.test("method overrides", async () => {
      for (const [label, path, headers, status] of [
        ["POST /api/campaigns + X-HTTP-Method-Override: DELETE", "/api/campaigns", { "x-http-method-override": "DELETE" }, 405],
        ["POST /api/campaigns?_method=DELETE", "/api/campaigns?_method=DELETE", {}, 405],
        ["POST /api/notes + X-HTTP-Method-Override: DELETE", "/api/notes", { "x-http-method-override": "DELETE" }, 403],
        ["POST /api/notes + X-HTTP-Method: DELETE", "/api/notes", { "x-http-method": "DELETE" }, 403],
        ["POST /api/notes + X-Method-Override: DELETE", "/api/notes", { "x-method-override": "DELETE" }, 403],
        ["POST /api/notes?_method=delete", "/api/notes?_method=delete", {}, 403],
        ["POST /api/notes + X-HTTP-Method-Override: FOO", "/api/notes", { "x-http-method-override": "FOO" }, 400],
      ]) {
        const r = await call("POST", path, { snapshot: fx.snap.dia, headers });
        row(label, String(status), r);
        assertShut(r, label);
        assert.equal(r.status, status, `${label}: ${r.body}`);
      }
      assert.ok(reached(await call("POST", "/api/notes", { snapshot: fx.snap.dia })));
    });
    await t.test("401s carry WWW-Authenticate with the error", async () => {
      for (const [who, snapshot, code] of [
        ["no snapshot", undefined, "no_snapshot"],
        ["expired", fx.snap.expired, "expired"],
        ["tampered", fx.snap.tampered, "bad_signature"],
        ["unpublished key", fx.snap.diaK2, "unknown_key"],
        ["revoked", fx.snap.ben, "revoked"],
      ]) {
        const r = await call("GET", "/api/staff", { snapshot });
        row(`GET /api/staff, ${who}: WWW-Authenticate`, `401 error="${code}"`, `${r.status} ${r.headers["www-authenticate"]?.match(/error="[^"]*"/)?.[0] ?? "(none)"}`);
        assertShut(r, who);
        assert.deepEqual([r.status, r.code], [401, code]);
        assert.match(r.headers["www-authenticate"] ?? "", new RegExp(`^Permsnap realm="permsnap", error="${code}", error_description="[^"]*"$`));
      }
    });
  });
});

// The shared desk (fixtures' `deskPolicy`): the example's origin answer
// carries the decision's `actor` and `nonce` (examples/edge/app.js). The
// worker's clock is the real one: expiry is tested with a proof signed in
// the past.
test("workerd: step-up proofs: a fresh one opens the shared desk's PIN action for the person who gave it; every other is refused", { timeout: 120_000 }, async (t) => {
  const { snap, proof } = fx.desk;
  await withWorker({ catalog: "desk", tenant: "desk-co", routesFile: join(fx.tmp, "desk-routes.json") }, async ({ call }) => {
    const send = (method, target, { snapshot = snap.frontdesk, stepUp, headers = {} } = {}) =>
      call(method, target, { snapshot, headers: { ...headers, ...(stepUp === undefined ? {} : { "permsnap-step-up": stepUp }) } });
    await t.test("no proof: 403 step_up_required, naming the permission", async () => {
      const r = await send("POST", "/api/sales");
      row("desk POST /api/sales, no proof", "403 step_up_required", r);
      assertShut(r, "no proof");
      assert.deepEqual([r.status, r.code, r.json.error.permission], [403, "step_up_required", "sales.make"], r.body);
    });
    await t.test("a fresh proof: 200, the origin is told the acting person and the nonce", async () => {
      let r = await send("POST", "/api/sales", { stepUp: proof() });
      row("desk POST /api/sales, Léa's fresh proof", "200, origin told actor lea", reached(r) ? `200 actor ${r.json.actor}` : show(r));
      assert.ok(reached(r), r.body);
      assert.deepEqual([r.json.route, r.json.subject, r.json.actor], ["/api/sales", "frontdesk", "lea"], r.body);
      assert.match(r.json.nonce ?? "", /^[0-9a-f]{32}$/, r.body);
      const first = r.json.nonce;
      r = await send("POST", "/api/sales?receipt=1", { stepUp: proof() });
      assert.ok(reached(r), r.body);
      assert.notEqual(r.json.nonce, first);
      r = await send("POST", "/api/refunds", { stepUp: proof({ actor: "max", permission: "refunds.make", path: "/api/refunds" }) });
      assert.deepEqual([r.status, r.json.actor], [200, "max"], r.body);
      // Controls: no PIN needed, no actor.
      r = await send("GET", "/api/payments");
      assert.deepEqual(r.json, { ok: true, route: "/api/payments", subject: "frontdesk", tenant: "desk-co" });
      r = await send("POST", "/api/sales", { snapshot: snap.lea });
      assert.deepEqual(r.json, { ok: true, route: "/api/sales", subject: "lea", tenant: "desk-co" });
    });
    for (const { attack, proof: make, request: [method, target, headers], why, code } of stepUpAttacks(fx)) {
      const expected = code ?? "step_up_refused";
      await t.test(attack, async () => {
        const r = await send(method, target, { stepUp: make(), headers });
        row(`desk: ${attack}`, `403 ${expected}`, r);
        assertShut(r, attack);
        assert.deepEqual([r.status, r.code], [403, expected], r.body);
        assert.match(r.json.error.message, why);
      });
    }
    await t.test("control: a form's POST ?_method=DELETE with a proof for the DELETE passes (the POST half needs no PIN)", async () => {
      const r = await send("POST", "/api/notes?_method=DELETE", { stepUp: proof({ permission: "refunds.make", method: "DELETE", path: "/api/notes" }) });
      assert.deepEqual([r.status, r.json.route, r.json.actor], [200, "/api/notes", "lea"], r.body);
    });
    await t.test("the worker keeps deciding after every refusal", async () => {
      const r = await send("POST", "/api/sales", { stepUp: proof() });
      assert.deepEqual([r.status, r.json.actor], [200, "lea"], r.body);
    });
  });
});

test("workerd: an unreachable JWKS URL is 503 unavailable", { timeout: 120_000 }, async () => {
  await withWorker({ jwksUrl: await unreachable() }, async ({ call }) => {
    const r = await call("GET", "/api/staff", { snapshot: fx.snap.ana });
    row("GET /api/staff, JWKS URL unreachable", "503 unavailable", r);
    assertShut(r, "unreachable JWKS");
    assert.deepEqual([r.status, r.code], [503, "unavailable"], r.body);
  });
});

test("workerd: a bad notice in a signed feed does not keep the good one out", { timeout: 180_000 }, async (t) => {
  const published = {
    "[retiredKey, revokeBen]": () => fx.feedAsIs(["retiredKey", "revokeBen"]),
    "[otherTenant, revokeBen]": () => fx.feed(["otherTenant", "revokeBen"]),
    "[revokeBen, retiredKey]": () => fx.feedAsIs(["revokeBen", "retiredKey"]),
  };
  for (const [name, doc] of Object.entries(published)) {
    await t.test(`running worker, feed becomes ${name}`, async () => {
      await withWorker({}, async ({ call, feed }) => {
        assert.ok(reached(await call("GET", "/api/staff", { snapshot: fx.snap.ben })));
        keys.set(feed, { keys: [fx.keys.k1], feed: doc() });
        await sleep(1200); // past MAX_AGE
        const r = await call("GET", "/api/staff", { snapshot: fx.snap.ben });
        row(`ben after feed ${name} (worker running)`, "401 revoked", r);
        assertShut(r, "revoked ben");
        assert.deepEqual([r.status, r.code], [401, "revoked"], r.body);
        assert.ok(reached(await call("GET", "/api/campaigns", { snapshot: fx.snap.dia })));
      });
    });
  }
  await t.test("worker starting on feed [retiredKey, revokeBen]", async () => {
    await withWorker({ feed: fx.feedAsIs(["retiredKey", "revokeBen"]) }, async ({ call }) => {
      const r = await call("GET", "/api/staff", { snapshot: fx.snap.ben });
      row("ben, worker starting on feed [retiredKey, revokeBen]", "503 unavailable (a notice it cannot verify)", r);
      assertShut(r, "cold start");
      assert.deepEqual([r.status, r.code], [503, "unavailable"], r.body);
    });
  });
  await t.test("worker starting on feed [forged, revokeBen]", async () => {
    await withWorker({ feed: fx.feedAsIs(["forged", "revokeBen"]) }, async ({ call }) => {
      const r = await call("GET", "/api/staff", { snapshot: fx.snap.ben });
      row("ben, worker starting on feed [forged, revokeBen]", "503 unavailable (no complete load)", r);
      assertShut(r, "cold start");
      assert.deepEqual([r.status, r.code], [503, "unavailable"], r.body);
    });
  });
});

test("workerd with MAX_FEED_AGE: per-person revocation, a feed cut on the way, 503 stale_feed", { timeout: 120_000 }, async () => {
  await withWorker({ maxFeedAge: "3" }, async ({ call, feed }) => {
    assert.ok(reached(await call("GET", "/api/staff", { snapshot: fx.snap.ana })));
    // The issuer publishes `revoke --staff ana=1`, re-signing its head per fetch.
    keys.set(feed, { keys: [fx.keys.k1], feed: () => fx.feed(["revokeAna"]) });
    await sleep(1200);
    let r = await call("GET", "/api/staff", { snapshot: fx.snap.ana });
    row("ana after a feed with `revoke --staff ana=1` (worker)", "401 revoked", r);
    assertShut(r, "ana revoked per person");
    assert.deepEqual([r.status, r.code], [401, "revoked"], r.body);
    assert.ok(reached(await call("GET", "/api/payments", { snapshot: fx.snap.cam })), "cam, same account, still passes");
    // Ben's notice cut out of the feed on the way: refused whole; once the
    // last genuine head is older than MAX_FEED_AGE, 503 stale_feed.
    keys.set(feed, { keys: [fx.keys.k1], feed: () => ({ head: fx.feed(["revokeAna", "revokeBen"]).head, notices: [fx.notice.revokeAna] }) });
    await sleep(5000);
    r = await call("GET", "/api/staff", { snapshot: fx.snap.ben });
    row("ben, his notice cut from the feed, past MAX_FEED_AGE (worker)", "503 stale_feed", r);
    assertShut(r, "stale feed");
    assert.deepEqual([r.status, r.code], [503, "stale_feed"], r.body);
    assert.equal((await call("GET", "/health")).status, 200);
    keys.set(feed, { keys: [fx.keys.k1], feed: () => fx.feed(["revokeAna", "revokeBen"]) });
    await sleep(1200);
    r = await call("GET", "/api/staff", { snapshot: fx.snap.ben });
    assert.deepEqual([r.status, r.code], [401, "revoked"], r.body);
    assert.ok(reached(await call("GET", "/api/payments", { snapshot: fx.snap.cam })));
  });
});
