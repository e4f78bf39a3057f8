import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { root, pkg, reference, vectors, catalog, verifierFor, loadCase, orError, validCases, refusedCases, errorCode } from "./helpers.mjs";

const { Verifier, PermsnapError } = pkg;

test("every valid vector gives the Rust core's decisions", () => {
  assert.ok(validCases.length >= 25);
  // The cases with id lists beside the snapshot are among them (attached
  // with withIds, as tests/vectors.rs does), and so is one without its list.
  assert.ok(validCases.some((c) => c.id_lists?.length > 0));
  assert.ok(validCases.some((c) => Object.values(c.expect.filters).some((f) => f.error === "ids_not_loaded")));
  for (const c of validCases) {
    const p = loadCase(c);
    const e = c.expect;
    assert.equal(p.subject, e.subject, c.name);
    assert.equal(p.tenant, e.tenant, c.name);
    assert.equal(p.expiresAt, e.expires_at, c.name);
    assert.deepEqual(p.roles, e.roles, c.name);
    assert.equal(p.version, e.version, c.name);
    assert.equal(p.isOwner, e.owner, c.name);
    assert.equal(p.isSharedAccount, e.shared_account, c.name);
    assert.deepEqual(p.allowed(), e.allowed, c.name);
    for (const n of e.allowed) assert.equal(p.can(n), true, `${c.name} ${n}`);
    for (const n of e.denied) assert.equal(p.can(n), false, `${c.name} ${n}`);
    for (const [n, reason] of Object.entries(e.explain)) assert.deepEqual(p.explain(n).reason, reason, `${c.name} ${n}`);
    assert.deepEqual(p.stepUpActions(), e.step_up, c.name);
    assert.deepEqual(p.apps(), e.apps, c.name);
    for (const [k, s] of Object.entries(e.scopes)) assert.deepEqual(p.scope(k), s, `${c.name} ${k}`);
    for (const [k, h] of Object.entries(e.hidden_fields)) assert.deepEqual(p.hiddenFields(k), h, `${c.name} ${k}`);
    for (const [k, f] of Object.entries(e.filters)) assert.deepEqual(orError(() => p.filterSpec(k)), f, `${c.name} ${k}`);
    // What is still to attach: exactly the kinds whose scope is `listed`.
    const listed = Object.entries(e.scopes).filter(([, s]) => s.listed).map(([kind, s]) => ({ kind, digest: s.listed.digest }));
    assert.deepEqual(p.missingIds(), listed, c.name);
  }
});

test("every refusal vector is refused with its code, as a PermsnapError", () => {
  const codes = new Set();
  for (const c of refusedCases) {
    const v = verifierFor(c);
    assert.throws(() => v.load(c.snapshot), (err) => {
      assert.ok(err instanceof PermsnapError, c.name);
      assert.ok(err instanceof Error);
      assert.equal(err.code, c.expect.error, c.name);
      assert.ok(err.message.length > 10);
      return true;
    });
    const denied = v.loadOrDeny(c.snapshot);
    assert.equal(denied.error.code, c.expect.error);
    assert.deepEqual(denied.allowed(), []);
    codes.add(c.expect.error);
  }
  assert.ok(codes.size >= 13, [...codes].join());
});

