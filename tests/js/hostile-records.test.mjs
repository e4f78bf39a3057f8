// What the records, key sets and notices an app hands the package cannot
// open (attack reviews, session 15): records that are not objects, ids a
// JavaScript number cannot hold, another realm's polluted prototype, getters
// that throw; JWKS text naming a key twice or carrying secret material; a
// notice applied after a load. Each is refused with a typed error or fails
// closed, in JavaScript and in the Rust reference alike, and the instance
// keeps working. Runs on the build Node gets (sync) and, for the Refresher,
// the edge build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, pkg, reference, vectors, errorCode } from "./helpers.mjs";

const edge = await import(new URL("../../pkg/edge/node.js", import.meta.url));
const { Issuer, generateKey } = await import(new URL("../../pkg/issuer/node.js", import.meta.url));

const tenant = "spa-lumi";
const catalog = vectors.catalogs.sitee;
const fay = vectors.cases.find((c) => c.name === "sitee/fay");
/** A verifier of the Node entry, or (`m`) of the reference build. */
const make = (options = {}, m = pkg) => new m.Verifier(catalog, vectors.key.jwks, { tenant, clock: () => fay.now, ...options });

/** A key of this test, an issuer of the Sitee preset's roles with it, and
 *  a verifier trusting it (`reference`: a reference build's one too), at
 *  the issuer's time. */
function issuing() {
  const key = generateKey({ kid: "t15" });
  const policy = JSON.parse(readFileSync(`${root}presets/sitee.json`, "utf8"));
  const issuer = new Issuer(catalog.definition, key.privateJwk);
  assert.deepEqual(issuer.setAccount(tenant, policy.roles), []);
  const verifier = new pkg.Verifier(catalog, key.jwks, { tenant });
  return { issuer, verifier, key, reference: new reference.Verifier(catalog, key.jwks, { tenant }) };
}

/** fay of Sitee with `client.email` of appointments hidden from her
 *  (compiled and issued by the CLI, as tests/js/properties.test.mjs does). */
function nestedFay() {
  const cli = join(root, "target/debug/permsnap");
  const dir = mkdtempSync(join(tmpdir(), "permsnap-records-"));
  const policy = JSON.parse(readFileSync(join(root, "presets/sitee.json"), "utf8"));
  policy.catalog.kinds.find((k) => k.name === "appointments").fields = [{ name: "client.email" }];
  const person = policy.staff.find((s) => s.id === "fay");
  person.hidden_fields = { ...person.hidden_fields, appointments: ["client.email"] };
  writeFileSync(join(dir, "policy.json"), JSON.stringify(policy));
  execFileSync(cli, ["keygen", "--out", dir]);
  const run = (...a) => JSON.parse(execFileSync(cli, ["--json", ...a], { encoding: "utf8" }));
  const v = new pkg.Verifier(run("catalog", join(dir, "policy.json")), JSON.parse(readFileSync(join(dir, "jwks.json"), "utf8")), { tenant });
  const p = v.load(run("issue", "--policy", join(dir, "policy.json"), "--staff", "fay", "--key", join(dir, "issuer.key")).snapshot);
  return p;
}

test("redact refuses a record that is no object: a list passed as one record, text, a boxed string (its items or characters were copied unredacted)", () => {
  const p = make().load(fay.snapshot);
  const row = { id: 1, name: "Zoe", email: "zoe@secret.example", phone: "+33 6 SECRET" };
  assert.deepEqual(p.redact("clients", [row]), [{ id: 1, name: "Zoe", email: "hidden", phone: "hidden" }], "control");
  for (const [what, record] of [
    ["an array of records", [row]],
    ["JSON text", JSON.stringify(row)],
    ["a String object", new String(JSON.stringify(row))],
    ["null", null],
    ["a typed array", new TextEncoder().encode(JSON.stringify(row))],
    ["toJSON() giving an array", { toJSON: () => [row] }],
    ["toJSON() giving a String object", { toJSON: () => new String(JSON.stringify(row)) }],
  ]) {
    assert.equal(errorCode(() => p.redact("clients", [record])), "invalid_argument", what);
  }
  // The instance keeps working.
  assert.equal(p.redact("clients", [row])[0].phone, "hidden");
});

