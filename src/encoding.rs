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
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let idx = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(
                ALPHABET.get(idx as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    out
}

fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes unpadded base64url strictly.
pub fn decode(text: &str) -> Result<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(Error::BadEncoding {
            detail: format!("{} characters is not a possible length", bytes.len()),
        });
    }
    let mut out = Vec::with_capacity(decoded_len(bytes.len()));
    for (chunk_no, chunk) in bytes.chunks(4).enumerate() {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = value(*c).ok_or_else(|| Error::BadEncoding {
                detail: format!(
                    "character `{}` at position {} is not in the base64url alphabet",
                    char::from(*c).escape_default(),
                    chunk_no * 4 + i
                ),
            })?;
            n |= v << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        let all = n.to_be_bytes();
        let take = all.get(1..1 + produced).unwrap_or(&[]);
        // Bits below the produced bytes must be zero (canonical encoding).
        let spare_mask = match produced {
            1 => 0xFFFF,
            2 => 0xFF,
            _ => 0,
        };
        if n & spare_mask != 0 {
            return Err(Error::BadEncoding {
                detail: "non-zero trailing bits: the text is not canonical".into(),
            });
        }
        out.extend_from_slice(take);
    }
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
    fn round_trips_every_length_up_to_300() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in 0..data.len() {
            let text = encode(&data[..n]);
            assert_eq!(text.len(), encoded_len(n));
            assert_eq!(decode(&text).unwrap(), &data[..n]);
        }
    }
}