test("other error codes: unknown names, bad keys, bad catalog, bad arguments", () => {
  const c = validCases.find((x) => x.name === "sitee/dia");
  const v = verifierFor(c);
  const p = v.load(c.snapshot);
  const code = (f) => { try { f(); } catch (e) { assert.ok(e instanceof PermsnapError); return e.code; } return "none"; };
  assert.equal(code(() => p.can("payments.veiw")), "unknown_permission");
  assert.equal(code(() => p.canAll(["campaigns.manage", "typo"])), "unknown_permission");
  assert.equal(code(() => p.canAny(["typo", "campaigns.manage"])), "unknown_permission");
  // An empty list is a mistake, not a vacuous yes (even on a deny-all).
  assert.equal(code(() => p.canAll([])), "invalid_argument");
  assert.equal(code(() => p.canAny([])), "invalid_argument");
  // Options are own, plain, enumerable keys: an inherited `keep` is refused,
  // not silently ignored.
  assert.equal(code(() => p.redact("clients", [], Object.create({ keep: ["id"] }))), "invalid_argument");
  assert.equal(code(() => p.explain("typo")), "unknown_permission");
  assert.equal(code(() => p.scope("invoices")), "unknown_kind");
  assert.equal(code(() => p.filter("invoices", [])), "unknown_kind");
  const opts = { tenant: "spa-lumi" };
  assert.equal(code(() => new Verifier(catalog("sitee"), { keys: [{ kty: "OKP", crv: "Ed25519", x: "AAAA", kid: "k" }] }, opts)), "invalid_key");
  const leaked = structuredClone(vectors.key.jwks);
  leaked.keys[0].d = "secret";
  assert.equal(code(() => new Verifier(catalog("sitee"), leaked, opts)), "invalid_key");
  assert.equal(code(() => new Verifier(catalog("sitee"), "{not json", opts)), "invalid_key");
  assert.equal(code(() => new Verifier(catalog("sitee"), { keys: "nope" }, opts)), "invalid_key");
  // A catalog must be a compiled one: JSON definitions, damaged or truncated bytes are refused.
  assert.equal(code(() => new Verifier({ name: "x", permissions: [{ name: "a" }] }, vectors.key.jwks, opts)), "invalid_argument");
  const bin = catalog("sitee").binary;
  assert.equal(code(() => new Verifier(bin.slice(0, bin.length - 12), vectors.key.jwks, opts)), "invalid_policy");
  assert.equal(code(() => new Verifier("UFNO" + bin.slice(4), vectors.key.jwks, opts)), "invalid_policy");
  assert.equal(code(() => new Verifier(42, vectors.key.jwks, opts)), "invalid_argument");
  assert.equal(code(() => new Verifier(bin, vectors.key.jwks, { ...opts, leeway: -1 })), "invalid_argument");
  // The account is never implied: no options, no tenant choice, an unset
  // tenant (`tenant: env.TENANT` with TENANT unset) or a misspelt key refuse.
  assert.equal(code(() => new Verifier(bin, vectors.key.jwks)), "invalid_argument");
  assert.equal(code(() => new Verifier(bin, vectors.key.jwks, { leeway: 30 })), "invalid_argument");
  assert.equal(code(() => new Verifier(bin, vectors.key.jwks, { tenant: undefined })), "invalid_argument");
  assert.equal(code(() => new Verifier(bin, vectors.key.jwks, { tennant: "spa-lumi" })), "invalid_argument");
  assert.equal(code(() => v.load(42)), "invalid_argument");
  for (const wrong of [{}, [80, 83, 78], new Uint16Array(4), new ArrayBuffer(8), null, new String(c.snapshot), { toString: () => c.snapshot }]) {
    assert.equal(code(() => v.load(wrong)), "invalid_argument", String(wrong));
    assert.equal(code(() => v.loadFor(wrong, "spa-lumi")), "invalid_argument", String(wrong));
  }
  for (const tenant of [42, null, undefined, "", { toString: () => "spa-lumi" }]) {
    assert.equal(code(() => v.loadFor(c.snapshot, tenant)), "invalid_argument", String(tenant));
  }
  // Bytes are copied from the array's own storage: a subclass or a proxy
  // reporting another length cannot make wasm read past them (into what an
  // earlier load left in its memory).
  const raw = new TextEncoder().encode(c.snapshot);
  class Longer extends Uint8Array { get length() { return raw.length; } }
  const head = new Longer(8);
  head.set(raw.subarray(0, 8));
  v.load(c.snapshot);
  assert.equal(code(() => v.load(head)), code(() => v.load(raw.slice(0, 8))));
  assert.notEqual(code(() => v.load(head)), "none");
  assert.equal(code(() => v.load(new Proxy(raw, {}))), "invalid_argument", "a proxy is not bytes");
  assert.deepEqual(v.load(Buffer.from(raw)).allowed(), c.expect.allowed);
  // Text is passed to wasm through one reused buffer: text longer than it,
  // non-ASCII text and bytes answer as they should, and the next load is
  // not disturbed by what the buffer held.
  const long = c.snapshot + "A".repeat(9000);
  assert.equal(code(() => v.load(long)), code(() => v.load(new TextEncoder().encode(long))));
  assert.notEqual(code(() => v.load(long)), "none", "too long: refused");
  assert.equal(code(() => v.load(c.snapshot.slice(0, 40) + "é" + c.snapshot.slice(41))), code(() => v.load(new TextEncoder().encode(c.snapshot.slice(0, 40) + "é" + c.snapshot.slice(41)))));
  assert.deepEqual(v.load(new TextEncoder().encode(c.snapshot)).allowed(), c.expect.allowed);
  assert.notEqual(code(() => v.load(c.snapshot.slice(0, 20))), "none", "a prefix is refused, not answered");
  assert.deepEqual(v.load(c.snapshot).allowed(), c.expect.allowed);
  assert.equal(code(() => v.setRevocations({ ids: ["xyz"] })), "invalid_argument");
  assert.equal(code(() => v.setRevocations({ minEpoch: { "spa-lumi": 1.5 } })), "invalid_argument");
  assert.equal(code(() => v.applyNotice("AAAA")), "bad_magic");
  assert.equal(code(() => v.applyNotice(new Uint8Array([0x50, 0x53, 0x52]))), "truncated");
  // After all that, the verifier still answers.
  assert.deepEqual(v.load(c.snapshot).allowed(), c.expect.allowed);
});

