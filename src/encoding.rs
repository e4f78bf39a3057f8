//! Unpadded base64url (RFC 4648 §5), strict: no padding, no whitespace
//! inside, no non-zero trailing bits. Small enough not to need a dependency
//! in the browser build.

use crate::error::{Error, Result};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Length of the encoding of `n` bytes.
pub const fn encoded_len(n: usize) -> usize {
    (n * 4).div_ceil(3)
}

/// Number of bytes `n` characters decode to (an upper bound for invalid lengths).
pub const fn decoded_len(n: usize) -> usize {
    n * 3 / 4
}

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(encoded_len(bytes.len()));
    for chunk in bytes.chunks(3) {
        let (quad, n) = group(chunk);
        out.extend(quad.iter().take(n).map(|&c| char::from(c)));
    }
    out
}

/// Whether `text` is the encoding of `bytes`, without making it (the edge
/// gate asks this of every request's snapshot).
pub fn encodes(bytes: &[u8], text: &str) -> bool {
    let text = text.as_bytes();
    if text.len() != encoded_len(bytes.len()) {
        return false;
    }
    let mut at = 0;
    for chunk in bytes.chunks(3) {
        let (quad, n) = group(chunk);
        if text.get(at..at + n) != quad.get(..n) {
            return false;
        }
        at += n;
    }
    true
}

/// The characters (ASCII) of up to three bytes, and how many there are.
fn group(chunk: &[u8]) -> ([u8; 4], usize) {
    let b = [
        chunk.first().copied().unwrap_or(0),
        chunk.get(1).copied().unwrap_or(0),
        chunk.get(2).copied().unwrap_or(0),
    ];
    let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
    let char_at = |i: u32| {
        ALPHABET
            .get(((n >> (18 - 6 * i)) & 63) as usize)
            .copied()
            .unwrap_or(b'A')
    };
    (
        [char_at(0), char_at(1), char_at(2), char_at(3)],
        chunk.len() + 1,
    )
}

/// Each byte's value in the alphabet, or `NOT_IN_ALPHABET`.
// Indexing in a constant: an index out of range fails the build, never a
// run.
#[allow(clippy::indexing_slicing)]
const VALUES: [u8; 256] = {
    let mut table = [NOT_IN_ALPHABET; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};
const NOT_IN_ALPHABET: u8 = 0xff;

/// Decodes unpadded base64url strictly. One table lookup per character
/// (the browser build is optimised for size, so the loop is kept plain:
/// every load of a snapshot decodes its text).
pub fn decode(text: &str) -> Result<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(Error::BadEncoding {
            detail: format!("{} characters is not a possible length", bytes.len()),
        });
    }
    let mut out = Vec::with_capacity(decoded_len(bytes.len()));
    let mut n = 0u32;
    for (i, c) in bytes.iter().enumerate() {
        let v = VALUES
            .get(usize::from(*c))
            .copied()
            .unwrap_or(NOT_IN_ALPHABET);
        if v == NOT_IN_ALPHABET {
            return Err(Error::BadEncoding {
                detail: format!(
                    "character `{}` at position {i} is not in the base64url alphabet",
                    char::from(*c).escape_default(),
                ),
            });
        }
        n = (n << 6) | u32::from(v);
        if i % 4 == 3 {
            out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
            n = 0;
        }
    }
    // The last 2 or 3 characters: 12 or 18 bits, of which the 4 or 2 below
    // the produced bytes must be zero (canonical encoding).
    let (tail, spare): (&[u8], u32) = match bytes.len() % 4 {
        2 => (&[(n >> 4) as u8], n & 0xf),
        3 => (&[(n >> 10) as u8, (n >> 2) as u8], n & 0x3),
        _ => (&[], 0),
    };
    if spare != 0 {
        return Err(Error::BadEncoding {
            detail: "non-zero trailing bits: the text is not canonical".into(),
        });
    }
    out.extend_from_slice(tail);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_unpadded_urlsafe() {
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff], "-_8"),
        ];
        for (raw, text) in cases {
            assert_eq!(encode(raw), *text);
            assert_eq!(decode(text).unwrap(), *raw);
        }
    }

    #[test]
    fn rejects_padding_bad_chars_bad_length_and_trailing_bits() {
        assert_eq!(decode("Zg==").unwrap_err().code(), "bad_encoding");
        assert_eq!(decode("Zm9v+").unwrap_err().code(), "bad_encoding");
        assert_eq!(decode("Z").unwrap_err().code(), "bad_encoding");
        assert_eq!(
            decode("Zh").unwrap_err().code(),
            "bad_encoding",
            "Zh has stray low bits"
        );
    }

    #[test]
    fn every_character_and_every_tail_is_judged_alone() {
        // Each byte value in each position of a 4-character group and of
        // 2- and 3-character tails: accepted exactly when in the alphabet
        // (and, in a tail's last position, with zero spare bits).
        for c in 0..=255u8 {
            let in_alphabet = ALPHABET.contains(&c);
            for at in 0..4 {
                let mut text = *b"AAAA";
                text[at] = c;
                let text = String::from_utf8_lossy(&text).into_owned();
                assert_eq!(decode(&text).is_ok(), in_alphabet, "{text:?}");
            }
            let v = ALPHABET.iter().position(|a| *a == c);
            let two = String::from_utf8_lossy(&[b'A', c]).into_owned();
            assert_eq!(
                decode(&two).is_ok(),
                v.is_some_and(|v| v & 0xf == 0),
                "{two:?}"
            );
            let three = String::from_utf8_lossy(&[b'A', b'A', c]).into_owned();
            assert_eq!(
                decode(&three).is_ok(),
                v.is_some_and(|v| v & 0x3 == 0),
                "{three:?}"
            );
        }
    }

    #[test]
    fn round_trips_every_length_up_to_300() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in 0..data.len() {
            let text = encode(&data[..n]);
            assert_eq!(text.len(), encoded_len(n));
            assert_eq!(decode(&text).unwrap(), &data[..n]);
        }
    }

    #[test]
    fn encodes_holds_a_text_to_the_encoding_of_bytes_exactly() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 13 + 5) as u8).collect();
        for n in 0..data.len() {
            let text = encode(&data[..n]);
            assert!(encodes(&data[..n], &text));
            assert!(!encodes(&data[..n], &format!("{text}A")));
            if let Some(cut) = text.get(..text.len().saturating_sub(1)).filter(|_| n > 0) {
                assert!(!encodes(&data[..n], cut));
            }
            for at in 0..text.len() {
                let mut other = text.clone().into_bytes();
                other[at] = if other[at] == b'A' { b'B' } else { b'A' };
                assert!(!encodes(&data[..n], std::str::from_utf8(&other).unwrap()));
            }
        }
        // The same length in bytes, not the same text.
        assert!(!encodes(b"ab", "\u{e9}A"));
    }
}
