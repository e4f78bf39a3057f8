// What an app's odd input cannot do (from an attack review of session 11):
// an `Object.prototype` polluted elsewhere in the page, values that are not
// plain data (a `Map`, a getter, a proxy that throws), wrong argument types,
// an options object given as an extra argument, JWKS keys published for
// other operations. Each is refused with a typed error, or fails closed,
// and the instance keeps working. Runs on the build Node gets (sync) and,
// for the guards and endpoints, the edge and issuer builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { root, pkg, reference, vectors, errorCode, oddAccounts } from "./helpers.mjs";

const edge = await import(new URL("../../pkg/edge/node.js", import.meta.url));
const { Issuer, generateKey, expressSnapshot, snapshotHandler } = await import(new URL("../../pkg/issuer/node.js", import.meta.url));

const dia = vectors.cases.find((c) => c.name === "sitee/dia");
const catalog = vectors.catalogs.sitee;
const jwks = vectors.key.jwks;
const tenant = "spa-lumi";
/** A verifier of the Node entry, or (`m`) of the reference build. */
const make = (options = {}, m = pkg) => new m.Verifier(catalog, jwks, { tenant, clock: () => dia.now, ...options });

/** Runs `f` with `Object.prototype[key] = value`, then removes it. */
function polluted(key, value, f) {
  Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true, enumerable: false });
  try {
    return f();
  } finally {
    delete Object.prototype[key];
  }
}

test("a polluted Object.prototype is never read as an option, a key or a catalog", () => {
  const expiresAt = make().load(dia.snapshot).expiresAt;
  const late = () => new pkg.Verifier(catalog, jwks, { tenant, clock: () => expiresAt + 20 * 3600 });
  assert.equal(errorCode(() => late().load(dia.snapshot)), "expired", "control");
  // `leeway` of a day, a `clock` in the past: neither is the app's.
  assert.equal(polluted("leeway", 86_400, () => errorCode(() => late().load(dia.snapshot))), "expired");
  assert.equal(polluted("clock", () => dia.now, () => errorCode(() => late().load(dia.snapshot))), "expired");
  assert.equal(polluted("maxFeedAge", 0.5, () => errorCode(() => make().load(dia.snapshot))), "none");
  // A single JWK (a documented form) while `keys` is polluted with another
  // key: the verifier trusts the JWK given, not the prototype's.
  const [genuine] = jwks.keys;
  const other = generateKey({ kid: "attacker" }).jwks.keys[0];
  const v = polluted("keys", [other], () => new pkg.Verifier(catalog, genuine, { tenant, clock: () => dia.now }));
  assert.deepEqual(v.keys, new pkg.Verifier(catalog, genuine, { tenant }).keys);
  assert.equal(v.load(dia.snapshot).subject, "dia");
  // The catalog object's `binary` is its own or there is none.
  assert.equal(polluted("binary", catalog.binary, () => errorCode(() => new pkg.Verifier({}, jwks, { tenant }))), "invalid_argument");
  // The edge's Gate options and the revocation list likewise.
  const ev = new edge.Verifier(catalog, jwks, { tenant, clock: () => dia.now });
  const routes = JSON.parse(readFileSync(`${root}routes/sitee.json`, "utf8"));
  const gate = polluted("cookie", "evil", () => new edge.Gate(ev, routes));
  assert.equal(gate.checkParts("GET", "/api/campaigns", null, `permsnap=${dia.snapshot}`).status, 200, "the default cookie name");
  const r = make();
  polluted("ids", [r.load(dia.snapshot).id], () => r.setRevocations({}));
  assert.equal(r.load(dia.snapshot).subject, "dia", "no inherited `ids` revoked it");
});

