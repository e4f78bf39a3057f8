// The page's refresh loop (createSession, browser build) against the real
// issuer (permsnap/issuer) and a real HTTP edge (permsnap/edge's Node
// middleware): loading, the server's clock, refreshing, expiry turning
// permissions to deny-all, revocation notices, and one retry on an edge 401.
// Runs on the build verifying in wasm (`permsnap` in Node), and, imported by
// session-webcrypto.test.mjs with `?build=web`, on the browser entry (the
// small core), whose signatures Node's WebCrypto checks.
import { test as nodeTest } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { root, pkg as syncPkg, vectors } from "./helpers.mjs";

const build = new URL(import.meta.url).searchParams.get("build") ?? "wasm";
const pkg = build === "web" ? await import(new URL("../../pkg/index.js", import.meta.url))
  : syncPkg;
if (build === "web") pkg.initSync(readFileSync(`${root}pkg/permsnap_wasm_bg.wasm`));
const test = (name, ...rest) => nodeTest(`[${build}] ${name}`, ...rest);

const issuerPkg = await import(new URL("../../pkg/issuer/node.js", import.meta.url));
const edge = await import(new URL("../../pkg/edge/node.js", import.meta.url));

const policy = JSON.parse(readFileSync(`${root}presets/sitee.json`, "utf8"));
const tenant = policy.tenant;
const catalog = vectors.catalogs.sitee;
const key = issuerPkg.generateKey({ kid: "session-test" });
const issuer = new issuerPkg.Issuer(policy.catalog, key.privateJwk);
issuer.setAccount(tenant, policy.roles);
const jwks = key.jwks;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Waits until `cond()` holds (at most `ms`): for what takes a WebCrypto
 *  round trip, which a loaded machine can delay past any fixed sleep. */
async function waitFor(cond, ms = 5000, what = "the condition") {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}
const realNow = Date.now; // the server's clock (a test moves the device's)

/** An app's snapshot endpoint, in memory: the person's record can be
 *  edited; `calls` counts fetches. */
function endpoint(record, { lifetime = 900 } = {}) {
  const state = { record: { ...record }, calls: 0, fail: false, none: false };
  state.fetchSnapshot = async (request) => {
    state.calls++;
    if (state.fail) throw new Error("network down");
    if (state.hang) return new Promise(() => {});
    if (state.none) return null;
    // What permsnap/issuer's endpoint helpers answer: the token echoed.
    return { ...issuer.issue(tenant, state.record, { lifetime, now: Math.floor(realNow() / 1000) - (state.age ?? 0) }), fresh: request?.fresh };
  };
  return state;
}

const session = (app, more = {}) => pkg.createSession({ catalog, jwks, tenant, fetchSnapshot: app.fetchSnapshot, ...more });

test("everything is denied until the first snapshot verifies; then subscribers get the new permissions", async () => {
  const app = endpoint({ id: "fay", roles: ["user"] });
  const s = session(app);
  assert.equal(s.permissions.can("calendar.view"), false, "denied before the snapshot arrives");
  assert.equal(s.permissions.error.code, "no_snapshot");
  const seen = [];
  s.subscribe((p) => seen.push(p));
  const p = await s.ready;
  assert.equal(p, s.permissions);
  assert.equal(p.can("calendar.view"), true);
  assert.equal(p.subject, "fay");
  assert.deepEqual(seen, [p]);
  assert.equal(typeof s.snapshot, "string");
  s.close();
});

test("close() frees the session's verifier at once; a refresh under way then resolves to deny-all, and nothing more is reported (review, session 30)", async () => {
  // This build's modules themselves, to watch their core (pkg/node.js is
  // a bundle with a core of its own).
  const dir = build === "web" ? "pkg/" : "pkg/sync/";
  const m = await import(new URL(`../../${dir}index.js`, import.meta.url));
  const { Core } = await import(new URL(`../../${dir}wasm.js`, import.meta.url));
  if (!m.isInitialized()) m.initSync(readFileSync(`${root}${dir}permsnap_wasm_bg.wasm`));
  const core = Core.get();
  const calls = { ps_drop_catalog: 0, ps_drop: 0 };
  const saved = {};
  for (const f of Object.keys(calls)) {
    saved[f] = core.x[f];
    core.x[f] = (...args) => (calls[f]++, saved[f](...args));
  }
  try {
    const app = endpoint({ id: "fay", roles: ["user"] });
    // Once `held`, a fetch waits for `answer()`.
    let [held, answer] = [false, undefined];
    const fetchSnapshot = async (request) => {
      if (held) await new Promise((resolve) => { answer = resolve; });
      return app.fetchSnapshot(request);
    };
    const errors = [];
    const s = m.createSession({ catalog, jwks, tenant, fetchSnapshot, onError: (e) => errors.push(e) });
    const p = await s.ready;
    assert.equal(p.can("calendar.view"), true);
    // A refresh whose answer comes after close().
    held = true;
    await sleep(1100); // past the spacing between two fetches
    const refreshing = s.refresh();
    await waitFor(() => answer !== undefined, 5000, "the refresh's fetch");
    const before = { ...calls };
    s.close();
    assert.equal(calls.ps_drop_catalog, before.ps_drop_catalog + 1, "its catalog left the core at close()");
    assert.ok(calls.ps_drop > before.ps_drop, "and its snapshot");
    answer();
    const after = await refreshing;
    assert.equal(after.can("calendar.view"), false);
    assert.equal(after.error?.code, "no_snapshot");
    assert.equal(s.permissions.can("calendar.view"), false);
    assert.equal(p.can("calendar.view"), false, "what it handed out denies too");
    assert.equal((await s.refresh()).error?.code, "no_snapshot");
    s.applyNotice("not a notice");
    await sleep(50);
    assert.deepEqual(errors, [], "nothing reported after close()");
  } finally {
    Object.assign(core.x, saved);
  }
});

test("the session works from the server's clock: a device an hour ahead still loads", async (t) => {
  const app = endpoint({ id: "fay", roles: ["user"] });
  t.after(() => { Date.now = realNow; });
  Date.now = () => realNow() + 3_600_000;
  // The bare text carries no server time: the device clock refuses it.
  const bare = session({ fetchSnapshot: async () => (await app.fetchSnapshot()).snapshot });
  const refused = await bare.ready;
  assert.equal(refused.error?.code, "expired");
  assert.equal(refused.can("calendar.view"), false);
  bare.close();
  // With `issuedAt` (what the issuer and its helpers return): loads.
  const s = session(app);
  const p = await s.ready;
  assert.equal(p.can("calendar.view"), true);
  assert.ok(Math.abs(s.serverNow() - realNow() / 1000) < 5, "server time recovered from issuedAt");
  s.close();
});

test("a Permissions object turns to deny-all at its expiry (plus the leeway), with no clock read per check", async () => {
  const v = new pkg.Verifier(catalog, jwks, { tenant, leeway: 0 });
  const p = await v.verify(issuer.issue(tenant, { id: "fay", roles: ["user"] }, { lifetime: 1 }).snapshot);
  assert.equal(p.can("calendar.view"), true);
  assert.equal(p.error, null);
  await sleep(1300);
  assert.equal(p.can("calendar.view"), false, "expired permissions answer no");
  assert.equal(p.error.code, "expired");
  assert.equal(p.filter("appointments", [{ id: "a", staff_id: "fay" }]).length, 0);
  assert.throws(() => p.can("calendar.veiw"), (e) => e.code === "unknown_permission", "typos still throw");
});

