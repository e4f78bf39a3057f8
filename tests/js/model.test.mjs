// The policy model through the built package (issue #13): account
// features, implications, permissions with their own scope — hasFeature,
// features, permissionScope, filterFor, filterSpecFor and the explain
// reasons `implied` / `feature_not_enabled` — on snapshots the CLI signs
// for a small policy of its own (tests/model.rs's catalog), so the answers
// are the Rust semantics (FORMAT.md, "Decisions").
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pkg, reference } from "./helpers.mjs";
import { cli, cliPath } from "../attacks/fixtures.mjs";

/** tests/model.rs's catalog: two features, implications (one permission,
 *  two together), a permission of a feature, a `scoped` permission over
 *  payments, a kind-scoped one over clients. */
const catalog = {
  name: "model",
  applications: [{ id: "back" }, { id: "ecom", follows_permissions: true }],
  features: [{ id: "plus" }, { id: "affiliates" }],
  permissions: [
    { name: "finance.view", section: "f" },
    { name: "apps.manage", section: "f" },
    { name: "refunds.create", section: "f", requires: ["finance.view", "apps.manage"] },
    { name: "ads.view", section: "m", implied_by: [["ads.manage"]] },
    { name: "ads.manage", section: "m" },
    { name: "stores.manage", section: "s" },
    { name: "users.export", section: "s", implied_by: [["apps.manage", "stores.manage"]] },
    { name: "plus.stores", section: "s", feature: "plus" },
    { name: "reports.financial", section: "r", scope_kind: "payments", scoped: true },
    { name: "clients.view", section: "c", scope_kind: "clients" },
    { name: "loyalty.view_all", section: "c", gives_scopes: { clients: "all" } },
    { name: "ecom.orders", section: "e", app: "ecom" },
    { name: "sales.make", section: "p", app: "back" },
  ],
  kinds: [
    { name: "clients", owner_fields: ["created_by"], fields: [{ name: "phone" }] },
    { name: "payments", owner_fields: ["taken_by"] },
  ],
  account: { shared_account: { never: ["finance.view"], step_up: ["sales.make"] } },
};

const roles = [
  { id: "clerk", permissions: ["clients.view"], scopes: { clients: "own" } },
  // An id with what a pattern replacement or a template would read as
  // placeholders (`$&`, `{}`): explanations print it as it is.
  { id: "desk $& {} $1", permissions: ["finance.view"] },
  {
    id: "accountant", permissions: ["finance.view", "reports.financial"],
    permission_scopes: { "reports.financial": "own" }, scopes: { payments: "all" },
  },
];

const staff = [
  { id: "owner", owner: true },
  { id: "u", roles: ["clerk"], grant: ["plus.stores"] },
  { id: "ads", roles: ["clerk"], grant: ["ads.manage"] },
  { id: "ads-removed", roles: ["clerk"], grant: ["ads.manage"], remove: ["ads.manage"] },
  { id: "both", roles: ["clerk"], grant: ["apps.manage", "stores.manage"] },
  { id: "one", roles: ["clerk"], grant: ["apps.manage"] },
  { id: "ana", roles: ["accountant"] },
  { id: "bea", roles: ["accountant"], permission_scopes: { "reports.financial": "all" } },
  { id: "noscope", roles: ["clerk"], grant: ["reports.financial"] },
  { id: "clerk", roles: ["clerk"] },
  { id: "desk", roles: ["desk $& {} $1"] },
  { id: "desk-removed", roles: ["desk $& {} $1"], remove: ["finance.view"] },
  { id: "req", roles: ["clerk"], grant: ["refunds.create", "apps.manage"] },
  { id: "noapp", roles: ["clerk"], grant: ["sales.make"] },
];

const payments = [
  { id: "1", taken_by: "ana" },
  { id: "2", taken_by: "bob" },
  { id: "3", taken_by: ["bea", "ana"] },
];

let dir;
/** Verified permissions of `id` on the account without features (`plain`)
 *  or with `plus`. */
const people = { plain: {}, plus: {} };
const issued = {};
let verifier;
let compiled;
let jwks;

