// The issuer side of parity: runs every committed issue vector through a
// runtime's `permsnap/issuer` (its accounts' roles and features, the test
// key, each record at the vector's time, lifetime and id) and returns the
// snapshots, keyed `issue:<name>`, for tests/edge/edge.test.mjs to compare
// with what the Rust issuer signed (vectors.json `issue`). Imported by the
// Node, Deno, Bun and workerd runs.

/** The vectors' test key as a private JWK (its seed is published in the
 *  vectors: never use it elsewhere). */
function testKey(vectors) {
  const hex = vectors.key.seed_hex;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  const d = btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return { ...vectors.key.jwks.keys[0], d };
}

export function issueParity(issuer, vectors) {
  const out = {};
  const made = {};
  for (const c of vectors.issue.cases) {
    if (!made[c.account]) {
      const i = new issuer.Issuer(vectors.catalogs[c.account].definition, testKey(vectors));
      const a = vectors.issue.accounts[c.account];
      i.setAccount(a.tenant, a.roles, { features: a.features });
      made[c.account] = { i, tenant: a.tenant };
    }
    const { i, tenant } = made[c.account];
    const s = i.issue(tenant, c.record, { now: c.now, lifetime: c.lifetime, id: c.id });
    out[`issue:${c.name}`] = { snapshot: s.snapshot, warnings: s.warnings.map((w) => w.code) };
  }
  for (const { i } of Object.values(made)) i.free();
  return out;
}

export function expectedIssueParity(vectors) {
  return Object.fromEntries(vectors.issue.cases.map((c) => [`issue:${c.name}`, { snapshot: c.snapshot, warnings: c.warnings }]));
}
