// Property tests of the JavaScript record paths and the wasm instance's
// memory, through the built package (issue #10):
// - filter keeps exactly the records the Rust per-record decision keeps, on
//   random records full of odd values;
// - redact leaves no hidden value reachable by any property access (own
//   keys, prototype chain, nested paths, arrays, `__proto__` keys), masks
//   what is masked, keeps what `keep` names and never mutates its input;
// - refusals through loadOrDeny allocate nothing in wasm memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pkg, reference, root, validCases, verifierFor, loadCase, orError, vectors, catalog, tenantOptions } from "./helpers.mjs";
// The build verifying in wasm, as its unbundled modules (permsnap/sync in a
// browser): its core's loader gives the very instance the entry uses, so
// the test below reads that instance's memory.
import * as syncEntry from "../../pkg/sync/index.js";
import { Core } from "../../pkg/sync/wasm.js";

/** xorshift32: reproducible. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
  return { next, below: (n) => next() % n, pick: (a) => a[next() % a.length], chance: (p) => next() % 100 < p };
}

test("filter keeps exactly what the Rust per-record decision keeps, on random records", () => {
  const r = rng(0xf117e5);
  const oddValue = (ids) => r.pick([
    () => r.pick(ids), () => Number(r.below(50)), () => String(r.below(50)), () => null, () => undefined,
    () => true, () => ({ id: r.pick(ids) }), () => [r.pick(ids), 7], () => [], () => r.pick(ids).toUpperCase(),
    () => r.pick(ids) + " ", () => 1.5, () => NaN, () => -0,
  ])();
  let compared = 0;
  let unloaded = 0;
  for (const c of validCases) {
    const [p, q] = [loadCase(c), loadCase(c, verifierFor(c, reference))];
    const ids = [c.expect.subject, "s-1", "s-2", "c-1", "42", "0", ""];
    const scoped = c.expect.scopes.managed_stores?.specific ?? [];
    if (scoped.length > 100) ids.push(...scoped.slice(0, 5), scoped.at(-1)); // an attached id list: some of its ids
    for (const kind of verifierFor(c).kindNames) {
      const spec = orError(() => p.filterSpec(kind));
      if (spec.error) {
        // A listed scope whose id list is not attached: both paths refuse.
        assert.equal(spec.error, "ids_not_loaded", `${c.name} ${kind}`);
        assert.deepEqual(orError(() => p.filter(kind, [{ id: "x" }])), spec, `${c.name} ${kind}`);
        assert.deepEqual(orError(() => q.filterIndexesReference(kind, [{ id: "x" }])), spec, `${c.name} ${kind}`);
        unloaded++;
        continue;
      }
      const fields = ["id", "staff_id", "created_by", "assignees", "client_assignees", "uploaded_by", "employee_id",
        ...spec.clauses.map((cl) => cl.field)];
      const records = Array.from({ length: 300 }, () => {
        const rec = {};
        for (const f of fields) if (r.chance(70)) rec[f] = oddValue(ids);
        return rec;
      });
      const kept = p.filter(kind, records);
      const rust = q.filterIndexesReference(kind, records).map((i) => records[i]);
      assert.deepEqual(kept, rust, `${c.name} ${kind}`);
      compared += records.length;
    }
  }
  assert.ok(compared > 10_000, `only ${compared} records compared`);
  assert.ok(unloaded > 0, "a case without its id list is among the vectors");
});

/** Every value reachable from `v` by property access: own keys (also
 *  non-enumerable), array elements, and the prototype chain. */
function reachable(v, out = [], seen = new Set()) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) {
    out.push(v);
    return out;
  }
  if (seen.has(v)) return out;
  seen.add(v);
  for (const k of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, k);
    if (d && "value" in d) reachable(d.value, out, seen);
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== null && proto !== Object.prototype && proto !== Array.prototype) reachable(proto, out, seen);
  return out;
}

/** A policy (Sitee's, plus nested client fields on appointments) compiled and
 *  signed by the CLI, so nested paths are tested on a real snapshot. */
function nestedFixture() {
  const cli = join(root, "target/debug/permsnap");
  assert.ok(existsSync(cli), "build the CLI first: cargo build --features cli");
  const dir = mkdtempSync(join(tmpdir(), "permsnap-props-"));
  const policy = JSON.parse(readFileSync(join(root, "presets/sitee.json"), "utf8"));
  const appointments = policy.catalog.kinds.find((k) => k.name === "appointments");
  appointments.fields = [{ name: "client.email" }, { name: "client.phone", redact: { mask: "***" } }, { name: "attendees.email" }];
  const fay = policy.staff.find((s) => s.id === "fay");
  fay.hidden_fields = { ...fay.hidden_fields, appointments: ["client.email", "client.phone", "attendees.email"] };
  writeFileSync(join(dir, "policy.json"), JSON.stringify(policy));
  execFileSync(cli, ["keygen", "--out", dir]);
  const run = (...a) => JSON.parse(execFileSync(cli, ["--json", ...a], { encoding: "utf8" }));
  const catalog = run("catalog", join(dir, "policy.json"));
  const snapshot = run("issue", "--policy", join(dir, "policy.json"), "--staff", "fay", "--key", join(dir, "issuer.key")).snapshot;
  const jwks = JSON.parse(readFileSync(join(dir, "jwks.json"), "utf8"));
  const v = new pkg.Verifier(catalog, jwks, { tenant: policy.tenant });
  return v.load(snapshot);
}