before(() => {
  assert.ok(existsSync(cliPath), "build the CLI first: cargo build --features cli");
  dir = mkdtempSync(join(tmpdir(), "permsnap-model-"));
  execFileSync(cliPath, ["keygen", "--out", dir, "--kid", "model"]);
  jwks = JSON.parse(readFileSync(join(dir, "jwks.json"), "utf8"));
  for (const [account, features] of [["plain", []], ["plus", ["plus"]]]) {
    const file = join(dir, `${account}.json`);
    writeFileSync(file, JSON.stringify({ tenant: "t", catalog, features, roles, staff }));
    issued[account] = {};
    for (const s of staff) {
      issued[account][s.id] = cli("issue", "--policy", file, "--staff", s.id, "--key", join(dir, "issuer.key"));
    }
  }
  // The same catalog for both accounts (features are the account's, not the catalog's).
  compiled = cli("catalog", join(dir, "plain.json"));
  assert.equal(cli("catalog", join(dir, "plus.json")).fingerprint, compiled.fingerprint);
  verifier = new pkg.Verifier(compiled, jwks, { tenant: "t" });
  for (const account of ["plain", "plus"]) {
    for (const s of staff) people[account][s.id] = verifier.load(issued[account][s.id].snapshot);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** `[allowed, reason code]` of `explain(name)`. */
const reason = (p, name) => {
  const e = p.explain(name);
  return [e.allowed, e.reason.code];
};
const throwsCode = (f, code) => assert.throws(f, (e) => e instanceof pkg.PermsnapError && e.code === code, `expected ${code}`);

test("features: an account without a feature answers no, with reason feature_not_enabled", () => {
  const u = people.plain.u;
  // The issuer warned about the grant that cannot work.
  assert.deepEqual(issued.plain.u.warnings?.map((w) => w.code), ["feature_not_enabled"], JSON.stringify(issued.plain.u));
  assert.equal(u.can("plus.stores"), false);
  assert.deepEqual(u.explain("plus.stores").reason, { code: "feature_not_enabled", feature: "plus" });
  assert.equal(u.explain("plus.stores").allowed, false);
  assert.equal(u.hasFeature("plus"), false);
  assert.equal(u.hasFeature("affiliates"), false);
  assert.deepEqual(u.features(), []);
  assert.deepEqual(u.claims().features, []);
  // With the feature: granted to the person.
  const plus = people.plus.u;
  assert.equal(plus.can("plus.stores"), true);
  assert.deepEqual(plus.explain("plus.stores").reason, { code: "granted_to_person" });
  assert.equal(plus.hasFeature("plus"), true);
  assert.equal(plus.hasFeature("affiliates"), false);
  assert.deepEqual(plus.features(), ["plus"]);
  assert.deepEqual(plus.claims().features, ["plus"]);
  assert.ok(!plus.allowed().includes("loyalty.view_all"));
  // An owner of an account without the feature does not get it either.
  assert.equal(people.plain.owner.can("plus.stores"), false);
  assert.deepEqual(reason(people.plain.owner, "plus.stores"), [false, "feature_not_enabled"]);
  assert.equal(people.plus.owner.can("plus.stores"), true);
  assert.deepEqual(reason(people.plus.owner, "plus.stores"), [true, "owner"]);
  // The blocker order: the feature comes first, before not_granted.
  assert.deepEqual(people.plain.clerk.explain("plus.stores").reason, { code: "feature_not_enabled", feature: "plus" });
  assert.deepEqual(reason(people.plus.clerk, "plus.stores"), [false, "not_granted"]);
});

test("hasFeature: an id the catalog does not define throws unknown_feature, never false", () => {
  for (const p of [people.plain.u, people.plus.u, people.plus.owner]) {
    throwsCode(() => p.hasFeature("pluss"), "unknown_feature");
    throwsCode(() => p.hasFeature("Plus"), "unknown_feature");
    throwsCode(() => p.hasFeature(""), "unknown_feature");
    // A permission name is not a feature.
    throwsCode(() => p.hasFeature("plus.stores"), "unknown_feature");
  }
  // A feature name is not a permission either.
  throwsCode(() => people.plus.u.can("plus"), "unknown_permission");
  // The instance keeps answering after the errors.
  assert.equal(people.plus.u.hasFeature("plus"), true);
});

test("explain: implied permissions name what implies them", () => {
  const ads = people.plain.ads;
  assert.equal(ads.can("ads.view"), true);
  assert.deepEqual(ads.explain("ads.view").reason, { code: "implied", by: "ads.manage" });
  assert.equal(ads.explain("ads.view").message, "given by holding `ads.manage`");
  assert.deepEqual(reason(ads, "ads.manage"), [true, "granted_to_person"]);
  // Two rights together give a third; one alone does not.
  const both = people.plain.both;
  assert.equal(both.can("users.export"), true);
  assert.deepEqual(both.explain("users.export").reason, { code: "implied", by: "apps.manage+stores.manage" });
  assert.deepEqual(reason(people.plain.one, "users.export"), [false, "not_granted"]);
  assert.equal(people.plain.one.can("users.export"), false);
  // Removing the implying right removes what it implied.
  assert.equal(people.plain["ads-removed"].can("ads.view"), false);
  assert.equal(people.plain["ads-removed"].can("ads.manage"), false);
  // The precomputed `can` and wasm's explanation agree, for every name and person.
  for (const account of ["plain", "plus"]) {
    for (const [id, p] of Object.entries(people[account])) {
      for (const { name } of catalog.permissions) {
        assert.equal(p.explain(name).allowed, p.can(name), `${account}/${id} ${name}`);
      }
      assert.deepEqual(p.allowed(), p.claims().allowed, `${account}/${id}`);
    }
  }
});

test("permissionScope: a scoped permission's own scope differs from its kind's", () => {
  const ana = people.plain.ana;
  // She sees every payment, but only her own financial reports.
  assert.equal(ana.scope("payments"), "all");
  assert.equal(ana.permissionScope("reports.financial"), "own");
  assert.deepEqual(ana.claims().permissionScopes, { "reports.financial": "own" });
  // Her colleague's record widens it to all.
  assert.equal(people.plain.bea.permissionScope("reports.financial"), "all");
  // Granted without a scope: no effect, reason no_scope, scope none.
  const noscope = people.plain.noscope;
  assert.deepEqual(issued.plain.noscope.warnings?.map((w) => w.code), ["grant_without_scope"]);
  assert.equal(noscope.can("reports.financial"), false);
  assert.deepEqual(noscope.explain("reports.financial").reason, { code: "no_scope", kind: "payments" });
  assert.equal(noscope.permissionScope("reports.financial"), "none");
  // Not held: none.
  assert.equal(people.plain.clerk.permissionScope("reports.financial"), "none");
  // A permission without a scope of its own acts with its kind's view scope.
  assert.equal(people.plain.clerk.permissionScope("clients.view"), "own");
  assert.equal(people.plain.clerk.scope("clients"), "own");
  // Owners: all.
  assert.equal(people.plain.owner.permissionScope("reports.financial"), "all");
  assert.equal(people.plain.owner.permissionScope("clients.view"), "all");
  // A permission acting on no kind of record is an argument error; an
  // unknown name unknown_permission.
  throwsCode(() => ana.permissionScope("finance.view"), "invalid_argument");
  throwsCode(() => people.plain.clerk.permissionScope("finance.view"), "invalid_argument");
  throwsCode(() => ana.permissionScope("reports.financal"), "unknown_permission");
  assert.equal(ana.permissionScope("reports.financial"), "own");
});

test("filterFor / filterSpecFor: the records a permission acts on", () => {
  const ana = people.plain.ana;
  assert.deepEqual(ana.filterSpecFor("reports.financial"), {
    kind: "payments", scope: "own", all: false, clauses: [{ field: "taken_by", values: ["ana"] }],
  });
  assert.deepEqual(ana.filterFor("reports.financial", payments).map((r) => r.id), ["1", "3"]);
  // The kind's own filter stays "all": the permission narrows, the list does not.
  assert.equal(ana.filterSpec("payments").all, true);
  assert.deepEqual(ana.filter("payments", payments).map((r) => r.id), ["1", "2", "3"]);
  // A new array; the records are the caller's objects.
  const out = ana.filterFor("reports.financial", payments);
  assert.notEqual(out, payments);
  assert.equal(out[0], payments[0]);
  const bea = people.plain.bea;
  assert.deepEqual(bea.filterSpecFor("reports.financial"), { kind: "payments", scope: "all", all: true, clauses: [] });
  assert.deepEqual(bea.filterFor("reports.financial", payments).map((r) => r.id), ["1", "2", "3"]);
  // Not allowed: nothing.
  for (const p of [people.plain.noscope, people.plain.clerk]) {
    assert.deepEqual(p.filterSpecFor("reports.financial"), { kind: "payments", scope: "none", all: false, clauses: [] });
    assert.deepEqual(p.filterFor("reports.financial", payments), []);
  }
  // A kind-scoped permission: its kind's filter.
  const clients = [{ id: "c1", created_by: "clerk" }, { id: "c2", created_by: "ana" }];
  assert.deepEqual(people.plain.clerk.filterSpecFor("clients.view"), people.plain.clerk.filterSpec("clients"));
  assert.deepEqual(people.plain.clerk.filterFor("clients.view", clients).map((c) => c.id), ["c1"]);
  // The JS filter agrees with the Rust reference filter on the kind.
  const rust = new reference.Verifier(compiled, jwks, { tenant: "t" }).load(issued.plain.ana.snapshot);
  assert.deepEqual(rust.filterIndexesReference("payments", payments), [0, 1, 2]);
  // Errors: unknown name, a permission acting on no kind.
  throwsCode(() => ana.filterFor("reports.financal", payments), "unknown_permission");
  throwsCode(() => ana.filterSpecFor("nope"), "unknown_permission");
  throwsCode(() => ana.filterFor("finance.view", payments), "invalid_argument");
  throwsCode(() => ana.filterSpecFor("finance.view"), "invalid_argument");
  // ...and the same answers afterwards.
  assert.deepEqual(ana.filterFor("reports.financial", payments).map((r) => r.id), ["1", "3"]);
});

test("a refused snapshot (loadOrDeny) answers none, false and [] — names still checked", () => {
  const good = issued.plus.ana.snapshot;
  const tampered = good.slice(0, 40) + (good[40] === "A" ? "B" : "A") + good.slice(41);
  for (const [why, snapshot, code] of [
    ["tampered", tampered, "bad_signature"],
    ["garbage", "garbage!", "bad_encoding"],
    ["missing", null, "no_snapshot"],
  ]) {
    const p = verifier.loadOrDeny(snapshot);
    assert.equal(p.error?.code, code, why);
    assert.equal(p.hasFeature("plus"), false, why);
    assert.deepEqual(p.features(), [], why);
    assert.equal(p.can("plus.stores"), false, why);
    assert.equal(p.can("ads.view"), false, why);
    assert.equal(p.permissionScope("reports.financial"), "none", why);
    assert.equal(p.permissionScope("clients.view"), "none", why);
    assert.deepEqual(p.filterSpecFor("reports.financial"), { kind: "payments", scope: "none", all: false, clauses: [] }, why);
    assert.deepEqual(p.filterFor("reports.financial", payments), [], why);
    assert.deepEqual(p.filterFor("clients.view", [{ id: "c1", created_by: "" }]), [], why);
    assert.deepEqual(p.explain("plus.stores").reason.code, "refused", why);
    assert.deepEqual(p.explain("ads.view").reason.code, "refused", why);
    // Unknown names are still errors on refused permissions.
    throwsCode(() => p.hasFeature("pluss"), "unknown_feature");
    throwsCode(() => p.permissionScope("nope"), "unknown_permission");
    throwsCode(() => p.filterFor("nope", payments), "unknown_permission");
    throwsCode(() => p.explain("nope"), "unknown_permission");
  }
  const denied = verifier.denyAll();
  assert.equal(denied.hasFeature("plus"), false);
  assert.deepEqual(denied.features(), []);
  assert.equal(denied.permissionScope("reports.financial"), "none");
});

test("the wasm instance keeps working after errors", () => {
  for (let i = 0; i < 200; i++) {
    const p = people.plus.ana;
    throwsCode(() => p.hasFeature(`f${i}`), "unknown_feature");
    throwsCode(() => p.permissionScope("finance.view"), "invalid_argument");
    throwsCode(() => p.filterSpecFor(`p${i}`), "unknown_permission");
    throwsCode(() => verifier.load("garbage!"), "bad_encoding");
  }
  // Fresh loads and answers, as before the errors.
  const ana = verifier.load(issued.plus.ana.snapshot);
  assert.equal(ana.permissionScope("reports.financial"), "own");
  assert.deepEqual(ana.filterFor("reports.financial", payments).map((r) => r.id), ["1", "3"]);
  const u = verifier.load(issued.plus.u.snapshot);
  assert.deepEqual([u.hasFeature("plus"), u.features(), u.can("plus.stores")], [true, ["plus"], true]);
  const ads = verifier.load(issued.plain.ads.snapshot);
  assert.deepEqual(ads.explain("ads.view").reason, { code: "implied", by: "ads.manage" });
  // Freed permissions: `can` and what was answered before keep
  // answering; what the core would have to answer throws.
  ana.free();
  throwsCode(() => ana.hiddenFields("payments"), "invalid_argument");
  throwsCode(() => ana.filterSpec("payments"), "invalid_argument");
  assert.equal(ana.permissionScope("reports.financial"), "own");
  assert.equal(ana.can("reports.financial"), true);
  assert.equal(verifier.load(issued.plus.bea.snapshot).permissionScope("reports.financial"), "all");
});

test("the browser entry explains every permission of every person as the wasm build does: each reason, its detail and its sentence", async () => {
  const web = await import(new URL("../../pkg/index.js", import.meta.url));
  web.initSync(readFileSync(new URL("../../pkg/permsnap_wasm_bg.wasm", import.meta.url)));
  const small = new web.Verifier(compiled, jwks, { tenant: "t" });
  const reasons = new Set();
  for (const account of ["plain", "plus"]) {
    for (const s of staff) {
      const p = await small.verify(issued[account][s.id].snapshot);
      for (const { name } of catalog.permissions) {
        const e = p.explain(name);
        assert.deepEqual(e, people[account][s.id].explain(name), `${account}/${s.id} ${name}`);
        reasons.add(e.reason.code);
      }
    }
  }
  assert.deepEqual([...reasons].sort(), ["app_not_allowed", "feature_not_enabled", "granted_by_role", "granted_to_person", "implied", "missing_requirement", "no_scope", "not_granted", "owner", "removed_for_person"]);
  // A role id is printed as it is, placeholders and all.
  const desk = await small.verify(issued.plain.desk.snapshot);
  assert.equal(desk.explain("finance.view").message, "granted by role `desk $& {} $1`");
  const removed = await small.verify(issued.plain["desk-removed"].snapshot);
  assert.deepEqual(removed.explain("finance.view").reason, { code: "removed_for_person", role: "desk $& {} $1" });
  assert.equal(removed.explain("finance.view").message, "role `desk $& {} $1` grants it, but it was removed for this person");
  // Names are checked as `can` checks them; refused permissions explain so.
  const p = await small.verify(issued.plain.ana.snapshot);
  throwsCode(() => p.explain("finance.viewx"), "unknown_permission");
  throwsCode(() => p.explain(7), "invalid_argument");
  throwsCode(() => p.explain("finance.view", 1), "invalid_argument");
  const denied = small.denyAll();
  assert.deepEqual({ ...denied.explain("finance.view"), message: "" }, { permission: "finance.view", allowed: false, reason: { code: "refused", error: "no_snapshot" }, stepUp: false, message: "" });
  throwsCode(() => denied.explain("finance.viewx"), "unknown_permission");
});
