// The browser entry (pkg/index.js, the small core), whose WebAssembly has
// no curve arithmetic: signatures are checked by the platform's WebCrypto
// Ed25519 (Node 20's here; tests/e2e/webcrypto.test.mjs runs the same in
// Chromium and Firefox). Every
// committed vector gives the same answer as the build verifying in wasm
// (`permsnap` in Node: pkg/sync), and the strict rules hold where WebCrypto
// alone would be laxer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pkg as sync, root, vectors, catalog, tenantOptions, errorCode, strictForgeries } from "./helpers.mjs";

const web = await import(new URL("../../pkg/index.js", import.meta.url));
web.initSync(readFileSync(`${root}pkg/permsnap_wasm_bg.wasm`));

const b64 = (bytes) => Buffer.from(bytes).toString("base64url");
const unb64 = (text) => new Uint8Array(Buffer.from(text, "base64url"));

function verifiers(c, build) {
  const v = new build.Verifier(catalog(c.catalog), vectors.key.jwks, { ...tenantOptions(c), leeway: vectors.leeway, clock: () => c.now });
  if (c.revoked_ids) v.setRevocations({ ids: c.revoked_ids });
  return v;
}

/** What a verified snapshot answers, comparable across builds. */
function answers(p) {
  return { allowed: p.allowed(), claims: p.claims() };
}

async function webAnswer(c, input = c.snapshot) {
  try {
    let p = await verifiers(c, web).verify(input);
    for (const list of c.id_lists ?? []) p = p.withIds(list);
    return answers(p);
  } catch (e) {
    assert.ok(e instanceof web.PermsnapError, String(e));
    return { error: e.code };
  }
}

function syncAnswer(c, input = c.snapshot) {
  try {
    let p = verifiers(c, sync).load(input);
    for (const list of c.id_lists ?? []) p = p.withIds(list);
    return answers(p);
  } catch (e) {
    assert.ok(e instanceof sync.PermsnapError, String(e));
    return { error: e.code };
  }
}

test("the platform-verifying build is not the one verifying in wasm", () => {
  const size = (f) => readFileSync(`${root}pkg/${f}`).length;
  assert.ok(size("permsnap_wasm_bg.wasm") < size("sync/permsnap_wasm_bg.wasm"));
  const v = verifiers(vectors.cases[0], web);
  assert.equal(errorCode(() => v.load(vectors.cases[0].snapshot)), "async_required");
});

test("every vector: the same answer through WebCrypto as in wasm", async () => {
  for (const c of vectors.cases) {
    const expected = syncAnswer(c);
    assert.deepEqual(await webAnswer(c), expected, c.name);
    if (c.expect.error) assert.equal(expected.error, c.expect.error, c.name);
    else assert.deepEqual(expected.allowed, c.expect.allowed, c.name);
  }
});

test("load answers synchronously once verify did, and checks the time anew", async () => {
  const c = vectors.cases.find((x) => x.name === "sitee/dia");
  let now = c.now;
  const v = new web.Verifier(catalog(c.catalog), vectors.key.jwks, { ...tenantOptions(c), leeway: vectors.leeway, clock: () => now });
  assert.equal(errorCode(() => v.load(c.snapshot)), "async_required");
  assert.equal(v.loadOrDeny(c.snapshot).error.code, "async_required");
  assert.deepEqual((await v.verify(c.snapshot)).allowed(), c.expect.allowed);
  assert.deepEqual(v.load(c.snapshot).allowed(), c.expect.allowed);
  now = c.expect.expires_at + vectors.leeway + 1;
  assert.equal(errorCode(() => v.load(c.snapshot)), "expired");
  // A key rotation forgets what was verified.
  now = c.now;
  v.setJwks(vectors.key.jwks);
  assert.equal(errorCode(() => v.load(c.snapshot)), "async_required");
});

test("bytes changed while the platform verifies are not what gets accepted", async () => {
  const c = vectors.cases.find((x) => x.name === "sitee/dia");
  const v = verifiers(c, web);
  const bytes = unb64(c.snapshot);
  const pending = v.verify(bytes);
  const evil = bytes.slice();
  bytes.fill(0); // the caller's buffer, reused meanwhile
  assert.deepEqual((await pending).allowed(), c.expect.allowed);
  // The verified copy answers; other bytes were never verified.
  evil[evil.length - 70] ^= 1;
  assert.equal(errorCode(() => v.load(evil)), "async_required");
  await assert.rejects(v.verify(evil), (e) => e.code === "bad_signature");
});

