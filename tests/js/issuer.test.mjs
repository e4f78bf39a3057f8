// permsnap/issuer in Node: the same issuer as the Rust crate, byte for
// byte (the committed issue vectors: roles, features, records, time, id and
// the test key give exactly the snapshot the Rust issuer signed), strict
// inputs, notices, feeds and step-up proofs that the package's own verifier
// and gate accept, and a refusal to load in a browser bundle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, vectors, pkg, catalog, errorCode } from "./helpers.mjs";

const issuerPkg = await import(new URL("../../pkg/issuer/node.js", import.meta.url));
const edge = await import(new URL("../../pkg/edge/node.js", import.meta.url));
const { Issuer, generateKey } = issuerPkg;

/** The test key of the vectors as a private JWK (its seed is published:
 *  never use it elsewhere). */
const testKey = () => {
  const pub = vectors.key.jwks.keys[0];
  return { ...pub, d: Buffer.from(vectors.key.seed_hex, "hex").toString("base64url") };
};


/** An issuer for a preset's catalog with the test key, its account loaded. */
function presetIssuer(name) {
  const issuer = new Issuer(vectors.catalogs[name].definition, testKey());
  const a = vectors.issue.accounts[name];
  assert.deepEqual(issuer.setAccount(a.tenant, a.roles, { features: a.features }), []);
  return { issuer, tenant: a.tenant };
}

test("parity: every issue vector gives the Rust issuer's snapshot byte for byte", () => {
  const issuers = {};
  for (const c of vectors.issue.cases) {
    issuers[c.account] ??= presetIssuer(c.account);
    const { issuer, tenant } = issuers[c.account];
    const s = issuer.issue(tenant, c.record, { now: c.now, lifetime: c.lifetime, id: c.id });
    assert.equal(s.snapshot, c.snapshot, c.name);
    assert.deepEqual(s.warnings.map((w) => w.code), c.warnings, c.name);
    assert.equal(s.id, c.id);
    assert.equal(s.expiresAt - s.issuedAt, c.lifetime);
  }
  assert.equal(vectors.issue.cases.length, 29);
});

test("what it issues, the package verifies; a generated key works end to end", () => {
  const key = generateKey({ kid: "node-1" });
  assert.equal(key.jwks.keys[0].kid, "node-1");
  assert.ok(!("d" in key.jwks.keys[0]), "the JWKS carries no private part");
  const issuer = new Issuer(readFileSync(`${root}presets/sitee.json`, "utf8"), key.privateJwk, { ignore: ["email"] });
  assert.deepEqual(issuer.publicJwks(), key.jwks);
  const roles = JSON.parse(readFileSync(`${root}presets/sitee.json`, "utf8")).roles;
  issuer.setAccount("spa-lumi", roles);
  const s = issuer.issue("spa-lumi", { id: "u42", roles: ["user"], version: 3, email: "u42@example.com", remove: ["payments.view", "payments.charge"] });
  const v = new pkg.Verifier(catalog("sitee"), key.jwks, { tenant: "spa-lumi" });
  const p = v.load(s.snapshot);
  assert.equal(p.subject, "u42");
  assert.equal(p.version, 3);
  assert.equal(p.can("calendar.view"), true);
  assert.equal(p.explain("payments.view").reason.code, "removed_for_person");
  // Random ids differ; times come from the clock option.
  const fixed = new Issuer(vectors.catalogs.sitee.definition, key.privateJwk, { clock: () => 1_767_225_600 });
  fixed.setAccount("spa-lumi", roles);
  const a = fixed.issue("spa-lumi", { id: "u42", roles: ["user"] });
  const b = fixed.issue("spa-lumi", { id: "u42", roles: ["user"] });
  assert.notEqual(a.id, b.id);
  assert.equal(a.issuedAt, 1_767_225_600);
});