test("options left out read nothing from a polluted Object.prototype either", async () => {
  const policy = JSON.parse(readFileSync(`${root}presets/sitee.json`, "utf8"));
  const issuer = new Issuer(policy.catalog, generateKey({ kid: "p" }).privateJwk);
  issuer.setAccount(policy.tenant, policy.roles);
  const { name, ...record } = policy.staff.find((s) => s.id === "fay");
  const plain = issuer.issue(policy.tenant, record);
  const issued = polluted("lifetime", 86_400, () => polluted("id", "00000000deadbeef", () => issuer.issue(policy.tenant, record)));
  assert.equal(issued.expiresAt - issued.issuedAt, plain.expiresAt - plain.issuedAt, "the default lifetime");
  assert.notEqual(issued.id, "00000000deadbeef");
  // The endpoint without `lifetime` nor `cookie`: its defaults.
  const res = await polluted("domain", "evil.test", () => snapshotHandler({ issuer, staff: () => ({ tenant: policy.tenant, record }) })(new Request("http://e.test/")));
  assert.doesNotMatch(res.headers.get("set-cookie"), /Domain|evil/);
  // A Refresher without a feed (`revocationsUrl: null`) fetches the JWKS only.
  const fetched = [];
  const ev = new edge.Verifier(catalog, jwks, { tenant });
  const fetch = async (url) => (fetched.push(url), new Response(JSON.stringify(jwks)));
  const refresher = polluted("revocationsUrl", "http://evil.test/feed", () => new edge.Refresher(ev, { jwksUrl: "https://issuer.test/jwks.json", revocationsUrl: null, fetch }));
  await polluted("revocationsUrl", "http://evil.test/feed", () => refresher.refresh());
  assert.deepEqual(fetched, ["https://issuer.test/jwks.json"]);
  // An array's hole is not filled from the prototype.
  const holey = { keys: [jwks.keys[0], , ] };
  assert.equal(holey.keys.length, 2);
  const other = generateKey({ kid: "attacker" }).jwks.keys[0];
  assert.equal(polluted("1", other, () => errorCode(() => new pkg.Verifier(catalog, holey, { tenant }))), "invalid_key");
});

test("plain data of another realm (a vm context, an iframe) is plain; a Set of names is a list", async () => {
  const { runInNewContext } = await import("node:vm");
  const foreign = runInNewContext("(o) => JSON.parse(o)")(JSON.stringify({ jwks, options: { tenant } }));
  const v = new pkg.Verifier(catalog, foreign.jwks, { ...foreign.options, clock: () => dia.now });
  assert.equal(v.load(dia.snapshot).subject, "dia");
  v.setRevocations(runInNewContext("({ ids: [] })"));
  const p = v.load(dia.snapshot);
  assert.equal(p.canAll(new Set(["campaigns.manage", "clients.view"])), true);
  assert.equal(p.canAny(new Set(["payments.view"])), false);
});

test("revocations that are not plain data are refused and change nothing", () => {
  const v = make();
  v.setRevocations({ minEpoch: { [tenant]: 99 } });
  assert.equal(errorCode(() => v.load(dia.snapshot)), "revoked", "control: an epoch revocation");
  for (const minEpoch of [new Map([[tenant, 0]]), [], new Date(), Object.create({ [tenant]: 0 })]) {
    assert.equal(errorCode(() => v.setRevocations({ minEpoch })), "invalid_argument", String(minEpoch));
    assert.equal(errorCode(() => v.load(dia.snapshot)), "revoked", `${String(minEpoch)} lifted the revocation`);
  }
  assert.equal(errorCode(() => v.setRevocations({ ids: new Set() })), "invalid_argument");
  assert.equal(errorCode(() => v.setRevocations(Object.create({ minEpoch: {} }))), "invalid_argument");
});

test("getters and proxies that throw are refused with a typed error, and the verifier keeps working", () => {
  const v = make();
  const boom = new Error("boom");
  const throwing = new Proxy([], { get(t, k) { if (k === "length") throw boom; return Reflect.get(t, k); } });
  const getter = Object.defineProperty({}, "ids", { enumerable: true, get() { throw boom; } });
  const iterator = Object.assign(["00000000000000aa"], { [Symbol.iterator]() { throw boom; } });
  for (const [what, f, code] of [
    ["setRevocations(proxy ids)", () => v.setRevocations({ ids: throwing }), "invalid_argument"],
    ["setRevocations(getter)", () => v.setRevocations(getter), "invalid_argument"],
    ["setJwks(proxy keys)", () => v.setJwks({ keys: throwing }), "invalid_key"],
    ["new Verifier(getter options)", () => new pkg.Verifier(catalog, jwks, Object.defineProperty({}, "tenant", { enumerable: true, get() { throw boom; } })), "invalid_argument"],
    ["new Verifier(getter catalog)", () => new pkg.Verifier(Object.defineProperty({}, "binary", { enumerable: true, get() { throw boom; } }), jwks, { tenant }), "invalid_argument"],
  ]) {
    assert.equal(errorCode(f), code, what); // a PermsnapError (`errorCode` asserts it)
    // Everything still works on the same verifier.
    assert.equal(v.load(dia.snapshot).subject, "dia", what);
    assert.equal(v.loadOrDeny("garbage").error.code, "bad_encoding", what);
    v.setJwks(jwks);
    v.setRevocations({});
  }
  // An array with a throwing iterator is read by index: plain data.
  v.setRevocations({ ids: iterator });
  assert.equal(v.load(dia.snapshot).subject, "dia");
});

