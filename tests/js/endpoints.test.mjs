// permsnap/issuer's snapshot endpoints behind real Express and Hono apps and
// as a fetch handler: who gets a snapshot, the cookie the edge reads, what
// the page may read of a refusal, the freshness echo, strict options; and a
// page's session (URL mode) against the Express endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import express from "express";
import { Hono } from "hono";
import { root, pkg, vectors } from "./helpers.mjs";

const { Issuer, generateKey, expressSnapshot, honoSnapshot, snapshotHandler } = await import(new URL("../../pkg/issuer/node.js", import.meta.url));

const policy = JSON.parse(readFileSync(`${root}presets/sitee.json`, "utf8"));
const key = generateKey({ kid: "endpoint-test" });
const issuer = new Issuer(policy.catalog, key.privateJwk);
issuer.setAccount(policy.tenant, policy.roles);
const records = Object.fromEntries(policy.staff.map(({ name, ...r }) => [r.id, r]));
/** The app's session: the `x-user` header names who is signed in. */
const staffOf = (user) => (user ? { tenant: policy.tenant, record: records[user] ?? { id: user, roles: ["nope"] } } : null);
const FRESH = "0123456789abcdef0123456789abcdef";

async function listen(app) {
  const server = await new Promise((ok) => { const s = app.listen(0, "127.0.0.1", () => ok(s)); });
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/** The same checks for each framework: `call(user, headers)` -> Response. */
async function checkEndpoint(call, refused) {
  let res = await call("fay", { "permsnap-fresh": FRESH });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const body = await res.json();
  assert.deepEqual(Object.keys(body).sort(), ["expiresAt", "fresh", "id", "idLists", "issuedAt", "snapshot"], "no warnings for the page");
  assert.equal(body.fresh, FRESH);
  assert.equal(res.headers.get("set-cookie"), `permsnap=${body.snapshot}; Max-Age=900; Path=/; HttpOnly; Secure; SameSite=Strict`);
  const v = new pkg.Verifier(vectors.catalogs.sitee, key.jwks, { tenant: policy.tenant });
  assert.equal(v.load(body.snapshot).subject, "fay");
  // A malformed token is not echoed.
  res = await call("fay", { "permsnap-fresh": "short" });
  assert.equal((await res.json()).fresh, undefined);
  // Nobody signed in: 401, cookie cleared.
  res = await call(null, {});
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, "no_snapshot");
  assert.match(res.headers.get("set-cookie"), /^permsnap=; Max-Age=0; /);
  // A deactivated person, a broken record: 403 with the code, no internals.
  res = await call("gus", {});
  assert.equal(res.status, 403);
  assert.deepEqual((await res.json()).error, { code: "deactivated", message: "this staff account is deactivated" });
  res = await call("ghost", {});
  const e = (await res.json()).error;
  assert.equal(e.code, "unknown_role");
  assert.doesNotMatch(e.message, /nope/, "role ids stay on the server");
  assert.deepEqual(refused.splice(0), ["deactivated", "unknown_role"], "the app's log hears why");
}

test("Express: expressSnapshot issues for the signed-in person and sets the edge's cookie", async (t) => {
  const refused = [];
  const app = express();
  app.get("/api/permsnap", expressSnapshot({ issuer, staff: (req) => staffOf(req.headers["x-user"]), onRefused: (e) => refused.push(e.code) }));
  const s = await listen(app);
  t.after(s.close);
  await checkEndpoint((user, headers) => fetch(`${s.url}/api/permsnap`, { headers: { ...headers, ...(user ? { "x-user": user } : {}) } }), refused);
});

test("Hono and fetch handlers: the same answers", async () => {
  const refused = [];
  const app = new Hono();
  app.get("/api/permsnap", honoSnapshot({ issuer, staff: (c) => staffOf(c.req.header("x-user")), onRefused: (e) => refused.push(e.code) }));
  await checkEndpoint((user, headers) => app.request("/api/permsnap", { headers: { ...headers, ...(user ? { "x-user": user } : {}) } }), refused);
  const handler = snapshotHandler({ issuer, staff: (r) => staffOf(r.headers.get("x-user")), onRefused: (e) => refused.push(e.code) });
  await checkEndpoint((user, headers) => handler(new Request("http://x/api/permsnap", { headers: { ...headers, ...(user ? { "x-user": user } : {}) } })), refused);
});