test("the compiled catalog: bytes, text and the printed object give the same verifier", () => {
  const c = validCases.find((x) => x.name === "sitee/dia");
  const doc = catalog("sitee");
  const bytes = Uint8Array.from(Buffer.from(doc.binary, "base64url"));
  for (const input of [doc, doc.binary, bytes]) {
    const v = new Verifier(input, vectors.key.jwks, { tenant: "spa-lumi", clock: () => c.now });
    assert.equal(v.fingerprint, doc.fingerprint);
    assert.deepEqual(v.load(c.snapshot).allowed(), c.expect.allowed);
  }
});

test("denyAll and loadOrDeny deny everything, through the same core", () => {
  const c = validCases.find((x) => x.name === "sitee/dia");
  const v = verifierFor(c);
  const denials = [
    [v.denyAll(), "no_snapshot"],
    [v.loadOrDeny(null), "no_snapshot"],
    [v.loadOrDeny(undefined), "no_snapshot"],
    [v.loadOrDeny(""), "no_snapshot"],
    [v.loadOrDeny("garbage"), "bad_encoding"],
  ];
  for (const [p, why] of denials) {
    assert.ok(p.error instanceof PermsnapError);
    assert.equal(p.error.code, why);
    assert.deepEqual(p.allowed(), []);
    for (const n of v.permissionNames) assert.equal(p.can(n), false);
    for (const k of v.kindNames) {
      assert.equal(p.scope(k), "none");
      assert.deepEqual(p.filter(k, [{ id: "1", staff_id: "dia" }]), []);
    }
    // Every field is hidden, redacted as the catalog says (Sitee masks them).
    assert.deepEqual(p.hiddenFields("clients"), ["email", "phone"]);
    assert.deepEqual(p.redact("clients", [{ id: "c1", email: "a@b", phone: "1" }]), [{ id: "c1", email: "hidden", phone: "hidden" }]);
    assert.deepEqual(p.apps(), []);
    assert.equal(p.subject, null);
    assert.equal(p.claims(), null);
    assert.equal(p.explain("payments.view").reason.code, "refused");
    assert.throws(() => p.can("typo"), PermsnapError);
  }
});

test("claims() shows what the snapshot says, names resolved", () => {
  const c = validCases.find((x) => x.name === "sitee/fay");
  const v = verifierFor(c);
  const p = v.load(c.snapshot);
  const view = p.claims();
  assert.equal(view.subject, "fay");
  assert.ok(!("role" in view), "format 2: roles, not role");
  assert.equal(view.tenant, "spa-lumi");
  assert.equal(view.catalog, v.fingerprint);
  assert.equal(view.expiresAt, c.expect.expires_at);
  assert.ok(view.issuedAt <= view.notBefore + 60 && view.notBefore < view.expiresAt);
  assert.match(view.id, /^[0-9a-f]{16}$/);
  assert.equal(view.id, p.id);
  assert.equal(view.epoch, p.epoch);
  assert.deepEqual(view.roles, c.expect.roles);
  assert.deepEqual(view.roles, p.roles);
  assert.equal(view.version, c.expect.version);
  assert.equal(view.version, p.version);
  assert.equal(view.revision, 1);
  assert.equal(view.owner, c.expect.owner);
  assert.equal(view.sharedAccount, c.expect.shared_account);
  assert.deepEqual(view.allowed, c.expect.allowed);
  assert.deepEqual(view.stepUp, c.expect.step_up);
  assert.deepEqual(view.scopes, c.expect.scopes);
  assert.deepEqual(view.apps, c.expect.apps);
  for (const [k, h] of Object.entries(view.hiddenFields)) assert.deepEqual(h, p.hiddenFields(k));
});