test("a JWKS key whose key_ops leave out verify is not trusted; with verify it is", () => {
  const [k] = jwks.keys;
  const ignored = new pkg.Verifier(catalog, { keys: [{ ...k, key_ops: ["encrypt"] }] }, { tenant });
  assert.deepEqual(ignored.keys.ignored.map((i) => [i.kid, i.reason]), [[k.kid, "its `key_ops` do not include `verify`"]]);
  assert.equal(errorCode(() => ignored.load(dia.snapshot)), "unknown_key");
  const used = new pkg.Verifier(catalog, { keys: [{ ...k, key_ops: ["sign", "verify"] }] }, { tenant, clock: () => dia.now });
  assert.equal(used.load(dia.snapshot).subject, "dia");
  assert.equal(errorCode(() => new pkg.Verifier(catalog, { keys: [{ ...k, key_ops: "verify" }] }, { tenant })), "invalid_key");
});

test("arguments of the wrong type are PermsnapErrors, never the engine's TypeError", () => {
  const v = make();
  const p = v.load(dia.snapshot);
  for (const [what, f, code] of [
    ["explain(123)", () => p.explain(123), "invalid_argument"],
    ["scope(undefined)", () => p.scope(undefined), "invalid_argument"],
    ["hiddenFields(null)", () => p.hiddenFields(null), "invalid_argument"],
    ["hasApp({})", () => p.hasApp({}), "invalid_argument"],
    ["hasFeature(1)", () => p.hasFeature(1), "invalid_argument"],
    ["needsStepUp([])", () => p.needsStepUp([]), "invalid_argument"],
    ["canAll(null)", () => p.canAll(null), "invalid_argument"],
    ["canAny('x')", () => p.canAny("campaigns.manage"), "invalid_argument"],
    ["filter(kind, null)", () => p.filter("clients", null), "invalid_argument"],
    ["filterSpec(5)", () => p.filterSpec(5), "invalid_argument"],
    ["redact(kind, undefined)", () => p.redact("clients", undefined), "invalid_argument"],
    ["redaction(null)", () => p.redaction(null), "invalid_argument"],
    ["fieldNames(123) on the verifier", () => v.fieldNames(123), "invalid_argument"],
    ["fieldNames(123) on permissions", () => p.fieldNames(123), "invalid_argument"],
    ["can(Symbol())", () => p.can(Symbol("s")), "unknown_permission"],
  ]) {
    assert.equal(errorCode(f), code, what);
  }
  // Entries of a record list that are not objects match nothing.
  const records = [null, 5, undefined, { id: "a", staff_id: "dia" }];
  assert.deepEqual(p.filter("appointments", records).map((r) => r?.id), p.filter("appointments", [records[3]]).map((r) => r.id));
  assert.equal(p.can("campaigns.manage"), true, "still answering");
});

test("an extra argument (a second options object) is refused, not dropped", async () => {
  const ev = new edge.Verifier(catalog, jwks, { tenant, clock: () => dia.now });
  const routes = JSON.parse(readFileSync(`${root}routes/sitee.json`, "utf8"));
  const gate = new edge.Gate(ev, routes);
  const refresher = new edge.Refresher(ev, { jwksUrl: "http://127.0.0.1:9/jwks.json", revocationsUrl: null });
  const signedIn = () => null;
  assert.equal(errorCode(() => edge.nodeGuard(gate, refresher, { signedIn })), "invalid_argument");
  assert.equal(errorCode(() => edge.honoGuard(gate, refresher, { signedIn })), "invalid_argument");
  await assert.rejects(edge.guard(gate, new Request("http://e.test/api/staff"), refresher, { signedIn }), (e) => e.code === "invalid_argument");
  assert.equal(errorCode(() => new edge.Verifier(catalog, jwks, { tenant }, { maxFeedAge: 60 })), "invalid_argument");
  assert.equal(errorCode(() => new edge.Gate(ev, routes, {}, { cookie: "x" })), "invalid_argument");
  assert.equal(errorCode(() => new edge.Refresher(ev, { jwksUrl: "http://127.0.0.1:9/", revocationsUrl: null }, {})), "invalid_argument");
  assert.equal(errorCode(() => edge.nodeGuard(gate, { refresher, signedIn })), "none", "control: one options object");
  const issuer = new Issuer(JSON.parse(readFileSync(`${root}presets/sitee.json`, "utf8")).catalog, generateKey({ kid: "x" }).privateJwk);
  assert.equal(errorCode(() => expressSnapshot({ issuer, staff: () => null }, { lifetime: 60 })), "invalid_argument");
});