test("redact refuses a path's parent given as JSON text (a JSON column), keeps other text, and drops a record's own __proto__ key", () => {
  const p = nestedFay();
  const secret = "zoe@secret.example";
  assert.deepEqual(p.redact("appointments", [{ id: 1, client: { name: "Zoe", email: secret } }]), [{ id: 1, client: { name: "Zoe" } }], "control");
  for (const text of [JSON.stringify({ email: secret }), `  [${JSON.stringify({ email: secret })}]`, new String(JSON.stringify({ email: secret }))]) {
    assert.equal(errorCode(() => p.redact("appointments", [{ id: 1, client: text }])), "invalid_argument", String(text));
  }
  // Text that cannot be JSON holds no field: kept as it is.
  assert.deepEqual(p.redact("appointments", [{ id: 1, client: "Zoe Martin" }]), [{ id: 1, client: "Zoe Martin" }]);
  // A record's own `__proto__` key (JSON.parse makes one) is left out.
  const [out] = p.redact("appointments", [JSON.parse(`{"id":1,"__proto__":{"client":{"email":"${secret}"}}}`)]);
  assert.equal(Object.hasOwn(out, "__proto__"), false, JSON.stringify(out));
  assert.equal({ ...out }.client, undefined);
  assert.equal(Object.assign({}, out).client, undefined);
  assert.ok(!JSON.stringify(out).includes(secret));
});

test("filter: a number matches only as a safe integer, in JavaScript and in the Rust reference (64-bit ids round in JSON.parse)", () => {
  const { issuer, verifier, reference } = issuing();
  // A person whose id is a number's decimal form: their own records are
  // those whose owner field says so.
  const big = "9007199254740992";
  const snapshot = issuer.issue(tenant, { id: big, roles: ["user"], scopes: { appointments: "own" } }).snapshot;
  const p = verifier.load(snapshot);
  const [{ field, values }] = p.filterSpec("appointments").clauses;
  assert.deepEqual(values, [big]);
  const rows = JSON.parse(`[{"id":"string","${field}":"${big}"},{"id":"rounded","${field}":9007199254740993},{"id":"itself","${field}":9007199254740992},{"id":"in-array","${field}":[9007199254740993]}]`);
  const ids = (list) => list.map((r) => r.id);
  assert.deepEqual(ids(p.filter("appointments", rows)), ["string"]);
  assert.deepEqual(reference.load(snapshot).filterIndexesReference("appointments", rows).map((i) => rows[i].id), ["string"]);
  // Safe integers still match, and NaN / Infinity / 1e21 match nothing.
  for (const [id, value, kept] of [["42", 42, true], ["0", -0, true], ["-7", -7, true], ["NaN", NaN, false], ["Infinity", Infinity, false], ["1e+21", 1e21, false]]) {
    const snapshot = issuer.issue(tenant, { id, roles: ["user"], scopes: { appointments: "own" } }).snapshot;
    const row = [{ id: "r", [field]: value }];
    assert.equal(verifier.load(snapshot).filter("appointments", row).length, kept ? 1 : 0, `${id} vs ${value}`);
    assert.equal(reference.load(snapshot).filterIndexesReference("appointments", row).length, kept ? 1 : 0, `reference: ${id} vs ${value}`);
  }
});

