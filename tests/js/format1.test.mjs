// The previous format in JavaScript: genuine format 1 snapshots
// (vectors/format1.json, made before format 2 and frozen) are refused
// `unsupported_version` by every entry, and the format 1 catalog option is
// refused as unknown. Format 1 is read by the Rust verifier and the CLI
// (`--format1-catalog`, tests/format1.rs), for the day after an issuer
// moves to format 2; the JavaScript entries run on the small core, which
// reads format 2 only (permsnap/edge read format 1 until it moved there:
// FORMAT.md, "Reading format 1").
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pkg as sync, root, vectors } from "./helpers.mjs";

const entries = {
  browser: await import("../../pkg/index.js"),
  sync,
  edge: await import("../../pkg/edge/node.js"),
};
const f1 = JSON.parse(readFileSync(`${root}vectors/format1.json`, "utf8"));
// The catalogs of the format 1 era (vectors/format1-era-catalogs.json,
// compiled in vectors.json): what format 1 snapshots were read with.
const catalog = (name) => vectors.format1_era_catalogs[name];
const code = (pkg, f) => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof pkg.PermsnapError, String(e));
    return e.code;
  }
  assert.fail("did not throw");
};

test("every entry refuses format 1 snapshots (unsupported_version) and the format 1 catalog option", async () => {
  entries.browser.initSync(readFileSync(`${root}pkg/permsnap_wasm_bg.wasm`));
  for (const [name, pkg] of Object.entries(entries)) {
    let refused = 0;
    for (const c of f1.cases) {
      const options = { tenant: c.expected_tenant, leeway: f1.leeway, clock: () => c.now };
      assert.equal(code(pkg, () => new pkg.Verifier(catalog(c.catalog), f1.key.jwks, { ...options, format1Catalog: f1.format1_catalogs[c.catalog].binary })), "invalid_argument", `${name} ${c.name}`);
      const v = new pkg.Verifier(catalog(c.catalog), f1.key.jwks, options);
      // The browser entry verifies with WebCrypto: its `verify` reads the
      // version first.
      const got = name === "browser" ? await v.verify(c.snapshot).then(() => "none", (e) => e.code) : code(pkg, () => v.load(c.snapshot));
      if (c.expect.error && got !== "unsupported_version") continue; // cut short, not base64url...
      assert.equal(got, "unsupported_version", `${name} ${c.name}`);
      refused++;
    }
    assert.ok(refused >= 29, `${name}: ${refused}`);
  }
});