test("strict Ed25519 where WebCrypto alone may be lax: S + L, small-order R, weak keys", async () => {
  const c = vectors.cases.find((x) => x.name === "sitee/dia");
  for (const [name, forged] of strictForgeries(c.snapshot)) {
    const f = { ...c, snapshot: forged };
    assert.deepEqual(syncAnswer(f), { error: "bad_signature" }, name);
    assert.deepEqual(await webAnswer(f), { error: "bad_signature" }, name);
  }
  // Weak and non-canonical keys are refused when the key set is given.
  for (const x of [[1, ...new Array(31).fill(0)], [0xec, ...new Array(30).fill(0xff), 0x7f], [0xee, ...new Array(30).fill(0xff), 0x7f]]) {
    const jwks = { keys: [{ kty: "OKP", crv: "Ed25519", kid: "t-01", x: b64(x) }] };
    for (const build of [web, sync]) {
      assert.equal(errorCode(() => new build.Verifier(catalog(c.catalog), jwks, tenantOptions(c))), "invalid_key", b64(x));
    }
  }
});

test("revocation notices: verifyNotice in every build, applyNotice after it in the browser build", async () => {
  const c = vectors.cases.find((x) => x.name === "sitee/dia");
  for (const notice of vectors.notices.apply) {
    const v = verifiers({ ...c, expected_tenant: undefined }, web);
    const s = verifiers({ ...c, expected_tenant: undefined }, sync);
    assert.equal(errorCode(() => v.applyNotice(notice)), "async_required");
    assert.deepEqual(await v.verifyNotice(notice), s.applyNotice(notice));
    assert.deepEqual(v.applyNotice(notice), s.applyNotice(notice));
    const after = await v.verify(c.snapshot).then((p) => p.allowed(), (e) => e.code);
    assert.deepEqual(after, errorCode(() => s.load(c.snapshot)) === "none" ? s.load(c.snapshot).allowed() : errorCode(() => s.load(c.snapshot)));
  }
  for (const r of vectors.notices.refused) {
    const v = verifiers({ ...c, expected_tenant: undefined }, web);
    await assert.rejects(v.verifyNotice(r.notice), (e) => e.code === r.error, r.name);
  }
});

test("a Node Buffer changed during the await: the bytes given are what gets answered, in every build", async () => {
  // The builds verifying in wasm await nothing of their own, but `verify`
  // is a promise all the same: a pooled Buffer reused for another request
  // before it settles once got that request's person answered (Node, edge).
  const edge = await import(new URL("../../pkg/edge/node.js", import.meta.url));
  const [dia, ben] = ["sitee/dia", "sitee/ana"].map((n) => vectors.cases.find((x) => x.name === n));
  assert.notEqual(ben.expect.subject, dia.expect.subject);
  for (const [name, build] of [["browser", web], ["sync", sync], ["edge", edge]]) {
    const v = verifiers(dia, build);
    const buf = Buffer.from(dia.snapshot, "base64url");
    const pending = v.verify(buf);
    buf.fill(0); // a pooled buffer reused for another request meanwhile
    assert.equal((await pending).subject, dia.expect.subject, name);
    const other = Buffer.from(ben.snapshot, "base64url");
    assert.equal(other.length, Buffer.from(dia.snapshot, "base64url").length, "same size, so the swap below fits");
    const buf2 = Buffer.from(dia.snapshot, "base64url");
    const pending2 = verifiers(dia, build).verify(buf2);
    other.copy(buf2); // another person's valid snapshot written over it
    assert.equal((await pending2).subject, dia.expect.subject, `${name}: another person's snapshot written over the bytes`);
    const buf3 = Buffer.from(dia.snapshot, "base64url");
    const pending3 = verifiers(dia, build).verifyFor(buf3, dia.expect.tenant);
    other.copy(buf3);
    assert.equal((await pending3).subject, dia.expect.subject, `${name}: verifyFor`);
  }
});

