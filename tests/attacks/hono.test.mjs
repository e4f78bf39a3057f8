// Attack suite behind Hono served by @hono/node-server (issue #10):
// permsnap's honoGuard in front of real Hono handlers, with Hono's own
// method-override middleware (header, `_method` query, `_method` form field).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { methodOverride } from "hono/method-override";
import { serve } from "@hono/node-server";
import { attackSuite, edge } from "./suite.mjs";
import { routes, origins, assertShut, raw, echoDecision } from "./fixtures.mjs";

/** `{id}` -> `:id`; `{*rest}` -> `*`. */
const honoPath = (p) => p.replace(/\{\*\w+\}/g, "*").replace(/\{(\w+)\}/g, ":$1");

function handlers(app, origin, hits) {
  for (const o of origin) {
    app.on(o.method, honoPath(o.path), (c) => {
      hits.push(o);
      // `echoHost`: the account the app serves, from Hono's own idea of the
      // host (the request URL's).
      const host = o.echoHost ? ` of ${new URL(c.req.url).hostname}` : "";
      // `echoDecision`: what honoGuard handed the handler (`c.get("permsnap")`).
      const seen = o.echoDecision ? echoDecision(c.get("permsnap")) : "";
      return c.text(o.secret ? `SECRET ${o.name}${host}${seen}` : `page ${o.name}`);
    });
  }
  app.notFound((c) => c.text("hono: not found", 404));
  app.onError((err, c) => c.text(`hono error: ${err}`, 500));
}

async function listen(app, hits) {
  const server = await new Promise((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => ok(s));
  });
  return { port: server.address().port, hits, close: () => new Promise((ok) => server.close(ok)) };
}

const overrides = (app) => [
  methodOverride({ app, header: "X-HTTP-Method-Override" }),
  methodOverride({ app, query: "_method" }),
  methodOverride({ app }), // `_method` form field
];

const adapter = {
  name: "hono",
  async start({ gate, refresher, origin, override, signedIn }) {
    const hits = [];
    const app = new Hono();
    if (override === "before") for (const m of overrides(app)) app.use("*", m);
    // `signedIn(user)`: the app's own session, here the `x-user` header.
    app.use("*", edge.honoGuard(gate, signedIn ? { refresher, signedIn: (c) => signedIn(c.req.header("x-user")) } : refresher));
    if (override === "after") for (const m of overrides(app)) app.use("*", m);
    handlers(app, origin, hits);
    return listen(app, hits);
  },
  // @hono/node-server builds the request URL with `new URL` when the target
  // has a dot segment or a character outside its fast-path set (`%`...),
  // which resolves `.`, `..`, `%2e` (and refuses a `\\` itself): the gate
  // then sees the resolved path -- the one Hono routes.
  rewrites(path) {
    if (path.startsWith("http")) return null;
    if (path.includes("\\")) return { expect: "400", why: "@hono/node-server refuses `\\`" };
    const resolved = new URL(`http://x${path}`).pathname;
    if (resolved === path) return null;
    const canonical = resolved === "/ecom/orders" || resolved === "/api/payments";
    return { expect: canonical ? "403 forbidden" : "400 ambiguous_path", why: `@hono/node-server resolves it to ${resolved}` };
  },
};

const ctx = attackSuite(adapter);

test("hono: a guard in a sub-app routed on /api gates /api/payments", async () => {
  const { fx } = ctx;
  const { gate, refresher } = ctx.makeEdge({ table: routes.siteeSpa });
  const hits = [];
  const app = new Hono();
  const api = new Hono();
  api.use("*", edge.honoGuard(gate, refresher));
  handlers(api, origins.sitee.filter((o) => o.path.startsWith("/api/")).map((o) => ({ ...o, path: o.path.slice(4) })), hits);
  app.route("/api", api);
  const server = await listen(app, hits);
  try {
    let r = await raw(server.port, "GET", "/api/payments", { snapshot: fx.snap.dia });
    ctx.row("GET /api/payments as dia, app.route('/api', sub-app with guard)", "403 forbidden payments.view", { status: r.status, code: `${r.code} ${r.json?.error?.permission}` });
    assertShut(r, hits, "sub-app");
    assert.deepEqual([r.status, r.code, r.json.error.route], [403, "forbidden", "/api/payments"]);
    r = await raw(server.port, "GET", "/api/%70ayments", { snapshot: fx.snap.dia });
    ctx.row("GET /api/%70ayments as dia, app.route('/api', sub-app with guard)", "400 bad_path", r);
    assertShut(r, hits, "sub-app %70");
    assert.deepEqual([r.status, r.code], [400, "bad_path"]);
    hits.length = 0;
    r = await raw(server.port, "GET", "/api/payments", { snapshot: fx.snap.cam });
    assert.deepEqual([r.status, r.body], [200, "SECRET payments"]);
  } finally {
    await server.close();
  }
});