test("inputs are read strictly: unknown columns, keys and options are errors; secrets never reach it", () => {
  const { issuer, tenant } = presetIssuer("sitee");
  assert.equal(errorCode(() => issuer.issue(tenant, { id: "u", roles: ["user"], colour: "x" })), "invalid_policy");
  assert.equal(errorCode(() => issuer.issue(tenant, { id: "u", roles: ["user"], pin_hash: "x" })), "invalid_policy");
  assert.equal(errorCode(() => issuer.issue(tenant, { id: "u", roles: ["user"] }, { lifetme: 60 })), "invalid_argument");
  assert.equal(errorCode(() => issuer.issue(tenant, { id: "u", roles: ["user"], grant: [undefined] })), "invalid_argument");
  // The error names where: the path through objects and arrays.
  assert.throws(() => issuer.issue(tenant, { id: "u", roles: ["user"], scopes: { clients: { specific: ["a", undefined] } } }), /record\.scopes\.clients\.specific\[1\] is undefined/);
  assert.throws(() => issuer.issue(tenant, { id: "u", roles: ["user"], version: NaN }), /record\.version is not a finite number/);
  assert.equal(errorCode(() => issuer.issue(tenant, { id: "u", roles: ["user"] }, { lifetime: 86_401 })), "invalid_argument");
  // A lifetime read from a mistyped setting (`Number("60s")`) was signed
  // for the default 900 s (attack review, session 12): refused, as null is.
  for (const lifetime of [NaN, Infinity, null, 0, 60.5, "60"]) {
    assert.equal(errorCode(() => issuer.issue(tenant, { id: "u", roles: ["user"] }, { lifetime })), "invalid_argument", String(lifetime));
  }
  assert.equal(errorCode(() => issuer.issue(tenant, { id: "u", roles: ["user"] }, { id: null })), "invalid_argument");
  // An `ignore` column that says what an access key says (`is_active`,
  // `is_shared_account`) is refused: ignored, it dropped the rule.
  for (const ignore of [["is_active"], ["isSharedAccount"], ["deleted_at"], ["role_ids"]]) {
    assert.equal(errorCode(() => new Issuer(vectors.catalogs.sitee.definition, testKey(), { ignore })), "invalid_argument", ignore[0]);
  }
  assert.equal(errorCode(() => issuer.issue("nobody", { id: "u", roles: ["user"] })), "invalid_argument");
  assert.equal(errorCode(() => issuer.issue(undefined, { id: "u", roles: ["user"] })), "invalid_argument");
  assert.equal(errorCode(() => issuer.issue(tenant, { id: "u", roles: ["user"], created: new Map() })), "invalid_argument");
  assert.equal(errorCode(() => issuer.issue(tenant, { id: "u", roles: ["gone"] })), "unknown_role");
  assert.equal(errorCode(() => issuer.setAccount(tenant, [], { features: ["gold"] })), "unknown_feature");
  assert.equal(errorCode(() => new Issuer(vectors.catalogs.sitee.definition, testKey(), { ignore: ["role"] })), "invalid_argument");
  assert.equal(errorCode(() => new Issuer(vectors.catalogs.sitee.definition, { ...testKey(), d: "AAAA" })), "invalid_key");
  // A broken role refuses its holders only, and is named.
  const problems = issuer.setAccount(tenant, [{ id: "ok", permissions: ["calendar.view"] }, { id: "bad", permissions: ["calendar.veiw"] }]);
  assert.deepEqual(problems.map((p) => p.role), ["bad"]);
  assert.ok(issuer.issue(tenant, { id: "u", roles: ["ok"] }).snapshot);
  // The instance keeps working after every error.
  for (let i = 0; i < 200; i++) errorCode(() => issuer.issue(tenant, { id: "u", roles: ["bad"] }));
  assert.ok(issuer.issue(tenant, { id: "u", roles: ["ok"] }).snapshot);
});

