// Attack suite, configuration mistakes (issue #10): a careless integrator's
// route tables, verifier, gate and refresher options must throw before any
// server starts -- never start with a door open.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as edge from "../../pkg/edge/node.js";
import * as web from "../../pkg/node.js";
import { makeFixtures, freePort, root, Table } from "./fixtures.mjs";

const table = new Table("permsnap attack suite: configuration (no server may start)", ["expected", "permsnap/edge"]);
let fx;
let sitee; // Verifier { tenant: "spa-lumi" }
let lightspeed; // Verifier { tenant: "velo-qc" }

before(() => {
  fx = makeFixtures();
  sitee = new edge.Verifier(fx.catalog.sitee, { keys: [fx.keys.k1] }, { tenant: "spa-lumi" });
  lightspeed = new edge.Verifier(fx.catalog.lightspeed, { keys: [fx.keys.k1] }, { tenant: "velo-qc" });
});
after(() => {
  table.print();
  fx?.cleanup();
});

/** Runs `f`, records what it did, returns the error (or null). */
function outcome(attack, expected, f) {
  try {
    const r = f();
    table.set(attack, "expected", expected);
    table.set(attack, "permsnap/edge", `accepted${r?.warnings?.length ? ` (${r.warnings.length} warning)` : ""}`);
    return null;
  } catch (e) {
    table.set(attack, "expected", expected);
    table.set(attack, "permsnap/edge", `throws ${e.code ?? e.name}`);
    return e;
  }
}

function assertThrows(attack, f, code) {
  const e = outcome(attack, `throws ${code}`, f);
  assert.ok(e, `${attack}: accepted`);
  assert.ok(e instanceof edge.PermsnapError, `${attack}: not a PermsnapError: ${e}`);
  assert.equal(e.code, code, `${attack}: ${e.message}`);
  return e;
}

const health = { path: "/health", public: true };

// ---------------------------------------------------------------- 1. typos

test("1. a route table typo from JS throws invalid_policy", async (t) => {
  const typos = {
    require: { path: "/api/payments", require: ["payments.view"] },
    permissions: { path: "/api/payments", permissions: ["payments.view"] },
    Requires: { path: "/api/payments", Requires: ["payments.view"] },
    anyOf: { path: "/api/payments", anyOf: ["payments.view"] },
    "only path": { path: "/api/payments" },
    "methods: []": { methods: [], path: "/api/payments", requires: ["payments.view"] },
    "requires: []": { path: "/api/payments", requires: [] },
    "requires: undefined": { path: "/api/payments", requires: undefined },
    "public: false": { path: "/api/payments", public: false },
    "requires a misspelt permission": { path: "/api/payments", requires: ["payments.veiw"] },
    'methods: ["get"]': { methods: ["get"], path: "/api/payments", requires: ["payments.view"] },
  };
  for (const [label, rule] of Object.entries(typos)) {
    await t.test(label, () => {
      assertThrows(`route ${label === "requires: undefined" ? label : JSON.stringify(rule)}`, () => new edge.Gate(sitee, [health, rule]), "invalid_policy");
    });
  }
});

test("1b. a typo'd key BESIDE a real demand throws too (the class, not the example)", async (t) => {
  // Each of these demands something (app ecom), so the "demands nothing"
  // check does not catch them; the misspelt key must. The CLI refuses them
  // all ("unknown field `require`").
  const typos = {
    "app + require": { methods: ["GET"], path: "/ecom/orders", app: "ecom", require: ["ecom.orders"] },
    "app + Requires": { methods: ["GET"], path: "/ecom/orders", app: "ecom", Requires: ["ecom.orders"] },
    "authenticated + anyOf": { methods: ["GET"], path: "/ecom/orders", authenticated: true, anyOf: ["ecom.orders"] },
    "requires + permissions": { methods: ["GET"], path: "/ecom/orders", requires: ["ecom.dashboard"], permissions: ["ecom.orders"] },
  };
  for (const [label, rule] of Object.entries(typos)) {
    await t.test(label, () => {
      const attack = `route ${JSON.stringify(rule)}`;
      const e = outcome(attack, "throws invalid_policy", () => new edge.Gate(lightspeed, [health, rule]));
      if (!e) {
        // Show what the accepted table does: Ivy lacks ecom.orders.
        const d = new edge.Gate(lightspeed, [health, rule]).checkParts("GET", "/ecom/orders", `Permsnap ${fx.ls.ivy}`);
        table.set(attack, "permsnap/edge", `accepted: ivy (no ecom.orders) gets ${d.status} ${d.code}`);
        assert.fail(`${attack} accepted: ivy (no ecom.orders) gets ${d.status} ${d.code}`);
      }
      assert.equal(e.code, "invalid_policy", e.message);
    });
  }
  // Found by a second review: what JSON.stringify would drop or change.
  const PERMS = { payments: "payments.view" };
  class Route {
    authenticated = true;
    path = "/api/payments";
    get requires() { return ["payments.view"]; }
  }
  const loose = {
    "requires: undefined beside any": [{ path: "/api/payments", requires: PERMS.paymnets, any: ["payments.view"] }],
    "a class instance with a getter": [new Route()],
    "a getter on a plain object": [Object.defineProperty({ path: "/api/payments", authenticated: true }, "requires", { get: () => ["payments.view"], enumerable: true })],
    "a function value": [{ path: "/api/payments", requires: ["payments.view"], app: () => "x" }],
    "a hole in an array": [{ path: "/api/payments", requires: [, "payments.view"] }],
  };
  for (const [label, table] of Object.entries(loose)) {
    await t.test(label, () => {
      assertThrows(`table with ${label}`, () => new edge.Gate(sitee, table), "invalid_policy");
    });
  }
  await t.test("unknown key at the table's top level", () => {
    assertThrows('table { routes: [...], rotues: [...] }', () => new edge.Gate(sitee, { routes: [health], rotues: [{ path: "/api/payments", requires: ["payments.view"] }] }), "invalid_policy");
  });
});

