// Reading the previous format: genuine format 1 snapshots (vectors/format1.json,
// made before format 2 and frozen) load through the package when the
// Verifier is given the format 1 compiled catalog, with the decisions
// format 1 gave; without it they are refused `unsupported_version`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pkg as browser, root, vectors } from "./helpers.mjs";

// Edges read format 1 snapshots during the migration day; the browser build
// refreshes its snapshot instead.
const pkg = await import("../../pkg/edge/node.js");

const f1 = JSON.parse(readFileSync(`${root}vectors/format1.json`, "utf8"));
// The catalogs of the format 1 era (vectors/format1-era-catalogs.json,
// compiled in vectors.json): what format 1 snapshots are read with.
const catalog = (name) => vectors.format1_era_catalogs[name];
const code = (f) => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof pkg.PermsnapError, String(e));
    return e.code;
  }
  assert.fail("did not throw");
};

test("format 1 snapshots read with the format 1 catalog, as format 1 decided", () => {
  let valid = 0;
  for (const c of f1.cases) {
    const options = { tenant: c.expected_tenant, leeway: f1.leeway, clock: () => c.now };
    const v = new pkg.Verifier(catalog(c.catalog), f1.key.jwks, { ...options, format1Catalog: f1.format1_catalogs[c.catalog].binary });
    if (c.revoked_ids) v.setRevocations({ ids: c.revoked_ids });
    if (c.expect.error) {
      assert.equal(code(() => v.load(c.snapshot)), c.expect.error, c.name);
      continue;
    }
    const p = v.load(c.snapshot);
    assert.deepEqual(p.allowed(), c.expect.allowed, c.name);
    assert.deepEqual(p.roles, c.expect.role ? [c.expect.role] : [], c.name);
    assert.equal(p.version, 0);
    for (const [kind, fields] of Object.entries(c.expect.hidden_fields)) {
      assert.deepEqual(p.hiddenFields(kind), fields, `${c.name} ${kind}`);
    }
    for (const [name, reason] of Object.entries(c.expect.explain)) {
      assert.deepEqual(p.explain(name).reason, reason, `${c.name} ${name}`);
    }
    valid++;
    // The same snapshot without the format 1 catalog: refused, and the
    // verifier keeps working.
    const plain = new pkg.Verifier(catalog(c.catalog), f1.key.jwks, options);
    assert.equal(code(() => plain.load(c.snapshot)), "unsupported_version", c.name);
  }
  assert.equal(valid, 29);
});

test("a format 1 catalog that is not revision 1 of the catalog is refused", () => {
  const opts = { tenant: "spa-lumi" };
  assert.equal(code(() => new pkg.Verifier(catalog("sitee"), f1.key.jwks, { ...opts, format1Catalog: f1.format1_catalogs.ecwid.binary })), "invalid_policy");
  assert.equal(code(() => new pkg.Verifier(catalog("sitee"), f1.key.jwks, { ...opts, format1Catalog: catalog("sitee").binary })), "invalid_policy");
  assert.equal(code(() => new pkg.Verifier(catalog("sitee"), f1.key.jwks, { ...opts, format1Catalog: 42 })), "invalid_argument");
  // The printed object and bytes work like the text.
  const bytes = Buffer.from(f1.format1_catalogs.sitee.binary, "base64url");
  assert.ok(new pkg.Verifier(catalog("sitee"), f1.key.jwks, { ...opts, format1Catalog: { binary: f1.format1_catalogs.sitee.binary } }));
  assert.ok(new pkg.Verifier(catalog("sitee"), f1.key.jwks, { ...opts, format1Catalog: new Uint8Array(bytes) }));
});

test("the browser build does not read format 1 (it refreshes its snapshot)", () => {
  let err;
  try {
    new browser.Verifier(catalog("sitee"), f1.key.jwks, { tenant: "spa-lumi", format1Catalog: f1.format1_catalogs.sitee.binary });
  } catch (e) {
    err = e;
  }
  assert.equal(err?.code, "invalid_argument");
});