test("an earlier expiry time leaves later permissions answering; nothing keeps dropped permissions alive", async () => {
  const v = new pkg.Verifier(catalog, jwks, { tenant, leeway: 0 });
  const short = await v.verify(issuer.issue(tenant, { id: "fay", roles: ["user"] }, { lifetime: 1 }).snapshot);
  // Long enough that the garbage-collection steps below cannot reach it
  // on a slow machine (issued at the second, it may have only 2.x s).
  const { snapshot } = issuer.issue(tenant, { id: "fay", roles: ["user"] }, { lifetime: 10 });
  const long = await v.verify(snapshot);
  await sleep(1300);
  assert.equal(short.can("calendar.view"), false);
  assert.equal(short.error.code, "expired");
  assert.equal(long.can("calendar.view"), true, "its own deadline is later");
  assert.equal(long.error, null);
  // Loads are not registered anywhere for their expiry: dropped ones are
  // collected long before it.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  let collected = 0;
  const registry = new FinalizationRegistry(() => collected++);
  for (let i = 0; i < 50; i++) registry.register(v.load(snapshot), i);
  for (let i = 0; i < 3 && collected < 50; i++) {
    await sleep(20);
    gc();
  }
  await sleep(20);
  assert.equal(collected, 50, "every dropped Permissions object was collected");
  assert.equal(long.can("calendar.view"), true);
});

test("permissions expire even when they or their verifier were freed first", async () => {
  const v = new pkg.Verifier(catalog, jwks, { tenant, leeway: 0 });
  const kept = await v.verify(issuer.issue(tenant, { id: "fay", roles: ["user"] }, { lifetime: 1 }).snapshot);
  const freed = await v.verify(issuer.issue(tenant, { id: "gus", roles: ["user"] }, { lifetime: 1 }).snapshot);
  assert.equal(kept.can("calendar.view"), true);
  freed.free();
  v.free();
  await sleep(1300);
  for (const p of [kept, freed]) {
    assert.equal(p.can("calendar.view"), false, "no yes after expiry");
    assert.deepEqual(p.allowed(), []);
    assert.equal(p.error.code, "expired");
  }
});

test("the clock is read once per load, as a number: one that loads another snapshot or answers an object cannot mix answers", async () => {
  const ann = issuer.issue(tenant, { id: "ann", roles: ["user"] }, { lifetime: 600 }).snapshot;
  const bob = issuer.issue(tenant, { id: "bob", roles: ["admin"] }, { lifetime: 600 }).snapshot;
  const plain = new pkg.Verifier(catalog, jwks, { tenant });
  const annAllowed = (await plain.verify(ann)).allowed();
  assert.notDeepEqual((await plain.verify(bob)).allowed(), annAllowed);
  let reenter = false;
  const v = new pkg.Verifier(catalog, jwks, {
    tenant,
    clock: () => {
      if (reenter) {
        reenter = false;
        v.load(bob); // the app's clock loads another snapshot meanwhile
      }
      return Date.now() / 1000;
    },
  });
  await v.verify(bob);
  await v.verify(ann);
  reenter = true;
  const p = v.load(ann);
  assert.equal(p.subject, "ann");
  assert.deepEqual(p.allowed(), annAllowed);
  assert.deepEqual(v.load(ann).allowed(), annAllowed, "nothing of bob's kept under ann's text");
  reenter = true;
  assert.throws(() => v.load("Z".repeat(bob.length)), (e) => e instanceof pkg.PermsnapError && e.code !== "async_required");
  const odd = new pkg.Verifier(catalog, jwks, { tenant, clock: () => ({ valueOf: () => Date.now() / 1000 }) });
  await assert.rejects(odd.verify(ann), (e) => e.code === "invalid_argument");
  assert.throws(() => odd.load(ann), (e) => e.code === "invalid_argument");
});

test("a session refreshes before expiry and swaps; at expiry without a fresh one everything is denied", async () => {
  const app = endpoint({ id: "fay", roles: ["user"] }, { lifetime: 2 });
  const s = session(app, { refreshAt: 0.5, leeway: 0, onError: () => {} });
  const first = await s.ready;
  // Refresh at 50% (minus up to 10% jitter) of 2 s, then the check.
  await waitFor(() => s.permissions !== first, 1900, "swapped before expiry");
  assert.ok(app.calls >= 2, `refreshed (${app.calls} fetches)`);
  assert.equal(s.permissions.can("calendar.view"), true);
  app.fail = true; // the network goes away: the current one holds until it expires
  const held = s.permissions;
  const calls = app.calls;
  await sleep(2300);
  assert.equal(held.can("calendar.view"), false, "the object itself expired");
  assert.equal(s.permissions.error?.code, "expired");
  assert.ok(app.calls >= calls + 2, `kept retrying (${app.calls - calls} tries)`);
  app.fail = false;
  await s.refresh();
  assert.equal(s.permissions.can("calendar.view"), true, "back once the endpoint answers");
  s.close();
});

test("a notice revoking the person refreshes at once; the new rights replace the old", async () => {
  const app = endpoint({ id: "fay", roles: ["user"], version: 3 });
  let deliver;
  const s = session(app, { notices: (d) => { deliver = d; return () => {}; } });
  await s.ready;
  assert.equal(s.permissions.can("payments.view"), true);
  const swaps = [];
  s.subscribe((p) => swaps.push(p));
  // An admin removes payments from fay: version 4, notice for versions < 4.
  app.record = { ...app.record, version: 4, remove: ["payments.view", "payments.charge"] };
  deliver(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 4 }] }));
  await waitFor(() => swaps.length > 0, 5000, "the swap");
  await sleep(100);
  assert.equal(swaps.length, 1, "one swap, no deny-all blink");
  assert.equal(s.permissions.can("payments.view"), false);
  assert.equal(s.permissions.can("calendar.view"), true);
  // A notice about someone else changes nothing; a forged one is reported.
  const errors = [];
  const s2 = session(endpoint({ id: "eli", roles: ["contributor"] }), { onError: (e) => errors.push(e.code) });
  await s2.ready;
  const before = s2.permissions;
  s2.applyNotice(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 5 }] }));
  s2.applyNotice("UFNSAgAAAA");
  await sleep(50);
  assert.equal(s2.permissions, before);
  assert.equal(errors.length, 1);
  s.close();
  s2.close();
});

test("revoked and no fresh snapshot to be had: everything is denied", async () => {
  const app = endpoint({ id: "fay", roles: ["user"], version: 1 });
  const s = session(app, { onError: () => {} });
  await s.ready;
  app.none = true; // the person was deactivated: the endpoint gives nothing
  s.applyNotice(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 2 }] }));
  await sleep(100);
  assert.equal(s.permissions.can("calendar.view"), false);
  assert.equal(s.permissions.error.code, "no_snapshot");
  s.close();
});