test("redact: no hidden value is reachable, masks apply, keep is an allow-list, input untouched", () => {
  const sitee = validCases.find((c) => c.name === "sitee/fay");
  const flat = verifierFor(sitee).load(sitee.snapshot);
  const nested = nestedFixture();
  const r = rng(0x5ec7e7);
  let checked = 0;
  for (let i = 0; i < 2000; i++) {
    const secret = `secret-${i}-${r.next()}`;
    // Clients: email/phone masked for fay. Built from JSON so that a
    // `__proto__` key is an own key, as it is in parsed API responses.
    const client = JSON.parse(JSON.stringify({ id: `c-${i}`, name: "Zoé", email: secret, phone: secret }));
    if (r.chance(30)) client.__proto_marker__ = true;
    const proto = JSON.parse(`{"id": 1, "__proto__": {"email": "${secret}", "phone": "${secret}"}}`);
    for (const rec of [client, proto]) {
      const before = JSON.stringify(rec);
      const [out] = flat.redact("clients", [rec]);
      assert.equal(JSON.stringify(rec), before, "input mutated");
      assert.ok(!reachable(out).includes(secret), `hidden value reachable in ${JSON.stringify(out)}`);
      // The record's own `__proto__` key is left out: as an own key it
      // became the prototype of the next `Object.assign` or spread of the
      // copy, handing the hidden fields back (attack review, session 15).
      assert.ok(!Object.hasOwn(out, "__proto__"));
      assert.notEqual({ ...out }.email, secret);
      assert.notEqual(out.email, secret);
      assert.notEqual(out.phone, secret);
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      if (Object.hasOwn(rec, "email")) assert.equal(out.email, "hidden");
      checked++;
    }
    // Nested paths, through objects and arrays.
    const appt = {
      id: `a-${i}`, staff_id: "dia",
      client: { name: "Zoé", email: secret, phone: secret, note: "keep me" },
      attendees: [{ name: "A", email: secret }, "not an object", { email: secret }, [{ email: secret }, [{ email: secret }]]],
      // Joined rows as SQL builders flatten them (knex `nestTables: "."`).
      "client.email": secret,
      "client.phone": secret,
    };
    const snapshotOfAppt = JSON.stringify(appt);
    const [o] = nested.redact("appointments", [appt]);
    assert.equal(JSON.stringify(appt), snapshotOfAppt, "nested input mutated");
    assert.ok(!reachable(o).includes(secret), `nested hidden value reachable: ${JSON.stringify(o)}`);
    assert.equal(o.client.phone, "***");
    assert.equal(o.client.note, "keep me");
    assert.equal(o.attendees[1], "not an object");
    assert.equal(o["client.phone"], "***");
    assert.ok(!Object.hasOwn(o, "client.email"));
    // An ORM's instance (fields behind getters, an inner object): what its
    // toJSON() sends is redacted.
    class Model {
      constructor(values) { this.dataValues = values; }
      get client() { return this.dataValues.client; }
      toJSON() { return { ...this.dataValues }; }
    }
    const [m] = nested.redact("appointments", [new Model(JSON.parse(JSON.stringify({ id: 1, client: { email: secret, phone: secret } })))]);
    assert.ok(!reachable(m).includes(secret), `model: ${JSON.stringify(m)}`);
    // The same kind of instance inside a record (`{ ...row, client:
    // instance }`), in allow-list mode too: its fields were left in its
    // inner store, which JSON sends.
    class Client {
      constructor(values) { this.dataValues = values; }
      get email() { return this.dataValues.email; }
      toJSON() { return { ...this.dataValues }; }
    }
    for (const options of [undefined, { keep: ["id", "client"] }]) {
      const [n] = nested.redact("appointments", [{ id: 2, client: new Client({ name: "Zoé", email: secret, phone: secret }) }], options);
      assert.ok(!JSON.stringify(n).includes(secret), `nested instance: ${JSON.stringify(n)}`);
      assert.equal(n.client.name, "Zoé");
    }
    // A record's own toJSON is not copied: JSON would send what it returns,
    // the record before redaction.
    const row = { id: 3, email: secret, phone: secret };
    for (const rec of [{ ...row, toJSON: () => row }, Object.assign(Object.create(null), row, { toJSON() { return this; } })]) {
      const [w] = flat.redact("clients", [rec]);
      assert.ok(!JSON.stringify(w).includes(secret), `own toJSON: ${JSON.stringify(w)}`);
      assert.equal(w.id, 3);
    }
    // A toJSON giving text (the row as JSON) cannot be looked into: refused,
    // at the top and on a hidden path (it was returned as it was).
    const asText = { ...row, toJSON: () => JSON.stringify(row) };
    assert.throws(() => flat.redact("clients", [asText]), (e) => e.code === "invalid_argument");
    assert.throws(() => nested.redact("appointments", [{ id: 4, client: asText }]), (e) => e.code === "invalid_argument");
    // Allow-list mode keeps no hidden nested field either, named or flattened.
    const [kn] = nested.redact("appointments", [appt], { keep: ["id", "client", "client.email", "attendees"] });
    assert.ok(!reachable(kn).includes(secret), `kept hidden value reachable: ${JSON.stringify(kn)}`);
    // Allow-list mode: only the kept keys survive, hidden ones still go.
    const [k] = flat.redact("clients", [{ id: 1, name: "Zoé", email: secret, internal_notes: secret }], { keep: ["id", "name", "email"] });
    assert.deepEqual(Object.keys(k).sort(), ["email", "id", "name"]);
    assert.ok(!reachable(k).includes(secret));
    checked += 2;
  }
  assert.ok(checked > 5000);
  assert.throws(() => flat.redact("clients", [], { kep: ["id"] }), (e) => e.code === "invalid_argument");
  assert.throws(() => flat.redact("client", []), (e) => e.code === "unknown_kind");
});

