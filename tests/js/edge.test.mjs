// permsnap/edge through the built package, without a runtime: the gate's
// decisions, the JSON denial, and the Refresher against a fake fetch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const edge = await import("../../pkg/edge/node.js");
const vectors = JSON.parse(readFileSync(new URL("../../vectors/vectors.json", import.meta.url), "utf8"));
const routes = JSON.parse(readFileSync(new URL("../../routes/sitee.json", import.meta.url), "utf8"));
const dia = vectors.cases.find((c) => c.name === "sitee/dia");
const tampered = dia.snapshot.slice(0, 50) + (dia.snapshot[50] === "A" ? "B" : "A") + dia.snapshot.slice(51);

function setup(jwks = vectors.key.jwks) {
  const verifier = new edge.Verifier(vectors.catalogs.sitee, jwks, { tenant: "spa-lumi", clock: () => dia.now });
  return { verifier, gate: new edge.Gate(verifier, routes) };
}
const req = (method, path, snapshot, cookie) =>
  new Request(`http://edge.test${path}`, { method, headers: { ...(snapshot ? { authorization: `Permsnap ${snapshot}` } : {}), ...(cookie ? { cookie } : {}) } });

test("gate decisions and JSON denials", async () => {
  const { gate } = setup();
  assert.deepEqual(gate.check(req("GET", "/api/campaigns?x=1", dia.snapshot)), { status: 200, code: "ok", message: "allowed", route: "/api/campaigns", subject: "dia", tenant: "spa-lumi" });
  const d = gate.check(req("GET", "/api/payments", dia.snapshot));
  assert.deepEqual([d.status, d.code, d.permission, d.reason], [403, "forbidden", "payments.view", "not_granted"]);
  const r = edge.denial(d);
  assert.equal(r.status, 403);
  assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal((await r.json()).error.permission, "payments.view");
  const u = edge.denial(gate.check(req("GET", "/api/payments", tampered)));
  assert.equal(u.status, 401);
  assert.match(u.headers.get("www-authenticate"), /^Permsnap/);
  assert.equal((await u.json()).error.code, "bad_signature");
  assert.equal(gate.check(req("GET", "/api/campaigns", null, `a=b; permsnap=${dia.snapshot}`)).status, 200);
  assert.equal(gate.checkParts("get", "/api/campaigns", `Permsnap ${dia.snapshot}`, null).status, 200);
  assert.throws(() => new edge.Gate(setup().verifier, [{ path: "/x", requires: ["nope"] }]), (e) => e instanceof edge.PermsnapError && e.code === "invalid_policy");
  // Routes are read strictly: a wrong type, an unknown (misspelt) key or a
  // route demanding nothing is refused, never read as "no requirement".
  assert.throws(() => new edge.Gate(setup().verifier, [{ path: 5 }]), (e) => e.code === "invalid_policy");
  assert.throws(() => new edge.Gate(setup().verifier, [{ path: "/x", require: ["payments.view"] }]), (e) => e.code === "invalid_policy");
  assert.throws(() => new edge.Gate(setup().verifier, [{ path: "/x" }]), (e) => e.code === "invalid_policy");
});