test("session.fetch: an edge 401 (expired, revoked, unknown_key…) refreshes once and retries the request, body included", async (t) => {
  const verifier = new edge.Verifier(catalog, jwks, { tenant });
  const routes = JSON.parse(readFileSync(`${root}routes/sitee.json`, "utf8"));
  const guard = edge.nodeGuard(new edge.Gate(verifier, routes));
  let current = null; // the cookie the endpoint "set"
  const bodies = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      bodies.push(body);
      guard(req, res, () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ subject: req.permsnap.subject }));
      });
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}`;
  const app = endpoint({ id: "cam", roles: ["manager"], version: 1 });
  const s = session(app, {
    fetchSnapshot: async () => {
      const out = await app.fetchSnapshot();
      current = out.snapshot;
      return out;
    },
  });
  await s.ready;
  // The edge learns of a revocation the page has not seen.
  verifier.applyNotice(issuer.revoke({ tenant, staff: [{ subject: "cam", before: 2 }] }));
  app.record = { ...app.record, version: 2 };
  const calls = app.calls;
  const res = await s.fetch(`${base}/api/clients/c1`, { method: "PATCH", body: "{\"name\":\"x\"}", header: true });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(app.calls, calls + 1, "one refresh");
  assert.deepEqual(bodies.slice(-2), ["{\"name\":\"x\"}", "{\"name\":\"x\"}"], "the retry carried the body");
  // A 403 (not allowed) is not retried.
  const n = app.calls;
  const denied = await s.fetch(`${base}/api/billing`, { header: true });
  assert.ok(denied.status === 403 || denied.status === 404, String(denied.status));
  assert.equal(app.calls, n);
  assert.equal(current, s.snapshot);
  s.close();
});

test("session options are read strictly", () => {
  const app = endpoint({ id: "fay", roles: ["user"] });
  const bad = (o) => assert.throws(() => pkg.createSession({ catalog, jwks, tenant, fetchSnapshot: app.fetchSnapshot, ...o }), (e) => e.code === "invalid_argument");
  bad({ fetchSnaphot: app.fetchSnapshot });
  bad({ refreshAt: 1.5 });
  bad({ notices: "sse" });
  assert.throws(() => pkg.createSession({ catalog, jwks, fetchSnapshot: app.fetchSnapshot }), (e) => e.code === "invalid_argument");
});

test("only a fresh answer sets the clock: a replayed or cached one cannot make an old snapshot current", async () => {
  const old = endpoint({ id: "fay", roles: ["user"] });
  old.age = 7200; // issued two hours ago, 15-minute lifetime
  const answer = await old.fetchSnapshot({ fresh: "replayed-token-0000" });
  const errors = [];
  // A cache replays the whole answer: its token is not this request's, so
  // it is not swapped in at all (attack review, session 14).
  const s = session({ fetchSnapshot: async () => answer }, { onError: (e) => errors.push(e.message) });
  const p = await s.ready;
  assert.equal(p.can("calendar.view"), false);
  assert.equal(p.error.code, "no_snapshot", "nothing was swapped in");
  assert.ok(errors.some((m) => /another request's `fresh` token/.test(m)), errors.join("; "));
  s.close();
  // An echoed token with an issuedAt that is not the signed one: refused too.
  const lying = session({ fetchSnapshot: async ({ fresh }) => ({ ...answer, issuedAt: Math.floor(realNow() / 1000), fresh }) }, { onError: () => {} });
  assert.equal((await lying.ready).can("calendar.view"), false);
  lying.close();
  // An older snapshot than the one in force (a stale proxy): kept the newer one.
  const app = endpoint({ id: "fay", roles: ["user"], version: 2 });
  const s2 = session(app, { onError: (e) => errors.push(e.message) });
  const first = await s2.ready;
  app.age = 60;
  app.record = { ...app.record, roles: ["contributor"] };
  await s2.refresh();
  assert.equal(s2.permissions, first, "the older answer was not swapped in");
  assert.ok(errors.some((m) => /older snapshot/.test(m)), errors.join("; "));
  // Another person's snapshot, older than the one in force (ann signed
  // out, dia signed in on this tab, her snapshot from a minute ago): it
  // is swapped in; the older-snapshot rule is for one person (attack
  // review, session 13: ann's powers stayed).
  app.age = 120;
  app.record = { id: "dia", roles: ["user"] };
  await s2.refresh();
  assert.equal(s2.permissions.subject, "dia");
  s2.close();
});

test("a replayed answer never brings back the powers of a person the tab let go", async () => {
  // Attack review, session 14: a cache-first service worker (or a proxy
  // ignoring no-store) replays ben's answer after ben signed out; the
  // session took it, and ben's powers came back on the tab. Then: after
  // someone else signed in and out, and after a refused refresh.
  const ben = endpoint({ id: "ben", roles: ["user"] });
  const fay = endpoint({ id: "fay", roles: ["user"] });
  let cached = null;
  let mode = "ben";
  const errors = [];
  const s = session({
    fetchSnapshot: async (request) => {
      if (mode === "signed-out") return null;
      if (mode === "replay") return cached;
      if (mode === "replay-bare") return cached.snapshot;
      if (mode === "garbage") return "UFNOAgAA";
      if (mode === "fay") return fay.fetchSnapshot(request);
      cached = await ben.fetchSnapshot(request);
      return cached;
    },
  }, { onError: (e) => errors.push(e.message) });
  assert.equal((await s.ready).subject, "ben");
  const step = async (m) => { mode = m; await s.refresh(); return s.permissions; };
  assert.equal((await step("signed-out")).error.code, "no_snapshot");
  // The whole answer, with ben's old token: another request's.
  assert.equal((await step("replay")).error?.code, "no_snapshot", "ben's replayed answer was swapped in");
  assert.ok(errors.some((m) => /another request's `fresh` token/.test(m)), errors.join("; "));
  // The bare text (no token to compare): ben's snapshot from before his
  // sign-out is refused too.
  errors.length = 0;
  assert.equal((await step("replay-bare")).error?.code, "no_snapshot", "ben's replayed text was swapped in");
  assert.ok(errors.some((m) => /before a sign-out/.test(m)), errors.join("; "));
  // Fay signs in and out; ben's replay is still refused.
  assert.equal((await step("fay")).subject, "fay");
  await step("signed-out");
  assert.equal((await step("replay-bare")).error?.code, "no_snapshot", "ben's replay after fay's sign-out");
  // Ben signs in again, his new answer proven fresh (it echoes the token)
  // though his backend's clock is 20 s behind: in force at once.
  ben.age = 20;
  assert.equal((await step("ben")).subject, "ben");
  assert.equal(s.permissions.error, null);
  // A refresh refused (a garbled answer), then a sign-out: ben's replay
  // still cannot come back.
  ben.age = 0;
  await step("ben");
  await step("garbage");
  await step("signed-out");
  assert.equal((await step("replay-bare")).error?.code, "no_snapshot", "ben's replay after a refused refresh");
  s.close();
});

test("a shared cache replaying another tab's newer answer after a sign-out brings nothing back (attack review, session 14)", async (t) => {
  t.after(() => { Date.now = realNow; });
  const ben = endpoint({ id: "ben", roles: ["user"] });
  let mode = "live";
  let replay = null;
  const s = session({ fetchSnapshot: async (request) => (mode === "signed-out" ? null : mode === "replay" ? replay : ben.fetchSnapshot(request)) }, { onError: () => {} });
  assert.equal((await s.ready).subject, "ben");
  // Another tab refreshes five seconds later; the cache keeps its answer.
  ben.age = -5;
  replay = (await ben.fetchSnapshot({ fresh: "other-tab" })).snapshot;
  // Ben signs out ten seconds later.
  Date.now = () => realNow() + 10_000;
  mode = "signed-out";
  await s.refresh();
  mode = "replay";
  await s.refresh();
  assert.equal(s.permissions.error?.code, "no_snapshot", "the other tab's answer from before the sign-out was swapped in");
  s.close();
});

if (build === "web") test("a notice arriving while a refreshed snapshot is being verified revokes it too", async (t) => {
  // The browser entry verifies with WebCrypto, asynchronously, and the
  // session checks a notice against the snapshot then in force: the new
  // one is caught because revocations are checked after the platform's
  // signature check, not before (a review, session 14, suspected a
  // window here).
  const subtle = globalThis.crypto.subtle;
  const platformVerify = subtle.verify;
  t.after(() => { subtle.verify = platformVerify; });
  const app = endpoint({ id: "fay", roles: ["user"], version: 1 });
  let fetchNext = app.fetchSnapshot;
  const s = session({ fetchSnapshot: (request) => fetchNext(request) }, { onError: () => {} });
  await s.ready;
  let delay = false;
  const snapshotDomain = new TextEncoder().encode("permsnap/v2 snapshot");
  subtle.verify = async function (algorithm, key, signature, data) {
    const ok = await platformVerify.call(this, algorithm, key, signature, data);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, snapshotDomain.length);
    if (delay && bytes.every((b, i) => b === snapshotDomain[i])) await sleep(300);
    return ok;
  };
  let revokedId = null;
  fetchNext = async (request) => {
    const answer = await app.fetchSnapshot(request);
    revokedId = answer.id;
    // The notice arrives 50 ms into the new snapshot's 300 ms check.
    setTimeout(() => s.applyNotice(issuer.revoke({ tenant, ids: [answer.id] })), 50);
    return answer;
  };
  delay = true;
  await s.refresh();
  delay = false;
  assert.ok(revokedId);
  assert.notEqual(s.permissions.id, revokedId, "the revoked snapshot was swapped in");
  s.close();
});

test("a notice while the endpoint hangs: denied after the grace, the revoked object too; the timeout frees the loop", async () => {
  const app = endpoint({ id: "fay", roles: ["user"], version: 1 });
  const s = session(app, { timeout: 1, onError: () => {} });
  const held = await s.ready;
  assert.equal(held.can("payments.view"), true);
  app.hang = true;
  s.applyNotice(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 2 }] }));
  await sleep(500);
  assert.equal(held.can("payments.view"), true, "within the grace, while a fresh one may come");
  await sleep(3000);
  assert.equal(s.permissions.can("payments.view"), false);
  assert.equal(s.permissions.error.code, "revoked");
  assert.equal(held.can("payments.view"), false, "the object the app kept stops answering yes");
  assert.equal(held.error.code, "revoked");
  app.hang = false;
  app.record = { ...app.record, version: 2 };
  // Not stuck behind the hung fetch: a retry may be on its way, hung, and
  // refresh() fetches once more after it, which its timeout (1 s) ends.
  // The session's timers do not keep Node alive; this one does.
  const alive = setInterval(() => {}, 100);
  await s.refresh();
  clearInterval(alive);
  assert.equal(s.permissions.can("payments.view"), true);
  s.close();
});

test("a catalog reload keeps the notices the page has seen", async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(401, { "www-authenticate": 'Permsnap realm="permsnap", error="wrong_catalog"', "content-type": "application/json" });
    res.end("{}");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const app = endpoint({ id: "fay", roles: ["user"], version: 1 });
  let catalogs = 0;
  const s = session(app, { fetchCatalog: async () => (catalogs++, catalog), onError: () => {} });
  await s.ready;
  s.applyNotice(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 2 }] }));
  await sleep(3500); // the endpoint still gives version 1: refused, denied
  assert.equal(s.permissions.can("calendar.view"), false);
  await s.fetch(`http://127.0.0.1:${server.address().port}/api/x`);
  assert.equal(catalogs, 1, "the catalog was reloaded");
  assert.equal(s.permissions.can("calendar.view"), false, "version 1 is still revoked under the new catalog's verifier");
  assert.equal(s.permissions.error.code, "revoked");
  s.close();
});

