// The browser entry (no automatic initialisation): nothing works before
// init, init is idempotent, and initSync takes the module's bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as pkg from "../../pkg/index.js";

const vectors = JSON.parse(readFileSync(new URL("../../vectors/vectors.json", import.meta.url), "utf8"));

test("before init: not_initialized; after initSync: working; again: no-op", async () => {
  assert.equal(pkg.isInitialized(), false);
  assert.throws(() => new pkg.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi" }), (e) => e instanceof pkg.PermsnapError && e.code === "not_initialized");
  pkg.initSync(readFileSync(new URL("../../pkg/permsnap_wasm_bg.wasm", import.meta.url)));
  pkg.initSync(new Uint8Array([0, 1, 2])); // already initialised: ignored
  assert.equal(pkg.isInitialized(), true);
  const dia = vectors.cases.find((c) => c.name === "sitee/dia");
  // The browser entry verifies with the platform's WebCrypto: asynchronously.
  const p = await new pkg.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi", clock: () => dia.now }).verify(dia.snapshot);
  assert.deepEqual(p.allowed(), dia.expect.allowed);
});
