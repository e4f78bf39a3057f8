// Attack suite behind Express 5 (issue #10): permsnap's nodeGuard in front
// of real Express handlers, with Express's lenient defaults (case-insensitive
// routing, trailing slash ignored) -- the backend the attacks were found on.
import { test } from "node:test";
import assert from "node:assert/strict";
import express from "express";
import { readFileSync } from "node:fs";
import { attackSuite, edge } from "./suite.mjs";
import { routes, origins, assertShut, raw, echoDecision } from "./fixtures.mjs";

/** `{id}` -> `:id`; `{*rest}` is Express 5's own optional wildcard. */
const expressPath = (p) => p.replace(/\{(\w+)\}/g, ":$1");

/** Like the `method-override` package: a POST becomes the method named by
 *  the X-HTTP-Method-Override header, the `_method` query parameter or the
 *  `_method` field of a form body. The header is read as a backend behind a
 *  CGI-style gateway reads it (PHP, WSGI, Rack): `X_HTTP_Method_Override`
 *  is the same variable (attack review, session 23). */
function methodOverride(req, _res, next) {
  if (req.method === "POST") {
    const header = Object.keys(req.headers).find((k) => k.replace(/_/g, "-") === "x-http-method-override");
    const m = (header && req.headers[header]) ?? req.query?._method ?? req.body?._method;
    if (typeof m === "string" && m !== "") req.method = m.toUpperCase();
  }
  next();
}

function handlers(router, origin, hits) {
  for (const o of origin) {
    router[o.method.toLowerCase()](expressPath(o.path), (req, res) => {
      hits.push(o);
      // `echoHost`: the account the app serves, from Express's own idea of
      // the host (req.hostname: the Host header).
      const host = o.echoHost ? ` of ${req.hostname}` : "";
      // `echoDecision`: what nodeGuard handed the handler (`req.permsnap`).
      const seen = o.echoDecision ? echoDecision(req.permsnap) : "";
      res.status(200).type("text/plain").send(o.secret ? `SECRET ${o.name}${host}${seen}` : `page ${o.name}`);
    });
  }
}

async function listen(app, hits) {
  app.use((_req, res) => res.status(404).type("text/plain").send("express: not found"));
  app.use((err, _req, res, _next) => res.status(500).type("text/plain").send(`express error: ${err}`));
  const server = await new Promise((ok) => {
    const s = app.listen(0, "127.0.0.1", () => ok(s));
  });
  return { port: server.address().port, hits, close: () => new Promise((ok) => server.close(ok)) };
}

const adapter = {
  name: "express",
  async start({ gate, refresher, origin, override, signedIn }) {
    const hits = [];
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    if (override === "before") app.use(methodOverride);
    // `signedIn(user)`: the app's own session, here the `x-user` header.
    app.use(edge.nodeGuard(gate, signedIn ? { refresher, signedIn: (req) => signedIn(req.headers["x-user"]) } : refresher));
    if (override === "after") app.use(methodOverride);
    handlers(app, origin, hits);
    return listen(app, hits);
  },
};

const ctx = attackSuite(adapter);

test("express: a guard mounted on /api gates /api/payments, not /payments", async (t) => {
  const { fx } = ctx;
  const mounts = {
    "app.use('/api', guard)": (guard, hits) => {
      const app = express();
      app.use("/api", guard);
      handlers(app, origins.sitee, hits);
      return app;
    },
    "Router mounted on /api, guard inside": (guard, hits) => {
      const app = express();
      const api = express.Router();
      api.use(guard);
      handlers(api, origins.sitee.filter((o) => o.path.startsWith("/api/")).map((o) => ({ ...o, path: o.path.slice(4) })), hits);
      app.use("/api", api);
      return app;
    },
    "sub-app mounted on /api, guard inside": (guard, hits) => {
      const app = express();
      const api = express();
      api.use(guard);
      handlers(api, origins.sitee.filter((o) => o.path.startsWith("/api/")).map((o) => ({ ...o, path: o.path.slice(4) })), hits);
      app.use("/api", api);
      return app;
    },
  };
  for (const [how, build] of Object.entries(mounts)) {
    await t.test(how, async () => {
      const { gate, refresher } = ctx.makeEdge({ table: routes.siteeSpa });
      const hits = [];
      const server = await listen(build(edge.nodeGuard(gate, refresher), hits), hits);
      const call = async (method, path, opts) => {
        hits.length = 0;
        const r = await raw(server.port, method, path, opts);
        r.hits = [...hits];
        return r;
      };
      try {
        let r = await call("GET", "/api/payments", { snapshot: fx.snap.dia });
        ctx.row(`GET /api/payments as dia, ${how}`, "403 forbidden payments.view", { status: r.status, code: `${r.code} ${r.json?.error?.permission}` });
        assertShut(r, r.hits, how);
        assert.deepEqual([r.status, r.code, r.json.error.permission, r.json.error.route], [403, "forbidden", "payments.view", "/api/payments"]);
        r = await call("GET", "/api/payments", { snapshot: fx.snap.cam });
        assert.deepEqual([r.status, r.body], [200, "SECRET payments"]);
        for (const path of ["/api/Payments", "/API/payments", "/api/payments/"]) {
          r = await call("GET", path, { snapshot: fx.snap.dia });
          ctx.row(`GET ${path} as dia, ${how}`, "400 ambiguous_path", r);
          assertShut(r, r.hits, `${how} ${path}`);
          assert.deepEqual([r.status, r.code], [400, "ambiguous_path"], r.body);
        }
      } finally {
        await server.close();
      }
    });
  }
});

