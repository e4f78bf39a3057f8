// Signed revocation feeds and the maximum feed age (format 2), from the
// vectors' `feeds` section: `Verifier.applyFeed`, `feedAt` and the
// `maxFeedAge` option, in the edge build (`permsnap/edge`; the browser
// build refreshes snapshots instead and refuses them, tested last;
// tests/js/edge.test.mjs runs feeds behind a Refresher).
import { test } from "node:test";
import assert from "node:assert/strict";
import { pkg as browser, vectors, catalog, errorCode } from "./helpers.mjs";
import { signFeed } from "./feed-signer.mjs";

const pkg = await import("../../pkg/edge/node.js");
const { Verifier } = pkg;
const { feed, max_feed_age: maxFeedAge, fresh_at: freshAt, stale_at: staleAt, refused } = vectors.feeds;
const byName = (n) => vectors.cases.find((c) => c.name === n);
const ana = byName("sitee/ana");
const dia = byName("sitee/dia");
const fay = byName("sitee/fay");
const NOW = ana.now;

/** A verifier of spa-lumi with the vectors' maxFeedAge (or `options`), on a
 *  clock the test moves. */
function make(options = { maxFeedAge }) {
  const clock = { now: NOW };
  const v = new Verifier(catalog("sitee"), vectors.key.jwks, { tenant: "spa-lumi", leeway: vectors.leeway, clock: () => clock.now, ...options });
  return { v, clock };
}

test("the feed signer of the tests reproduces the vectors' heads byte for byte", () => {
  assert.equal(signFeed(vectors.key, feed.notices, { now: NOW }).head, feed.head);
  const other = refused.find((r) => r.error === "wrong_tenant");
  assert.equal(signFeed(vectors.key, other.notices, { now: NOW, tenant: "other-co" }).head, other.head);
});

test("maxFeedAge: stale_feed before any feed, decisions at fresh_at, stale_feed at stale_at", () => {
  const { v, clock } = make();
  assert.equal(v.feedAt, null);
  assert.equal(errorCode(() => v.load(ana.snapshot)), "stale_feed");
  const denied = v.loadOrDeny(ana.snapshot);
  assert.equal(denied.error.code, "stale_feed");
  assert.deepEqual(denied.allowed(), []);
  const report = v.applyFeed(feed.head, feed.notices);
  // spa-lumi's two notices apply; shop-ora's is another account's: skipped.
  assert.deepEqual(report, { issuedAt: NOW, applied: 2, skipped: 1, failed: [] });
  assert.equal(v.feedAt, NOW);
  clock.now = freshAt;
  assert.deepEqual(v.load(ana.snapshot).allowed(), ana.expect.allowed);
  assert.equal(errorCode(() => v.load(dia.snapshot)), "revoked", "by id");
  assert.equal(errorCode(() => v.load(fay.snapshot)), "revoked", "per person");
  // The limit's last second, to its end, is fresh: whole seconds, as the
  // reference's clock reads (review, session 28).
  clock.now = NOW + maxFeedAge + 0.9;
  assert.deepEqual(v.load(ana.snapshot).allowed(), ana.expect.allowed);
  clock.now = staleAt;
  assert.equal(errorCode(() => v.load(ana.snapshot)), "stale_feed");
  assert.equal(errorCode(() => v.load(fay.snapshot)), "stale_feed", "staleness is checked before anything else can pass");
  // A newer head brings it back; the same feed again is not older: accepted.
  v.applyFeed(feed.head, feed.notices);
  assert.equal(errorCode(() => v.load(ana.snapshot)), "stale_feed");
  const next = signFeed(vectors.key, feed.notices, { now: staleAt });
  assert.equal(v.applyFeed(next.head, next.notices).issuedAt, staleAt);
  assert.equal(v.feedAt, staleAt);
  assert.deepEqual(v.load(ana.snapshot).allowed(), ana.expect.allowed);
  // An older copy after it: refused stale_feed, feedAt stays.
  assert.equal(errorCode(() => v.applyFeed(feed.head, feed.notices)), "stale_feed");
  assert.equal(v.feedAt, staleAt);
});

