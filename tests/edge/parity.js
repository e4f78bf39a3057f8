// Runs every committed vector through a permsnap package and returns the
// decisions, keyed by case name. Imported by the Node, Deno, Bun and workerd
// parity runs (tests/edge/edge.test.mjs compares them to the vectors, the
// expectations tests/vectors.rs `expectation()` computes).

/** The tenant choice a vector case names: its account, or (no
 *  `expected_tenant`) the explicit opt-out. */
function tenantOptions(c) {
  return typeof c.expected_tenant === "string" ? { tenant: c.expected_tenant } : { anyTenant: true };
}

/** `f()`, or `{ error: code }` when it throws (how the vectors record a
 *  filter that cannot be computed, `ids_not_loaded`). */
function orError(f) {
  try {
    return f();
  } catch (e) {
    if (typeof e?.code !== "string") throw e;
    return { error: e.code };
  }
}

/** Every vector through `permsnap`'s promise API (`verify`, `verifyNotice`),
 *  which every build has: the browser build checks signatures with the
 *  platform's WebCrypto, the others in WebAssembly. */
export async function parity(permsnap, vectors) {
  const out = {};
  const edge = appliesFeeds(permsnap, vectors);
  for (const c of vectors.cases) {
    const v = new permsnap.Verifier(vectors.catalogs[c.catalog], vectors.key.jwks, {
      ...tenantOptions(c),
      leeway: vectors.leeway,
      clock: () => c.now,
    });
    if (c.revoked_ids) v.setRevocations({ ids: c.revoked_ids });
    try {
      let p = await v.verify(c.snapshot);
      // The id lists that travel beside the snapshot, attached in order.
      for (const list of c.id_lists ?? []) {
        const next = p.withIds(list);
        p.free();
        p = next;
      }
      const kinds = v.kindNames;
      out[c.name] = {
        subject: p.subject,
        tenant: p.tenant,
        expires_at: p.expiresAt,
        roles: p.roles,
        version: p.version,
        owner: p.isOwner,
        shared_account: p.isSharedAccount,
        allowed: p.allowed(),
        denied: v.permissionNames.filter((n) => !p.can(n)),
        explain: Object.fromEntries(v.permissionNames.map((n) => [n, p.explain(n).reason])),
        step_up: p.stepUpActions(),
        apps: p.apps(),
        scopes: Object.fromEntries(kinds.map((k) => [k, p.scope(k)])),
        hidden_fields: Object.fromEntries(kinds.map((k) => [k, p.hiddenFields(k)])),
        filters: Object.fromEntries(kinds.map((k) => [k, orError(() => p.filterSpec(k))])),
        features: p.features(),
        permission_scopes: Object.fromEntries(v.permissionNames.flatMap((n) => {
          const s = orError(() => p.permissionScope(n));
          return s?.error === "invalid_argument" ? [] : [[n, s]];
        })),
      };
      p.free();
    } catch (e) {
      out[c.name] = { error: e.code };
    }
    v.free();
  }
  // Revocation notices, applied one by one, then through the signed feed:
  // which valid cases they revoke (the same ones).
  const valid = vectors.cases.filter((x) => !x.expect.error);
  const revoked = [];
  const revokedByFeed = [];
  for (const c of valid) {
    const v = new permsnap.Verifier(vectors.catalogs[c.catalog], vectors.key.jwks, {
      ...tenantOptions(c),
      clock: () => c.now,
    });
    for (const n of vectors.notices.apply) {
      try {
        await v.verifyNotice(n);
      } catch {
        // a notice for another account: refused, as expected
      }
    }
    try {
      await v.verify(c.snapshot);
    } catch (e) {
      if (e.code === "revoked") revoked.push(c.name);
    }
    v.free();
    if (!edge) continue;
    const f = new permsnap.Verifier(vectors.catalogs[c.catalog], vectors.key.jwks, {
      ...tenantOptions(c),
      clock: () => c.now,
      maxFeedAge: vectors.feeds.max_feed_age,
    });
    f.applyFeed(vectors.feeds.feed.head, vectors.feeds.feed.notices);
    try {
      f.load(c.snapshot);
    } catch (e) {
      if (e.code === "revoked") revokedByFeed.push(c.name);
    }
    f.free();
  }
  out["notices:revokes"] = revoked;
  out.build = edge ? "edge" : "browser";
  if (edge) {
    out["feeds:revokes"] = revokedByFeed;
    out.feeds = feeds(permsnap, vectors);
  }
  return out;
}

/** Whether this build applies signed revocation feeds: the edge build
 *  does; the browser build refuses `maxFeedAge` (browsers refresh their
 *  snapshot instead). */
function appliesFeeds(permsnap, vectors) {
  try {
    new permsnap.Verifier(vectors.catalogs.sitee, vectors.key.jwks, { tenant: "spa-lumi", maxFeedAge: 60 }).free();
    return true;
  } catch (e) {
    if (e.code !== "invalid_argument") throw e;
    return false;
  }
}

/** The feeds section: a verifier of spa-lumi with `max_feed_age` refuses
 *  `stale_feed` before any feed, decides at `fresh_at`, refuses at
 *  `stale_at`; each refused feed throws its code and records nothing. */
function feeds(permsnap, vectors) {
  const { feed, max_feed_age, fresh_at, stale_at, refused } = vectors.feeds;
  const ana = vectors.cases.find((c) => c.name === "sitee/ana");
  let now = ana.now;
  const make = () => new permsnap.Verifier(vectors.catalogs.sitee, vectors.key.jwks, {
    tenant: "spa-lumi",
    leeway: vectors.leeway,
    maxFeedAge: max_feed_age,
    clock: () => now,
  });
  const load = (v) => orError(() => v.load(ana.snapshot).allowed());
  const v = make();
  const out = { before: load(v), feedAtBefore: v.feedAt };
  const report = v.applyFeed(feed.head, feed.notices);
  out.failed = report.failed;
  out.feedAt = v.feedAt;
  now = fresh_at;
  out.fresh = load(v);
  now = stale_at;
  out.stale = load(v);
  out.refused = {};
  now = ana.now;
  for (const r of refused) {
    const w = make();
    out.refused[r.name] = { ...orError(() => w.applyFeed(r.head, r.notices)), feedAt: w.feedAt, load: load(w) };
    w.free();
  }
  v.free();
  return out;
}

/** What `parity` must return for `vectors`: the decisions the vectors
 *  record (tests/vectors.rs `expectation()`), and for the feeds section
 *  what tests/vectors.rs `committed_feed_vectors_apply_as_they_say` checks. */
export function expectedParity(vectors, build = "edge") {
  const out = Object.fromEntries(vectors.cases.map((c) => [c.name, c.expect.error ? { error: c.expect.error } : c.expect]));
  out["notices:revokes"] = vectors.notices.revokes;
  out.build = build;
  if (build !== "edge") return out;
  // The same notices through the signed feed revoke the same snapshots.
  out["feeds:revokes"] = vectors.notices.revokes;
  const f = vectors.feeds;
  const ana = vectors.cases.find((c) => c.name === "sitee/ana");
  const stale = { error: "stale_feed" };
  out.feeds = {
    before: stale,
    feedAtBefore: null,
    failed: [],
    feedAt: f.fresh_at - f.max_feed_age, // the head's time
    fresh: ana.expect.allowed,
    stale,
    refused: Object.fromEntries(f.refused.map((r) => [r.name, { error: r.error, feedAt: null, load: stale }])),
  };
  return out;
}
