// Shared by the Node tests: the built package, the committed vectors, presets.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const pkg = await import(new URL("../../pkg/node.js", import.meta.url));
/** The reference build (not shipped: target/reference/, built by
 *  scripts/build-pkg.sh): the same API on the wasm-bindgen build of the
 *  crate, every answer the Rust reference's, with
 *  `filterIndexesReference`. What the small core's entries are held to. */
export const reference = await import(new URL("../../target/reference/node.js", import.meta.url));
export const vectors = JSON.parse(readFileSync(`${root}vectors/vectors.json`, "utf8"));
export const preset = (name) => JSON.parse(readFileSync(`${root}presets/${name}.json`, "utf8"));
/** The committed compiled catalog of a preset (what `permsnap catalog` prints). */
export const catalog = (name) => vectors.catalogs[name];

/** The tenant choice a vector case names: its account, or (no
 *  `expected_tenant`) the explicit opt-out. */
export function tenantOptions(c) {
  return typeof c.expected_tenant === "string" ? { tenant: c.expected_tenant } : { anyTenant: true };
}

/** A verifier set up as a vector case says: the Node entry's, or (`m`)
 *  the reference build's. */
export function verifierFor(c, m = pkg) {
  const v = new m.Verifier(catalog(c.catalog), vectors.key.jwks, {
    ...tenantOptions(c),
    leeway: vectors.leeway,
    clock: () => c.now,
  });
  if (c.revoked_ids) v.setRevocations({ ids: c.revoked_ids });
  return v;
}

export const validCases = vectors.cases.filter((c) => !c.expect.error);
export const refusedCases = vectors.cases.filter((c) => c.expect.error);

/** Loads a valid vector case as tests/vectors.rs `expectation()` does:
 *  verify, then attach each id list that travels beside the snapshot. */
export function loadCase(c, v = verifierFor(c)) {
  let p = v.load(c.snapshot);
  for (const list of c.id_lists ?? []) p = p.withIds(list);
  return p;
}

/** The code of the PermsnapError `f()` throws, or "none" when it does not
 *  throw (anything else it throws fails the test). */
export function errorCode(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof pkg.PermsnapError, String(e));
    return e.code;
  }
  return "none";
}

/** `f()`, or `{ error: code }` when it throws a PermsnapError: how the
 *  vectors record a filter that cannot be computed (`ids_not_loaded`). */
export function orError(f) {
  try {
    return f();
  } catch (e) {
    if (e instanceof pkg.PermsnapError) return { error: e.code };
    throw e;
  }
}

/** Signatures of `snapshot` (base64url) that only strict Ed25519 refuses,
 *  as `[name, base64url]`: S + L (the same point equation, a non-canonical
 *  scalar), the identity as R with S = 0, and a non-canonical R. */
export function strictForgeries(snapshot) {
  const bytes = new Uint8Array(Buffer.from(snapshot, "base64url"));
  const sig = bytes.length - 64;
  const L = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, ...new Array(15).fill(0), 0x10];
  const malleable = bytes.slice();
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const s = malleable[sig + 32 + i] + L[i] + carry;
    malleable[sig + 32 + i] = s & 0xff;
    carry = s >> 8;
  }
  const identityR = bytes.slice();
  identityR.set([1, ...new Array(31).fill(0)], sig);
  identityR.fill(0, sig + 32);
  const nonCanonicalR = bytes.slice();
  nonCanonicalR.set([0xee, ...new Array(30).fill(0xff), 0x7f], sig);
  const text = (b) => Buffer.from(b).toString("base64url");
  return [["S + L", text(malleable)], ["identity R", text(identityR)], ["non-canonical R", text(nonCanonicalR)]];
}

/** Sitee's `ana`, issued for the account `acme\uFFFD` (what a lone
 *  surrogate became on its way to UTF-8) and for one named `__proto__`
 *  (epoch 3), with a key of their own: the attack review of session 21,
 *  in each runtime. */
export async function oddAccounts() {
  const { Issuer, generateKey } = await import(new URL("../../pkg/issuer/node.js", import.meta.url));
  const policy = preset("sitee");
  const key = generateKey({ kid: "accounts" });
  const issuer = new Issuer(policy.catalog, key.privateJwk);
  const ana = policy.staff.find((s) => s.id === "ana");
  const now = Math.floor(Date.now() / 1000);
  issuer.setAccount("acme\uFFFD", policy.roles);
  const { snapshot } = issuer.issue("acme\uFFFD", ana, { now });
  issuer.setAccount("__proto__", policy.roles, { epoch: 3 });
  const proto = issuer.issue("__proto__", ana, { now }).snapshot;
  return { key, snapshot, proto };
}
