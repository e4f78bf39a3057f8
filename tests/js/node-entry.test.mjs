// The Node entries (`permsnap`, `permsnap/edge`, `permsnap/issuer` under the
// `node` condition) initialise themselves from the .wasm beside them, read
// with the `node:fs` that `process.getBuiltinModule` gives (no `node:fs`
// import: its namespace costs a cold start about 3.5 ms). Where a runtime
// lacks getBuiltinModule (Node before 20.16), importing still works and the
// API says what to do until the app calls initSync(bytes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";

const root = new URL("../../", import.meta.url);
const entries = ["pkg/node.js", "pkg/sync/node.js", "pkg/edge/node.js", "pkg/issuer/node.js"];

function node(script) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

test("the Node entries import no node:fs module (they read the .wasm through process.getBuiltinModule)", () => {
  for (const entry of entries) {
    const js = readFileSync(new URL(entry, root), "utf8");
    assert.doesNotMatch(js, /from\s*["'](node:)?fs["']/, entry);
    assert.doesNotMatch(js, /import\(\s*["'](node:)?fs["']\s*\)/, entry);
  }
});

test("each Node entry is ready on import: a vector verifies synchronously", () => {
  const out = node(`
    const vectors = JSON.parse((await import("node:fs")).readFileSync("vectors/vectors.json", "utf8"));
    const c = vectors.cases.find((c) => c.name === "sitee/dia");
    const res = {};
    for (const e of ["./pkg/node.js", "./pkg/edge/node.js"]) {
      const m = await import(e);
      const p = new m.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi", clock: () => c.now }).load(c.snapshot);
      res[e] = { ready: m.isInitialized(), allowed: p.allowed() };
    }
    const issuer = await import("./pkg/issuer/node.js");
    res.issuer = issuer.isInitialized() && JSON.parse(issuer.generateKey().privateJwk).crv === "Ed25519";
    res.expect = c.expect.allowed;
    console.log(JSON.stringify(res));
  `);
  for (const e of ["./pkg/node.js", "./pkg/edge/node.js"]) {
    assert.equal(out[e].ready, true, e);
    assert.deepEqual(out[e].allowed, out.expect, e);
  }
  assert.equal(out.issuer, true);
});

test("without process.getBuiltinModule: importing works, the API says to call initSync, which then works", () => {
  const out = node(`
    delete process.getBuiltinModule;
    const fs = await import("node:fs");
    const vectors = JSON.parse(fs.readFileSync("vectors/vectors.json", "utf8"));
    const c = vectors.cases.find((c) => c.name === "sitee/dia");
    const m = await import("./pkg/node.js");
    let error = null;
    try {
      new m.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi" });
    } catch (e) {
      error = { isPermsnapError: e instanceof m.PermsnapError, code: e.code, message: e.message };
    }
    const before = m.isInitialized();
    m.initSync(fs.readFileSync("pkg/sync/permsnap_wasm_bg.wasm"));
    const p = new m.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi", clock: () => c.now }).load(c.snapshot);
    console.log(JSON.stringify({ error, before, allowed: p.allowed(), expect: c.expect.allowed }));
  `);
  assert.equal(out.before, false);
  assert.equal(out.error?.isPermsnapError, true, JSON.stringify(out.error));
  assert.equal(out.error.code, "not_initialized");
  assert.match(out.error.message, /getBuiltinModule/);
  assert.match(out.error.message, /initSync/);
  assert.match(out.error.message, /sync\/permsnap_wasm_bg\.wasm/);
  assert.deepEqual(out.allowed, out.expect);
});