test("permissions made by withIds expire on their own, even when the parent was freed", async () => {
  const shopify = JSON.parse(readFileSync(`${root}presets/shopify-partner.json`, "utf8"));
  const si = new issuerPkg.Issuer(shopify.catalog, key.privateJwk);
  si.setAccount(shopify.tenant, shopify.roles ?? [], { features: shopify.features ?? [] });
  const ids = Array.from({ length: 100 }, (_, i) => `store-${String(i).padStart(4, "0")}`);
  const out = si.issue(shopify.tenant, { id: "theo", grant: ["themes.manage"], scopes: { dev_stores: { specific: ids } } }, { lifetime: 1 });
  assert.equal(out.idLists.length, 1, "the long list travels beside the snapshot");
  const v = new pkg.Verifier(vectors.catalogs["shopify-partner"], jwks, { tenant: shopify.tenant, leeway: 0 });
  const parent = await v.verify(out.snapshot);
  const full = parent.withIds(out.idLists[0].list);
  assert.equal(full.filter("dev_stores", [{ id: "store-0007" }]).length, 1);
  parent.free();
  await sleep(1300);
  assert.equal(full.can("themes.manage"), false);
  assert.equal(full.error.code, "expired");
  assert.equal(full.filter("dev_stores", [{ id: "store-0007" }]).length, 0);
});

/** An API behind an edge that answers its first request 401
 *  `wrong_catalog` (a catalog deploy) and the others 200: its URL. */
async function wrongCatalogOnce(t) {
  let fetches = 0;
  const server = createServer((_req, res) => {
    res.writeHead(fetches++ === 0 ? 401 : 200, { "www-authenticate": 'Permsnap realm="permsnap", error="wrong_catalog"' });
    res.end("{}");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  return `http://127.0.0.1:${server.address().port}/api/x`;
}

test("a notice arriving while a new catalog's verifier is made applies to it too", async (t) => {
  const api = await wrongCatalogOnce(t);
  const now = Math.floor(realNow() / 1000);
  // Issued before the admin's edit: what a fetch already on its way brings.
  const before = issuer.issue(tenant, { id: "fay", roles: ["user"], version: 1 }, { now: now - 10 });
  let deliver;
  const s = session({ fetchSnapshot: async () => (await sleep(30), before.snapshot) }, {
    notices: (d) => ((deliver = d), () => {}),
    fetchCatalog: async () => {
      deliver(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 2 }] })); // the edit's notice, now
      return catalog;
    },
    onError: () => {},
  });
  await s.ready;
  deliver(issuer.revoke({ tenant, ids: ["00000000000000aa"] })); // an earlier, unrelated notice
  await sleep(20);
  await s.fetch(api); // wrong_catalog: reload, refresh
  await sleep(200);
  await waitFor(() => !s.permissions.can("calendar.view"), 5000, "the pre-edit snapshot is revoked under the new verifier");
  await sleep(100);
  assert.equal(s.permissions.can("calendar.view"), false, "and stays revoked");
  s.close();
});

test("a server-rendered initial snapshot never overrides what the app answered since", async () => {
  const initial = issuer.issue(tenant, { id: "fay", roles: ["user"] }).snapshot;
  const s = session({ fetchSnapshot: async () => null }, { initial, onError: () => {} }); // signed out since
  const afterRefresh = await s.refresh();
  await s.ready;
  await sleep(50);
  assert.equal(afterRefresh.error?.code, "no_snapshot");
  assert.equal(s.permissions.error?.code, "no_snapshot");
  assert.equal(s.snapshot, null);
  s.close();
});

test("refresh() while a fetch is on its way fetches once more after it: a sign-out meanwhile is not answered by the fetch from before", async () => {
  // The attack review of session 12: the endpoint read the login session
  // before the sign-out and answered after it; the app's refresh() got
  // that answer and kept the person's permissions for minutes.
  let signedIn = true;
  let calls = 0;
  let release;
  const fetchSnapshot = async () => {
    calls++;
    const answer = signedIn ? issuer.issue(tenant, { id: "ben", roles: ["admin"] }) : null;
    if (calls === 2) await new Promise((r) => (release = r)); // read before the sign-out, answered after
    return answer;
  };
  const s = session({ fetchSnapshot }, { onError: () => {} });
  await s.ready;
  assert.equal(s.permissions.can("settings.manage"), true);
  const before = s.refresh(); // the scheduled refresh, say
  await waitFor(() => release !== undefined, 5000, "the second fetch started");
  signedIn = false; // the person signs out; the app asks for a refresh
  const after = s.refresh();
  release();
  await before;
  const p = await after;
  assert.equal(calls, 3, "one more fetch after the one on its way");
  assert.equal(p.error?.code, "no_snapshot");
  assert.equal(s.permissions.can("settings.manage"), false);
  s.close();
});