test("JS objects use one naming case: camelCase keys in claims, explanations and key reports", () => {
  const camel = (o, where) => {
    for (const [k, v] of Object.entries(o)) {
      // keys are kind or permission names
      if (where.endsWith(".scopes") || where.endsWith(".hiddenFields") || where.endsWith(".permissionScopes")) continue;
      assert.match(k, /^[a-z][a-zA-Z0-9]*$/, `${where}.${k}`);
      if (v && typeof v === "object" && !Array.isArray(v)) camel(v, `${where}.${k}`);
    }
  };
  for (const c of validCases) {
    const v = verifierFor(c);
    const p = v.load(c.snapshot);
    camel(p.claims(), `${c.name} claims`);
    for (const n of v.permissionNames) {
      const e = p.explain(n);
      camel(e, `${c.name} explain(${n})`);
      assert.equal(e.stepUp, p.needsStepUp(n), `${c.name} ${n}`);
    }
    camel(v.keys, `${c.name} keys`);
    camel(v.denyAll().explain(v.permissionNames[0]), `${c.name} refused explain`);
  }
});

test("signed revocation notices revoke exactly what Rust says, and bad notices change nothing", () => {
  const revokes = new Set(vectors.notices.revokes);
  assert.ok(revokes.has("sitee/dia"));
  for (const c of validCases) {
    const v = verifierFor(c);
    for (const n of vectors.notices.apply) {
      try {
        const out = v.applyNotice(n);
        assert.ok(out.tenant.length > 0);
      } catch (e) {
        assert.equal(e.code, "wrong_tenant");
      }
    }
    for (const r of vectors.notices.refused) {
      assert.throws(() => v.applyNotice(r.notice), (e) => e instanceof PermsnapError && e.code === r.error, r.name);
    }
    if (revokes.has(c.name)) {
      assert.throws(() => v.load(c.snapshot), (e) => e.code === "revoked", c.name);
    } else {
      assert.deepEqual(v.load(c.snapshot).allowed(), c.expect.allowed, c.name);
    }
  }
});

test("the instance keeps answering correctly after thousands of refusals", () => {
  const c = validCases.find((x) => x.name === "sitee/dia");
  const v = verifierFor(c);
  const bad = c.snapshot.slice(0, 40) + (c.snapshot[40] === "A" ? "B" : "A") + c.snapshot.slice(41);
  for (let i = 0; i < 5000; i++) {
    assert.throws(() => v.load(i % 2 ? bad : "garbage*" + i), PermsnapError);
  }
  const p = v.load(c.snapshot);
  assert.deepEqual(p.allowed(), c.expect.allowed);
});

function records(n) {
  const staff = ["dia", "fay", "desk", "theo", "zoe", "ben"];
  return Array.from({ length: n }, (_, i) => ({
    id: i % 5 === 0 ? "dev-104" : `rec-${i}`,
    staff_id: staff[i % staff.length],
    created_by: staff[(i * 7) % staff.length],
    requested_by: i % 11 === 0 ? "zoe" : 17,
    uploaded_by: staff[(i * 3) % staff.length],
    admin_id: i % 3 === 0 ? "samantha" : "omar",
    employee_id: i % 4 === 0 ? "luc" : null,
    client_assignees: i % 4 === 0 ? ["dia", "fay"] : i % 4 === 1 ? [] : "desk",
    assignees: [staff[i % 3]],
    handled_by: 42,
    email: `c${i}@example.com`, phone: `555-${i}`, birth_date: "2001-01-01",
  }));
}

