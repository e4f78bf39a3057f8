//! Strict Ed25519 signature checks, in every build the same.
//!
//! permsnap accepts a signature only under `verify_strict` semantics
//! (ed25519-dalek): the scalar `S` canonical (`S < L`), neither the key `A`
//! nor the commitment `R` of small order, the exact bytes signed. The rules
//! that need no curve arithmetic are checked here, on the encodings, before
//! any signature check. The curve equation itself is then checked either in
//! wasm by ed25519-dalek (feature `ed25519`: servers, edges, Node) or by the
//! platform's WebCrypto Ed25519 (the browser's small core, without the
//! curve code: `lean`). Platforms agree with `verify_strict` once
//! these rules hold: each compares the recomputed `R` with the given bytes
//! (cofactorless), which a mixed-order key or `R` could only make differ for
//! signatures the key's own holder crafted.
//!
//! Where the curve code is, [`verify`] checks the equation itself, exactly
//! as `verify_strict` does once those rules hold (`R` is never decoded: the
//! recomputed `R` must equal its bytes), one square root less per signature.

use crate::error::{Error, Result};
use crate::wire::SIGNATURE_LEN;

/// The order of the base point, `L = 2^252 + 27742317777372353535851937790883648493`,
/// little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The field prime `p = 2^255 - 19`, little-endian.
const P: [u8; 32] = [
    0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
];