test("a server-rendered initial snapshot is confirmed by a fetch in the background: access removed since goes", async () => {
  // A page from a cache (back and forward, a restored tab) carried ben's
  // admin snapshot; he is a plain user now.
  const initial = issuer.issue(tenant, { id: "ben", roles: ["admin"] }).snapshot;
  const app = endpoint({ id: "ben", roles: ["user"] });
  const s = session(app, { initial, onError: () => {} });
  await s.ready;
  await waitFor(() => app.calls >= 1 && s.permissions.can("settings.manage") === false, 5000, "the background fetch swapped in");
  assert.equal(s.permissions.error, null);
  s.close();
});

test("an endpoint URL redirecting to a login page means signed out: everything is denied at once", async (t) => {
  // Attack review, session 12: the redirect was followed, the login page's
  // HTML failed to parse, and the previous person's permissions stayed.
  let signedIn = true;
  const server = createServer((req, res) => {
    if (req.url === "/login") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<!doctype html><form>Sign in</form>");
    }
    if (!signedIn) {
      res.writeHead(302, { location: "/login" });
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(issuer.issue(tenant, { id: "ben", roles: ["admin"] })));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const errors = [];
  const s = pkg.createSession({ catalog, jwks, tenant, fetchSnapshot: `http://127.0.0.1:${server.address().port}/snapshot`, onError: (e) => errors.push(e) });
  await s.ready;
  assert.equal(s.permissions.can("settings.manage"), true);
  signedIn = false;
  const p = await s.refresh();
  assert.equal(p.error?.code, "no_snapshot");
  assert.equal(s.permissions.can("settings.manage"), false);
  s.close();
});

test("permissions a session let go (a refresh swapped them) are revoked in place by a later notice; the current ones wait for the fresh snapshot (attack review, session 15)", async () => {
  const app = endpoint({ id: "fay", version: 3, roles: ["user"] });
  const s = session(app, { onError: () => {} });
  const old = await s.ready;
  app.record.version = 4;
  await s.refresh();
  const current = s.permissions;
  assert.notEqual(current, old, "swapped");
  assert.equal(old.can("calendar.view"), true, "control: still valid before any notice");
  s.applyNotice(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 4 }] }));
  await waitFor(() => old.can("calendar.view") === false, 5000, "the let-go permissions denied");
  assert.equal(old.error?.code, "revoked");
  assert.equal(current.can("calendar.view"), true, "the current ones (version 4) are not revoked");
  assert.equal(current.error, null);
  s.close();
});

test("a notice delivered while a refresh swaps still revokes the permissions let go, on their next use (re-review, session 15)", async () => {
  const state = { record: { id: "fay", version: 3, roles: ["user"] }, hold: null };
  const s = session({
    fetchSnapshot: async (request) => {
      if (state.hold) {
        const h = state.hold;
        state.hold = null;
        await h;
      }
      return { ...issuer.issue(tenant, state.record, { lifetime: 900 }), fresh: request?.fresh };
    },
  }, { onError: () => {} });
  const p1 = await s.ready;
  let release;
  state.hold = new Promise((r) => (release = r));
  state.record.version = 4;
  const refreshed = s.refresh();
  for (let i = 0; i < 3; i++) await Promise.resolve();
  const notice = issuer.revoke({ tenant, staff: [{ subject: "fay", before: 4 }] });
  release();
  for (let i = 0; i < 60; i++) {
    if (i === 2) s.applyNotice(notice);
    await Promise.resolve();
  }
  await refreshed;
  await waitFor(() => s.permissions !== p1, 5000, "the refresh swapped");
  await waitFor(() => p1.can("calendar.view") === false, 5000, "the let-go permissions revoked");
  assert.equal(p1.error?.code, "revoked");
  assert.equal(s.permissions.can("calendar.view"), true, "the fresh ones (version 4) answer");
  s.close();
});

test("what withIds made of the session's current permissions waits with them after a notice (no blink), and is revoked once they are let go (re-review, session 15)", async () => {
  const ids = Array.from({ length: 100 }, (_, i) => `client-${String(i).padStart(4, "0")}`);
  const state = { record: { id: "fay", version: 3, roles: ["user"], scopes: { clients: { specific: ids } } }, delay: 0, last: null };
  const s = session({
    fetchSnapshot: async (request) => {
      await sleep(state.delay);
      state.last = issuer.issue(tenant, state.record, { lifetime: 900 });
      return { ...state.last, fresh: request?.fresh };
    },
  }, { onError: () => {} });
  const p1 = await s.ready;
  const derived = p1.withIds(state.last.idLists[0].list);
  const rows = [{ id: "client-0007" }];
  assert.equal(derived.filter("clients", rows).length, 1, "control");
  // An edit that only grows fay's access: a new version, a notice; the
  // fresh snapshot takes a second.
  state.record = { ...state.record, version: 4, grant: ["clients.bulk"] };
  state.delay = 1000;
  s.applyNotice(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 4 }] }));
  await sleep(200);
  assert.equal(s.permissions, p1, "still the current permissions");
  assert.equal(derived.can("clients.view"), true, "no blink");
  assert.equal(derived.filter("clients", rows).length, 1);
  await waitFor(() => s.permissions !== p1, 5000, "the refresh swapped");
  await waitFor(() => derived.can("clients.view") === false, 5000, "let go with its parent: revoked");
  s.close();
});

test("permissions a replaced verifier handed out (a new catalog) are revoked in place by a later notice (re-review, session 15)", async (t) => {
  const api = await wrongCatalogOnce(t);
  const app = endpoint({ id: "fay", version: 1, roles: ["user"] });
  const s = session(app, { fetchCatalog: async () => catalog, onError: () => {} });
  const p1 = await s.ready;
  await sleep(1100); // the next snapshot gets another issue time
  await s.fetch(api); // wrong_catalog: a new verifier, a refresh
  await waitFor(() => s.permissions !== p1, 5000, "the refresh swapped");
  assert.equal(p1.can("calendar.view"), true, "control: let go, still valid");
  s.applyNotice(issuer.revoke({ tenant, ids: [p1.id] }));
  await waitFor(() => p1.can("calendar.view") === false, 5000, "revoked through the verifier that made it");
  assert.equal(s.permissions.can("calendar.view"), true, "the current ones are another snapshot");
  s.close();
});

test("a withIds of a withIds of permissions the session let go is revoked by a later notice too (third review, session 15)", async () => {
  const ids = (p, n) => Array.from({ length: n }, (_, i) => `${p}-${i}`);
  const state = { record: { id: "fay", version: 3, roles: ["user"], scopes: { clients: { specific: ids("client", 100) }, payments: { specific: ids("pay", 100) } } }, last: null };
  const s = session({ fetchSnapshot: async (r) => ((state.last = issuer.issue(tenant, state.record, { lifetime: 3600 })), { ...state.last, fresh: r?.fresh }) }, { onError: () => {} });
  await s.ready;
  let perms = s.permissions;
  for (const l of state.last.idLists) perms = perms.withIds(l.list);
  const oldId = s.permissions.id;
  await sleep(1100);
  await s.refresh(); // the session lets the old snapshot go
  state.record = { ...state.record, version: 4 };
  s.applyNotice(issuer.revoke({ tenant, ids: [oldId], staff: [{ subject: "fay", before: 4 }] }));
  await waitFor(() => perms.can("calendar.view") === false, 5000, "the grandchild revoked");
  assert.equal(perms.error?.code, "revoked");
  s.close();
});