test("the JavaScript filter and the Rust reference filter agree on every kind of every vector", () => {
  // Odd records too: missing fields, null, booleans, objects, nested arrays, numbers.
  const odd = [{}, { id: null, staff_id: null }, { staff_id: true, id: false }, { staff_id: { id: "dia" } }, { assignees: [["dia"]] }, { id: 104, staff_id: 0 }, { client_assignees: [null, 7, "fay"] }];
  const recs = [...records(600), ...odd];
  let compared = 0;
  for (const c of validCases) {
    const [p, q] = [loadCase(c), loadCase(c, verifierFor(c, reference))];
    for (const kind of Object.keys(c.expect.scopes)) {
      // Without its id list, both refuse alike (ids_not_loaded).
      const js = orError(() => p.filter(kind, recs).map((r) => recs.indexOf(r)));
      const rust = orError(() => q.filterIndexesReference(kind, recs));
      assert.deepEqual(js, rust, `${c.name} ${kind}`);
      compared++;
    }
  }
  assert.ok(compared > 50);
});

test("filter semantics: own, assigned, specific plus created, all, none", () => {
  const get = (name) => { const c = validCases.find((x) => x.name === name); return verifierFor(c).load(c.snapshot); };
  const recs = records(60);
  const fay = get("sitee/fay"); // restricted view
  assert.ok(fay.filter("appointments", recs).every((r) => r.staff_id === "fay" || r.created_by === "fay"));
  const desk = get("sitee/desk"); // shared view: own + assigned
  const seen = desk.filter("appointments", recs);
  assert.ok(seen.some((r) => r.client_assignees === "desk"));
  assert.ok(seen.every((r) => r.staff_id === "desk" || r.created_by === "desk" || r.client_assignees === "desk" || (Array.isArray(r.client_assignees) && r.client_assignees.includes("desk"))));
  const theo = get("shopify-partner/theo");
  const stores = theo.filter("dev_stores", recs);
  assert.ok(stores.every((r) => r.id === "dev-104" || r.created_by === "theo"));
  assert.ok(stores.some((r) => r.id === "dev-104") && stores.some((r) => r.created_by === "theo"));
  assert.equal(get("shopify-partner/max").filter("dev_stores", recs).length, 0);
  assert.equal(get("sitee/ben").filter("clients", recs).length, recs.length);
  assert.deepEqual(get("shopify-partner/max").filterSpec("dev_stores"), { kind: "dev_stores", scope: "none", all: false, clauses: [] });
});

test("redact removes or masks hidden fields and never mutates the input", () => {
  const get = (name) => { const c = validCases.find((x) => x.name === name); return verifierFor(c).load(c.snapshot); };
  const recs = records(20);
  const before = structuredClone(recs);
  const fay = get("sitee/fay"); // fay: email and phone masked
  const out = fay.redact("clients", recs);
  assert.deepEqual(recs, before, "input untouched");
  assert.ok(out.every((r, i) => r.email === "hidden" && r.phone === "hidden" && r.id === recs[i].id && r !== recs[i]));
  const tom = get("ecwid/tom"); // Ecwid hides no field
  assert.deepEqual(tom.hiddenFields("customers"), []);
  assert.deepEqual(tom.redact("customers", recs), recs);
  const ben = get("sitee/ben");
  const b = ben.redact("clients", recs);
  assert.deepEqual(b, recs);
  assert.ok(b.every((r, i) => r !== recs[i]), "copies even when nothing is hidden");
  assert.deepEqual(recs, before);
});

test("a refused snapshot leaves nothing granted anywhere", () => {
  const c = validCases.find((x) => x.name === "sitee/ben");
  const v = verifierFor(c);
  const p = v.loadOrDeny(c.snapshot.slice(0, -3) + "AAA");
  assert.equal(p.error.code, "bad_signature");
  assert.deepEqual(p.allowed(), []);
  assert.equal(p.can("payments.view"), false);
  assert.throws(() => p.can("typo"), PermsnapError);
  assert.equal(p.scope("clients"), "none");
  assert.deepEqual(p.filter("clients", records(10)), []);
  assert.deepEqual(p.hiddenFields("clients"), ["email", "phone"]);
  const recs = records(3);
  assert.ok(p.redact("clients", recs).every((r, i) => r.email !== recs[i].email && r.phone !== recs[i].phone));
  assert.equal(p.explain("payments.view").reason.code, "refused");
  assert.deepEqual(v.loadOrDeny(null).allowed(), []);
  assert.equal(v.loadOrDeny(null).error.code, "no_snapshot");
});