test("revocation by person, feeds and the account check, read by the edge verifier", () => {
  const { issuer, tenant } = presetIssuer("sitee");
  const now = 1_767_225_600;
  const old = issuer.issue(tenant, { id: "fay", roles: ["user"], version: 4 }, { now });
  const fresh = issuer.issue(tenant, { id: "fay", roles: ["user"], version: 5 }, { now });
  const notice = issuer.revoke({ tenant, staff: [{ subject: "fay", before: 5 }], now: now + 1 });
  const head = issuer.feedHead(tenant, [notice], { now: now + 2 });
  const v = new edge.Verifier(catalog("sitee"), vectors.key.jwks, { tenant, clock: () => now + 3 });
  v.applyFeed(head, [notice]);
  assert.equal(errorCode(() => v.load(old.snapshot)), "revoked");
  assert.equal(v.load(fresh.snapshot).subject, "fay");
  assert.equal(errorCode(() => issuer.revoke({ tenant, now })), "invalid_argument");
  // Found by an attack review: an entry's unknown key was dropped (this
  // notice would have said spa-lumi), and `before: 0` signed a notice
  // revoking nobody. Both refused; and a step-up proof no gate can match.
  for (const staff of [[{ subject: "fay", before: 5, tenant: "spa-rival" }], [{ subject: "fay", before: 0 }], [{ subject: "fay", befor: 5 }]]) {
    assert.equal(errorCode(() => issuer.revoke({ tenant, staff, now })), "invalid_argument", JSON.stringify(staff));
  }
  // Integers past 2^53 - 1 were signed rounded: a counter's `version`
  // and `version + 1` both read 2^53, and a notice `before` it revoked
  // neither (attack review, session 18).
  for (const big of [2 ** 53, 2 ** 53 + 2, 1e20]) {
    assert.equal(errorCode(() => issuer.revoke({ tenant, staff: [{ subject: "fay", before: big }], now })), "invalid_argument", String(big));
    assert.equal(errorCode(() => issuer.issue(tenant, { id: "fay", roles: ["user"], version: big }, { now })), "invalid_argument", String(big));
  }
  // The largest version signed is 2^53 - 2, so that a notice before
  // 2^53 - 1 revokes it (re-review, session 24).
  assert.ok(issuer.issue(tenant, { id: "fay", roles: ["user"], version: 2 ** 53 - 2 }, { now }).snapshot);
  assert.equal(errorCode(() => issuer.issue(tenant, { id: "fay", roles: ["user"], version: 2 ** 53 - 1 }, { now })), "invalid_argument");
  assert.ok(issuer.revoke({ tenant, staff: [{ subject: "fay", before: 2 ** 53 - 1 }], now }));
  const r = issuer.review(tenant, [{ id: "a", roles: ["user", "admin"] }, { id: "b", roles: ["user"], step_up: ["staff.manage"] }]);
  assert.ok(r.problems.some((p) => p.message.includes("holds 2 roles")), JSON.stringify(r));
  assert.deepEqual(r.warnings.map((w) => [w.code, w.staff]), [["step_up_not_held", "b"]]);
});

test("step-up proofs the edge gate accepts, attributed to the PIN holder", () => {
  const { issuer, tenant } = presetIssuer("amilia");
  const now = Math.floor(Date.now() / 1000);
  const desk = issuer.issue(tenant, { id: "frontdesk", roles: ["front_desk"], shared_account: true }, { now });
  const proof = issuer.stepUp(desk.snapshot, { actor: "samantha", permission: "pos.sell", method: "POST", path: "/api/pos/sales", now });
  for (const [method, path] of [["FOO", "/api/pos/sales"], ["POST", "/api//pos/sales"], ["POST", "/api/pos/./sales"], ["POST", "/api/pos/s%61les"]]) {
    const bad = { actor: "samantha", permission: "pos.sell", method, path, now };
    assert.equal(errorCode(() => issuer.stepUp(desk.snapshot, bad)), "invalid_argument", `${method} ${path}`);
  }
  assert.match(proof.nonce, /^[0-9a-f]{32}$/);
  const v = new edge.Verifier(catalog("amilia"), vectors.key.jwks, { tenant });
  const gate = new edge.Gate(v, JSON.parse(readFileSync(`${root}routes/amilia.json`, "utf8")));
  const headers = (h) => ({ get: (n) => h[n.toLowerCase()] ?? null });
  const d = gate.check({ method: "POST", url: "/api/pos/sales", headers: headers({ authorization: `Permsnap ${desk.snapshot}`, "permsnap-step-up": proof.proof }) });
  assert.deepEqual([d.status, d.actor, d.nonce], [200, "samantha", proof.nonce]);
  assert.equal(errorCode(() => issuer.stepUp(desk.snapshot, { actor: "samantha", permission: "reports.financial", method: "GET", path: "/x", now })), "invalid_argument");
  assert.equal(errorCode(() => issuer.stepUp(desk.snapshot, { actor: "samantha", permission: "pos.sell", method: "POST", path: "/api/pos/sales", pin: "6420" })), "invalid_argument");
});

