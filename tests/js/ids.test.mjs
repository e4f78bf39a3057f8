// Id lists beside the snapshot (format 2): a long `specific` scope travels
// as a separate signed-for list, named in the snapshot by count and digest.
// `Permissions.withIds` attaches it; until then filtering that kind throws
// `ids_not_loaded`. From the vectors' `ids/attached` and `ids/missing` cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pkg, reference, verifierFor, orError, validCases, errorCode } from "./helpers.mjs";

const attached = validCases.find((c) => c.name === "ids/attached");
const missing = validCases.find((c) => c.name === "ids/missing");
const KIND = "managed_stores";
const list = attached.id_lists[0];
const ids = attached.expect.scopes[KIND].specific;

/** Stores: some in the list, one the person requested (the kind's owner
 *  field), the rest neither. */
function stores(subject) {
  return [
    { id: ids[0], requested_by: "someone" },
    { id: ids.at(-1), requested_by: "someone" },
    { id: ids[150] },
    { id: "store-99999-01HZXR7Q2M", requested_by: subject },
    { id: "store-99998-01HZXR7Q2M", requested_by: "someone", created_by: subject },
    { id: ids[0].toUpperCase() },
    { id: `${ids[0]} ` },
    {},
  ];
}

test("the vectors hold a snapshot with an id list beside it, and the same snapshot without it", () => {
  assert.ok(attached && missing);
  assert.equal(attached.snapshot, missing.snapshot);
  assert.equal(attached.id_lists.length, 1);
  assert.equal(ids.length, 300);
  assert.deepEqual(missing.expect.filters[KIND], { error: "ids_not_loaded" });
});

test("before attaching: the scope is listed, filtering that kind throws ids_not_loaded, everything else answers", () => {
  const v = verifierFor(missing);
  const p = v.load(missing.snapshot);
  const { listed } = missing.expect.scopes[KIND];
  assert.deepEqual(p.scope(KIND), { listed });
  assert.deepEqual(p.missingIds(), [{ kind: KIND, digest: listed.digest }]);
  assert.equal(errorCode(() => p.filterSpec(KIND)), "ids_not_loaded");
  assert.equal(errorCode(() => p.filter(KIND, stores("agency"))), "ids_not_loaded");
  assert.equal(errorCode(() => verifierFor(missing, reference).load(missing.snapshot).filterIndexesReference(KIND, stores("agency"))), "ids_not_loaded");
  // Never an empty answer that would read as "sees nothing" or "sees all".
  assert.equal(errorCode(() => p.filter(KIND, [])), "ids_not_loaded");
  // The other kinds, permissions and claims answer as the vectors say.
  assert.deepEqual(p.filterSpec("dev_stores"), missing.expect.filters.dev_stores);
  assert.deepEqual(p.allowed(), missing.expect.allowed);
  assert.deepEqual(p.claims().scopes[KIND], { listed });
});

test("after attaching: a new Permissions whose scope is the list; the original is unchanged", () => {
  const v = verifierFor(attached);
  const p = v.load(attached.snapshot);
  const q = p.withIds(list);
  assert.ok(q instanceof pkg.Permissions);
  assert.notEqual(q, p);
  assert.deepEqual(q.scope(KIND), { specific: ids });
  assert.deepEqual(q.missingIds(), []);
  assert.deepEqual(q.filterSpec(KIND), attached.expect.filters[KIND]);
  const recs = stores(attached.expect.subject);
  const kept = q.filter(KIND, recs);
  assert.deepEqual(kept, [recs[0], recs[1], recs[2], recs[3]], "the listed ids and what the person requested");
  const rust = verifierFor(attached, reference).load(attached.snapshot).withIds(list);
  assert.deepEqual(kept.map((r) => recs.indexOf(r)), rust.filterIndexesReference(KIND, recs), "the Rust reference agrees");
  assert.deepEqual(q.claims().scopes[KIND], { specific: ids });
  assert.equal(q.subject, p.subject);
  assert.deepEqual(q.allowed(), p.allowed());
  assert.equal(q.error, null);
  // p still lacks its list.
  assert.equal(errorCode(() => p.filter(KIND, recs)), "ids_not_loaded");
  assert.equal(p.missingIds().length, 1);
  // Bytes work as text does.
  const bytes = Uint8Array.from(Buffer.from(list, "base64url"));
  assert.deepEqual(p.withIds(bytes).filterSpec(KIND), q.filterSpec(KIND));
  // Freeing one leaves the other working.
  const r = p.withIds(list);
  r.free();
  assert.equal(errorCode(() => r.scope(KIND)), "invalid_argument", "freed permissions");
  assert.equal(errorCode(() => r.withIds(list)), "invalid_argument", "freed permissions");
  assert.deepEqual(q.filterSpec(KIND), attached.expect.filters[KIND]);
  assert.deepEqual(p.filterSpec("dev_stores"), attached.expect.filters.dev_stores);
});

test("a list the snapshot does not name is refused malformed; the permissions and the instance keep working", () => {
  const v = verifierFor(attached);
  const p = v.load(attached.snapshot);
  // One id changed inside the list (same length, same structure): its
  // digest is not the snapshot's.
  const bytes = Buffer.from(list, "base64url");
  const at = bytes.indexOf(Buffer.from("store-00042"));
  assert.ok(at > 0);
  bytes[at + 10] ^= 1; // store-00042 -> store-00043
  const altered = bytes.toString("base64url");
  assert.equal(errorCode(() => p.withIds(altered)), "malformed");
  // Cut short, or not a list at all.
  assert.notEqual(errorCode(() => p.withIds(list.slice(0, 200))), "none");
  assert.notEqual(errorCode(() => p.withIds(attached.snapshot)), "none");
  assert.notEqual(errorCode(() => p.withIds("")), "none");
  assert.equal(errorCode(() => p.withIds(42)), "invalid_argument");
  assert.equal(errorCode(() => p.withIds(null)), "invalid_argument");
  // Attaching twice: nothing is listed any more.
  assert.equal(errorCode(() => p.withIds(list).withIds(list)), "invalid_argument");
  // A snapshot that names no list refuses any.
  const other = validCases.find((c) => c.name === "shopify-partner/theo");
  assert.equal(errorCode(() => verifierFor(other).load(other.snapshot).withIds(list)), "invalid_argument");
  // After the refusals: p unchanged, the good list still attaches, the
  // verifier still verifies.
  assert.equal(errorCode(() => p.filterSpec(KIND)), "ids_not_loaded");
  assert.deepEqual(p.withIds(list).filterSpec(KIND), attached.expect.filters[KIND]);
  for (let i = 0; i < 200; i++) assert.equal(errorCode(() => p.withIds(altered)), "malformed");
  assert.deepEqual(v.load(attached.snapshot).withIds(list).scope(KIND), { specific: ids });
});

test("withIds on refused permissions keeps the refusal: everything stays denied", () => {
  const v = verifierFor(attached);
  const tampered = attached.snapshot.slice(0, -3) + (attached.snapshot.at(-3) === "A" ? "B" : "A") + attached.snapshot.slice(-2);
  const denied = v.loadOrDeny(tampered);
  assert.equal(denied.error.code, "bad_signature");
  const q = denied.withIds(list);
  assert.equal(q.error.code, "bad_signature");
  assert.deepEqual(q.allowed(), []);
  assert.equal(q.scope(KIND), "none");
  assert.deepEqual(q.filter(KIND, stores("agency")), []);
  assert.deepEqual(q.missingIds(), []);
  assert.equal(q.claims(), null);
  assert.equal(errorCode(() => denied.withIds(42)), "invalid_argument");
});