test("Refresher: loads keys, backs off after a failure, reports it, keeps what it had", async () => {
  const { verifier, gate } = setup({ keys: [] });
  let now = 0;
  let calls = 0;
  let up = true;
  const errors = [];
  const fetch = async (url) => {
    calls++;
    if (!up) return new Response("down", { status: 503 });
    return Response.json(url.endsWith("/jwks") ? vectors.key.jwks : { notices: [] });
  };
  const refresher = new edge.Refresher(verifier, { jwksUrl: "http://k/jwks", revocationsUrl: "http://k/rev", maxAge: 60, minInterval: 10, fetch, now: () => now, onError: (e) => errors.push(e) });
  // No key at all: the gate cannot decide (503), it does not guess.
  const keyless = gate.check(req("GET", "/api/campaigns", dia.snapshot));
  assert.deepEqual([keyless.status, keyless.code], [503, "unavailable"]);
  assert.equal((await edge.guard(gate, req("GET", "/api/campaigns", dia.snapshot), refresher)).status, 200);
  assert.equal(calls, 2);
  now = 61_000;
  up = false;
  assert.equal((await edge.guard(gate, req("GET", "/api/campaigns", dia.snapshot), refresher)).status, 200, "keeps the keys it had");
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, "unavailable");
  const before = calls;
  now += 5_000;
  await edge.guard(gate, req("GET", "/api/campaigns", dia.snapshot), refresher);
  assert.equal(calls, before, "no new fetch within minInterval after a failure");
  now += 6_000;
  up = true;
  await edge.guard(gate, req("GET", "/api/campaigns", dia.snapshot), refresher);
  assert.equal(calls, before + 2, "tries again after minInterval");
  // Down for longer than maxStale (default 3600 s): what it had is no longer trusted.
  up = false;
  now += 3_601_000;
  const stale = await edge.guard(gate, req("GET", "/api/campaigns", dia.snapshot), refresher);
  assert.deepEqual([stale.status, stale.code], [503, "unavailable"]);
});

test("Refresher: one bad notice never keeps the others out, even when onError throws", async () => {
  // Found by a second review: a throwing onError stopped the notice loop.
  const { verifier, gate } = setup();
  const forged = vectors.notices.refused.find((r) => r.error === "bad_signature").notice;
  const retired = vectors.notices.refused.find((r) => r.error === "unknown_key").notice;
  const fetch = async (url) =>
    Response.json(url.endsWith("/jwks") ? vectors.key.jwks : { notices: [forged, retired, ...vectors.notices.apply] });
  let reported = 0;
  const refresher = new edge.Refresher(verifier, {
    jwksUrl: "http://k/jwks", revocationsUrl: "http://k/rev", fetch,
    onError: () => { reported++; throw new Error("a careless onError"); },
  });
  await assert.rejects(refresher.ready(), (e) => e.code === "unavailable");
  assert.ok(reported >= 2, `each unverifiable notice is reported (${reported})`);
  // The good notice for this account applied (dia is revoked in the vectors);
  // the other account's notice was skipped, not an error.
  const d = gate.check(req("GET", "/api/campaigns", dia.snapshot));
  assert.deepEqual([d.status, d.code], [401, "revoked"]);
  // A feed with an unverifiable notice is not a complete load: guard() says 503.
  const g = await edge.guard(gate, req("GET", "/api/campaigns", dia.snapshot), refresher);
  assert.deepEqual([g.status, g.code], [503, "unavailable"]);
});

test("nodeGuard decides on what Express routes next: mount path and rewrites", async () => {
  // The Sitee table plus a public SPA fallback: a path the gate misreads
  // would fall to it and pass.
  const { verifier } = setup();
  const gate = new edge.Gate(verifier, { routes: [...routes.routes, { path: "/{*rest}", public: true }] });
  const run = (req) => new Promise((resolve) => {
    const res = { writeHead: (status) => resolve(status), end: () => {} };
    edge.nodeGuard(gate)(req, res, () => resolve(200));
  });
  const headers = { authorization: `Permsnap ${dia.snapshot}` };
  // Mounted at /api: req.url lacks the mount path.
  assert.equal(await run({ method: "GET", baseUrl: "/api", url: "/payments", originalUrl: "/api/payments", headers }), 403);
  assert.equal(await run({ method: "GET", baseUrl: "/api", url: "/campaigns", originalUrl: "/api/campaigns", headers }), 200);
  // A rewrite before the gate (`/fr/api/payments` -> `/api/payments`).
  assert.equal(await run({ method: "GET", baseUrl: "", url: "/api/payments", originalUrl: "/fr/api/payments", headers }), 403);
  // Mounted at /api/campaigns, a request for exactly that path.
  assert.equal(await run({ method: "GET", baseUrl: "/api/campaigns", url: "/", originalUrl: "/api/campaigns", headers }), 200);
});