test("a browser bundle cannot contain the issuer: the browser condition throws", () => {
  const pkgJson = JSON.parse(readFileSync(`${root}pkg/package.json`, "utf8"));
  const entry = pkgJson.exports["./issuer"];
  assert.equal(entry.browser, "./browser-issuer.js");
  const keys = Object.keys(entry);
  assert.ok(keys.indexOf("workerd") < keys.indexOf("browser") && keys.indexOf("node") < keys.indexOf("browser"));
  // A bundler resolving for browsers (esbuild --platform=browser) fails the build at run time of the bundle.
  const dir = mkdtempSync(join(tmpdir(), "permsnap-issuer-browser-"));
  writeFileSync(join(dir, "app.mjs"), `import { Issuer } from "permsnap/issuer"; console.log(typeof Issuer);`);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(root, "pkg"), join(dir, "node_modules", "permsnap"), "dir");
  const out = join(dir, "bundle.mjs");
  execFileSync(join(root, "node_modules/.bin/esbuild"), [join(dir, "app.mjs"), "--bundle", "--platform=browser", "--format=esm", `--outfile=${out}`], { stdio: "pipe", cwd: dir });
  const text = readFileSync(out, "utf8");
  assert.match(text, /permsnap\/issuer is server-only/);
  assert.doesNotMatch(text, /generateKeyJwk|step_up/, "no issuer code in the browser bundle");
});

test("a kind of a feature the account lacks shows no record, to its owner too, in every build (attack review, session 13)", async () => {
  // Shopify Partner: Plus sandbox stores belong to the `plus_partner`
  // feature. An account without it: the owner's `all` on every kind must
  // not list, filter or show a Plus store.
  const web = await import(new URL("../../pkg/index.js", import.meta.url));
  web.initSync(readFileSync(`${root}pkg/permsnap_wasm_bg.wasm`));
  const issuer = new Issuer(vectors.catalogs["shopify-partner"].definition, testKey());
  const tenant = vectors.issue.accounts["shopify-partner"].tenant;
  issuer.setAccount(tenant, [], { features: [] });
  const owner = issuer.issue(tenant, { id: "kim", owner: true });
  const stores = [{ id: "plus-1", created_by: "someone-else" }, { id: "plus-2", created_by: "kim" }];
  for (const [name, build] of [["sync", pkg], ["browser", web], ["edge", edge]]) {
    const v = new build.Verifier(catalog("shopify-partner"), vectors.key.jwks, { tenant });
    const p = await v.verify(owner.snapshot);
    assert.equal(p.can("plus_stores.add_archive"), false, name);
    assert.equal(p.scope("plus_stores"), "none", name);
    assert.deepEqual(p.filter("plus_stores", stores), [], name);
    assert.deepEqual(p.filterSpec("plus_stores"), { kind: "plus_stores", scope: "none", all: false, clauses: [] }, name);
    // The owner's other kinds stay open.
    assert.equal(p.scope("dev_stores"), "all", name);
  }
  // With the feature, the owner sees every Plus store.
  issuer.setAccount(tenant, [], { features: ["plus_partner"] });
  const plus = issuer.issue(tenant, { id: "kim", owner: true });
  const p = await new pkg.Verifier(catalog("shopify-partner"), vectors.key.jwks, { tenant }).verify(plus.snapshot);
  assert.equal(p.scope("plus_stores"), "all");
  assert.equal(p.filter("plus_stores", stores).length, 2);
});

test("a role that does not read is that role's problem; the table's other edits take effect (attack review, session 13)", () => {
  const issuer = new Issuer(vectors.catalogs.sitee.definition, testKey());
  const roles = [
    { id: "user", permissions: ["calendar.view"], scopes: { "*": "own" } },
    { id: "typo", permissions: ["calendar.view"], scopes: { appointments: "Own" } },
  ];
  const problems = issuer.setAccount("spa-lumi", roles);
  assert.deepEqual(problems.map((p) => p.role), ["typo"]);
  const v = new pkg.Verifier(catalog("sitee"), vectors.key.jwks, { tenant: "spa-lumi" });
  assert.deepEqual(v.load(issuer.issue("spa-lumi", { id: "fay", roles: ["user"] }).snapshot).allowed(), ["calendar.view"]);
  assert.equal(errorCode(() => issuer.issue("spa-lumi", { id: "fay", roles: ["typo"] })), "unknown_role");
});