test("each refused feed throws its code and changes nothing", () => {
  assert.ok(refused.length >= 4);
  for (const r of refused) {
    // With maxFeedAge: still no feed.
    const { v } = make();
    assert.equal(errorCode(() => v.applyFeed(r.head, r.notices)), r.error, r.name);
    assert.equal(v.feedAt, null, r.name);
    assert.equal(errorCode(() => v.load(ana.snapshot)), "stale_feed", r.name);
    // Without: none of its notices applied (dia and fay would be revoked).
    const { v: plain } = make({});
    assert.equal(errorCode(() => plain.applyFeed(r.head, r.notices)), r.error, r.name);
    assert.deepEqual(plain.load(dia.snapshot).allowed(), dia.expect.allowed, r.name);
    assert.deepEqual(plain.load(fay.snapshot).allowed(), fay.expect.allowed, r.name);
    // After a good feed: the refused one leaves it in force.
    const { v: fed, clock } = make();
    fed.applyFeed(feed.head, feed.notices);
    clock.now = freshAt;
    assert.equal(errorCode(() => fed.applyFeed(r.head, r.notices)), r.error, r.name);
    assert.equal(fed.feedAt, NOW, r.name);
    assert.deepEqual(fed.load(ana.snapshot).allowed(), ana.expect.allowed, r.name);
  }
});

test("a notice that fails inside a signed feed: reported by position, the others applied, the feed not current", () => {
  const retired = vectors.notices.refused.find((r) => r.error === "unknown_key").notice;
  const tampered = vectors.notices.refused.find((r) => r.error === "bad_signature").notice;
  const doc = signFeed(vectors.key, [feed.notices[0], retired, feed.notices[1], tampered, feed.notices[2]], { now: NOW });
  const { v } = make();
  const report = v.applyFeed(doc.head, doc.notices);
  assert.deepEqual(report.failed.map((f) => [f.index, f.code]), [[1, "unknown_key"], [3, "bad_signature"]]);
  assert.ok(report.failed.every((f) => f.message.length > 10));
  assert.deepEqual([report.applied, report.skipped], [2, 1]);
  assert.equal(v.feedAt, null, "a feed with a failed notice does not make the verifier current");
  assert.equal(errorCode(() => v.load(ana.snapshot)), "stale_feed");
  const { v: plain } = make({});
  plain.applyFeed(doc.head, doc.notices);
  assert.equal(errorCode(() => plain.load(dia.snapshot)), "revoked", "the good notices are in force");
  assert.equal(errorCode(() => plain.load(fay.snapshot)), "revoked");
});

test("without maxFeedAge nothing is refused for want of a feed; applyNotice reports per-person notices", () => {
  const { v } = make({});
  assert.deepEqual(v.load(ana.snapshot).allowed(), ana.expect.allowed);
  const summaries = vectors.notices.apply.map((n) => {
    try {
      return v.applyNotice(n);
    } catch (e) {
      return e.code;
    }
  });
  assert.deepEqual(summaries, [
    { tenant: "spa-lumi", minEpoch: 0, ids: 1, staff: 0 },
    "wrong_tenant",
    { tenant: "spa-lumi", minEpoch: 0, ids: 0, staff: 1 },
  ]);
  assert.equal(errorCode(() => v.load(fay.snapshot)), "revoked");
  assert.equal(v.load(ana.snapshot).version, 0);
});

test("maxFeedAge and applyFeed arguments are read strictly", () => {
  for (const bad of [0, -1, 1.5, "300", NaN, Infinity, null, true]) {
    assert.equal(errorCode(() => make({ maxFeedAge: bad })), "invalid_argument", String(bad));
  }
  assert.equal(errorCode(() => make({ maxFeedage: 300 })), "invalid_argument", "misspelt");
  assert.equal(errorCode(() => make({ maxFeedAge: undefined })), "none");
  const { v } = make();
  assert.equal(errorCode(() => v.applyFeed(feed.head, feed.notices[0])), "invalid_argument", "notices is an array");
  assert.equal(errorCode(() => v.applyFeed(feed.head)), "invalid_argument");
  assert.equal(errorCode(() => v.applyFeed(42, feed.notices)), "invalid_argument");
  assert.equal(errorCode(() => v.applyFeed(feed.head, [42, ...feed.notices.slice(1)])), "invalid_argument");
  assert.equal(errorCode(() => v.applyFeed("garbage*", feed.notices)), "bad_encoding");
  // A hole of a sparse array is no notice: refused as one (it threw a
  // TypeError: review, session 28).
  assert.equal(errorCode(() => v.applyFeed(feed.head, [feed.notices[0], , ...feed.notices.slice(2)])), "invalid_argument");
  assert.equal(v.feedAt, null);
  // Bytes work as text does.
  const bytes = (t) => Uint8Array.from(Buffer.from(t, "base64url"));
  assert.equal(v.applyFeed(bytes(feed.head), feed.notices.map(bytes)).issuedAt, NOW);
  assert.equal(v.feedAt, NOW);
});

