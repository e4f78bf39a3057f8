// permsnap/edge's gate (the small core's `ps_gate_check`, driven by
// edge/gate.ts: the snapshot and the step-up proof verified by the
// verifier in WebAssembly) held to the reference gate, the CLI's
// `permsnap gate --json` (src/guard/), request by request: routes,
// methods, overrides, snapshots good, tampered, expired and of another
// account, and a shared front desk's step-up proofs good, altered, of an
// unknown key, for another action or not proofs at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, vectors } from "./helpers.mjs";

const edge = await import("../../pkg/edge/node.js");
const { Issuer } = await import("../../pkg/issuer/node.js");
const cli = join(root, "target/debug/permsnap");
const dir = mkdtempSync(join(tmpdir(), "permsnap-gate-parity-"));
const jwks = join(dir, "jwks.json");
writeFileSync(jwks, JSON.stringify(vectors.key.jwks));
/** The vectors' key as a private JWK (its seed is published: tests only). */
const key = { ...vectors.key.jwks.keys[0], d: Buffer.from(vectors.key.seed_hex, "hex").toString("base64url") };

/** What the CLI's gate answers for `r` at `now`. */
function reference(preset, tenant, r, now) {
  const args = ["gate", "--json", "--routes", `routes/${preset}.json`, "--catalog", `presets/${preset}.json`, "--jwks", jwks, "--tenant", tenant, "--now", String(now)];
  if (r.snapshot !== undefined) args.push("--snapshot", r.snapshot);
  if (r.cookie !== undefined) args.push("--cookie", r.cookie);
  if (r.override !== undefined) args.push("--method-override", r.override);
  if (r.stepUp !== undefined) args.push("--step-up", r.stepUp);
  args.push("--", r.method, r.path);
  let out;
  try {
    out = execFileSync(cli, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (e.status !== 1 && !(e.status === 2 && e.stdout.startsWith("{\"error\""))) throw e;
    out = e.stdout;
  }
  return JSON.parse(out);
}

/** What permsnap/edge's gate answers for `r` at `now`. */
function ours(gate, r) {
  const headers = new Map();
  if (r.snapshot !== undefined) headers.set("authorization", `Permsnap ${r.snapshot}`);
  if (r.cookie !== undefined) headers.set("cookie", r.cookie);
  if (r.override !== undefined) headers.set("x-http-method-override", r.override);
  if (r.stepUp !== undefined) headers.set("permsnap-step-up", r.stepUp);
  return gate.check({ method: r.method, url: r.path, headers: { get: (n) => headers.get(n) ?? null } });
}

/** `r`'s decisions, the same but for a refusal's message (the reference
 *  words the details in Rust, the core's entries in JavaScript). */
function same(gate, preset, tenant, r, now, name) {
  let want = reference(preset, tenant, r, now);
  const got = ours(gate, r);
  if (want.error) {
    // Text the CLI refuses to read as a snapshot (not base64url, too
    // large): what the reference answers for a refused snapshot there,
    // with this refusal's code.
    want = reference(preset, tenant, { ...r, snapshot: altered(vectors.cases[0].snapshot) }, now);
    if (want.status === 401) want.code = reference(preset, tenant, r, now).error.code;
  }
  // A refused snapshot's code: the vectors' (what every verifier says),
  // where the reference gate reads the text its own way (the CLI's gate
  // says `bad_encoding` for refuse/bad_magic's 205 characters, which its
  // verifier refuses `bad_magic`).
  if (want.status === 401 && r.code !== undefined) {
    assert.equal(got.code, r.code, name);
    got.code = want.code;
  }
  if (want.status === 401 || (want.status === 403 && want.code !== "forbidden" && want.code !== "app_not_allowed" && want.code !== "step_up_required")) {
    assert.ok(got.message.length > 0, name);
    got.message = want.message;
  }
  assert.deepEqual(got, want, name);
}

/** One byte of a text changed in the middle. */
const altered = (t) => t.slice(0, t.length >> 1) + (t[t.length >> 1] === "A" ? "B" : "A") + t.slice((t.length >> 1) + 1);

test("sitee: every route, method and snapshot decides as the reference gate", () => {
  const now = vectors.cases.find((c) => c.name === "sitee/dia").now + 5;
  const v = new edge.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi", clock: () => now });
  const gate = new edge.Gate(v, JSON.parse(readFileSync(join(root, "routes/sitee.json"), "utf8")));
  const snapshots = vectors.cases.filter((c) => c.name.startsWith("sitee/") || c.name.startsWith("refuse/")).map((c) => [c.name, c.snapshot, c.expect.error]);
  const dia = snapshots.find(([n]) => n === "sitee/dia")[1];
  snapshots.push(["altered", altered(dia), "bad_signature"], ["none", undefined]);
  const routes = JSON.parse(readFileSync(join(root, "routes/sitee.json"), "utf8")).routes;
  const paths = [...new Set(routes.map((r) => r.path.replace(/\{\*?[a-z_]+\}/g, "x1")))];
  paths.push("/nowhere", "/api//payments", "/api/payments/", "/api/%70ayments");
  let n = 0;
  for (const [name, snapshot, code] of snapshots) {
    for (const path of paths) {
      for (const method of ["GET", "POST"]) {
        same(gate, "sitee", "spa-lumi", { method, path, snapshot, code }, now, `${name} ${method} ${path}`);
        n++;
      }
    }
  }
  // The cookie and a method override.
  same(gate, "sitee", "spa-lumi", { method: "GET", path: "/api/campaigns", cookie: `a=b; permsnap=${dia}` }, now, "cookie");
  same(gate, "sitee", "spa-lumi", { method: "POST", path: "/api/campaigns", snapshot: dia, override: "DELETE" }, now, "override");
  // Text that is not ASCII, in the request and in the decision (the gate
  // encodes and decodes ASCII in one call, anything else text by text).
  for (const path of ["/api/clients/é", "/api/campaigns/日本", "/api/clients/%C3%A9", "/nowhere/😀"]) {
    same(gate, "sitee", "spa-lumi", { method: "GET", path, snapshot: dia }, now, path);
  }
  same(gate, "sitee", "spa-lumi", { method: "GÉT", path: "/api/campaigns", snapshot: dia }, now, "a method not in ASCII");
  same(gate, "sitee", "spa-lumi", { method: "GET", path: "/api/campaigns", cookie: `é=ü; permsnap=${dia}` }, now, "a cookie not in ASCII");
  same(gate, "sitee", "spa-lumi", { method: "POST", path: "/api/campaigns", snapshot: dia, override: "DÉLETE" }, now, "an override not in ASCII");
  assert.ok(n > 200, String(n));
});

test("amilia's front desk: step-up proofs decide as the reference gate, attributed alike", () => {
  const issuer = new Issuer(vectors.catalogs.amilia.definition, key);
  const a = vectors.issue.accounts.amilia;
  issuer.setAccount(a.tenant, a.roles, { features: a.features });
  const now = Math.floor(Date.now() / 1000);
  const desk = issuer.issue(a.tenant, { id: "frontdesk", roles: ["front_desk"], shared_account: true }, { now }).snapshot;
  const proof = (over = {}) => issuer.stepUp(desk, { actor: "samantha", permission: "pos.sell", method: "POST", path: "/api/pos/sales", now, ...over }).proof;
  const good = proof();
  const v = new edge.Verifier(vectors.catalogs.amilia, vectors.key.jwks, { tenant: a.tenant, clock: () => now });
  const gate = new edge.Gate(v, JSON.parse(readFileSync(join(root, "routes/amilia.json"), "utf8")));
  const other = new Issuer(vectors.catalogs.amilia.definition, { ...key, kid: "someone-else" });
  other.setAccount(a.tenant, a.roles, { features: a.features });
  const cases = {
    "no proof": undefined,
    good,
    "good, padded": ` ${good} `,
    altered: altered(good),
    // Signed by a key the edge does not trust (for that key's own desk).
    "unknown key": other.stepUp(other.issue(a.tenant, { id: "frontdesk", roles: ["front_desk"], shared_account: true }, { now }).snapshot,
      { actor: "samantha", permission: "pos.sell", method: "POST", path: "/api/pos/sales", now }).proof,
    "another path": proof({ path: "/api/store/purchase", permission: "store.purchase_for_client" }),
    "not a proof": "hello",
    "a snapshot": desk,
  };
  for (const [name, stepUp] of Object.entries(cases)) {
    for (const path of ["/api/pos/sales", "/api/store/purchase", "/api/reports/financial"]) {
      const method = path === "/api/reports/financial" ? "GET" : "POST";
      same(gate, "amilia", a.tenant, { method, path, snapshot: desk, stepUp }, now, `${name} ${method} ${path}`);
    }
  }
  // The gate keeps deciding after each refusal: the good proof again.
  assert.deepEqual([ours(gate, { method: "POST", path: "/api/pos/sales", snapshot: desk, stepUp: good }).actor], ["samantha"]);
  // A desk and an actor whose ids are not ASCII: the texts of the decision
  // after them (its account, its actor) are read whole.
  const accented = issuer.issue(a.tenant, { id: "réception", roles: ["front_desk"], shared_account: true }, { now }).snapshot;
  const byJose = issuer.stepUp(accented, { actor: "josé", permission: "pos.sell", method: "POST", path: "/api/pos/sales", now }).proof;
  const r = { method: "POST", path: "/api/pos/sales", snapshot: accented, stepUp: byJose };
  same(gate, "amilia", a.tenant, r, now, "ids not in ASCII");
  const d = ours(gate, r);
  assert.deepEqual([d.status, d.subject, d.tenant, d.actor], [200, "réception", a.tenant, "josé"]);
});