test("a notice signed with a key the page does not know yet fetches the keys and applies (third review, session 15)", async () => {
  const key2 = issuerPkg.generateKey({ kid: "k2" });
  const issuer2 = new issuerPkg.Issuer(policy.catalog, key2.privateJwk);
  issuer2.setAccount(tenant, policy.roles);
  let keyFetches = 0;
  let iss = issuer;
  let version = 3;
  const s = session({ fetchSnapshot: async (r) => ({ ...iss.issue(tenant, { id: "fay", version, roles: ["admin"] }, { lifetime: 3600 }), fresh: r?.fresh }) }, {
    fetchKeys: async () => (keyFetches++, { keys: [...jwks.keys, ...key2.jwks.keys] }),
    onError: () => {},
  });
  const p = await s.ready;
  assert.equal(p.can("settings.manage"), true, "control");
  iss = issuer2;
  version = 4;
  s.applyNotice(issuer2.revoke({ tenant, staff: [{ subject: "fay", before: 4 }] }));
  await waitFor(() => keyFetches > 0, 5000, "the keys fetched");
  await waitFor(() => s.permissions !== p, 5000, "a fresh snapshot swapped in");
  await waitFor(() => p.can("settings.manage") === false, 5000, "the revoked one denied");
  s.close();
});

test("permissions the session turns to deny-all itself tell the page's watchers; a refresh answered before the edit does not blink (third review, session 15)", async () => {
  const listeners = globalThis[Symbol.for("permsnap.expiryListeners")];
  const state = { version: 3, delay: 0, hold: null };
  const s = session({
    fetchSnapshot: async (r) => {
      const answer = { ...issuer.issue(tenant, { id: "fay", version: state.version, roles: state.version === 3 ? ["admin"] : ["user"] }, { lifetime: 3600 }), fresh: r?.fresh };
      if (state.hold) {
        const h = state.hold;
        state.hold = null;
        await h;
      }
      await sleep(state.delay);
      return answer;
    },
  }, { onError: () => {} });
  const p = await s.ready;
  const seen = [];
  const watcher = () => seen.push(p.can("settings.manage"));
  listeners.add(watcher);
  try {
    // An answer from before the edit, arriving after its notice: the
    // session keeps what it has for its few seconds; nobody sees deny-all.
    const swaps = [];
    const stop = s.subscribe((q) => swaps.push(q.error?.code ?? `v${q.version}`));
    let release;
    state.hold = new Promise((r) => (release = r));
    void s.refresh();
    await sleep(50);
    state.version = 4;
    state.delay = 300;
    s.applyNotice(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 4 }] }));
    await sleep(50);
    release();
    await waitFor(() => s.permissions.version === 4, 5000, "version 4 swapped in");
    assert.deepEqual(swaps.filter((x) => !x.startsWith("v")), [], `no deny-all swapped in: ${swaps}`);
    stop();
    // The revoked one told its watchers once it denied.
    await waitFor(() => p.can("settings.manage") === false, 5000, "the revoked one denied");
    await waitFor(() => seen.includes(false), 5000, "the watchers were told");
  } finally {
    listeners.delete(watcher);
    s.close();
  }
});

test("close() while a key reload is on its way swaps nothing in afterwards, and the refresh resolves with the deny-all (third review, session 15; re-review, session 17)", async () => {
  const key2 = issuerPkg.generateKey({ kid: "k2" });
  const issuer2 = new issuerPkg.Issuer(policy.catalog, key2.privateJwk);
  issuer2.setAccount(tenant, policy.roles);
  let iss = issuer;
  const s = session({ fetchSnapshot: async (r) => ({ ...iss.issue(tenant, { id: "ben", roles: ["admin"] }, { lifetime: 900 }), fresh: r?.fresh }) }, {
    fetchKeys: async () => (await sleep(200), { keys: [...jwks.keys, ...key2.jwks.keys] }),
    onError: () => {},
  });
  await s.ready;
  let told = 0;
  s.subscribe(() => told++);
  iss = issuer2;
  const r = s.refresh();
  await sleep(50);
  s.close();
  const held = s.permissions;
  // What refresh() resolves with is what is in force, not the freed object
  // the verify gave (it answered yes: re-review, session 17).
  const after = await r;
  assert.equal(after, held, "refresh() resolves with the deny-all");
  assert.equal(after.can("staff.manage"), false);
  await sleep(100);
  assert.equal(s.permissions, held, "nothing swapped in after close()");
  assert.equal(held.error?.code, "no_snapshot", "close() itself denies everything");
  assert.equal(told, 1, "subscribers heard the deny-all of close(), nothing after");
});