test("what the app's callbacks return is read strictly: staff() and signedIn() with an unknown key", async () => {
  const policy = JSON.parse(readFileSync(`${root}presets/sitee.json`, "utf8"));
  const key = generateKey({ kid: "strict" });
  const issuer = new Issuer(policy.catalog, key.privateJwk);
  issuer.setAccount(policy.tenant, policy.roles);
  const fay = policy.staff.find((s) => s.id === "fay");
  const { name, ...record } = fay;
  const answer = async (extra) => snapshotHandler({ issuer, staff: () => ({ tenant: policy.tenant, record, ...extra }) })(new Request("http://e.test/api/permsnap"));
  assert.equal((await answer({})).status, 200, "control");
  // `lifetime` belongs to the endpoint's options: there it would be ignored.
  // Refused: 500 with the cookie cleared, the error in the log (a fetch
  // runtime has no error handler of the app's).
  const log = console.error;
  try {
    for (const extra of [{ lifetime: 60 }, { cookie: false }, { tennant: "x" }]) {
      const logged = [];
      console.error = (...a) => logged.push(a);
      const res = await answer(extra);
      assert.equal(res.status, 500, JSON.stringify(extra));
      assert.match(res.headers.get("set-cookie"), /^permsnap=; Max-Age=0; /);
      assert.ok(logged.some((a) => a.some((x) => x?.code === "invalid_argument")), JSON.stringify(extra));
    }
  } finally {
    console.error = log;
  }
  const ev = new edge.Verifier(catalog, jwks, { tenant, clock: () => dia.now });
  const gate = new edge.Gate(ev, JSON.parse(readFileSync(`${root}routes/sitee.json`, "utf8")));
  const request = new Request("http://e.test/api/campaigns", { headers: { authorization: `Permsnap ${dia.snapshot}` } });
  assert.equal((await edge.guard(gate, request, { signedIn: () => ({ tenant, subject: "dia" }) })).status, 200, "control");
  await assert.rejects(edge.guard(gate, request, { signedIn: () => ({ tenant, subject: "dia", sub: "ana" }) }), (e) => e.code === "invalid_argument");
});

test("filter: a field Object.prototype holds (polluted elsewhere) puts no record in scope, in JavaScript and in the Rust reference", () => {
  const fay = vectors.cases.find((c) => c.name === "sitee/fay");
  const p = make({ clock: () => fay.now }).load(fay.snapshot);
  const r = make({ clock: () => fay.now }, reference).load(fay.snapshot);
  const spec = p.filterSpec("appointments");
  assert.ok(spec.clauses.length > 0 && !spec.all, "fay sees some appointments, not all");
  const [{ field, values: [me] }] = spec.clauses;
  // An ORM's instance: the field is a getter of its own class.
  class Row { get [field]() { return me; } }
  const rows = [{ id: "mine", [field]: me }, { id: "other", [field]: "someone-else" }, { id: "unassigned" }, Object.assign(new Row(), { id: "model" })];
  const ids = (list) => list.map((r) => r.id);
  assert.deepEqual(ids(p.filter("appointments", rows)), ["mine", "model"]);
  for (const value of [me, [me]]) {
    // The model's getter is its own class's: it counts, whatever the
    // polluted prototype holds (a value is judged by who holds it, since
    // session 15: another realm's prototype is no different).
    const expected = ["mine", "model"];
    polluted(field, value, () => {
      assert.deepEqual(ids(p.filter("appointments", rows)), expected, `Object.prototype.${field} = ${JSON.stringify(value)}`);
      assert.deepEqual(r.filterIndexesReference("appointments", rows).map((i) => rows[i].id), expected);
    });
  }
  assert.deepEqual(ids(p.filter("appointments", rows)), ["mine", "model"], "and as before once the pollution is gone");
});