test("padded or invisible-character ids are refused, never signed (attack review, session 13)", () => {
  const issuer = new Issuer(vectors.catalogs.sitee.definition, testKey());
  issuer.setAccount("spa-lumi", [{ id: "user", permissions: ["calendar.view"], scopes: { "*": "own" } }]);
  for (const id of ["u42       ", " u42", "u42\n", "\u200bu42"]) {
    assert.equal(errorCode(() => issuer.issue("spa-lumi", { id, roles: ["user"] })), "invalid_policy", JSON.stringify(id));
    assert.equal(errorCode(() => issuer.revoke({ tenant: "spa-lumi", staff: [{ subject: id, before: 2 }] })), "invalid_argument", JSON.stringify(id));
  }
  assert.equal(errorCode(() => issuer.setAccount("spa-lumi ", [])), "invalid_argument");
});

test("a role table refused as a whole unloads the account: the roles of before the edit never stay in force (review, session 13)", () => {
  const issuer = new Issuer(vectors.catalogs.sitee.definition, testKey());
  issuer.setAccount("spa-lumi", [{ id: "user", permissions: ["payments.view"], scopes: { "*": "all" } }]);
  assert.ok(issuer.issue("spa-lumi", { id: "u1", roles: ["user"] }).snapshot);
  // The admin narrows `user`; the table also holds a role keyed by an
  // integer primary key (no readable id): the whole table is refused...
  const narrowed = [{ id: "user", permissions: ["calendar.view"], scopes: { "*": "own" } }, { id: 42 }];
  assert.equal(errorCode(() => issuer.setAccount("spa-lumi", narrowed)), "invalid_policy");
  // ... and nobody of the account gets the old, wider roles.
  assert.equal(errorCode(() => issuer.issue("spa-lumi", { id: "u1", roles: ["user"] })), "invalid_argument");
  // The same for a feature that does not exist.
  issuer.setAccount("spa-lumi", [{ id: "user", permissions: ["calendar.view"], scopes: { "*": "own" } }]);
  assert.equal(errorCode(() => issuer.setAccount("spa-lumi", [], { features: ["gold"] })), "unknown_feature");
  assert.equal(errorCode(() => issuer.issue("spa-lumi", { id: "u1", roles: ["user"] })), "invalid_argument");
});

test("a setAccount whose arguments the wrapper refuses unloads the account too (review, session 13)", () => {
  const issuer = new Issuer(vectors.catalogs.sitee.definition, testKey());
  const wide = [{ id: "user", permissions: ["payments.view"], scopes: { "*": "all" } }];
  for (const options of [{ epoch: "5" }, { epoch: 5n }, { epoch: -1 }, { features: "x" }, { feature: [] }]) {
    issuer.setAccount("spa-lumi", wide);
    assert.ok(issuer.issue("spa-lumi", { id: "u1", roles: ["user"] }).snapshot);
    assert.equal(errorCode(() => issuer.setAccount("spa-lumi", wide, options)), "invalid_argument", JSON.stringify(options, (_, v) => (typeof v === "bigint" ? `${v}n` : v)));
    assert.equal(errorCode(() => issuer.issue("spa-lumi", { id: "u1", roles: ["user"] })), "invalid_argument", "unloaded");
  }
  issuer.setAccount("spa-lumi", wide);
  assert.equal(errorCode(() => issuer.setAccount("spa-lumi", new Map())), "invalid_argument");
  assert.equal(errorCode(() => issuer.issue("spa-lumi", { id: "u1", roles: ["user"] })), "invalid_argument");
});