test("nobody (any falsy staff()) is signed out, and a refusal goes out even when the app's callback throws (attack review, session 13)", async () => {
  // `req.user && { ... }` gives `undefined`, `false`, `0` or `""`; a throw
  // there answered 500, which a page reads as "try again later".
  for (const nobody of [undefined, false, 0, "", { tenant: undefined, record: undefined }, { tenant: policy.tenant, record: null }, { tenant: policy.tenant, record: false }, { tenant: policy.tenant, record: "" }]) {
    const handler = snapshotHandler({ issuer, staff: () => nobody });
    const res = await handler(new Request("http://x/api/permsnap"));
    assert.equal(res.status, 401, String(nobody));
    assert.match(res.headers.get("set-cookie"), /^permsnap=; Max-Age=0; /);
  }
  // A logger that throws on a refusal (gus is deactivated) or on warnings.
  const throwing = () => { throw new Error("logger down"); };
  const refusing = snapshotHandler({ issuer, staff: () => staffOf("gus"), onRefused: throwing });
  let res = await refusing(new Request("http://x/api/permsnap"));
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error.code, "deactivated");
  assert.match(res.headers.get("set-cookie"), /^permsnap=; Max-Age=0; /);
  let heard = 0;
  const warned = snapshotHandler({
    issuer,
    // Granted and removed at once: warned `grant_and_remove`.
    staff: () => ({ tenant: policy.tenant, record: { ...records.fay, grant: ["payments.view"] } }),
    onWarnings: () => { heard++; throwing(); },
  });
  res = await warned(new Request("http://x/api/permsnap"));
  assert.equal(res.status, 200);
  assert.equal(heard, 1);
  // An `async` logger that rejects: the answer stands, and no unhandled
  // rejection (which ends a Node server) follows.
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    const rejecting = async () => { throw new Error("logger down"); };
    res = await snapshotHandler({ issuer, staff: () => staffOf("gus"), onRefused: rejecting })(new Request("http://x/api/permsnap"));
    assert.equal(res.status, 403);
    res = await snapshotHandler({ ...{ issuer }, staff: () => ({ tenant: policy.tenant, record: { ...records.fay, grant: ["payments.view"] } }), onWarnings: rejecting })(new Request("http://x/api/permsnap"));
    assert.equal(res.status, 200);
    await new Promise((ok) => setTimeout(ok, 50));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});

test("a staff() that throws (req.user.tenant with nobody signed in) answers 500 and clears the cookie, in every framework (attack review, session 14)", async () => {
  const staff = (req) => ({ tenant: req.user.tenant, record: req.user });
  const log = console.error;
  const logged = [];
  console.error = (...a) => logged.push(a);
  try {
    // fetch runtimes: the answer itself, the error in the log.
    const res = await snapshotHandler({ issuer, staff })(new Request("http://x/api/permsnap"));
    assert.equal(res.status, 500);
    assert.match(res.headers.get("set-cookie"), /^permsnap=; Max-Age=0; /);
    assert.equal(logged.length, 1);
  } finally {
    console.error = log;
  }
  // Express: to the app's error handler, with the cookie cleared.
  const app = express();
  app.get("/api/permsnap", expressSnapshot({ issuer, staff }));
  app.use((err, req, res, next) => res.status(500).json({ failed: err instanceof TypeError }));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((ok) => server.once("listening", ok));
  try {
    const res = await fetch(`http://127.0.0.1:${server.address().port}/api/permsnap`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { failed: true });
    assert.match(res.headers.get("set-cookie"), /^permsnap=; Max-Age=0; /);
  } finally {
    server.close();
  }
  // Hono: answered by the endpoint (an onError building its own Response
  // would drop the clearing), the error in the log.
  const hono = new Hono();
  hono.get("/api/permsnap", honoSnapshot({ issuer, staff: (c) => staff({ user: c.get("user") }) }));
  hono.onError(() => new Response("custom", { status: 500 }));
  const silent = console.error;
  console.error = () => {};
  try {
    const res = await hono.request("/api/permsnap");
    assert.equal(res.status, 500);
    assert.match(res.headers.get("set-cookie") ?? "", /^permsnap=; Max-Age=0; /);
  } finally {
    console.error = silent;
  }
});

