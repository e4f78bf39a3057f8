// The asynchronous verification API (`verify`, `verifyFor`, `verifyOrDeny`):
// the same answers as the synchronous one, refusals as rejections (or, for
// `verifyOrDeny`, as permissions denying everything). Session and React code
// is written on these; a later build may verify with WebCrypto (async).
import { test } from "node:test";
import assert from "node:assert/strict";
import { pkg, verifierFor, orError, validCases, refusedCases } from "./helpers.mjs";

const { PermsnapError } = pkg;

/** What a Permissions object says, as plain data (to compare two). */
function answers(v, p) {
  return {
    error: p.error?.code ?? null,
    allowed: p.allowed(),
    claims: p.claims(),
    explain: v.permissionNames.map((n) => p.explain(n)),
    scopes: v.kindNames.map((k) => p.scope(k)),
    filters: v.kindNames.map((k) => orError(() => p.filterSpec(k))),
    missingIds: p.missingIds(),
    hidden: v.kindNames.map((k) => p.hiddenFields(k)),
    apps: p.apps(),
  };
}

test("verify, verifyFor and verifyOrDeny give load's answers for every valid vector", async () => {
  for (const c of validCases) {
    const v = verifierFor(c);
    const sync = answers(v, v.load(c.snapshot));
    const promise = v.verify(c.snapshot);
    assert.ok(promise instanceof Promise, c.name);
    assert.deepEqual(answers(v, await promise), sync, c.name);
    assert.deepEqual(answers(v, await v.verifyOrDeny(c.snapshot)), sync, c.name);
    const tenant = v.load(c.snapshot).tenant;
    assert.deepEqual(answers(v, await v.verifyFor(c.snapshot, tenant)), answers(v, v.loadFor(c.snapshot, tenant)), c.name);
  }
});

test("a refused snapshot rejects verify/verifyFor with load's PermsnapError; verifyOrDeny resolves denying all", async () => {
  for (const c of refusedCases) {
    const v = verifierFor(c);
    const promise = v.verify(c.snapshot);
    assert.ok(promise instanceof Promise, c.name);
    await assert.rejects(promise, (e) => e instanceof PermsnapError && e.code === c.expect.error, c.name);
    await assert.rejects(v.verifyFor(c.snapshot, "spa-lumi"), PermsnapError, c.name);
    const denied = await v.verifyOrDeny(c.snapshot);
    assert.equal(denied.error.code, c.expect.error, c.name);
    assert.deepEqual(answers(v, denied), answers(v, v.loadOrDeny(c.snapshot)), c.name);
    assert.deepEqual(denied.allowed(), [], c.name);
  }
});

test("verifyOrDeny with no snapshot denies all (no_snapshot); verifyFor checks the account", async () => {
  const c = validCases.find((x) => x.name === "sitee/dia");
  const v = verifierFor(c);
  for (const none of [null, undefined, ""]) {
    const p = await v.verifyOrDeny(none);
    assert.equal(p.error.code, "no_snapshot");
    assert.equal(p.claims(), null);
    assert.equal(p.explain("payments.view").reason.code, "refused");
  }
  await assert.rejects(v.verifyFor(c.snapshot, "another-account"), (e) => e.code === "wrong_tenant");
  // Arguments that are not snapshots reject too (never a synchronous throw).
  const bad = v.verify(42);
  assert.ok(bad instanceof Promise);
  await assert.rejects(bad);
});

test("a tenantPerRequest verifier: verify rejects like load, verifyFor resolves", async () => {
  const c = validCases.find((x) => x.name === "sitee/dia");
  const { Verifier } = pkg;
  const { vectors, catalog } = await import("./helpers.mjs");
  const v = new Verifier(catalog(c.catalog), vectors.key.jwks, { tenantPerRequest: true, leeway: vectors.leeway, clock: () => c.now });
  const code = (() => { try { v.load(c.snapshot); } catch (e) { return e.code; } })();
  await assert.rejects(v.verify(c.snapshot), (e) => e instanceof PermsnapError && e.code === code);
  const p = await v.verifyFor(c.snapshot, "spa-lumi");
  assert.equal(p.subject, "dia");
});