test("1c. a route pattern no canonical request can match throws (it would be a dead rule)", async (t) => {
  // With a public SPA fallback, a dead rule leaves its path to the fallback:
  // GET /api/payments anonymous -> 200.
  for (const pattern of ["/api//payments", "/api/./payments", "/api/%70ayments", "/api/payments ", "/api/payments?month={m}", "/api/payments;v=1"]) {
    await t.test(JSON.stringify(pattern), () => {
      const routes = [health, { methods: ["GET"], path: pattern, requires: ["payments.view"] }, { path: "/{*rest}", public: true }];
      const attack = `pattern ${JSON.stringify(pattern)} + public /{*rest}`;
      const e = outcome(attack, "throws invalid_policy", () => new edge.Gate(sitee, routes));
      if (!e) {
        const d = new edge.Gate(sitee, routes).checkParts("GET", "/api/payments");
        table.set(attack, "permsnap/edge", `accepted: GET /api/payments anonymous ${d.status} ${d.code}`);
        assert.fail(`${attack} accepted: GET /api/payments without a snapshot gets ${d.status} ${d.code} (route ${d.route})`);
      }
      assert.equal(e.code, "invalid_policy", e.message);
    });
  }
});

// ---------------------------------------------------------------- 3. tenant

test("3. a Verifier must name its tenant; unknown options throw", async (t) => {
  const cases = {
    "no options": undefined,
    "{}": {},
    "{ tenant: undefined }": { tenant: undefined },
    '{ tennant: "spa-lumi" }': { tennant: "spa-lumi" },
    '{ tenant: "spa-lumi", tennant: "x" }': { tenant: "spa-lumi", tennant: "x" },
    '{ tenant: "" }': { tenant: "" },
    '{ tenant: "a", anyTenant: true }': { tenant: "a", anyTenant: true },
    "{ anyTenant: false }": { anyTenant: false },
    '{ tenantPerRequest: "yes" }': { tenantPerRequest: "yes" },
    // The maximum feed age: a typo or a value that is not whole seconds.
    '{ tenant: "spa-lumi", maxFeedage: 300 }': { tenant: "spa-lumi", maxFeedage: 300 },
    '{ tenant: "spa-lumi", maxFeedAge: "300" }': { tenant: "spa-lumi", maxFeedAge: "300" },
    '{ tenant: "spa-lumi", maxFeedAge: 0 }': { tenant: "spa-lumi", maxFeedAge: 0 },
    '{ tenant: "spa-lumi", maxFeedAge: 1.5 }': { tenant: "spa-lumi", maxFeedAge: 1.5 },
  };
  for (const [label, options] of Object.entries(cases)) {
    await t.test(label, () => {
      assertThrows(`new Verifier(catalog, jwks, ${label})`, () => new edge.Verifier(fx.catalog.sitee, { keys: [fx.keys.k1] }, options), "invalid_argument");
    });
  }
  await t.test("browser entry too", () => {
    assertThrows("permsnap (browser) new Verifier(catalog, jwks)", () => new web.Verifier(fx.catalog.sitee, { keys: [fx.keys.k1] }), "invalid_argument");
  });
  await t.test("Gate options", () => {
    assertThrows('new Gate(v, routes, { cokie: "s" })', () => new edge.Gate(sitee, [health], { cokie: "s" }), "invalid_argument");
    assertThrows('new Gate(v, routes, { tenantOf: "host" })', () => new edge.Gate(sitee, [health], { tenantOf: "host" }), "invalid_argument");
    const perRequest = new edge.Verifier(fx.catalog.sitee, { keys: [fx.keys.k1] }, { tenantPerRequest: true });
    assertThrows("tenantPerRequest verifier, Gate without tenantOf", () => new edge.Gate(perRequest, [health]), "invalid_argument");
    assertThrows("tenantPerRequest verifier, load() without a tenant", () => perRequest.load(fx.snap.ana), "invalid_argument");
  });
  await t.test("the Node example with TENANT unset does not start", async () => {
    const catalog = join(fx.tmp, "catalog.json");
    writeFileSync(catalog, JSON.stringify(fx.catalog.sitee));
    const env = { ...process.env, PORT: String(await freePort()), CATALOG: catalog, ROUTES: join(root, "routes/sitee.json"), JWKS_URL: "http://127.0.0.1:9/jwks" };
    delete env.TENANT;
    const child = spawn(process.execPath, [join(root, "examples/edge/node/server.mjs")], { env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    const code = await new Promise((ok) => {
      const timer = setTimeout(() => {
        child.kill("SIGTERM");
        ok("still running after 10 s");
      }, 10_000);
      child.on("exit", (c) => {
        clearTimeout(timer);
        ok(c);
      });
    });
    table.set("examples/edge/node/server.mjs with TENANT unset", "expected", "exits, invalid_argument");
    table.set("examples/edge/node/server.mjs with TENANT unset", "permsnap/edge", `exit ${code}`);
    assert.notEqual(code, 0, log);
    assert.notEqual(code, "still running after 10 s", log);
    assert.match(log, /invalid_argument|tenant/, log);
  });
});

// ---------------------------------------------------------------- 6. overlaps

test("6. overlapping rules throw when the table is compiled", async (t) => {
  const R = (methods, path, demand) => ({ ...(methods ? { methods } : {}), path, ...demand });
  const auth = { authenticated: true };
  const staff = { requires: ["staff.manage"] };
  const overlaps = {
    "{path:/x, authenticated} + {POST /x, requires}": [R(null, "/x", auth), R(["POST"], "/x", staff)],
    "{POST /x, requires} + {path:/x, authenticated}": [R(["POST"], "/x", staff), R(null, "/x", auth)],
    "/a/{id} vs /a/{x}": [R(["GET"], "/a/{id}", auth), R(["GET"], "/a/{x}", staff)],
    "/f/{*rest} vs /f/{*path}": [R(["GET"], "/f/{*rest}", auth), R(["GET"], "/f/{*path}", staff)],
    '["*"] vs ["DELETE"]': [R(["*"], "/x", auth), R(["DELETE"], "/x", staff)],
    '["GET"] vs ["HEAD"] (GET covers HEAD)': [R(["GET"], "/x", auth), R(["HEAD"], "/x", staff)],
    "/x vs /X (letter case)": [R(["GET"], "/x", auth), R(["POST"], "/X", staff)],
  };
  for (const [label, rules] of Object.entries(overlaps)) {
    await t.test(label, () => {
      assertThrows(`overlap ${label}`, () => new edge.Gate(sitee, [health, ...rules]), "invalid_policy");
    });
  }
  await t.test("controls: different methods, a specific route under a parameter", () => {
    assert.ok(new edge.Gate(sitee, [health, R(["GET"], "/x", auth), R(["POST"], "/x", staff)]));
    const g = new edge.Gate(sitee, [health, R(["GET"], "/a/{id}", auth), R(["GET"], "/a/new", staff)]);
    assert.equal(g.warnings.length, 1, "a less demanding general route is reported");
  });
});

// ---------------------------------------------------------------- 8. refresher

test("8. a Refresher needs a JWKS URL; its options are strict", async (t) => {
  for (const [label, options] of Object.entries({
    "{}": {},
    "no options": undefined,
    '{ jwksUrl: "" }': { jwksUrl: "" },
    "{ jwksURL }": { jwksURL: "http://127.0.0.1/jwks" },
    "{ jwksUrl, maxage: 5 }": { jwksUrl: "http://127.0.0.1/jwks", maxage: 5 },
    '{ jwksUrl, maxAge: "300" }': { jwksUrl: "http://127.0.0.1/jwks", maxAge: "300" },
    '{ jwksUrl, revocationsUrl: "" }': { jwksUrl: "http://127.0.0.1/jwks", revocationsUrl: "" },
    // No feed left unsaid: revocation would be off (attack review, session 12).
    "{ jwksUrl } (no revocationsUrl)": { jwksUrl: "http://127.0.0.1/jwks" },
    "{ jwksUrl, revocationsUrl: undefined }": { jwksUrl: "http://127.0.0.1/jwks", revocationsUrl: undefined },
  })) {
    await t.test(label, () => {
      assertThrows(`new Refresher(v, ${label})`, () => new edge.Refresher(sitee, options), "invalid_argument");
    });
  }
  // A verifier with maxFeedAge refuses every snapshot until a feed is
  // applied: a refresher without a feed, or one fetching it less often
  // than it goes stale, would answer 503 for good or at every turn.
  const fed = new edge.Verifier(fx.catalog.sitee, { keys: [fx.keys.k1] }, { tenant: "spa-lumi", maxFeedAge: 120 });
  for (const [label, options] of Object.entries({
    "{ jwksUrl, revocationsUrl: null }": { jwksUrl: "http://127.0.0.1/jwks", revocationsUrl: null },
    "{ jwksUrl, revocationsUrl } (maxAge 300 by default)": { jwksUrl: "http://127.0.0.1/jwks", revocationsUrl: "http://127.0.0.1/feed" },
    "{ jwksUrl, revocationsUrl, maxAge: 120 }": { jwksUrl: "http://127.0.0.1/jwks", revocationsUrl: "http://127.0.0.1/feed", maxAge: 120 },
  })) {
    await t.test(`maxFeedAge 120, ${label}`, () => {
      assertThrows(`new Refresher(v with maxFeedAge 120, ${label})`, () => new edge.Refresher(fed, options), "invalid_argument");
    });
  }
  await t.test("control: maxAge below maxFeedAge", () => {
    assert.ok(new edge.Refresher(fed, { jwksUrl: "http://127.0.0.1/jwks", revocationsUrl: "http://127.0.0.1/feed", maxAge: 60 }));
  });
});

test("8b. guard options: a misspelt, undefined or fake option throws (the subject binding cannot be switched off by a typo)", async (t) => {
  const gate = new edge.Gate(sitee, { routes: [{ methods: ["GET"], path: "/api/x", authenticated: true }] });
  const fakeRefresher = { usable: true, ensureFresh() {}, onUnknownKey() {}, onStaleFeed() {} };
  for (const [label, options] of Object.entries({
    "{ signedin }": { signedin: () => null },
    "{ signedIn: undefined } (a misspelt variable)": { signedIn: undefined },
    "{ refresher: undefined }": { refresher: undefined },
    '{ signedIn: "user" }': { signedIn: "user" },
    "{ refresher: a look-alike object }": { refresher: fakeRefresher },
    "a look-alike object instead of a Refresher": Object.assign(Object.create({ kind: "fake" }), fakeRefresher),
  })) {
    for (const [name, make] of [["nodeGuard", edge.nodeGuard], ["honoGuard", edge.honoGuard]]) {
      await t.test(`${name}(gate, ${label})`, () => {
        assertThrows(`${name}(gate, ${label})`, () => make(gate, options), "invalid_argument");
      });
    }
    await t.test(`guard(gate, request, ${label})`, async () => {
      await assert.rejects(edge.guard(gate, new Request("http://x/api/x"), options), (e) => e.code === "invalid_argument");
    });
  }
});

// ---------------------------------------------------------------- 9. entries

test("9. a Gate given a Verifier of the browser entry: clear PermsnapError, instanceof across entries", () => {
  const browserVerifier = new web.Verifier(fx.catalog.sitee, { keys: [fx.keys.k1] }, { tenant: "spa-lumi" });
  const e = assertThrows("new Gate(Verifier from `permsnap`, routes)", () => new edge.Gate(browserVerifier, [health]), "invalid_argument");
  assert.match(e.message, /permsnap\/edge/);
  assert.ok(e instanceof web.PermsnapError, "edge error instanceof browser PermsnapError");
  assert.ok(e instanceof edge.PermsnapError);
  assert.ok(e instanceof Error);
  let browserError;
  try {
    browserVerifier.load("garbage!");
  } catch (err) {
    browserError = err;
  }
  assert.ok(browserError instanceof edge.PermsnapError, "browser error instanceof edge PermsnapError");
  assert.equal(browserError.code, "bad_encoding");
  assertThrows("new Gate({}, routes)", () => new edge.Gate({}, [health]), "invalid_argument");
  table.set("edge error instanceof browser PermsnapError (and back)", "expected", "true");
  table.set("edge error instanceof browser PermsnapError (and back)", "permsnap/edge", String(e instanceof web.PermsnapError && browserError instanceof edge.PermsnapError));
});