test("a key that is not a point of the curve refuses the whole key set, in every build", () => {
  const c = vectors.cases.find((x) => x.name === "sitee/dia");
  const offCurve = b64([2, ...new Array(31).fill(0)]); // y = 2: x² has no root
  const jwks = { keys: [...vectors.key.jwks.keys, { kty: "OKP", crv: "Ed25519", kid: "bad", x: offCurve }] };
  for (const build of [web, sync]) {
    assert.equal(errorCode(() => new build.Verifier(catalog(c.catalog), jwks, tenantOptions(c))), "invalid_key");
    const v = new build.Verifier(catalog(c.catalog), vectors.key.jwks, tenantOptions(c));
    assert.equal(errorCode(() => v.setJwks(jwks)), "invalid_key");
    assert.equal(v.keys.keys, 1, "the keys in force stay");
  }
});

test("argument checks come before the platform; a freed verifier and a rotated key say so", async () => {
  const c = vectors.cases.find((x) => x.name === "sitee/dia");
  const per = new web.Verifier(catalog(c.catalog), vectors.key.jwks, { tenantPerRequest: true, clock: () => c.now });
  await assert.rejects(per.verifyFor(c.snapshot, ""), (e) => e.code === "invalid_argument");
  // Freed while the platform verifies: a PermsnapError, not a wasm crash.
  const v = verifiers(c, web);
  const pending = v.verify(c.snapshot);
  v.free();
  await assert.rejects(pending, (e) => e instanceof web.PermsnapError && e.code === "invalid_argument");
  assert.equal(errorCode(() => v.load(c.snapshot)), "invalid_argument");
  // The key under the same id replaced while the platform verifies: as
  // the wasm build says for the new key, bad_signature.
  const w = verifiers(c, web);
  // Another valid key (the base point's encoding) under the same key id.
  const basePoint = b64(Buffer.from("58" + "66".repeat(31), "hex"));
  const rotated = { keys: [{ kty: "OKP", crv: "Ed25519", kid: vectors.key.kid, x: basePoint }] };
  const p2 = w.verify(c.snapshot);
  w.setJwks(rotated);
  await assert.rejects(p2, (e) => e.code === "bad_signature");
  const s = verifiers(c, sync);
  s.setJwks(rotated);
  assert.equal(errorCode(() => s.load(c.snapshot)), "bad_signature");
});

test("many verifications at once each get the platform's answer (the wasm keeps 16 jobs: the wrapper takes turns)", async () => {
  const c = vectors.cases.find((x) => x.name === "sitee/dia");
  const v = verifiers(c, web);
  // The same snapshot 120 times and every valid vector of its catalog,
  // all in flight together, plus a tampered one that must still fail.
  const valid = vectors.cases.filter((x) => x.catalog === c.catalog && x.expect.allowed && x.now === c.now && !x.revoked_ids && !x.id_lists);
  const tampered = c.snapshot.slice(0, 40) + (c.snapshot[40] === "A" ? "B" : "A") + c.snapshot.slice(41);
  const inputs = [...Array(120).fill(c.snapshot), ...valid.map((x) => x.snapshot)];
  const results = await Promise.allSettled([...inputs.map((s) => v.verify(s)), v.verify(tampered)]);
  const refused = results.slice(0, inputs.length).filter((r) => r.status === "rejected").map((r) => r.reason.code);
  assert.deepEqual(refused, [], "no valid snapshot refused");
  assert.deepEqual(results[0].value.allowed(), c.expect.allowed);
  assert.equal(results.at(-1).status, "rejected");
  assert.equal(results.at(-1).reason.code, "bad_signature");
});

test("inputs over 16 MiB are refused too_large before wasm, also by verifyOrDeny", async () => {
  const c = vectors.cases.find((x) => x.name === "sitee/dia");
  const v = verifiers(c, web);
  for (const input of [new Uint8Array((16 << 20) + 1), "A".repeat((16 << 20) + 1)]) {
    await assert.rejects(v.verify(input), (e) => e instanceof web.PermsnapError && e.code === "too_large" && e.message.includes("over the 16777216"));
    assert.equal((await v.verifyOrDeny(input)).error.code, "too_large");
    await assert.rejects(v.verifyNotice(input), (e) => e instanceof web.PermsnapError && e.code === "too_large");
  }
  assert.equal((await v.verify(c.snapshot)).claims().subject, "dia");
});