test("filter: a value only another realm's polluted Object.prototype holds puts no record in scope; an array's own iterator is not read", () => {
  const p = make().load(fay.snapshot);
  const r = make({}, reference).load(fay.snapshot);
  const [{ field, values: [me] }] = p.filterSpec("appointments").clauses;
  // Records made in a vm context (an iframe, jsdom) whose Object.prototype
  // was polluted there.
  const rows = runInNewContext(`Object.prototype[${JSON.stringify(field)}] = ${JSON.stringify(me)}; [{ id: "ana's" }, { id: "ben's" }]`);
  assert.deepEqual(p.filter("appointments", rows), []);
  assert.deepEqual(r.filterIndexesReference("appointments", rows), []);
  // A class's own getter (an ORM's model) still counts, in either realm.
  const model = runInNewContext(`class Row { get ${field}() { return ${JSON.stringify(me)}; } }; [new Row()]`);
  assert.equal(p.filter("appointments", model).length, 1);
  assert.deepEqual(r.filterIndexesReference("appointments", model), [0]);
  // An array whose iterator yields another value than its items.
  const trick = ["someone-else"];
  trick[Symbol.iterator] = function* () { yield me; };
  assert.deepEqual(p.filter("appointments", [{ [field]: trick }]), []);
  assert.deepEqual(r.filterIndexesReference("appointments", [{ [field]: trick }]), []);
});

test("a record's getter, toJSON or Proxy that throws gives invalid_argument (the app's error as cause) in filter, redact and the Rust reference alike", () => {
  const p = make().load(fay.snapshot);
  const r = make({}, reference).load(fay.snapshot);
  const [{ field }] = p.filterSpec("appointments").clauses;
  const boom = new Error("db gone");
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const cases = [
    ["filter, a getter", () => p.filter("appointments", [{ get [field]() { throw boom; } }])],
    ["filter, a revoked Proxy", () => p.filter("appointments", [revoked.proxy])],
    ["reference, a getter", () => r.filterIndexesReference("appointments", [{ get [field]() { throw boom; } }])],
    ["redact, a getter", () => p.redact("clients", [{ id: 1, get email() { throw boom; } }])],
    ["redact, toJSON", () => p.redact("clients", [{ toJSON() { throw boom; } }])],
    ["redact, a revoked Proxy", () => p.redact("clients", [revoked.proxy])],
  ];
  // `errorCode` asserts a PermsnapError was thrown.
  for (const [what, f] of cases) assert.equal(errorCode(f), "invalid_argument", what);
  // The instance keeps working.
  assert.equal(p.filter("appointments", [{ [field]: "fay" }]).length, 1);
  assert.deepEqual(r.filterIndexesReference("appointments", [{ [field]: "fay" }]), [0]);
});

test("a notice applied after a load turns the loaded permissions to deny-all in place (freed ones too); others keep answering", () => {
  const { issuer, verifier } = issuing();
  const zoe = verifier.load(issuer.issue(tenant, { id: "zoe", version: 3, roles: ["user"] }).snapshot);
  const max = verifier.load(issuer.issue(tenant, { id: "max", roles: ["user"] }).snapshot);
  const freed = verifier.load(issuer.issue(tenant, { id: "zoe", version: 3, roles: ["user"] }).snapshot);
  freed.free();
  assert.equal(zoe.can("calendar.view"), true, "control");
  assert.equal(freed.can("calendar.view"), true, "a freed object keeps answering until the revocations change");
  verifier.applyNotice(issuer.revoke({ tenant, staff: [{ subject: "zoe", before: 4 }] }));
  assert.equal(zoe.can("calendar.view"), false);
  assert.equal(zoe.error?.code, "revoked");
  assert.deepEqual(zoe.filter("appointments", [{ staff_id: "zoe" }]), []);
  assert.equal(freed.can("calendar.view"), false, "freed: can no longer be checked, so denied");
  assert.equal(max.can("calendar.view"), true, "another person's permissions are untouched");
  assert.equal(max.error, null);
  // The application's own list (setRevocations) too.
  verifier.setRevocations({ ids: [max.id] });
  assert.equal(max.can("calendar.view"), false);
  assert.equal(max.error?.code, "revoked");
});

