// The browser entry: whether a public key is a point of Ed25519's curve, the
// one check of a key that needs field arithmetic (the core checks that it
// is canonical and not of small order; the platform's WebCrypto imports
// any 32 bytes). BigInt, once per key: a few hundred microseconds, where
// the same code in wasm weighed a kilobyte of every download. The
// package's reader agrees (src/field.rs `is_on_curve`; tests/js/browser.test.mjs
// compares them on 800 encodings).

const P = 2n ** 255n - 19n;

/** `b ** e mod P`. */
function pow(b: bigint, e: bigint): bigint {
  let r = 1n;
  for (b %= P; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}

/** The curve's `d`: -121665 / 121666. */
const D = (P - 121665n) * pow(121666n, P - 2n) % P;

/** Whether the 32-byte encoding (canonical, checked before) names a point:
 *  `x² = (y² - 1) / (d·y² + 1)` has a solution (Euler's criterion). */
export function onCurve(key: Uint8Array): boolean {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? key[i] & 0x7f : key[i]);
  const yy = (y * y) % P;
  const x2 = ((yy + P - 1n) * pow((D * yy + 1n) % P, P - 2n)) % P;
  return pow(x2, (P - 1n) / 2n) < 2n;
}