test("endpoint options are strict", () => {
  const bad = (o) => assert.throws(() => expressSnapshot({ issuer, staff: () => null, ...o }), (e) => e.code === "invalid_argument", JSON.stringify(o));
  bad({ stuff: () => null });
  bad({ lifetime: "900" });
  bad({ lifetime: 1e9 });
  bad({ cookie: { name: "perm snap" } });
  bad({ cookie: { path: "x" } });
  bad({ cookie: { path: "/; Domain=evil" } });
  bad({ cookie: { sameSite: "None", secure: false } });
  bad({ cookie: { samesite: "Lax" } });
  // What browsers drop without a word (attack review, session 14).
  bad({ cookie: { name: "__Host-ps", path: "/api" } });
  bad({ cookie: { name: "__Host-ps", domain: "example.test" } });
  bad({ cookie: { name: "__Host-ps", secure: false, sameSite: "Lax" } });
  bad({ cookie: { name: "__Secure-ps", secure: false, sameSite: "Lax" } });
  bad({ cookie: { name: "__secure-ps", secure: false, sameSite: "Lax" } });
  bad({ cookie: { domain: "." } });
  bad({ cookie: { domain: ".example.test" } });
  bad({ cookie: { domain: "example.test." } });
  assert.equal(typeof expressSnapshot({ issuer, staff: () => null, cookie: { name: "__Host-permsnap" } }), "function");
  assert.throws(() => expressSnapshot({ staff: () => null }), (e) => e.code === "invalid_argument");
  const lax = expressSnapshot({ issuer, staff: () => null, cookie: { name: "ps", path: "/app", sameSite: "Lax", domain: "example.test" } });
  assert.equal(typeof lax, "function");
});

test("a page's session on the endpoint's URL takes the server's clock from a fresh answer", async (t) => {
  const realNow = Date.now;
  // The server's clock is right; the page's device (same process here) is not.
  const server = new Issuer(policy.catalog, key.privateJwk, { clock: () => realNow() / 1000 });
  server.setAccount(policy.tenant, policy.roles);
  const app = express();
  app.get("/api/permsnap", expressSnapshot({ issuer: server, staff: () => staffOf("fay"), cookie: false }));
  const s = await listen(app);
  t.after(s.close);
  t.after(() => { Date.now = realNow; });
  Date.now = () => realNow() + 3_600_000; // the device an hour ahead
  const session = pkg.createSession({ catalog: vectors.catalogs.sitee, jwks: key.jwks, tenant: policy.tenant, fetchSnapshot: `${s.url}/api/permsnap` });
  const p = await session.ready;
  assert.equal(p.error, null);
  assert.equal(p.can("calendar.view"), true);
  assert.ok(Math.abs(session.serverNow() - realNow() / 1000) < 5);
  session.close();
});

test("a record given as a promise (an async database) is awaited, a rejected one answers 500; an answer that cannot be written, or a cookie domain Node cannot send, never ends the process (attack review, session 16)", async () => {
  // `record: db.staffRow(id)` with an async driver.
  const ok = await snapshotHandler({ issuer, staff: () => ({ tenant: policy.tenant, record: Promise.resolve(records.fay) }) })(new Request("http://x/api/permsnap"));
  assert.equal(ok.status, 200);
  assert.ok((await ok.json()).snapshot);
  const log = console.error;
  const logged = [];
  console.error = (...a) => logged.push(a);
  try {
    // The database down: a failure (500, cookie cleared), not a refusal
    // nor an unhandled rejection.
    const down = await snapshotHandler({ issuer, staff: () => ({ tenant: policy.tenant, record: Promise.reject(new Error("ECONNREFUSED")) }) })(new Request("http://x/api/permsnap"));
    assert.equal(down.status, 500);
    assert.match(down.headers.get("set-cookie"), /^permsnap=; Max-Age=0; /);
    // Another middleware answered first (a timeout): writing throws
    // ERR_HTTP_HEADERS_SENT; logged, the process goes on.
    const app = express();
    app.get("/api/permsnap", (req, res, next) => { res.status(503).end("timeout"); next(); }, expressSnapshot({ issuer, staff: () => staffOf("fay") }));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((done) => server.once("listening", done));
    try {
      const res = await fetch(`http://127.0.0.1:${server.address().port}/api/permsnap`);
      assert.equal(res.status, 503);
      await new Promise((done) => setTimeout(done, 50));
      assert.ok(logged.some((a) => String(a[0]).includes("expressSnapshot")), "logged");
    } finally {
      server.close();
    }
  } finally {
    console.error = log;
  }
  // A domain Node cannot put in a header: refused when the options are read.
  for (const domain of ["例え.jp", "exämple.test", "a b.test"]) {
    assert.throws(() => expressSnapshot({ issuer, staff: () => null, cookie: { domain } }), (e) => e.code === "invalid_argument", domain);
  }
});
