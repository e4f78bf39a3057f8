// The Node entries (`permsnap`, `permsnap/edge`, `permsnap/issuer` under the
// `node` condition) initialise themselves from the .wasm beside them, read
// with the `node:fs` that `process.getBuiltinModule` gives (no `node:fs`
// import: its namespace costs a cold start about 3.5 ms). Where a runtime
// lacks getBuiltinModule (Node before 20.16), importing still works and the
// API says what to do until the app awaits init() (which imports node:fs
// then) or calls initSync(bytes).
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

test("the Node entries import no node:fs module on the way in (they read the .wasm through process.getBuiltinModule)", () => {
  for (const entry of entries) {
    const js = readFileSync(new URL(entry, root), "utf8");
    assert.doesNotMatch(js, /(^|[;}\s])import\s*[^(;]*from\s*["'](node:)?fs["']/, entry);
    assert.doesNotMatch(js, /require\(\s*["'](node:)?fs["']\s*\)/, entry);
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

// What a Node before 20.16 and 22.3 does: every entry imports, says to
// await init() until then, and init() reads the right .wasm.
const withoutGetBuiltinModule = (setup) => node(`
  ${setup}
  const fs = await import("node:fs");
  const vectors = JSON.parse(fs.readFileSync("vectors/vectors.json", "utf8"));
  const c = vectors.cases.find((c) => c.name === "sitee/dia");
  const error = (f) => {
    try { f(); return null; } catch (e) { return { typed: e?.constructor?.name === "PermsnapError", code: e.code, message: e.message, cause: e.cause !== undefined }; }
  };
  const res = { expect: c.expect.allowed };
  for (const e of ["./pkg/node.js", "./pkg/edge/node.js"]) {
    const m = await import(e);
    const before = error(() => new m.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi" }));
    await m.init();
    const v = new m.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi", clock: () => c.now });
    const gate = m.Gate ? new m.Gate(v, [{ path: "/pay", requires: ["payments.view"] }]).checkParts("GET", "/pay", "Permsnap " + c.snapshot).status : null;
    res[e] = { before, allowed: v.load(c.snapshot).allowed(), gate };
  }
  const issuer = await import("./pkg/issuer/node.js");
  const before = error(() => issuer.generateKey());
  await issuer.init();
  res.issuer = { before, crv: JSON.parse(issuer.generateKey().privateJwk).crv };
  console.log(JSON.stringify(res));
`);

test("without process.getBuiltinModule: every Node entry imports, says to await init(), and init() loads its own .wasm", () => {
  const out = withoutGetBuiltinModule("delete process.getBuiltinModule;");
  for (const e of ["./pkg/node.js", "./pkg/edge/node.js"]) {
    assert.equal(out[e].before?.typed, true, JSON.stringify(out[e].before));
    assert.equal(out[e].before.code, "not_initialized");
    assert.match(out[e].before.message, /getBuiltinModule/);
    assert.match(out[e].before.message, /await init\(\)/);
    assert.deepEqual(out[e].allowed, out.expect, e);
  }
  assert.equal(out.issuer.before?.code, "not_initialized", JSON.stringify(out.issuer.before));
  assert.match(out.issuer.before.message, /permsnap\/issuer.*await init\(\)/);
  // Each init() read its own entry's .wasm: the edge build's Gate (Dia may
  // not see payments: 403) and the issuer's signing are there.
  assert.equal(out["./pkg/edge/node.js"].gate, 403);
  assert.equal(out.issuer.crv, "Ed25519");
});

test("a getBuiltinModule that throws (even a value that cannot be printed): importing works, the error is typed with it as cause, init() recovers", () => {
  const out = withoutGetBuiltinModule(`
    process.getBuiltinModule = () => { throw Object.assign(Object.create(null), { message: undefined }); };
  `);
  for (const e of ["./pkg/node.js", "./pkg/edge/node.js"]) {
    assert.equal(out[e].before?.typed, true, JSON.stringify(out[e].before));
    assert.equal(out[e].before.code, "not_initialized");
    assert.match(out[e].before.message, /cannot be printed/);
    assert.match(out[e].before.message, /initSync/);
    assert.equal(out[e].before.cause, true);
    assert.deepEqual(out[e].allowed, out.expect, e);
  }
  assert.equal(out.issuer.crv, "Ed25519");
});

test("without process.getBuiltinModule, initSync(bytes) works as well", () => {
  const out = node(`
    delete process.getBuiltinModule;
    const fs = await import("node:fs");
    const vectors = JSON.parse(fs.readFileSync("vectors/vectors.json", "utf8"));
    const c = vectors.cases.find((c) => c.name === "sitee/dia");
    const m = await import("./pkg/node.js");
    const before = m.isInitialized();
    m.initSync(fs.readFileSync("pkg/sync/permsnap_wasm_bg.wasm"));
    const p = new m.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi", clock: () => c.now }).load(c.snapshot);
    console.log(JSON.stringify({ before, allowed: p.allowed(), expect: c.expect.allowed }));
  `);
  assert.equal(out.before, false);
  assert.deepEqual(out.allowed, out.expect);
});

test("another build's .wasm is refused with a typed error before it is kept: the right one then works (initSync and init)", () => {
  const out = node(`
    delete process.getBuiltinModule;
    const fs = await import("node:fs");
    const bytes = (b) => fs.readFileSync(b + "permsnap_wasm_bg.wasm");
    const vectors = JSON.parse(fs.readFileSync("vectors/vectors.json", "utf8"));
    const c = vectors.cases.find((c) => c.name === "sitee/dia");
    const refused = async (f) => {
      try { await f(); return null; } catch (e) { return { typed: e?.constructor?.name === "PermsnapError", code: e.code, message: e.message }; }
    };
    const res = { expect: c.expect.allowed };
    const sync = await import("./pkg/sync/node.js");
    res.sync = {
      browser: await refused(() => sync.initSync(bytes("pkg/"))),
      edge: await refused(() => sync.initSync(new WebAssembly.Module(bytes("pkg/edge/")))),
      issuer: await refused(() => sync.init(bytes("pkg/issuer/"))),
      ready: sync.isInitialized(),
    };
    sync.initSync(bytes("pkg/sync/"));
    res.sync.allowed = new sync.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi", clock: () => c.now }).load(c.snapshot).allowed();
    const edge = await import("./pkg/edge/node.js");
    res.edge = { sync: await refused(() => edge.initSync(bytes("pkg/sync/"))), ready: edge.isInitialized() };
    await edge.init(bytes("pkg/edge/"));
    const v = new edge.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi", clock: () => c.now });
    res.edge.gate = new edge.Gate(v, [{ path: "/pay", requires: ["payments.view"] }]).checkParts("GET", "/pay", "Permsnap " + c.snapshot).status;
    const issuer = await import("./pkg/issuer/node.js");
    res.issuer = { sync: await refused(() => issuer.init(new WebAssembly.Module(bytes("pkg/sync/")))), ready: issuer.isInitialized() };
    issuer.initSync(bytes("pkg/issuer/"));
    res.issuer.crv = JSON.parse(issuer.generateKey().privateJwk).crv;
    console.log(JSON.stringify(res));
  `);
  for (const [entry, wrong] of [["sync", "browser"], ["sync", "edge"], ["sync", "issuer"], ["edge", "sync"], ["issuer", "sync"]]) {
    const e = out[entry][wrong];
    assert.equal(e?.typed, true, `${entry} given ${wrong}'s .wasm: ${JSON.stringify(e)}`);
    assert.equal(e.code, "not_initialized");
    assert.match(e.message, /not this entry's/);
    assert.equal(out[entry].ready, false, entry);
  }
  assert.deepEqual(out.sync.allowed, out.expect);
  assert.equal(out.edge.gate, 403);
  assert.equal(out.issuer.crv, "Ed25519");
});