test("a setAccount naming its account by something that is no text unloads every account; a padded one unloads the account it meant (attack review, session 14)", () => {
  const issuer = new Issuer(vectors.catalogs.sitee.definition, testKey());
  const wide = [{ id: "user", permissions: ["payments.view"], scopes: { "*": "all" } }];
  const narrow = [{ id: "user", permissions: ["calendar.view"], scopes: { "*": "own" } }];
  for (const [tenant, account] of [[42, "42"], [42n, "42"], [new String("42"), "42"], ["42\uD800", "42"], [" spa-lumi", "spa-lumi"], ["spa-lumi\u200B", "spa-lumi"], ["", "spa-lumi"], [" \u200B ", "spa-lumi"]]) {
    issuer.setAccount(account, wide);
    issuer.setAccount("other", wide);
    assert.ok(issuer.issue(account, { id: "u1", roles: ["user"] }).snapshot);
    assert.equal(errorCode(() => issuer.setAccount(tenant, narrow)), "invalid_argument", String(tenant));
    assert.equal(errorCode(() => issuer.issue(account, { id: "u1", roles: ["user"] })), "invalid_argument", `${String(tenant)}: ${account} unloaded`);
    if (typeof tenant !== "string" || tenant.trim().replace("\u200B", "") === "") {
      assert.equal(errorCode(() => issuer.issue("other", { id: "u1", roles: ["user"] })), "invalid_argument", `${String(tenant)}: every account unloaded`);
    }
  }
});

test("an extra argument to an issuer method is refused, and setAccount's unloads the account; the clock must answer a number (attack review, session 16)", () => {
  const issuer = new Issuer(vectors.catalogs.sitee.definition, testKey(), { clock: () => 1767225600 });
  const wide = [{ id: "user", permissions: ["payments.view"], scopes: { "*": "all" } }];
  issuer.setAccount("spa-lumi", wide);
  const record = { id: "u1", roles: ["user"], version: 1 };
  // Each was ignored: a 900 s snapshot for `{ lifetime: 60 }` given
  // fourth, an epoch left at 0, a notice without its epoch.
  assert.equal(errorCode(() => issuer.issue("spa-lumi", record, {}, { lifetime: 60 })), "invalid_argument");
  assert.equal(errorCode(() => issuer.review("spa-lumi", [record], {})), "invalid_argument");
  assert.equal(errorCode(() => issuer.revoke({ tenant: "spa-lumi", ids: [] }, { beforeEpoch: 3 })), "invalid_argument");
  assert.equal(errorCode(() => issuer.feedHead("spa-lumi", [], {}, 1)), "invalid_argument");
  assert.equal(errorCode(() => issuer.publicJwks({})), "invalid_argument");
  assert.equal(errorCode(() => generateKey({}, "k1")), "invalid_argument");
  const snapshot = issuer.issue("spa-lumi", record).snapshot;
  assert.equal(errorCode(() => issuer.stepUp(snapshot, { actor: "a", permission: "payments.view", method: "GET", path: "/x" }, {})), "invalid_argument");
  assert.equal(errorCode(() => issuer.setAccount("spa-lumi", wide, {}, { epoch: 3 })), "invalid_argument");
  assert.equal(errorCode(() => issuer.issue("spa-lumi", record)), "invalid_argument", "the account was unloaded");
  // A clock answering text, null or a boolean: refused, not read as a time
  // (`null` signed a snapshot of 1970).
  for (const answer of ["1767225600", null, true, NaN, undefined]) {
    const i = new Issuer(vectors.catalogs.sitee.definition, testKey(), { clock: () => answer });
    i.setAccount("spa-lumi", wide);
    assert.equal(errorCode(() => i.issue("spa-lumi", record)), "invalid_argument", String(answer));
    assert.ok(i.issue("spa-lumi", record, { now: 1767225600 }).snapshot);
  }
});

test("null is not 'left out': a feed of every account says so, and a NULL epoch is refused (attack review, session 16)", () => {
  const issuer = new Issuer(vectors.catalogs.sitee.definition, testKey());
  const wide = [{ id: "user", permissions: ["payments.view"], scopes: { "*": "all" } }];
  // A NULL account id signed a head every account's edges took as current.
  assert.equal(errorCode(() => issuer.feedHead(null, [], { now: 1767225600 })), "invalid_argument");
  assert.equal(errorCode(() => issuer.feedHead("spa-lumi", [], { now: 1767225600, allAccounts: true })), "invalid_argument");
  assert.equal(errorCode(() => issuer.feedHead(null, [], { now: 1767225600, allAccounts: "yes" })), "invalid_argument");
  assert.ok(issuer.feedHead(null, [], { now: 1767225600, allAccounts: true }));
  assert.ok(issuer.feedHead("spa-lumi", [], { now: 1767225600 }));
  // An epoch of node-postgres' NULL: refused, and the account unloaded.
  issuer.setAccount("spa-lumi", wide);
  assert.equal(errorCode(() => issuer.setAccount("spa-lumi", wide, { epoch: null })), "invalid_argument");
  assert.equal(errorCode(() => issuer.issue("spa-lumi", { id: "u1", roles: ["user"] })), "invalid_argument");
});

