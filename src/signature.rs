//! Strict Ed25519 signature checks, in every build the same.
//!
//! permsnap accepts a signature only under `verify_strict` semantics
//! (ed25519-dalek): the scalar `S` canonical (`S < L`), neither the key `A`
//! nor the commitment `R` of small order, the exact bytes signed. The rules
//! that need no curve arithmetic are checked here, on the encodings, before
//! any signature check. The curve equation itself is then checked either in
//! wasm by ed25519-dalek (feature `ed25519`: servers, edges, Node) or by the
//! platform's WebCrypto Ed25519 (the browser build, without the curve code):
//! see `Keyring::attest`. Platforms agree with `verify_strict` once
//! these rules hold: each compares the recomputed `R` with the given bytes
//! (cofactorless), which a mixed-order key or `R` could only make differ for
//! signatures the key's own holder crafted.

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

/// Why a public key is refused, if it is: non-canonical, not a point of
/// the curve, or small-order. (Where ed25519-dalek is, it decodes the key
/// too, which checks the point again.)
pub(crate) fn key_problem(key: &[u8; 32]) -> Option<&'static str> {
    if !is_canonical(key) {
        Some("is not a canonical Ed25519 encoding")
    } else if !crate::field::is_on_curve(key) {
        Some("is not a valid Ed25519 point")
    } else if is_small_order(key) {
        Some("is a weak (small-order) key")
    } else {
        None
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
}