/// The `y` coordinates (sign bit cleared) of every point of small order,
/// canonical or not: the identity (1), the point of order 2 (p - 1), the
/// two of order 4 (0), the four of order 8 (two `y`s), and the
/// non-canonical `p` (= 0) and `p + 1` (= 1). The list libsodium checks.
const SMALL_ORDER_Y: [[u8; 32]; 7] = [
    [0; 32],
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    P,
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

/// `a < b` for little-endian 256-bit numbers.
fn less_than(a: &[u8; 32], b: &[u8; 32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// The `y` coordinate of a point encoding: its sign bit cleared.
fn y_of(encoding: &[u8; 32]) -> [u8; 32] {
    let mut y = *encoding;
    if let Some(top) = y.last_mut() {
        *top &= 0x7f;
    }
    y
}

/// Whether the encoding names a point of small order (under any sign bit,
/// canonical or not).
pub(crate) fn is_small_order(encoding: &[u8; 32]) -> bool {
    let y = y_of(encoding);
    SMALL_ORDER_Y.contains(&y)
}

/// Whether the encoding's `y` is reduced (`y < p`). Non-canonical
/// encodings are refused: a key or `R` has exactly one encoding.
pub(crate) fn is_canonical(encoding: &[u8; 32]) -> bool {
    less_than(&y_of(encoding), &P)
}

/// A key's point where the curve code is (its negation is what the
/// verification equation adds); nothing in the build without it.
#[cfg(feature = "ed25519")]
pub(crate) type KeyPoint = curve25519_dalek::EdwardsPoint;
/// A key's point where the curve code is; nothing in the build without it.
#[cfg(not(feature = "ed25519"))]
pub(crate) type KeyPoint = ();

/// A public key's point, or why the key is refused: non-canonical, not a
/// point of the curve, or small-order. Where the curve code is, decoding
/// the point is the on-curve check; without it, `field` checks it with
/// field arithmetic alone (and agrees, tested on 4,000 encodings).
pub(crate) fn key_point(key: &[u8; 32]) -> core::result::Result<KeyPoint, &'static str> {
    if !is_canonical(key) {
        return Err("is not a canonical Ed25519 encoding");
    }
    #[cfg(feature = "ed25519")]
    let point = curve25519_dalek::edwards::CompressedEdwardsY(*key).decompress();
    #[cfg(not(feature = "ed25519"))]
    let point = crate::field::is_on_curve(key).then_some(());
    match point {
        None => Err("is not a valid Ed25519 point"),
        Some(_) if is_small_order(key) => Err("is a weak (small-order) key"),
        Some(point) => Ok(point),
    }
}

/// The rules of a signature that need no curve arithmetic: `R` canonical
/// and not of small order, `S` canonical. A signature that breaks one is
/// refused (`bad_signature`) before any curve arithmetic, in every build.
pub(crate) fn check_shape(signature: &[u8; SIGNATURE_LEN]) -> Result<()> {
    let (r, s) = signature.split_at(32);
    let (Ok(r), Ok(s)) = (<&[u8; 32]>::try_from(r), <&[u8; 32]>::try_from(s)) else {
        return Err(Error::BadSignature);
    };
    if !is_canonical(r) || is_small_order(r) || !less_than(s, &L) {
        return Err(Error::BadSignature);
    }
    Ok(())
}

/// The verification equation, cofactorless: `[S]B - [k]A` encodes to the
/// signature's `R` bytes, `k = SHA-512(R | A | message) mod L`. For a key
/// that passed [`key_point`] (`key` holds its point, negated) and a
/// signature that passed [`check_shape`].
#[cfg(feature = "ed25519")]
pub(crate) fn verify(
    key: &crate::keytable::KeyTable,
    key_bytes: &[u8; 32],
    message: &[u8],
    signature: &[u8; SIGNATURE_LEN],
) -> bool {
    use curve25519_dalek::Scalar;
    use sha2::{Digest, Sha512};
    let (r, s) = signature.split_at(32);
    let Ok(s) = <[u8; 32]>::try_from(s) else {
        return false;
    };
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
        return false;
    };
    let mut h = Sha512::new();
    h.update(r);
    h.update(key_bytes);
    h.update(message);
    let mut wide = [0u8; 64];
    for (w, d) in wide.iter_mut().zip(h.finalize().iter()) {
        *w = *d;
    }
    let k = Scalar::from_bytes_mod_order_wide(&wide);
    key.combine(&k, &s).compress().as_bytes() == r
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;
    use curve25519_dalek::edwards::CompressedEdwardsY;

    #[test]
    fn every_small_order_point_is_listed_and_no_other() {
        for point in EIGHT_TORSION {
            assert!(is_small_order(&point.compress().to_bytes()));
        }
        // Every listed encoding, under both sign bits, that decodes at all
        // is of small order by the curve arithmetic too.
        for y in SMALL_ORDER_Y {
            for sign in [0u8, 0x80] {
                let mut e = y;
                e[31] |= sign;
                if let Some(p) = CompressedEdwardsY(e).decompress() {
                    assert!(p.is_small_order(), "{e:02x?}");
                }
            }
        }
        // Points of large order are not.
        let mut point = curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
        for _ in 0..64 {
            assert!(!is_small_order(&point.compress().to_bytes()));
            point = point + point + curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
        }
    }

    #[test]
    fn canonical_bounds() {
        assert!(!is_canonical(&P));
        let mut below = P;
        below[0] -= 1;
        assert!(is_canonical(&below));
        // The sign bit is not part of y.
        let mut signed = below;
        signed[31] |= 0x80;
        assert!(is_canonical(&signed));
        assert!(!less_than(&L, &L));
        let mut l1 = L;
        l1[0] -= 1;
        assert!(less_than(&l1, &L));
    }

    #[test]
    fn shape_refuses_what_verify_strict_refuses() {
        let good = {
            let mut s = [0u8; 64];
            s[..32].copy_from_slice(
                &curve25519_dalek::constants::ED25519_BASEPOINT_POINT
                    .compress()
                    .to_bytes(),
            );
            s[32] = 1;
            s
        };
        assert!(check_shape(&good).is_ok());
        let mut s_is_l = good;
        s_is_l[32..].copy_from_slice(&L);
        assert_eq!(check_shape(&s_is_l), Err(Error::BadSignature));
        let mut r_small = good;
        r_small[..32].copy_from_slice(&EIGHT_TORSION[3].compress().to_bytes());
        assert_eq!(check_shape(&r_small), Err(Error::BadSignature));
        let mut r_noncanonical = good;
        r_noncanonical[..32].copy_from_slice(&SMALL_ORDER_Y[6]);
        assert_eq!(check_shape(&r_noncanonical), Err(Error::BadSignature));
    }

    #[cfg(feature = "ed25519")]
    /// Ours: the rules, then the equation; as a keyring would. The
    /// equation is checked twice, through the double-and-add chain of a new
    /// key and through the table of a key used many times, which must
    /// agree.
    fn ours(key: &[u8; 32], message: &[u8], sig: &[u8; 64]) -> bool {
        use crate::keytable::KeyTable;
        let Ok(point) = key_point(key) else {
            return false;
        };
        if check_shape(sig).is_err() {
            return false;
        }
        let (fresh, used) = (KeyTable::new(-point), KeyTable::new(-point));
        used.table();
        let by_chain = verify(&fresh, key, message, sig);
        assert!(!fresh.is_built() && used.is_built());
        assert_eq!(
            verify(&used, key, message, sig),
            by_chain,
            "table and chain differ"
        );
        by_chain
    }

    #[cfg(feature = "ed25519")]
    /// ed25519-dalek's `verify_strict`, the reference.
    fn dalek(key: &[u8; 32], message: &[u8], sig: &[u8; 64]) -> bool {
        ed25519_dalek::VerifyingKey::from_bytes(key).is_ok_and(|vk| {
            vk.verify_strict(message, &ed25519_dalek::Signature::from_bytes(sig))
                .is_ok()
        })
    }

    #[cfg(feature = "ed25519")]
    fn rng(seed: u64) -> impl FnMut() -> [u8; 32] {
        let mut s = seed;
        move || {
            let mut out = [0u8; 32];
            for chunk in out.chunks_mut(8) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                chunk.copy_from_slice(&s.to_le_bytes());
            }
            out
        }
    }

    #[cfg(feature = "ed25519")]
    #[test]
    fn the_equation_answers_as_verify_strict() {
        use ed25519_dalek::Signer;
        let mut next = rng(0x51ed_2551_9e37_79b9);
        let mut valid = 0;
        for round in 0..8 {
            let signer = ed25519_dalek::SigningKey::from_bytes(&next());
            let key = signer.verifying_key().to_bytes();
            let message = next()[..(round % 32)].to_vec();
            let sig = signer.sign(&message).to_bytes();
            assert!(ours(&key, &message, &sig) && dalek(&key, &message, &sig));
            valid += 1;
            // Every bit of the signature, and of the message, flipped.
            for bit in 0..512 {
                let mut bad = sig;
                bad[bit / 8] ^= 1 << (bit % 8);
                assert_eq!(
                    ours(&key, &message, &bad),
                    dalek(&key, &message, &bad),
                    "bit {bit}"
                );
            }
            if let Some(first) = message.first() {
                let mut m = message.clone();
                m[0] = first ^ 1;
                assert!(!ours(&key, &m, &sig) && !dalek(&key, &m, &sig));
            }
            // S + L: the same equation, a non-canonical scalar.
            let mut malleable = sig;
            let mut carry = 0u16;
            for i in 0..32 {
                let v = u16::from(malleable[32 + i]) + u16::from(L[i]) + carry;
                malleable[32 + i] = v as u8;
                carry = v >> 8;
            }
            assert!(!ours(&key, &message, &malleable) && !dalek(&key, &message, &malleable));
        }
        assert_eq!(valid, 8);
    }

    #[cfg(feature = "ed25519")]
    #[test]
    fn mixed_order_keys_and_torsion_in_r_answer_as_verify_strict() {
        use curve25519_dalek::constants::ED25519_BASEPOINT_POINT as B;
        use curve25519_dalek::Scalar;
        use sha2::{Digest, Sha512};
        let mut next = rng(0x0123_4567_89ab_cdef);
        let (mut agreed_valid, mut agreed_invalid) = (0, 0);
        for (t, torsion) in EIGHT_TORSION.iter().enumerate().skip(1) {
            let a = Scalar::from_bytes_mod_order(next());
            // A key with a torsion component: a·B + T.
            let key = (B * a + torsion).compress().to_bytes();
            for m in 0..16u8 {
                let message = [m, t as u8];
                let r = Scalar::from_bytes_mod_order(next());
                // R with a torsion component too, every other time.
                let big_r = B * r
                    + if m % 2 == 0 {
                        EIGHT_TORSION[0]
                    } else {
                        *torsion
                    };
                let r_bytes = big_r.compress().to_bytes();
                let mut h = Sha512::new();
                h.update(r_bytes);
                h.update(key);
                h.update(message);
                let mut wide = [0u8; 64];
                wide.copy_from_slice(&h.finalize());
                let k = Scalar::from_bytes_mod_order_wide(&wide);
                let s = r + k * a;
                let mut sig = [0u8; 64];
                sig[..32].copy_from_slice(&r_bytes);
                sig[32..].copy_from_slice(s.as_bytes());
                let (o, d) = (ours(&key, &message, &sig), dalek(&key, &message, &sig));
                assert_eq!(o, d, "torsion {t}, message {m}");
                if o {
                    agreed_valid += 1;
                } else {
                    agreed_invalid += 1;
                }
            }
        }
        // Cofactorless: valid only when the torsion parts cancel.
        assert!(
            agreed_valid > 0 && agreed_invalid > 0,
            "{agreed_valid} / {agreed_invalid}"
        );
    }
}