test("a JWKS given as text that names a key twice, or carrying secret material, refuses the whole set (npm, edge)", () => {
  const key = generateKey({ kid: "t15" });
  const [jwk] = key.jwks.keys;
  const seed = JSON.parse(typeof key.privateJwk === "string" ? key.privateJwk : JSON.stringify(key.privateJwk)).d;
  const body = JSON.stringify(jwk).slice(1, -1);
  const texts = [
    ["d written twice, the last null", `{"keys":[{${body},"d":"${seed}","d":null}]}`],
    ["d escaped, written twice", `{"keys":[{${body},"d":"${seed}","\\u0064":null}]}`],
    ["keys written twice", `{"keys":[{${body}}],"keys":[]}`],
    ["d: null", `{"keys":[{${body},"d":null}]}`],
    ["an oct key's secret beside it", `{"keys":[{${body}},{"kty":"oct","kid":"hmac","k":"c2VjcmV0"}]}`],
    ["an RSA private key beside it", `{"keys":[{${body}},{"kty":"RSA","kid":"rsa","n":"AQAB","e":"AQAB","p":"AQAB","q":"AQAB","d":"AQAB"}]}`],
  ];
  for (const build of [pkg, edge]) {
    const v = new build.Verifier(catalog, key.jwks, { tenant });
    const before = JSON.stringify(v.keys);
    for (const [what, text] of texts) {
      assert.equal(errorCode(() => v.setJwks(text)), "invalid_key", what);
      assert.equal(errorCode(() => new build.Verifier(catalog, text, { tenant })), "invalid_key", `new Verifier: ${what}`);
      assert.equal(JSON.stringify(v.keys), before, `nothing changed: ${what}`);
    }
    // The same members as objects (not text) are refused too.
    assert.equal(errorCode(() => v.setJwks({ keys: [{ ...jwk, d: null }] })), "invalid_key");
    assert.equal(errorCode(() => v.setJwks({ keys: [jwk, { kty: "oct", kid: "hmac", k: "c2VjcmV0" }] })), "invalid_key");
    assert.deepEqual(v.setJwks(JSON.stringify(key.jwks)).ignored, [], "a clean text set loads");
  }
});

test("the Refresher reads a JWKS strictly (a key written twice refused) and refuses a body over 8 MiB without holding it", async () => {
  const key = generateKey({ kid: "t15" });
  const body = JSON.stringify(key.jwks.keys[0]).slice(1, -1);
  const seed = JSON.parse(typeof key.privateJwk === "string" ? key.privateJwk : JSON.stringify(key.privateJwk)).d;
  const refresh = async (response) => {
    const v = new edge.Verifier(catalog, key.jwks, { tenant });
    const errors = [];
    const r = new edge.Refresher(v, { jwksUrl: "https://keys.test/jwks", revocationsUrl: null, fetch: async () => response(), onError: (e) => errors.push(e) });
    let thrown;
    await r.refresh().catch((e) => (thrown = e));
    return { thrown, errors };
  };
  const dup = await refresh(() => new Response(`{"keys":[{${body},"d":"${seed}","d":null}]}`));
  assert.equal(dup.thrown?.code, "unavailable", String(dup.thrown));
  assert.match(dup.thrown.message, /written twice/);
  let pulled = 0;
  const huge = await refresh(() => new Response(new ReadableStream({
    pull(c) {
      pulled++;
      c.enqueue(new Uint8Array(1 << 20).fill(0x20));
      if (pulled > 64) c.close();
    },
  })));
  assert.equal(huge.thrown?.code, "unavailable", String(huge.thrown));
  assert.match(huge.thrown.message, /larger than/);
  assert.ok(pulled <= 10, `read ${pulled} MiB before refusing`);
  const ok = await refresh(() => new Response(JSON.stringify(key.jwks)));
  assert.equal(ok.thrown, undefined, String(ok.thrown));
});