test("a record's getter freeing the permissions during the reference filter leaves typed errors, not a dead object (attack review, session 13)", () => {
  // The reference build's own filter (wasm-bindgen).
  const p = make({}, reference).load(dia.snapshot);
  let inner = null;
  const rec = {
    get staff_id() {
      try {
        p.free();
      } catch (e) {
        inner = e;
      }
      return "dia";
    },
  };
  assert.deepEqual(p.filterIndexesReference("appointments", [rec, { staff_id: "dia" }]), [0, 1]);
  assert.equal(inner, null, "free() never throws");
  // Freed: wasm-backed answers say so, typed; can() keeps answering.
  assert.equal(errorCode(() => p.scope("appointments")), "invalid_argument");
  assert.equal(p.can("calendar.view"), dia.expect.allowed.includes("calendar.view"));
  // The verifier and new loads work.
  assert.equal(make().load(dia.snapshot).scope("appointments"), "own");
});

test("a clock given that answers undefined, NaN or a negative number is refused, never replaced by the platform's (review, session 14)", () => {
  // `clock: () => { serverTime(); }` (a `return` left out) fell back to the
  // platform's clock, which the app's was there to correct: an expired
  // snapshot passed on a machine whose clock runs slow.
  for (const clock of [() => {}, () => NaN, () => -1, () => Infinity, () => "1767225600"]) {
    const v = make({ clock });
    assert.equal(errorCode(() => v.load(dia.snapshot)), "invalid_argument", String(clock));
  }
  assert.equal(make().load(dia.snapshot).subject, "dia", "control");
});

test("every Verifier and session method refuses an extra argument: an anyTenant verifier's load(snapshot, tenant) took any account's snapshot (attack review, session 21)", async () => {
  const other = vectors.cases.find((c) => !c.expect.error && c.expected_tenant && c.expected_tenant !== tenant);
  for (const [name, entry] of [["default", pkg], ["edge", edge]]) {
    const v = new entry.Verifier(vectors.catalogs[other.catalog], jwks, { anyTenant: true, clock: () => other.now });
    // The account a request is for, given to `load` as if it were
    // `loadFor`: another account's snapshot was answered.
    assert.equal(errorCode(() => v.load(other.snapshot, tenant)), "invalid_argument", name);
    await assert.rejects(v.verify(other.snapshot, tenant), (e) => e.code === "invalid_argument", name);
    assert.equal(errorCode(() => v.loadFor(other.snapshot, tenant)), "wrong_tenant", `${name}: control`);
    for (const [what, f] of [
      ["loadFor", () => v.loadFor(other.snapshot, other.expected_tenant, {})],
      ["loadOrDeny", () => v.loadOrDeny(other.snapshot, {})],
      ["denyAll", () => v.denyAll(undefined, {})],
      ["setJwks", () => v.setJwks(jwks, {})],
      ["setRevocations", () => v.setRevocations({}, {})],
      ["applyNotice", () => v.applyNotice(vectors.notices.apply[0], {})],
      ["fieldNames", () => v.fieldNames("clients", {})],
    ]) {
      assert.equal(errorCode(f), "invalid_argument", `${name} ${what}`);
    }
    for (const [what, f] of [
      ["verifyFor", () => v.verifyFor(other.snapshot, other.expected_tenant, {})],
      ["verifyOrDeny", () => v.verifyOrDeny(other.snapshot, {})],
      ["verifyNotice", () => v.verifyNotice(vectors.notices.apply[0], {})],
    ]) {
      await assert.rejects(f(), (e) => e.code === "invalid_argument", `${name} ${what}`);
    }
    assert.deepEqual(v.load(other.snapshot).allowed(), other.expect.allowed, `${name}: still answering`);
  }
  const session = pkg.createSession({ catalog, jwks, tenant, fetchSnapshot: async () => ({ snapshot: dia.snapshot }), onError: () => {} });
  try {
    for (const [what, f] of [
      ["subscribe", () => session.subscribe(() => {}, {})],
      ["applyNotice", () => session.applyNotice(vectors.notices.apply[0], {})],
      ["serverNow", () => session.serverNow(1)],
      ["close", () => session.close(1)],
      ["new Session", () => new pkg.Session({ catalog, jwks, tenant, fetchSnapshot: async () => ({ snapshot: dia.snapshot }) }, {})],
    ]) {
      assert.equal(errorCode(f), "invalid_argument", `session ${what}`);
    }
    await assert.rejects(session.refresh({}), (e) => e.code === "invalid_argument", "session refresh");
    await assert.rejects(session.fetch("http://127.0.0.1:9/", {}, {}), (e) => e.code === "invalid_argument", "session fetch");
  } finally {
    session.close();
  }
});

