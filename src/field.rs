//! Whether a public key's encoding is a point of the curve, with field
//! arithmetic alone (no group operations): the check ed25519-dalek makes
//! when it decodes a key, for the build without it (the browser's, whose
//! signatures WebCrypto checks). A key that is not a point is refused when
//! the key set is given, in every build alike.
//!
//! Field elements mod `p = 2^255 - 19` in five 51-bit limbs. Variable time:
//! public keys only.

type Fe = [u64; 5];

const MASK: u64 = (1 << 51) - 1;

/// The curve constant `d = -121665 / 121666`, little-endian.
const D: [u8; 32] = [
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
    0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
];

/// `p - 2` (inversion by Fermat), little-endian.
const P_MINUS_2: [u8; 32] = {
    let mut e = [0xff; 32];
    e[0] = 0xeb;
    e[31] = 0x7f;
    e
};

/// `(p - 1) / 2` (Euler's criterion), little-endian.
const HALF_P_MINUS_1: [u8; 32] = {
    let mut e = [0xff; 32];
    e[0] = 0xf6;
    e[31] = 0x3f;
    e
};

fn from_bytes(b: &[u8; 32]) -> Fe {
    let word = |i: usize| {
        let mut w = [0u8; 8];
        for (k, out) in w.iter_mut().enumerate() {
            *out = b.get(i + k).copied().unwrap_or(0);
        }
        u64::from_le_bytes(w)
    };
    [
        word(0) & MASK,
        (word(6) >> 3) & MASK,
        (word(12) >> 6) & MASK,
        (word(19) >> 1) & MASK,
        (word(24) >> 12) & MASK,
    ]
}

/// Carries each limb's excess into the next one (the top limb's excess is
/// kept: `carry` folds it).
fn propagate([mut a, mut b, mut c, mut d, mut e]: Fe) -> Fe {
    b += a >> 51;
    a &= MASK;
    c += b >> 51;
    b &= MASK;
    d += c >> 51;
    c &= MASK;
    e += d >> 51;
    d &= MASK;
    [a, b, c, d, e]
}

fn carry(l: Fe) -> Fe {
    let [mut a, mut b, c, d, mut e] = propagate(l);
    a += 19 * (e >> 51);
    e &= MASK;
    b += a >> 51;
    a &= MASK;
    [a, b, c, d, e]
}

fn mul(a: &Fe, b: &Fe) -> Fe {
    let m = |x: u64, y: u64| u128::from(x) * u128::from(y);
    let [a0, a1, a2, a3, a4] = *a;
    let [b0, b1, b2, b3, b4] = *b;
    let (b1_19, b2_19, b3_19, b4_19) = (b1 * 19, b2 * 19, b3 * 19, b4 * 19);
    let c0 = m(a0, b0) + m(a1, b4_19) + m(a2, b3_19) + m(a3, b2_19) + m(a4, b1_19);
    let mut c1 = m(a0, b1) + m(a1, b0) + m(a2, b4_19) + m(a3, b3_19) + m(a4, b2_19);
    let mut c2 = m(a0, b2) + m(a1, b1) + m(a2, b0) + m(a3, b4_19) + m(a4, b3_19);
    let mut c3 = m(a0, b3) + m(a1, b2) + m(a2, b1) + m(a3, b0) + m(a4, b4_19);
    let mut c4 = m(a0, b4) + m(a1, b3) + m(a2, b2) + m(a3, b1) + m(a4, b0);
    c1 += c0 >> 51;
    c2 += c1 >> 51;
    c3 += c2 >> 51;
    c4 += c3 >> 51;
    let low = |c: u128| (c as u64) & MASK;
    carry([
        low(c0) + 19 * ((c4 >> 51) as u64),
        low(c1),
        low(c2),
        low(c3),
        low(c4),
    ])
}

fn add_small(a: &Fe, n: u64) -> Fe {
    carry([a[0] + n, a[1], a[2], a[3], a[4]])
}

/// `a - 1`, through `a + 2p - 1` (limbs stay positive).
fn minus_one(a: &Fe) -> Fe {
    carry([
        a[0] + 2 * (MASK - 18) - 1,
        a[1] + 2 * MASK,
        a[2] + 2 * MASK,
        a[3] + 2 * MASK,
        a[4] + 2 * MASK,
    ])
}

fn pow(a: &Fe, exponent: &[u8; 32]) -> Fe {
    let mut r: Fe = [1, 0, 0, 0, 0];
    for byte in exponent.iter().rev() {
        for bit in (0..8).rev() {
            r = mul(&r, &r);
            if (byte >> bit) & 1 == 1 {
                r = mul(&r, a);
            }
        }
    }
    r
}

/// The canonical value, reduced below `p`.
fn canonical(a: &Fe) -> Fe {
    let [a0, a1, a2, a3, a4] = carry(carry(*a));
    // q = 1 when the value is p or more.
    let q = [a1, a2, a3, a4]
        .iter()
        .fold((a0 + 19) >> 51, |q, limb| (limb + q) >> 51);
    let [b0, b1, b2, b3, b4] = propagate([a0 + 19 * q, a1, a2, a3, a4]);
    [b0, b1, b2, b3, b4 & MASK]
}

/// Whether the encoding's `y` (sign bit ignored, `y < p`) belongs to a
/// point of the curve: `x² = (y² - 1) / (d·y² + 1)` has a root (Euler's
/// criterion; the denominator never vanishes, `d` being a non-square).
pub(crate) fn is_on_curve(encoding: &[u8; 32]) -> bool {
    let mut y = *encoding;
    if let Some(top) = y.last_mut() {
        *top &= 0x7f;
    }
    let y = from_bytes(&y);
    let y2 = mul(&y, &y);
    let u = minus_one(&y2);
    let v = add_small(&mul(&from_bytes(&D), &y2), 1);
    let ratio = mul(&u, &pow(&v, &P_MINUS_2));
    let legendre = canonical(&pow(&ratio, &HALF_P_MINUS_1));
    legendre == [0; 5] || legendre == [1, 0, 0, 0, 0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::edwards::CompressedEdwardsY;

    #[test]
    fn agrees_with_ed25519_dalek_on_every_y_tried() {
        // A simple generator: xorshift over 32-byte strings.
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut on = 0;
        for i in 0..4000u32 {
            let mut e = [0u8; 32];
            for chunk in e.chunks_mut(8) {
                chunk.copy_from_slice(&next().to_le_bytes());
            }
            if i < 40 {
                // Small y values, 0 and 1 among them.
                e = [0; 32];
                e[0] = i as u8;
            }
            e[31] &= 0x7f;
            if !crate::signature::is_canonical(&e) {
                continue;
            }
            let dalek = CompressedEdwardsY(e).decompress().is_some();
            assert_eq!(is_on_curve(&e), dalek, "{e:02x?}");
            on += usize::from(dalek);
        }
        assert!(on > 1500, "about half of all y are on the curve: {on}");
        let b = curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
        assert!(is_on_curve(&b.compress().to_bytes()));
    }

    #[test]
    fn canonical_reduces_p_and_above() {
        let p = from_bytes(&[
            0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0x7f,
        ]);
        assert_eq!(canonical(&p), [0; 5]);
        assert_eq!(canonical(&add_small(&p, 5)), [5, 0, 0, 0, 0]);
        // 0 - 1 = p - 1.
        assert_eq!(
            canonical(&minus_one(&[0; 5])),
            [MASK - 19, MASK, MASK, MASK, MASK]
        );
    }
}