test("redact refuses bytes (a Buffer, a Uint8Array) as a record or a path's parent, a String object however it presents itself, and JSON text encoded twice (re-review, session 15)", () => {
  const p = nestedFay();
  const json = JSON.stringify({ name: "Zoe", email: "zoe@secret.example" });
  const spoofed = Object.assign(new String(json), { [Symbol.toStringTag]: "Object" });
  for (const [what, rows] of [
    ["a Buffer parent", [{ id: 1, client: Buffer.from(json) }]],
    ["a Uint8Array parent", [{ id: 1, client: new TextEncoder().encode(json) }]],
    ["Buffers in an array parent", [{ id: 1, client: [Buffer.from(json)] }]],
    ["a Buffer record", [Buffer.from(JSON.stringify({ id: 1, client: JSON.parse(json) }))]],
    ["a String object saying it is an Object", [spoofed]],
    ["a String object parent saying it is an Object", [{ id: 1, client: spoofed }]],
    ["JSON text encoded twice", [{ id: 1, client: JSON.stringify(json) }]],
  ]) {
    assert.equal(errorCode(() => p.redact("appointments", rows)), "invalid_argument", what);
  }
  assert.equal(p.redact("appointments", [{ id: 1, client: "Zoe" }])[0].client, "Zoe", "plain text is kept");
});

test("filter: holes of an array field, a value planted on a class's prototype, a Proxy array's odd length and a lone surrogate: JavaScript and the Rust reference agree and keep nothing (re-review, session 15)", () => {
  const p = make().load(fay.snapshot);
  const r = make({}, reference).load(fay.snapshot);
  const [{ field, values: [me] }] = p.filterSpec("appointments").clauses;
  const both = (rows) => [p.filter("appointments", rows).length, r.filterIndexesReference("appointments", rows).length];
  // Holes read through a polluted Object.prototype[0].
  Object.defineProperty(Object.prototype, 0, { value: me, configurable: true, writable: true, enumerable: false });
  try {
    assert.deepEqual(both([{ [field]: [, ] }, { [field]: new Array(2) }]), [0, 0]);
  } finally {
    delete Object.prototype[0];
  }
  // A plain value merged onto a model class's prototype (constructor.prototype).
  class Row {}
  Row.prototype[field] = me;
  assert.deepEqual(both([new Row(), new Row()]), [0, 0]);
  // An ORM's getter still counts.
  class Model { get [field]() { return me; } }
  assert.deepEqual(both([new Model()]), [1, 1]);
  // A Proxy array claiming an endless or fractional length: no hang, agreement.
  const lying = (length) => new Proxy([me, me], { get: (t, k) => (k === "length" ? length : t[k]) });
  assert.deepEqual(both([{ [field]: lying(Infinity) }]), [1, 1]);
  assert.deepEqual(both([{ [field]: lying(1.5) }]), [1, 1]);
  assert.deepEqual(both([{ [field]: lying(NaN) }]), [0, 0]);
  // A lone surrogate equals no id (Rust read it lossily).
  const q = issuing();
  const oddSnapshot = q.issuer.issue(tenant, { id: "ab\uFFFD", roles: ["user"], scopes: { appointments: "own" } }).snapshot;
  const [odd, oddReference] = [q.verifier.load(oddSnapshot), q.reference.load(oddSnapshot)];
  assert.deepEqual([odd.filter("appointments", [{ [field]: "ab\uD800" }]).length, oddReference.filterIndexesReference("appointments", [{ [field]: "ab\uD800" }]).length], [0, 0]);
});

test("the Refresher caps a Node stream body (node-fetch, undici.request) as it does a platform one", async () => {
  const { Readable } = await import("node:stream");
  const key = generateKey({ kid: "t15" });
  const v = new edge.Verifier(catalog, key.jwks, { tenant });
  let pulled = 0;
  const body = Readable.from((function* () {
    for (; pulled < 256; pulled++) yield Buffer.alloc(1 << 20, 0x20);
  })());
  const r = new edge.Refresher(v, { jwksUrl: "https://keys.test/jwks", revocationsUrl: null, fetch: async () => ({ ok: true, status: 200, body, text: async () => assert.fail("text() read the whole body"), json: async () => assert.fail("json()") }), onError: () => {} });
  let thrown;
  await r.refresh().catch((e) => (thrown = e));
  assert.equal(thrown?.code, "unavailable", String(thrown));
  assert.match(thrown.message, /larger than/);
  assert.ok(pulled <= 10, `read ${pulled} MiB before refusing`);
});