test("refusals through loadOrDeny allocate nothing in wasm memory", () => {
  // (Until session 22 this read the memory of another build's instance,
  // which the verifier below never touched: it could not fail.)
  const bytes = readFileSync(join(root, "pkg/sync/permsnap_wasm_bg.wasm"));
  syncEntry.initSync(bytes);
  const { memory } = Core.get().x;
  const v = (c) => new syncEntry.Verifier(catalog(c.catalog), vectors.key.jwks, { ...tenantOptions(c), leeway: vectors.leeway, clock: () => c.now });
  const c = vectors.cases.find((x) => x.expect.error === "bad_signature") ?? vectors.cases.find((x) => x.expect.error);
  const refusing = v(c);
  // The memory read is the one the verifier uses: the snapshot refused is
  // copied into it (its input buffer).
  const probe = Buffer.from(c.snapshot, "base64url");
  assert.ok(!Buffer.from(memory.buffer).includes(probe), "control: not there before");
  assert.ok(refusing.loadOrDeny(c.snapshot).error);
  assert.ok(Buffer.from(memory.buffer).includes(probe), "the memory measured is the verifying instance's");
  const before = memory.buffer.byteLength;
  let denied = 0;
  for (let i = 0; i < 400_000; i++) {
    const p = refusing.loadOrDeny(i % 2 ? c.snapshot : null);
    if (p.error) denied++;
  }
  const grown = memory.buffer.byteLength - before;
  assert.equal(denied, 400_000);
  assert.ok(grown < 2 * 1024 * 1024, `wasm memory grew by ${grown} bytes over 400,000 refusals`);
  // and the instance still answers
  const good = validCases[0];
  assert.equal(v(good).load(good.snapshot).subject, good.expect.subject);
});

test("claims() is the Rust Summary: the same object `permsnap verify --json` prints, for every valid vector", () => {
  const cli = join(root, "target/debug/permsnap");
  const dir = mkdtempSync(join(tmpdir(), "permsnap-claims-"));
  writeFileSync(join(dir, "jwks.json"), JSON.stringify(vectors.key.jwks));
  let compared = 0;
  for (const c of validCases) {
    const catalogFile = join(dir, `${c.catalog}.json`);
    writeFileSync(catalogFile, JSON.stringify({ binary: vectors.catalogs[c.catalog].binary }));
    const tenant = c.expected_tenant ? ["--tenant", c.expected_tenant] : ["--any-tenant"];
    const out = JSON.parse(execFileSync(cli, ["--json", "verify", c.snapshot, "--jwks", join(dir, "jwks.json"),
      "--catalog", catalogFile, "--now", String(c.now), "--leeway", String(vectors.leeway), ...tenant], { encoding: "utf8" }));
    assert.deepEqual(verifierFor(c).load(c.snapshot).claims(), out.claims, c.name);
    compared++;
  }
  assert.ok(compared >= 20, `${compared} cases`);
});