test("an account id with a lone surrogate is refused, not written as U+FFFD (another account); an account named __proto__ is revoked as any other (attack review, session 21)", async () => {
  const { key, snapshot, proto } = await oddAccounts();
  for (const [name, entry] of [["default", pkg], ["edge", edge]]) {
    // Each spelling of the account a verifier or a request may be given.
    for (const lone of ["acme\uD800", "acme\uDC00", "\uDBFF", "acme\uDC00\uD800"]) {
      assert.equal(errorCode(() => new entry.Verifier(catalog, key.jwks, { tenant: lone })), "invalid_argument", `${name} ${escape(lone)}`);
      const v = new entry.Verifier(catalog, key.jwks, { tenantPerRequest: true });
      await assert.rejects(v.verifyFor(snapshot, lone), (e) => e.code === "invalid_argument", `${name} verifyFor ${escape(lone)}`);
      assert.equal(errorCode(() => v.loadFor(snapshot, lone)), "invalid_argument", `${name} loadFor ${escape(lone)}`);
      assert.equal(errorCode(() => v.setRevocations({ minEpoch: { [lone]: 9 } })), "invalid_argument", `${name} minEpoch ${escape(lone)}`);
    }
    const v = new entry.Verifier(catalog, key.jwks, { tenant: "acme\uFFFD" });
    assert.equal((await v.verify(snapshot)).tenant, "acme\uFFFD", `${name}: control`);
    // `__proto__` (an account id from JSON) was dropped from minEpoch's copy.
    const p = new entry.Verifier(catalog, key.jwks, { tenant: "__proto__" });
    const before = await p.verify(proto);
    p.setRevocations(JSON.parse('{"minEpoch": {"__proto__": 9}}'));
    assert.equal(before.error?.code, "revoked", name);
    await assert.rejects(p.verify(proto), (e) => e.code === "revoked", name);
  }
});

test("a Gate and a Refresher refuse an extra argument; denyAll takes a PermsnapError only (attack review, session 21)", async () => {
  const routes = JSON.parse(readFileSync(`${root}routes/sitee.json`, "utf8"));
  // An anyTenant verifier, the account given to check() as if it were
  // tenantOf: another account's snapshot passed.
  const v = new edge.Verifier(catalog, jwks, { anyTenant: true, clock: () => dia.now });
  const gate = new edge.Gate(v, routes);
  const request = new Request("http://b-corp.test/api/campaigns", { headers: { authorization: `Permsnap ${dia.snapshot}` } });
  assert.equal(errorCode(() => gate.check(request, { tenant: "b-corp" })), "invalid_argument");
  assert.equal(errorCode(() => gate.checkParts("GET", "/api/campaigns", `Permsnap ${dia.snapshot}`, null, "b-corp")), "invalid_argument");
  assert.equal(gate.check(request).status, 200, "control");
  const refresher = new edge.Refresher(v, { jwksUrl: "http://127.0.0.1:9/jwks.json", revocationsUrl: null });
  for (const m of ["refresh", "ready", "ensureFresh", "onStaleFeed", "onUnknownKey"]) {
    await assert.rejects(refresher[m]({}), (e) => e.code === "invalid_argument", m);
  }
  for (const entry of [pkg, edge]) {
    const w = new entry.Verifier(catalog, jwks, { tenant, clock: () => dia.now });
    for (const bad of [{ code: "expired" }, "expired", new Error("x"), null]) assert.equal(errorCode(() => w.denyAll(bad)), "invalid_argument");
    assert.equal(w.denyAll().error.code, "no_snapshot");
    const p = w.load(dia.snapshot);
    assert.equal(errorCode(() => p.free(1)), "invalid_argument");
    assert.equal(errorCode(() => w.free(1)), "invalid_argument");
  }
});
