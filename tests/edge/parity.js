// Runs every committed vector through a permsnap package and returns the
// decisions, keyed by case name. Imported by the Node, Deno and workerd
// parity runs (tests/edge/edge.test.mjs compares them to the vectors).

/** The tenant choice a vector case names: its account, or (no
 *  `expected_tenant`) the explicit opt-out. */
function tenantOptions(c) {
  return typeof c.expected_tenant === "string" ? { tenant: c.expected_tenant } : { anyTenant: true };
}

export function parity(permsnap, vectors) {
  const out = {};
  for (const c of vectors.cases) {
    const v = new permsnap.Verifier(vectors.catalogs[c.catalog], vectors.key.jwks, {
      ...tenantOptions(c),
      leeway: vectors.leeway,
      clock: () => c.now,
    });
    if (c.revoked_ids) v.setRevocations({ ids: c.revoked_ids });
    try {
      const p = v.load(c.snapshot);
      const kinds = v.kindNames;
      out[c.name] = {
        subject: p.subject,
        tenant: p.tenant,
        expires_at: p.expiresAt,
        role: p.role,
        owner: p.isOwner,
        shared_account: p.isSharedAccount,
        allowed: p.allowed(),
        denied: v.permissionNames.filter((n) => !p.can(n)),
        explain: Object.fromEntries(v.permissionNames.map((n) => [n, p.explain(n).reason])),
        step_up: p.stepUpActions(),
        apps: p.apps(),
        scopes: Object.fromEntries(kinds.map((k) => [k, p.scope(k)])),
        hidden_fields: Object.fromEntries(kinds.map((k) => [k, p.hiddenFields(k)])),
        filters: Object.fromEntries(kinds.map((k) => [k, p.filterSpec(k)])),
      };
      p.free();
    } catch (e) {
      out[c.name] = { error: e.code };
    }
    v.free();
  }
  // Revocation notices: which valid cases they revoke.
  const revoked = [];
  for (const c of vectors.cases.filter((x) => !x.expect.error)) {
    const v = new permsnap.Verifier(vectors.catalogs[c.catalog], vectors.key.jwks, {
      ...tenantOptions(c),
      clock: () => c.now,
    });
    for (const n of vectors.notices.apply) {
      try {
        v.applyNotice(n);
      } catch {
        // a notice for another account: refused, as expected
      }
    }
    try {
      v.load(c.snapshot);
    } catch (e) {
      if (e.code === "revoked") revoked.push(c.name);
    }
    v.free();
  }
  out["notices:revokes"] = revoked;
  return out;
}