test("what is signed is what was checked: an array's own toJSON or a Proxy's get trap cannot change a record or role (attack review, session 23)", () => {
  const { issuer, tenant } = presetIssuer("sitee");
  const verifier = new pkg.Verifier(catalog("sitee"), vectors.key.jwks, { tenant });
  const role = vectors.issue.accounts.sitee.roles.find((r) => r.permissions.includes("payments.view") || r.permissions.includes("*"));
  assert.ok(role, "a role granting payments.view");
  const plainRow = { id: "fay", roles: [role.id], remove: ["payments.view"] };
  assert.equal(verifier.load(issuer.issue(tenant, plainRow).snapshot).can("payments.view"), false, "control: remove applies");
  // An array whose own toJSON answers [] (a data layer's collection type):
  // the remove was dropped from what was signed.
  const remove = ["payments.view"];
  Object.defineProperty(remove, "toJSON", { value: () => [] });
  assert.equal(verifier.load(issuer.issue(tenant, { ...plainRow, remove }).snapshot).can("payments.view"), false, "array toJSON");
  // A Proxy whose get answers otherwise than its descriptors.
  const proxied = new Proxy(plainRow, { get: (t, k) => (k === "remove" ? undefined : Reflect.get(t, k)) });
  assert.equal(verifier.load(issuer.issue(tenant, proxied).snapshot).can("payments.view"), false, "proxy get");
  // A trap that throws is a typed refusal.
  const throwing = new Proxy(plainRow, { ownKeys: () => { throw new Error("app"); } });
  assert.equal(errorCode(() => issuer.issue(tenant, throwing)), "invalid_argument");
});

test("an argument of the wrong shape is invalid_argument, as in Python: roles keyed by id, a record that is an array (review, session 23)", () => {
  const { issuer, tenant } = presetIssuer("sitee");
  const roles = vectors.issue.accounts.sitee.roles;
  const byId = Object.fromEntries(roles.map((r) => [r.id, r]));
  assert.equal(errorCode(() => issuer.setAccount(tenant, byId)), "invalid_argument");
  // Refused, the account is unloaded: its roles of before are not in force.
  assert.throws(() => issuer.issue(tenant, { id: "u", roles: ["user"] }), /is unloaded: its last setAccount was refused/);
  issuer.setAccount(tenant, roles, { features: vectors.issue.accounts.sitee.features });
  for (const record of [[{ id: "u", roles: ["user"] }], null, "u", 42]) {
    assert.equal(errorCode(() => issuer.issue(tenant, record)), "invalid_argument", JSON.stringify(record));
  }
  assert.equal(errorCode(() => issuer.review(tenant, { id: "u", roles: ["user"] })), "invalid_argument");
  assert.equal(issuer.issue(tenant, { id: "u", roles: ["user"] }).warnings.length, 0);
});

test("a setAccount of an account in other letter case unloads both: one account written two ways (attack review, session 24)", () => {
  const issuer = new Issuer(vectors.catalogs.sitee.definition, testKey());
  const wide = [{ id: "user", permissions: ["payments.view"], scopes: { "*": "all" } }];
  const narrow = [{ id: "user", permissions: ["calendar.view"] }];
  issuer.setAccount("3f2b-AA", wide);
  assert.ok(issuer.issue("3f2b-AA", { id: "u1", roles: ["user"] }).snapshot);
  assert.throws(() => issuer.setAccount("3f2b-aa", narrow), (e) => e.code === "invalid_argument" && /only in letter case/.test(e.message));
  for (const t of ["3f2b-AA", "3f2b-aa"]) {
    assert.throws(() => issuer.issue(t, { id: "u1", roles: ["user"] }), /unloaded|no account/, t);
  }
  issuer.setAccount("3f2b-aa", narrow);
  assert.ok(issuer.issue("3f2b-aa", { id: "u1", roles: ["user"] }).snapshot);
  // An edit of the twin refused for any reason unloads it too (re-review,
  // session 24: only the twin named was unloaded).
  for (const [t, roles, options] of [["3F2B-AA", { user: {} }], ["3F2B-AA", narrow, { epoch: "7" }], ["3F2B-AA ", narrow]]) {
    issuer.setAccount("3f2b-aa", wide);
    assert.equal(errorCode(() => issuer.setAccount(t, roles, options)), "invalid_argument");
    assert.throws(() => issuer.issue("3f2b-aa", { id: "u1", roles: ["user"] }), /unloaded/, t);
  }
});

