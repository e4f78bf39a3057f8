// A trap in the small core (out of memory, a bug) leaves its state
// borrowed: every later call of that instance would answer "busy", which
// the JavaScript read as other refusals (`too_large` for the input
// buffer) for good (review, session 28). The instance now refuses every
// call with `unavailable`, and verifiers made after it get a new one.
// (Its own file: it stops the process's instance on purpose.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { root, vectors, catalog } from "./helpers.mjs";

const dia = vectors.cases.find((c) => c.name === "sitee/dia");
const routes = JSON.parse(readFileSync(`${root}routes/sitee.json`, "utf8"));
const code = (f) => {
  try {
    f();
    return "none";
  } catch (e) {
    return e.code ?? String(e);
  }
};

for (const [name, dir] of [["permsnap/sync", "pkg/sync"], ["permsnap/edge", "pkg/edge"]]) {
  test(`${name}: a trapped instance answers unavailable, and a new verifier works`, async () => {
    // The modules (not the bundled node.js): the Core they share.
    const pkg = await import(`../../${dir}/index.js`);
    const { Core } = await import(`../../${dir}/wasm.js`);
    pkg.initSync(readFileSync(`${root}${dir}/permsnap_wasm_bg.wasm`));
    const make = () => new pkg.Verifier(catalog("sitee"), vectors.key.jwks, { tenant: "spa-lumi", clock: () => dia.now });
    const v = make();
    const gate = pkg.Gate ? new pkg.Gate(v, routes) : undefined;
    assert.deepEqual(v.load(dia.snapshot).allowed(), dia.expect.allowed);
    const core = Core.get();
    // The verifier kept that load: loading it again checks its time in the
    // core (`ps_recheck`) instead of reading it anew (`ps_load`).
    const exports = { ps_load: core.x.ps_load, ps_recheck: core.x.ps_recheck };
    for (const f of Object.keys(exports)) {
      core.x[f] = () => {
        throw new WebAssembly.RuntimeError("unreachable");
      };
    }
    assert.equal(code(() => v.load(dia.snapshot)), "unavailable");
    Object.assign(core.x, exports);
    // The instance stays stopped: its state may be half written.
    assert.equal(code(() => v.load(dia.snapshot)), "unavailable");
    assert.equal(code(() => v.setJwks(vectors.key.jwks)), "unavailable");
    if (gate) assert.equal(code(() => gate.checkParts("GET", "/health")), "unavailable");
    // A verifier made now is on a new instance.
    assert.notEqual(Core.get(), core);
    const fresh = make();
    assert.deepEqual(fresh.load(dia.snapshot).allowed(), dia.expect.allowed);
    if (gate) {
      const g = new pkg.Gate(fresh, routes);
      assert.equal(g.checkParts("GET", "/api/campaigns", `Permsnap ${dia.snapshot}`).status, 200);
    }
    // Any other error is the app's or a refusal: the instance goes on.
    assert.equal(code(() => fresh.load("garbage*")), "bad_encoding");
    assert.deepEqual(fresh.load(dia.snapshot).allowed(), dia.expect.allowed);
  });
}
