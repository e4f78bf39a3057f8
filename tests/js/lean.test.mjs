// The small core (#16: lean/, benches/lean/lean.mjs) against today's build,
// in Node: the same answers on every valid vector case, and the same
// refusals on every refused one (src/lean/tests.rs holds the Rust side to
// the reference on mutations too). It needs the small core built
// (scripts/test.sh builds it first).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { root, pkg, vectors, catalog, validCases, refusedCases, tenantOptions } from "./helpers.mjs";
import { LeanVerifier, Refused } from "../../benches/lean/lean.mjs";

const wasmFile = `${root}lean/target/wasm32-unknown-unknown/release/permsnap_lean.wasm`;
assert.ok(existsSync(wasmFile), "build the small core first: cargo build --release --target wasm32-unknown-unknown --manifest-path lean/Cargo.toml");
const module = new WebAssembly.Module(readFileSync(wasmFile));
// The core's error codes in order (generated from Error::CODES).
const CODES = [...readFileSync(`${root}pkg-template/src/generated.ts`, "utf8").split("export type CoreErrorCode =")[1].split(";")[0].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);

const codeOf = (e) => (e instanceof Refused ? (typeof e.code === "number" ? CODES[e.code] : e.code) : e.code);
async function outcome(f) {
  try {
    return { ok: await f() };
  } catch (e) {
    if (!(e instanceof Refused) && !(e instanceof pkg.PermsnapError)) throw e;
    return { code: codeOf(e) };
  }
}

/** Today's answers and the small core's, for case `c` at its clock. */
async function both(c, text = c.snapshot) {
  const options = { ...tenantOptions(c), leeway: vectors.leeway, clock: () => c.now };
  const today = new pkg.Verifier(catalog(c.catalog), vectors.key.jwks, options);
  const lean = await LeanVerifier.create(module, catalog(c.catalog).binary, vectors.key.jwks, { tenant: c.expected_tenant, clock: () => c.now, leeway: vectors.leeway });
  return [await outcome(() => today.verify(text)), await outcome(() => lean.load(text)), today];
}

test("the small core answers as today's build on every valid vector case", async () => {
  let compared = 0;
  for (const c of validCases.filter((c) => typeof c.expected_tenant === "string" && !c.revoked_ids)) {
    const [a, b, today] = await both(c);
    assert.ok(a.ok && b.ok, `${c.name}: ${JSON.stringify([a.code, b.code])}`);
    const [p, q] = [a.ok, b.ok];
    assert.equal(q.subject, p.subject, c.name);
    for (const name of today.permissionNames) assert.equal(q.can(name), p.can(name), `${c.name}: ${name}`);
    for (const kind of today.kindNames) {
      for (const f of ["scope", "filterSpec", "hiddenFields", "redaction"]) {
        const [x, y] = [await outcome(() => p[f](kind)), await outcome(() => q[f](kind))];
        assert.deepEqual(y, JSON.parse(JSON.stringify(x)), `${c.name}: ${f}(${kind})`);
        compared++;
      }
    }
    assert.throws(() => q.can("no.such"), (e) => codeOf(e) === "unknown_permission");
    q.free();
    if (today.kindNames.length > 0) assert.throws(() => q.scope(today.kindNames[0]), (e) => codeOf(e) === "invalid_argument");
  }
  assert.ok(compared > 300, `${compared} answers compared`);
});

test("the small core refuses what today's build refuses, with the same code", async () => {
  let refused = 0;
  for (const c of refusedCases.filter((c) => typeof c.expected_tenant === "string" && c.expect.error !== "revoked")) {
    const [a, b] = await both(c);
    assert.ok(a.code && b.code, c.name);
    assert.equal(b.code, a.code, c.name);
    refused++;
  }
  assert.ok(refused >= 10, `${refused} refusals compared`);
});

test("the small core's verifier checks one account and a bounded leeway, always (review, session 18)", async () => {
  // Left out or empty, the account was not checked (every account's
  // snapshots loaded), and `leeway: -1` wrapped to 2^32 - 1 in wasm.
  const c = validCases.find((c) => c.name === "sitee/dia");
  const make = (o) => LeanVerifier.create(module, catalog(c.catalog).binary, vectors.key.jwks, { clock: () => c.now, ...o });
  for (const o of [{}, { tenant: "" }, { tenant: null }, { tenant: "spa-lumi", leeway: -1 }, { tenant: "spa-lumi", leeway: 1e7 }, { tenant: "spa-lumi", leeway: "30" }]) {
    await assert.rejects(make(o), (e) => codeOf(e) === "invalid_argument", JSON.stringify(o));
  }
  await assert.rejects((await make({ tenant: "other-co" })).load(c.snapshot), (e) => codeOf(e) === "wrong_tenant");
  const late = await LeanVerifier.create(module, catalog(c.catalog).binary, vectors.key.jwks, { tenant: "spa-lumi", clock: () => c.now + 10 ** 6, leeway: 86_400 });
  await assert.rejects(late.load(c.snapshot), (e) => codeOf(e) === "expired");
  assert.equal((await (await make({ tenant: "spa-lumi" })).load(`${c.snapshot}\n`)).subject, "dia");
});
