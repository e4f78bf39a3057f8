// The browser entry: the trusted keys, read from a JWKS by the rules of the
// package's own reader (src/crypto.rs `Keyring::from_jwks`, which the
// default entry runs in wasm): Ed25519 signing keys are taken, each checked
// strictly (canonical and not of small order by the core, a point of the
// curve here), then imported by the platform's WebCrypto when first used;
// other keys (an app's RSA or encryption keys) are left out; a private
// member anywhere, a key id missing on an Ed25519 key or named twice, or a
// malformed key refuses the whole set.

import { PermsnapError } from "../errors.js";
import { parseJson, plainData } from "../internal.js";
import type { Jwks, KeySetReport } from "../types.js";
import { onCurve } from "./curve.js";
import { base64url } from "./text.js";
import type { Core } from "./wasm.js";

/** RFC 7518's members holding secret material (src/crypto.rs
 *  `PRIVATE_JWK_MEMBERS`). */
const PRIVATE = ["d", "k", "p", "q", "dp", "dq", "qi", "oth"];

const bad = (detail: string): PermsnapError => new PermsnapError("invalid_key", detail);

type Raw = Record<string, unknown>;

/** Whether the JWK holds member `m` itself (never what a polluted
 *  `Object.prototype` holds: an `x` or `kid` read from it would trust a
 *  key the page's attacker chose). */
const has = (key: Raw, m: string): boolean => Object.hasOwn(key, m) && key[m] !== undefined;

/** Member `m` of a JWK: a string, or undefined when absent or null. */
function member(key: Raw, m: string): string | undefined {
  const v = has(key, m) ? key[m] : undefined;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw bad(`\`${m}\` of a JWK must be a string`);
  return v;
}

/** A key that is not a point of the curve. */
export function offCurve(kid: string): PermsnapError {
  return bad(`key \`${kid}\` is not a point of the curve`);
}

/** Key id → the raw public key, of every Ed25519 signing key of `jwks`;
 *  and the report of what was taken and left out (`Verifier.keys`). */
export function readKeys(jwks: Jwks | string, core: Core): { keys: Map<string, Uint8Array>; report: KeySetReport } {
  const set = plainData(typeof jwks === "string" ? parseJson(jwks, "invalid_key") : jwks, "the JWKS", "invalid_key") as Raw;
  if (typeof set !== "object" || set === null || Array.isArray(set)) throw bad("a JWKS is an object `{ keys: [...] }`");
  let list: unknown[];
  if (has(set, "keys")) {
    if (!Array.isArray(set.keys)) throw bad("`keys` of a JWKS must be an array");
    list = set.keys;
  } else if (has(set, "kty")) {
    list = [set];
  } else {
    throw bad("a JWKS is an object `{ keys: [...] }` (or one JWK with `kty`)");
  }
  const out = new Map<string, Uint8Array>();
  const ignored: KeySetReport["ignored"] = [];
  const kids = new Set<string>();
  list.forEach((k, i) => {
    // (An array is an object without `kty`: left out, as the package's
    // reader leaves it.)
    if (typeof k !== "object" || k === null) throw bad("each key of a JWKS is an object");
    const key = k as Raw;
    const [kty, crv, x64, id = "", alg, use] = ["kty", "crv", "x", "kid", "alg", "use"].map((m) => member(key, m));
    // The key id as the package's reader sees it: UTF-8, a lone surrogate
    // replaced (`"\uD800"` and `"\uDC00"` are one id there: re-review,
    // session 19).
    const kid = new TextDecoder().decode(new TextEncoder().encode(id));
    const name = kid === "" ? `keys[${i}]` : `\`${kid}\``;
    const secret = PRIVATE.find((m) => has(key, m));
    if (secret !== undefined) throw bad(`key ${name} contains a private part (\`${secret}\`): publish only public keys`);
    const ops = has(key, "key_ops") ? key.key_ops : undefined;
    if (ops !== undefined && ops !== null && (!Array.isArray(ops) || !ops.every((o) => typeof o === "string"))) {
      throw bad("`key_ops` of a JWK must be an array of strings");
    }
    if (kid !== "") {
      if (kids.has(kid)) throw bad(`key id \`${kid}\` appears twice`);
      kids.add(kid);
    }
    // Not an Ed25519 signing key: left out, and said why (the reasons of
    // the package's reader).
    const skip = kty !== "OKP" ? `key type \`${kty ?? ""}\` is not OKP`
      : crv !== "Ed25519" ? `curve \`${crv ?? ""}\` is not Ed25519`
      : use !== undefined && use !== "sig" ? "its `use` is not `sig`"
      : Array.isArray(ops) && !ops.includes("verify") ? "its `key_ops` do not include `verify`"
      : alg !== undefined && alg !== "EdDSA" && alg !== "Ed25519" ? "its `alg` is not `EdDSA`"
      : null;
    if (skip !== null) {
      ignored.push({ kid: kid === "" ? `keys[${i}]` : kid, reason: skip });
      return;
    }
    if (kid === "") throw bad(`Ed25519 key ${name} has no \`kid\``);
    if (new TextEncoder().encode(kid).length > 64) throw bad(`a key id must be 1 to 64 bytes, \`${kid}\` is not`);
    const x = base64url(x64 ?? "");
    if (x === null) throw bad(`key ${name}: \`x\` is not base64url`);
    if (x.length !== 32) throw bad(`key ${name}: an Ed25519 public key is 32 bytes, got ${x.length}`);
    core.input(x);
    if (core.raw("ps_key") !== 0) throw bad(`key ${name} is not canonical, or of small order`);
    // (`curve`: the core's own reader checks it when it trusts the key,
    // `offCurve` below; this BigInt check took 300 µs of every setJwks.)
    if (!core.curve && !onCurve(x)) throw offCurve(kid);
    out.set(kid, x);
  });
  return { keys: out, report: { keys: out.size, ignored } };
}