test("key rotation: a new key is accepted once the JWKS is loaded, a retired one refused", () => {
  const c = validCases.find((x) => x.name === "sitee/dia");
  const wrongKey = refusedCases.find((x) => x.name === "refuse/unknown_key");
  const v = verifierFor(c);
  assert.throws(() => v.load(wrongKey.snapshot), (e) => e.code === "unknown_key");
  v.setJwks({ keys: [] });
  assert.throws(() => v.load(c.snapshot), (e) => e.code === "unknown_key");
  assert.deepEqual(v.setJwks(vectors.key.jwks), { keys: 1, ignored: [] });
  assert.ok(v.load(c.snapshot).can("campaigns.manage"));
  // Keys that are not Ed25519 signing keys (an app's RS256 key in the same
  // JWKS) are ignored and reported; the Ed25519 key still works.
  const rsa = { kty: "RSA", kid: "app-rs256", alg: "RS256", use: "sig", n: "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", e: "AQAB" };
  const report = v.setJwks({ keys: [...vectors.key.jwks.keys, rsa] });
  assert.equal(report.keys, 1);
  assert.deepEqual(report.ignored.map((k) => k.kid), ["app-rs256"]);
  assert.deepEqual(v.keys, report);
  assert.ok(v.load(c.snapshot).can("campaigns.manage"));
});

test("inputs larger than anything the package reads are refused before wasm (too_large), and the instance keeps working", () => {
  const c = vectors.cases.find((x) => x.name === "sitee/dia");
  const v = verifierFor(c);
  // 16 MiB + 1: over the wrapper's limit (an id list, the largest input, is
  // at most 8 MiB). Gigabytes used to reach wasm, whose allocator traps.
  const refusedByTheWrapper = (f) => assert.throws(f, (e) => e.code === "too_large" && e.message.includes("over the 16777216"));
  for (const input of [new Uint8Array((16 << 20) + 1), "A".repeat((16 << 20) + 1)]) {
    refusedByTheWrapper(() => v.load(input));
    refusedByTheWrapper(() => v.applyNotice(input));
    assert.equal(errorCode(() => v.loadFor(input, "spa-lumi")), "too_large");
    assert.equal(v.loadOrDeny(input).error.code, "too_large");
    assert.equal(errorCode(() => v.applyNotice(input)), "too_large");
  }
  assert.equal(v.load(c.snapshot).claims().subject, "dia");
  // A compiled catalog over 1 MiB, as bytes or text, is refused before it
  // is read (reading takes memory in proportion to its size).
  const big = new Uint8Array((1 << 20) + 1);
  big.set([0x50, 0x53, 0x43, 2]);
  for (const input of [big, "A".repeat(3 << 20), { binary: "A".repeat(3 << 20) }]) {
    assert.throws(() => new pkg.Verifier(input, vectors.key.jwks, { anyTenant: true }),
      (e) => e.code === "invalid_policy" && e.message.includes("over the limit of 1048576"));
  }
});

test("the browser entry's core carries no integer formatting (core::fmt, linked in by a panic message with numbers)", () => {
  // Rust's table of two-digit pairs, which every formatting of an integer
  // links in: session 29 took the last panics with numbers out of what
  // the browser entry's core runs (a slice swap, copy_from_slice), -0.45 KB
  // gzip. permsnap/sync and the edge keep it: curve25519-dalek's table
  // lookups, and the edge's worded decisions.
  const digits = Buffer.from("00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899");
  assert.equal(readFileSync(`${root}pkg/permsnap_wasm_bg.wasm`).indexOf(digits), -1);
  // The check finds the table where it is linked.
  for (const build of ["pkg/sync", "pkg/edge"]) assert.notEqual(readFileSync(`${root}${build}/permsnap_wasm_bg.wasm`).indexOf(digits), -1, build);
});