test("filter: a descriptor's `get` is its own, not a polluted prototype's (re-review, session 15)", () => {
  const p = make().load(fay.snapshot);
  const r = make({}, reference).load(fay.snapshot);
  const [{ field, values: [me] }] = p.filterSpec("appointments").clauses;
  class Row {}
  Row.prototype[field] = me; // a plain value planted on a class's prototype
  Object.defineProperty(Object.prototype, "get", { value() {}, configurable: true, writable: true, enumerable: false });
  try {
    assert.equal(p.filter("appointments", [new Row()]).length, 0);
    assert.deepEqual(r.filterIndexesReference("appointments", [new Row()]), []);
  } finally {
    delete Object.prototype.get;
  }
});

test("a notice applied by a record's getter during the reference filter leaves typed answers, not a dead object (third review, session 15)", () => {
  // The reference build's own filter (wasm-bindgen).
  const { issuer, reference: verifier } = issuing();
  const p = verifier.load(issuer.issue(tenant, { id: "zoe", version: 3, roles: ["user"] }).snapshot);
  const notice = issuer.revoke({ tenant, staff: [{ subject: "zoe", before: 4 }] });
  let inner = null;
  p.filterIndexesReference("appointments", [{
    get staff_id() {
      verifier.applyNotice(notice);
      try {
        p.can("calendar.view"); // its wasm object is in use: expiring it must not throw
      } catch (e) {
        inner = e;
      }
      return "zoe";
    },
  }]);
  assert.equal(inner, null, String(inner));
  assert.equal(p.can("calendar.view"), false);
  assert.equal(p.error?.code, "revoked");
  assert.equal(p.scope("appointments"), "none", "answers from deny-all, typed");
});

test("what filterSpec and redaction hand out cannot be edited to widen later answers; extra arguments are refused (attack review, session 17)", () => {
  // filterSpec returned the very object filter() reads on every call: an
  // app setting `all = true` (a query builder working in place) made every
  // later filter keep every record. redaction() likewise for redact().
  const p = make().load(fay.snapshot);
  const records = [{ id: "a1", staff_id: "someone-else", client_id: "c9" }, { id: "a2", staff_id: fay.subject, client_id: "c1" }];
  const before = p.filter("appointments", records).length;
  const spec = p.filterSpec("appointments");
  assert.ok(Object.isFrozen(spec) && spec.clauses.every((c) => Object.isFrozen(c) && Object.isFrozen(c.values)));
  assert.throws(() => { "use strict"; spec.all = true; }, TypeError);
  assert.equal(p.filter("appointments", records).length, before, "unchanged by the attempt");
  const r = p.redaction("clients");
  assert.ok(Object.isFrozen(r) && Object.isFrozen(r.remove) && Object.isFrozen(r.mask));
  // An option in the wrong place was dropped: `keep` as a fourth argument
  // gave every field back.
  for (const [what, f] of [
    ["redact", () => p.redact("clients", [{ id: "c1" }], {}, { keep: ["id"] })],
    ["withIds", () => p.withIds("x", { verify: false })],
    ["filter", () => p.filter("appointments", records, { all: true })],
    ["can", () => p.can("campaigns.manage", "payments.view")],
    ["scope", () => p.scope("appointments", {})],
  ]) {
    assert.throws(f, (e) => e.code === "invalid_argument" && new RegExp(`${what} takes`).test(e.message), what);
  }
  assert.equal(p.can("campaigns.manage"), p.can("campaigns.manage"), "the instance keeps working");
});