test("a record that names its account is issued only for that account (attack review, session 16)", () => {
  const issuer = new Issuer(vectors.catalogs.sitee.definition, testKey());
  issuer.setAccount("spa-lumi", [{ id: "user", permissions: ["payments.view"] }]);
  // staff() took the account from the Host header, the row from the user id.
  assert.equal(errorCode(() => issuer.issue("spa-lumi", { id: "mallory", roles: ["user"], tenant: "spa-b" })), "wrong_tenant");
  assert.ok(issuer.issue("spa-lumi", { id: "mallory", roles: ["user"], tenant: "spa-lumi" }).snapshot);
  assert.equal(errorCode(() => new Issuer(vectors.catalogs.sitee.definition, testKey(), { ignore: ["tenant_id"] })), "invalid_argument");
});

test("a field the next catalog revision adds and the person may not see is never shown by a verifier one revision behind, in every build (attack review, session 18)", async () => {
  // Revision 2 of Sitee appends `clients.birthday`; fay's record hides it.
  // Read on revision 1 (the normal order of a rollout), the deny-list
  // redaction could not name it and passed it through.
  const web = await import(new URL("../../pkg/index.js", import.meta.url));
  web.initSync(readFileSync(`${root}pkg/permsnap_wasm_bg.wasm`));
  const issuer = new Issuer(vectors.catalogs["sitee-r2"].definition, testKey());
  const a = vectors.issue.accounts.sitee;
  assert.deepEqual(issuer.setAccount(a.tenant, a.roles), []);
  const fay = { id: "fay", roles: ["user"], hidden_fields: { clients: ["email", "phone", "birthday"] } };
  const ahead = issuer.issue(a.tenant, fay).snapshot;
  const plain = issuer.issue(a.tenant, { ...fay, hidden_fields: { clients: ["email", "phone"] } }).snapshot;
  const client = { id: "c1", created_by: "fay", name: "Zed", email: "z@x", phone: "+1 555 0100", birthday: "1990-01-01" };
  for (const [name, build] of [["sync", pkg], ["browser", web], ["edge", edge]]) {
    const at1 = new build.Verifier(catalog("sitee"), vectors.key.jwks, { tenant: a.tenant });
    const p = await at1.verify(ahead);
    assert.equal(errorCode(() => p.redact("clients", [client])), "wrong_catalog", name);
    // No record, nothing to refuse (`p.redact(k, p.filter(k, rows))` with
    // nothing filtered threw meanwhile: re-review, session 18); a kind the
    // catalog does not have still is.
    assert.deepEqual(p.redact("clients", []), [], name);
    assert.equal(errorCode(() => p.redact("nope", [])), "unknown_kind", name);
    assert.equal(errorCode(() => p.hiddenFields("clients")), "wrong_catalog", name);
    assert.equal(p.can("clients.view"), true, name);
    // Without the new field hidden, revision 1 redacts as before.
    const q = await at1.verify(plain);
    assert.deepEqual(Object.keys(q.redact("clients", [client])[0]).sort(), ["birthday", "created_by", "email", "id", "name", "phone"], name);
    assert.equal(q.redact("clients", [client])[0].email, "hidden", name);
    // Revision 2 names it: gone.
    const at2 = new build.Verifier(catalog("sitee-r2"), vectors.key.jwks, { tenant: a.tenant });
    assert.equal("birthday" in (await at2.verify(ahead)).redact("clients", [client])[0], false, name);
  }
});
