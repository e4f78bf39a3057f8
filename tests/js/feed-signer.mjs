// Signed revocation feeds for the tests, without the CLI: a feed head
// signed in JavaScript (node:crypto Ed25519) with the vectors' key, so a
// test can date a head freely and make feeds the CLI would not (a head
// vouching for a notice signed by a retired key). Checked byte for byte
// against the head tests/vectors.rs signs (tests/js/feeds.test.mjs): Ed25519
// signatures are deterministic.
//
//   head    = "PSH" | 2 | kid_len | kid | payload | signature (64)
//   payload = postcard { tenant: option<string>, issued_at: varint, count: varint, digest: [u8; 16] }
//   digest  = SHA-512("permsnap/v2 feed" 00 | per notice: u32 BE length, bytes)[0..16]
//   signed  = "permsnap/v2 feed head" 00 | every byte before the signature
import { createHash, createPrivateKey, sign } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const b64 = (bytes) => Buffer.from(bytes).toString("base64url");
const unb64 = (text) => Buffer.from(text, "base64url");

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

/** The private JWK of the vectors' issuer key. */
export function privateJwk(key) {
  const jwk = key.jwks.keys.find((k) => k.kid === key.kid);
  return { ...jwk, d: b64(Buffer.from(key.seed_hex, "hex")) };
}

/** A key file the CLI reads (`--key`), for the vectors' issuer key. */
export function keyFile(key) {
  const file = join(mkdtempSync(join(tmpdir(), "permsnap-key-")), "issuer.key");
  writeFileSync(file, JSON.stringify(privateJwk(key)), { mode: 0o600 });
  return file;
}

/** A feed document `{ head, notices }` as `permsnap feed` prints it:
 *  `notices` (base64url) under a head signed at `now` (seconds; default:
 *  the clock) by `key` — the vectors' `key` object, or a private JWK (the
 *  `issuer.key` file `permsnap keygen` writes) — for account `tenant`
 *  (default: every account). Unlike `permsnap feed`, it does not check
 *  that each notice is signed by that key. */
export function signFeed(key, notices, { now = Math.floor(Date.now() / 1000), tenant } = {}) {
  const jwk = key.seed_hex ? privateJwk(key) : key;
  const binary = notices.map(unb64);
  const digest = createHash("sha512");
  digest.update(Buffer.from("permsnap/v2 feed\0"));
  for (const n of binary) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(n.length);
    digest.update(len);
    digest.update(n);
  }
  const tenantBytes = tenant === undefined ? [0] : [1, ...varint(Buffer.byteLength(tenant)), ...Buffer.from(tenant)];
  const payload = [...tenantBytes, ...varint(now), ...varint(binary.length), ...digest.digest().subarray(0, 16)];
  const kid = Buffer.from(jwk.kid);
  const unsigned = Buffer.from([...Buffer.from("PSH"), 2, kid.length, ...kid, ...payload]);
  const signature = sign(null, Buffer.concat([Buffer.from("permsnap/v2 feed head\0"), unsigned]),
    createPrivateKey({ key: jwk, format: "jwk" }));
  return { head: b64(Buffer.concat([unsigned, signature])), notices };
}