test("the browser build applies no feeds: maxFeedAge refused, applyFeed says where feeds go", () => {
  const opts = { tenant: "spa-lumi" };
  assert.equal(errorCode(() => new browser.Verifier(catalog("sitee"), vectors.key.jwks, { ...opts, maxFeedAge: 60 })), "invalid_argument");
  const v = new browser.Verifier(catalog("sitee"), vectors.key.jwks, opts);
  let err;
  try {
    v.applyFeed(feed.head, feed.notices);
  } catch (e) {
    err = e;
  }
  assert.equal(err?.code, "invalid_argument");
  assert.match(err.message, /permsnap\/edge/);
  assert.equal(v.feedAt, null);
});

/** A notice revoking fay's snapshots, signed with the vectors' key as an
 *  issuer whose clock runs two days behind would sign it. */
async function backDatedNotice() {
  const { Issuer } = await import("../../pkg/issuer/node.js");
  const { privateJwk } = await import("./feed-signer.mjs");
  const issuer = new Issuer(vectors.catalogs.sitee.definition, privateJwk(vectors.key));
  return issuer.revoke({ tenant: "spa-lumi", staff: [{ subject: "fay", before: 1 }], now: NOW - 2 * 86_400 });
}

test("a notice dated two days back, brought by a feed, revokes what it names (kept a lifetime from now)", async () => {
  // Attack review, session 12: signed with a clock running behind (or a
  // stored edit time), it was applied and forgotten in the same call.
  const notice = await backDatedNotice();
  const { v } = make();
  const { head } = signFeed(vectors.key, [notice], { now: NOW });
  assert.equal(v.applyFeed(head, [notice]).applied, 1);
  assert.equal(errorCode(() => v.load(fay.snapshot)), "revoked");
  assert.deepEqual(v.load(ana.snapshot).allowed(), ana.expect.allowed, "only fay");
});

test("a notice dated two days back, applied on its own before any feed, is kept a lifetime from now too", async () => {
  const notice = await backDatedNotice();
  const { v } = make();
  v.applyNotice(notice);
  // The first feed's forgetting runs at the verifier's clock.
  const { head } = signFeed(vectors.key, [], { now: NOW });
  v.applyFeed(head, []);
  assert.equal(errorCode(() => v.load(fay.snapshot)), "revoked");
});

test("a notice revokes ids of its own account only, applied alone or in a feed of every account (attack review, session 13)", async () => {
  // A verifier of every account (an edge serving them all): account B's
  // notice naming account A's snapshot revoked it.
  const { Issuer } = await import("../../pkg/issuer/node.js");
  const { privateJwk } = await import("./feed-signer.mjs");
  const issuer = new Issuer(vectors.catalogs.sitee.definition, privateJwk(vectors.key));
  const every = () => new Verifier(catalog("sitee"), vectors.key.jwks, { tenantPerRequest: true, leeway: vectors.leeway, clock: () => NOW });
  const v = every();
  const id = v.loadFor(fay.snapshot, "spa-lumi").id;
  const elsewhere = issuer.revoke({ tenant: "another-account", ids: [id], now: NOW });
  assert.equal(v.applyNotice(elsewhere).ids, 1);
  assert.equal(v.loadFor(fay.snapshot, "spa-lumi").subject, "fay", "another account's notice revokes nothing here");
  const fed = every();
  const { head } = signFeed(vectors.key, [elsewhere], { now: NOW });
  assert.equal(fed.applyFeed(head, [elsewhere]).applied, 1);
  assert.equal(fed.loadFor(fay.snapshot, "spa-lumi").subject, "fay");
  // Its own account's notice revokes it.
  v.applyNotice(issuer.revoke({ tenant: "spa-lumi", ids: [id], now: NOW }));
  assert.equal(errorCode(() => v.loadFor(fay.snapshot, "spa-lumi")), "revoked");
});

test("setRevocations replaces the app's own list only: what a notice revoked stays revoked (review, session 13)", async () => {
  const { Issuer } = await import("../../pkg/issuer/node.js");
  const { privateJwk } = await import("./feed-signer.mjs");
  const issuer = new Issuer(vectors.catalogs.sitee.definition, privateJwk(vectors.key));
  const { v } = make({});
  const id = v.load(fay.snapshot).id;
  v.applyNotice(issuer.revoke({ tenant: "spa-lumi", ids: [id], now: NOW }));
  assert.equal(errorCode(() => v.load(fay.snapshot)), "revoked");
  v.setRevocations({ ids: [] });
  assert.equal(errorCode(() => v.load(fay.snapshot)), "revoked", "an empty list lifts no notice");
  // The app's own list still works, and replacing it lifts its own ids.
  const anaId = v.load(ana.snapshot).id;
  v.setRevocations({ ids: [anaId] });
  assert.equal(errorCode(() => v.load(ana.snapshot)), "revoked");
  v.setRevocations({});
  assert.equal(v.load(ana.snapshot).subject, "ana");
});