test("express: a typo'd key beside a real demand must not reach the orders handler", async () => {
  // `require` (for `requires`) next to `app`: the rule still demands
  // something, so only the unknown-key check can catch the typo.
  const { fx } = ctx;
  const table = { routes: [{ path: "/health", public: true }, { methods: ["GET"], path: "/ecom/orders", app: "ecom", require: ["ecom.orders"] }, { methods: ["GET"], path: "/ecom/{*rest}", app: "ecom" }] };
  let e;
  try {
    e = ctx.makeEdge({ catalog: "lightspeed", tenant: { tenant: "velo-qc" }, table });
  } catch (err) {
    ctx.row("new Gate with { app: 'ecom', require: [...] } (typo beside a demand)", "throws invalid_policy", { status: "throws", code: err.code });
    assert.equal(err.code, "invalid_policy");
    return;
  }
  const hits = [];
  const app = express();
  app.use(edge.nodeGuard(e.gate, e.refresher));
  handlers(app, origins.lightspeed, hits);
  const server = await listen(app, hits);
  try {
    const r = await raw(server.port, "GET", "/ecom/orders", { snapshot: fx.ls.ivy });
    ctx.row("new Gate with { app: 'ecom', require: [...] } (typo beside a demand)", "throws invalid_policy", { status: `accepted; ivy GET /ecom/orders: ${r.status}`, code: r.body });
    assertShut(r, hits, "typo'd rule");
  } finally {
    await server.close();
  }
});

// An absolute-form target whose port is not a number (`GET http://h:x/health`,
// `Host: h:x`): the gate read the path `/health` (public) while Express,
// through `url.parse`, routed `/:x/health` to a protected catch-all (attack
// review, session 15). Now refused before anything: 400 ambiguous_host.
/** A verifier of the committed Sitee vectors (no snapshot is needed here). */
function ctxVerifier() {
  const vectors = JSON.parse(readFileSync(new URL("../../vectors/vectors.json", import.meta.url), "utf8"));
  return new edge.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi" });
}

test("express: an absolute-form target with a junk port reaches no handler", async () => {
  const { port, close, hits } = await adapter.start({
    gate: new edge.Gate(ctxVerifier(), [{ path: "/health", public: true }, { path: "/{*rest}", authenticated: true }]),
    origin: [
      { method: "GET", path: "/health", name: "health" },
      { method: "GET", path: "/{*rest}", name: "catch-all", secret: true },
    ],
  });
  try {
    for (const [target, host] of [["http://h:x/health", "h:x"], ["http://127.0.0.1:1x/health", "127.0.0.1:1x"], ["http://a@h/health", "a@h"], ["http://h%41/health", "h%41"]]) {
      const r = await raw(port, "GET", target, { headers: { host } });
      assert.equal(r.status, 400, `${target}: ${r.body}`);
      assertShut(r, hits, target);
    }
    // A plain absolute-form target to this host still works, an empty port
    // too (valid, and Deno passes `host:` on).
    for (const host of [`127.0.0.1:${port}`, "127.0.0.1:"]) {
      const ok = await raw(port, "GET", `http://${host}/health`, { headers: { host } });
      assert.equal(ok.status, 200, `${host}: ${ok.body}`);
    }
  } finally {
    await close();
  }
});