test("an onError that throws stops nothing: a refused snapshot is still denied, later subscribers still told (attack review, session 17)", async () => {
  // The reporter was called before the step that narrows access, without
  // a try: a logger that throws left the refused snapshot's predecessor
  // in force and the UI's subscribers untold.
  let forged = false;
  const app = endpoint({ id: "ben", roles: ["admin"] });
  const fetchSnapshot = async (r) => {
    const a = await app.fetchSnapshot(r);
    return forged ? { ...a, snapshot: `${a.snapshot.slice(0, -4)}AAAA` } : a;
  };
  const thrown = [];
  const s = session({ fetchSnapshot }, { onError: (e) => { thrown.push(e); throw e; } });
  assert.equal((await s.ready).can("staff.manage"), true);
  const seen = [];
  s.subscribe(() => { throw new Error("a subscriber's bug"); });
  s.subscribe((p) => seen.push(p));
  forged = true;
  const after = await s.refresh();
  assert.equal(after.can("staff.manage"), false, "the refused answer denies everything");
  assert.equal(s.permissions.error?.code, "bad_signature");
  assert.equal(seen.at(-1), s.permissions, "the subscriber after a throwing one heard the deny-all");
  assert.ok(thrown.some((e) => e.code === "bad_signature") && thrown.some((e) => /subscriber's bug/.test(e.message)), thrown.map(String).join("; "));
  s.close();
});

test("close() denies everything, the permissions it held and the snapshot text too (attack review, session 17)", async () => {
  const app = endpoint({ id: "ben", roles: ["admin"] });
  const s = session(app, { onError: () => {} });
  const held = await s.ready;
  assert.equal(held.can("staff.manage"), true);
  const seen = [];
  s.subscribe((p) => seen.push(p));
  s.close();
  assert.equal(s.permissions.can("staff.manage"), false);
  assert.equal(s.permissions.error?.code, "no_snapshot");
  assert.equal(held.can("staff.manage"), false, "a copy the app kept stops answering yes");
  assert.equal(s.snapshot, null, "no bearer text left behind");
  assert.deepEqual(seen, [s.permissions], "subscribers heard it");
  assert.equal((await s.refresh()).can("staff.manage"), false);
  const calls = app.calls;
  await sleep(50);
  assert.equal(app.calls, calls, "closed: no fetch");
  s.close(); // twice is harmless
});

test("a snapshot already due for a refresh when it came backs off, not a fetch every tenth of a second (attack review, session 17)", async () => {
  // No server clock (a bare answer) and a device clock 13 minutes ahead:
  // every fresh snapshot was past its refresh point already.
  const app = endpoint({ id: "fay", roles: ["user"] });
  const errors = [];
  Date.now = () => realNow() + 13 * 60_000;
  const s = session({ fetchSnapshot: async () => (await app.fetchSnapshot()).snapshot }, { onError: (e) => errors.push(e) });
  try {
    await s.ready;
    assert.equal(s.permissions.can("calendar.view"), true);
    const calls = app.calls;
    await sleep(1500);
    assert.ok(app.calls - calls <= 2, `${app.calls - calls} fetches in 1.5 s`);
    assert.ok(errors.some((e) => /already due for a refresh/.test(e.message)), errors.map(String).join("; "));
  } finally {
    Date.now = realNow;
    s.close();
  }
});

test("a subscriber refreshing on every swap does not make the session fetch back to back; a leeway in milliseconds is refused (attack review, session 17)", async () => {
  const app = endpoint({ id: "fay", roles: ["user"] });
  const s = session(app, { onError: () => {} });
  s.subscribe(() => void s.refresh());
  await s.ready;
  const calls = app.calls;
  await sleep(1000);
  assert.ok(app.calls - calls <= 1, `${app.calls - calls} fetches in a second`);
  assert.equal(s.permissions.can("calendar.view"), true);
  s.close();
  assert.throws(() => session(app, { leeway: 30_000 }), (e) => e.code === "invalid_argument" && /3600/.test(e.message));
  assert.throws(() => session(app, { leeway: -1 }), (e) => e.code === "invalid_argument");
});

test("fetchSnapshot: an empty URL is refused; a function answering a plain value is read as resolved (attack review, session 17)", async () => {
  assert.throws(() => pkg.createSession({ catalog, jwks, tenant, fetchSnapshot: "" }), (e) => e.code === "invalid_argument" && /empty/.test(e.message));
  assert.throws(() => pkg.createSession({ catalog, jwks, tenant, fetchSnapshot: "  " }), (e) => e.code === "invalid_argument");
  const app = endpoint({ id: "fay", roles: ["user"] });
  const answer = await app.fetchSnapshot({ fresh: "x" });
  const s = session({ fetchSnapshot: () => answer.snapshot }, { onError: () => {} });
  assert.equal((await s.ready).can("calendar.view"), true);
  s.close();
});

test("a notice under a new key is never dropped: a bogus notice spending the key fetch first, or the endpoint down, still ends in deny-all (re-review, session 15)", async () => {
  const key2 = issuerPkg.generateKey({ kid: "k2" });
  const issuer2 = new issuerPkg.Issuer(policy.catalog, key2.privateJwk);
  issuer2.setAccount(tenant, policy.roles);
  const evilKey = issuerPkg.generateKey({ kid: "evil" });
  const evil = new issuerPkg.Issuer(policy.catalog, evilKey.privateJwk);
  evil.setAccount(tenant, policy.roles);
  // 1. An attacker's notice (unknown key) spends the key fetch; the real
  //    one (the issuer rotated) comes within 30 s.
  let iss = issuer;
  let version = 3;
  const s = session({ fetchSnapshot: async (r) => ({ ...iss.issue(tenant, { id: "fay", version, roles: ["admin"] }, { lifetime: 3600 }), fresh: r?.fresh }) }, {
    fetchKeys: async () => ({ keys: iss === issuer2 ? [...jwks.keys, ...key2.jwks.keys] : jwks.keys }),
    onError: () => {},
  });
  const kept = await s.ready;
  s.applyNotice(evil.revoke({ tenant, ids: ["0123456789abcdef"] }));
  await sleep(200);
  iss = issuer2;
  version = 4;
  s.applyNotice(issuer2.revoke({ tenant, staff: [{ subject: "fay", before: 4 }] }));
  await waitFor(() => kept.can("settings.manage") === false, 8000, "the revoked permissions denied");
  s.close();
  // 2. The endpoint is down: the notice's snapshot in force is denied after
  //    its few seconds, without the keys ever coming.
  let down = false;
  const s2 = session({ fetchSnapshot: async (r) => { if (down) throw new Error("endpoint down"); return { ...issuer.issue(tenant, { id: "fay", version: 3, roles: ["admin"] }, { lifetime: 3600 }), fresh: r?.fresh }; } }, { onError: () => {} });
  const p = await s2.ready;
  down = true;
  s2.applyNotice(issuer2.revoke({ tenant, staff: [{ subject: "fay", before: 4 }] }));
  await waitFor(() => s2.permissions.can("settings.manage") === false && p.can("settings.manage") === false, 8000, "denied after the grace");
  s2.close();
});

test("permissions of a verifier freed (a session's oldest replaced one, or at close()) deny, with typed errors (re-review, session 15)", async () => {
  const v = new pkg.Verifier(catalog, jwks, { tenant });
  const p = await v.verify(issuer.issue(tenant, { id: "fay", roles: ["user"] }).snapshot);
  assert.equal(p.can("calendar.view"), true, "control");
  v.free();
  assert.equal(p.can("calendar.view"), false);
  assert.equal(p.error?.code, "revoked");
  // Deny-all's answers (both small-core builds keep the catalog's names in
  // JavaScript): no record.
  assert.deepEqual(p.filter("appointments", [{ staff_id: "fay" }]), []);
  assert.deepEqual(p.hiddenFields("clients"), p.fieldNames("clients"));
});

test("close() turns every Permissions the session handed out to deny-all, not only its current one (attack review, session 18)", async () => {
  // `const me = await session.ready`, then a refresh swaps in another
  // object: after close() the session denied, and `me` still answered yes
  // (a shared desk's next person inherited the powers until expiry).
  const app = endpoint({ id: "ana", roles: ["principal"], principal: true });
  const s = session(app);
  const me = await s.ready;
  const seen = [];
  s.subscribe((p) => seen.push(p));
  const again = await s.refresh();
  assert.notEqual(again, me, "a refresh swapped in another object");
  assert.equal(me.can("payments.view"), true);
  s.close();
  for (const p of [me, again, ...seen]) {
    assert.equal(p.can("payments.view"), false);
    assert.equal(p.error?.code, "no_snapshot");
  }
  assert.equal(s.permissions.can("payments.view"), false);
});

test("a key rotation while the session replaces its catalog reaches the new catalog's verifier: the withdrawn key's snapshots are refused (attack review, session 20)", async () => {
  // A snapshot of the next catalog revision, signed by the key being
  // withdrawn: the session fetches the catalog; meanwhile a notice under
  // the new key makes it fetch the keys, which no longer hold the old one.
  // The browser entry computed the new catalog's fingerprint with WebCrypto
  // (session 20), so the rotation landed while its verifier was not yet
  // current, and that verifier kept trusting the old key.
  const { privateJwk } = await import("./feed-signer.mjs");
  const next = vectors.catalogs["sitee-r3"];
  const oldIssuer = new issuerPkg.Issuer(next.definition, privateJwk(vectors.key));
  oldIssuer.setAccount(tenant, policy.roles);
  const k2 = issuerPkg.generateKey({ kid: "k2" });
  const newIssuer = new issuerPkg.Issuer(next.definition, k2.privateJwk);
  const withdrawn = oldIssuer.issue(tenant, { id: "ben", roles: ["admin"] }, { lifetime: 900 });
  const notice = newIssuer.revoke({ tenant, ids: ["0000000000000001"] });
  let s;
  const seen = [];
  s = pkg.createSession({
    catalog: vectors.catalogs.sitee, jwks: vectors.key.jwks, tenant,
    fetchSnapshot: async ({ fresh }) => ({ ...withdrawn, fresh }),
    fetchCatalog: async () => {
      queueMicrotask(() => s.applyNotice(notice));
      return next;
    },
    fetchKeys: async () => k2.jwks,
    onError: (e) => seen.push(e?.code),
  });
  const p = await s.ready;
  await waitFor(() => seen.includes("unknown_key"), 5000, "the withdrawn key refused");
  assert.equal(p.can("staff.manage"), false);
  assert.notEqual(p.error, null);
  const again = await s.refresh();
  assert.equal(again.can("staff.manage"), false, "the new catalog's verifier does not trust the withdrawn key");
  assert.equal(again.error?.code, "unknown_key");
  s.close();
});

test("a notice channel that throws, or returns something else than its stop function, is refused typed; a stop function that throws does not break close() (attack review, session 24)", () => {
  const app = endpoint({ id: "fay", roles: ["user"] });
  let closed = 0;
  // `return es` instead of `() => es.close()`: refused, and the source closed.
  assert.throws(() => session(app, { notices: () => ({ close: () => closed++ }) }), (e) => e.code === "invalid_argument" && /stops the channel/.test(e.message));
  assert.equal(closed, 1);
  assert.throws(() => session(app, { notices: () => 42 }), (e) => e.code === "invalid_argument");
  const bad = new SyntaxError("An invalid or illegal string was specified");
  assert.throws(() => session(app, { notices: () => { throw bad; } }), (e) => e.code === "invalid_argument" && e.cause === bad);
  // Nothing returned is fine (a channel the app stops itself).
  session(app, { notices: () => undefined, onError: () => {} }).close();
  const reported = [];
  const s = session(app, { notices: () => () => { throw new Error("already closed"); }, onError: (e) => reported.push(e) });
  let heard = 0;
  s.subscribe(() => heard++);
  s.close(); // returns
  assert.equal(s.permissions.can("calendar.view"), false);
  assert.ok(reported.some((e) => /already closed/.test(e.message)));
  const before = heard;
  s.close();
  assert.equal(heard, before, "listeners were cleared");
});

test("session.fetch reads its options strictly, and a request it cannot make is a typed error (attack review, session 24)", async () => {
  const app = endpoint({ id: "fay", roles: ["user"] });
  const s = session(app);
  await s.ready;
  const refused = async (init, why) => {
    await assert.rejects(s.fetch("http://127.0.0.1:9/api", init), (e) => e instanceof pkg.PermsnapError && e.code === "invalid_argument" && why.test(e.message));
  };
  await refused({ heder: true }, /unknown key `heder`/);
  await refused({ header: "no" }, /`header` is true or false/);
  await refused({ method: "GET", body: "x" }, /fetch:/);
  await assert.rejects(s.fetch("/relative"), (e) => e.code === "invalid_argument");
  s.close();
});

test("an edge refusing every fresh snapshot costs one recovery per interval, shared by the requests refused meanwhile, not one per request (attack review, session 24)", async (t) => {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    res.writeHead(401, { "www-authenticate": 'Permsnap realm="permsnap", error="wrong_catalog", error_description="x"' });
    res.end("{}");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${server.address().port}/api`;
  const app = endpoint({ id: "fay", roles: ["user"] });
  let catalogs = 0;
  const s = session(app, { fetchCatalog: async () => (catalogs++, catalog), onError: () => {} });
  await s.ready;
  const calls = app.calls;
  // Five at once: one recovery, and each is sent again once.
  const first = await Promise.all(Array.from({ length: 5 }, () => s.fetch(url)));
  assert.ok(first.every((r) => r.status === 401));
  assert.equal(app.calls - calls, 1, "one snapshot fetch");
  assert.equal(catalogs, 1, "one catalog fetch");
  assert.equal(hits, 10);
  // Then, within the interval, the edge's answer as it is.
  for (let i = 0; i < 20; i++) assert.equal((await s.fetch(url)).status, 401);
  assert.equal(app.calls - calls, 1);
  assert.equal(catalogs, 1);
  assert.equal(hits, 30);
  s.close();
});

test("a subscriber refreshing from a later task on every swap is held to one fetch a second (attack review, session 24)", async () => {
  const app = endpoint({ id: "fay", roles: ["user"] });
  const s = session(app, { onError: () => {} });
  s.subscribe(() => setTimeout(() => void s.refresh()));
  await s.ready;
  const calls = app.calls;
  await sleep(2500);
  const n = app.calls - calls;
  s.close();
  assert.ok(n >= 1 && n <= 3, `${n} fetches in 2.5 s`);
  // An explicit refresh after the first still fetches (later, not never).
  const lone = endpoint({ id: "fay", roles: ["user"] });
  const s2 = session(lone);
  await s2.ready;
  lone.record = { ...lone.record, roles: ["manager"] };
  const p = await s2.refresh();
  assert.equal(lone.calls, 2);
  assert.equal(p, s2.permissions);
  s2.close();
});

test("a snapshot of a lower version of the same person is older, whatever its time (review, session 24)", async () => {
  const app = endpoint({ id: "fay", roles: ["manager"], version: 5 });
  const errors = [];
  let replica = null;
  const s = session(app, {
    onError: (e) => errors.push(e),
    fetchSnapshot: async (request) => (replica ? { ...replica, fresh: request.fresh } : app.fetchSnapshot(request)),
  });
  const first = await s.ready;
  assert.equal(first.version, 5);
  // A replica behind the edit answers version 4, issued later (its clock ahead).
  replica = issuer.issue(tenant, { id: "fay", roles: ["manager"], version: 4 }, { now: first.issuedAt + 30 });
  const p = await s.refresh();
  assert.equal(p, first, "the version in force stays");
  assert.ok(errors.some((e) => /earlier time or version/.test(e.message)), errors.map((e) => e.message).join("\n"));
  s.close();
});

test("a snapshot the edge accepted and then refuses is recovered from at once, even right after a recovery (re-review, session 24)", async (t) => {
  let refuse = new Set(); // snapshot texts the edge refuses, as revoked
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const sent = (req.headers.authorization ?? "").replace(/^Permsnap /, "");
    if (refuse.has(sent)) {
      res.writeHead(401, { "www-authenticate": 'Permsnap realm="permsnap", error="revoked", error_description="x"' });
      res.end("{}");
      return;
    }
    res.writeHead(200);
    res.end("ok");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${server.address().port}/api`;
  const app = endpoint({ id: "cam", roles: ["manager"], version: 1 });
  const s = session(app, { onError: () => {} });
  await s.ready;
  // First edit: the edge refuses the snapshot in force; one recovery.
  refuse.add(s.snapshot);
  app.record = { ...app.record, version: 2 };
  assert.equal((await s.fetch(url, { header: true })).status, 200);
  const second = s.snapshot;
  // The edge takes the recovered snapshot...
  assert.equal((await s.fetch(url, { header: true })).status, 200);
  // ...then a second edit, seconds later: recovered from at once.
  refuse.add(second);
  app.record = { ...app.record, version: 3, roles: ["user"] };
  const calls = app.calls;
  assert.equal((await s.fetch(url, { header: true })).status, 200);
  assert.equal(app.calls, calls + 1);
  assert.equal(s.permissions.version, 3);
  s.close();
});

test("a device clock set back does not freeze the session's refreshes (re-review, session 24)", async (t) => {
  const app = endpoint({ id: "fay", roles: ["user"] });
  const s = session(app, { onError: () => {} });
  await s.ready;
  const now = Date.now;
  t.after(() => (Date.now = now));
  const back = now() - 3600_000;
  Date.now = () => back; // NTP corrects a clock an hour ahead
  const calls = app.calls;
  const done = await Promise.race([s.refresh().then(() => "fetched"), sleep(3000).then(() => "stuck")]);
  Date.now = now;
  assert.equal(done, "fetched");
  assert.equal(app.calls, calls + 1);
  s.close();
});

test("an async notices subscriber is refused, and its channel stopped once it resolves (re-review, session 24)", async () => {
  const app = endpoint({ id: "fay", roles: ["user"] });
  let stopped = 0;
  assert.throws(() => session(app, { notices: async () => () => stopped++ }), (e) => e.code === "invalid_argument" && /a promise \(an async function\?/.test(e.message));
  await sleep(10);
  assert.equal(stopped, 1);
});
