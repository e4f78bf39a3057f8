//! The one reader of the binary payloads (snapshot claims, compiled
//! catalogs, revocation notices, feed heads, step-up proofs, id lists).
//!
//! They are written by serde with postcard (`postcard::to_allocvec`) and
//! read here by hand, strictly: each value has exactly one accepted
//! encoding. Varints are in their shortest form and in range, booleans and
//! option tags are 0 or 1, text is UTF-8, and nothing may follow the value.
//! So two byte strings never decode to one value, without re-encoding what
//! was read to compare it. No serde deserializer reaches a verifier's
//! build: its generic code was the largest part of the browser's download.
//! The tests hold this reader to postcard's decoder followed by a
//! re-encoding check, on every vector and on mutations of them.

use crate::model::bits::Bits;
use crate::model::def::{IdListRef, Redact, Scope};

/// Why bytes do not decode (said in the error's detail).
pub(crate) type Bad = &'static str;

/// A cursor over a payload.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

/// Reads all of `bytes` with `read`: bytes left after the value are an
/// error.
pub(crate) fn read_all<'a, T>(
    bytes: &'a [u8],
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, Bad>,
) -> Result<T, Bad> {
    let mut r = Reader::new(bytes);
    let value = read(&mut r)?;
    if !r.rest.is_empty() {
        return Err("bytes follow its end");
    }
    Ok(value)
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// What is left to read.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Bad> {
        if n > self.rest.len() {
            return Err("it ends early");
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    /// One byte (postcard's `u8`).
    pub(crate) fn u8(&mut self) -> Result<u8, Bad> {
        let (first, rest) = self.rest.split_first().ok_or("it ends early")?;
        self.rest = rest;
        Ok(*first)
    }

    /// `N` raw bytes (postcard's `[u8; N]`).
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Bad> {
        // (`try_into`, not `copy_from_slice`: no panic path to link.)
        self.take(N)?.try_into().map_err(|_| "it ends early")
    }

    /// An unsigned varint (LEB128) of at most `max`, in its shortest form.
    fn varint(&mut self, max: u64) -> Result<u64, Bad> {
        let mut value = 0u64;
        let mut shift = 0u32;
        loop {
            let byte = self.u8()?;
            let part = u64::from(byte & 0x7f);
            // A 10th byte may only carry the top bit of a u64.
            if shift == 63 && part > 1 {
                return Err("a number out of range");
            }
            value |= part << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    return Err("a number with extra bytes (not its shortest form)");
                }
                return if value > max {
                    Err("a number out of range")
                } else {
                    Ok(value)
                };
            }
            shift += 7;
            if shift > 63 {
                return Err("a number out of range");
            }
        }
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Bad> {
        Ok(self.varint(u64::from(u16::MAX))? as u16)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Bad> {
        Ok(self.varint(u64::from(u32::MAX))? as u32)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Bad> {
        self.varint(u64::MAX)
    }

    /// A length (of a sequence or text), checked against what is left: an
    /// announced length can never allocate more than the input's size.
    pub(crate) fn len(&mut self) -> Result<usize, Bad> {
        let n = self.varint(u64::from(u32::MAX))? as usize;
        if n > self.rest.len() {
            return Err("it ends early");
        }
        Ok(n)
    }

    pub(crate) fn bool(&mut self) -> Result<bool, Bad> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err("a boolean that is neither 0 nor 1"),
        }
    }

    /// A length-prefixed byte string (postcard's `Vec<u8>`).
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], Bad> {
        let n = self.len()?;
        self.take(n)
    }

    /// Text (UTF-8), read in place.
    pub(crate) fn text(&mut self) -> Result<&'a str, Bad> {
        core::str::from_utf8(self.bytes()?).map_err(|_| "text that is not UTF-8")
    }

    pub(crate) fn string(&mut self) -> Result<String, Bad> {
        self.text().map(String::from)
    }

    pub(crate) fn option<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, Bad>,
    ) -> Result<Option<T>, Bad> {
        match self.u8()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            _ => Err("an option tag that is neither 0 nor 1"),
        }
    }

    /// A sequence. Every element takes at least one byte, which `len`
    /// checked; room is reserved for at most `reserve::<T>(n)` of them up
    /// front, the rest as they are read.
    pub(crate) fn seq<T>(
        &mut self,
        mut read: impl FnMut(&mut Self) -> Result<T, Bad>,
    ) -> Result<Vec<T>, Bad> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(reserve::<T>(n));
        for _ in 0..n {
            out.push(read(self)?);
        }
        Ok(out)
    }

    /// An enum's variant index, below `count`.
    pub(crate) fn variant(&mut self, count: u32) -> Result<u32, Bad> {
        let v = self.u32()?;
        if v >= count {
            return Err("an unknown variant");
        }
        Ok(v)
    }

    /// A bitset (its bytes, as `Bits` serializes).
    pub(crate) fn bits(&mut self) -> Result<Bits, Bad> {
        Ok(Bits::from_bytes(self.bytes()?.to_vec()))
    }

    /// A scope (`Scope`'s variants in declaration order).
    pub(crate) fn scope(&mut self) -> Result<Scope, Bad> {
        Ok(match self.variant(6)? {
            0 => Scope::None,
            1 => Scope::Own,
            2 => Scope::Assigned,
            3 => Scope::Specific(self.seq(Self::string)?),
            4 => Scope::All,
            _ => Scope::Listed(IdListRef {
                count: self.u32()?,
                digest: self.array()?,
            }),
        })
    }

    /// How a field is redacted (`Redact`'s variants in declaration order).
    pub(crate) fn redact(&mut self) -> Result<Redact, Bad> {
        Ok(match self.variant(2)? {
            0 => Redact::Remove,
            _ => Redact::Mask(self.string()?),
        })
    }
}

/// How many elements of an announced sequence of `n` to make room for
/// before reading them: at most 4 KiB worth. An element takes one byte in
/// the input but may take a hundred in memory, and nested sequences each
/// reserve before any element fails: a hostile catalog (unsigned, and of
/// any size) announcing a million entries at each level would otherwise
/// have a verifier allocate over a hundred times its size.
fn reserve<T>(n: usize) -> usize {
    n.min(4096 / core::mem::size_of::<T>().max(1))
}

/// The oracle the reader is held to: postcard's decoder, then the value
/// re-encoded to exactly the bytes read.
#[cfg(test)]
pub(crate) fn oracle<T>(bytes: &[u8]) -> Option<T>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) if postcard::to_allocvec(&value).is_ok_and(|v| v == bytes) => Some(value),
        _ => None,
    }
}

/// Mutations of `bytes` for the differential tests: every byte changed to
/// a few values, bytes removed and inserted, and the input cut short.
#[cfg(test)]
pub(crate) fn mutations(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..bytes.len() {
        for v in [
            0x00,
            0x01,
            0x02,
            0x7f,
            0x80,
            0xff,
            bytes[i] ^ 0x01,
            bytes[i] | 0x80,
        ] {
            let mut m = bytes.to_vec();
            m[i] = v;
            out.push(m);
        }
        let mut removed = bytes.to_vec();
        removed.remove(i);
        out.push(removed);
        for v in [0x00, 0x80, 0x01] {
            let mut inserted = bytes.to_vec();
            inserted.insert(i, v);
            out.push(inserted);
        }
        out.push(bytes[..i].to_vec());
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    out.push(longer);
    out
}

/// Holds `read` to the oracle on `bytes` and on every mutation of it, and
/// checks that `bytes` itself reads when it `must_read`.
#[cfg(test)]
pub(crate) fn differential<T>(
    bytes: &[u8],
    must_read: bool,
    read: fn(&mut Reader) -> Result<T, Bad>,
) where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + core::fmt::Debug,
{
    assert!(!must_read || read_all(bytes, read).is_ok(), "{bytes:02x?}");
    for m in mutations(bytes).iter().chain([&bytes.to_vec()]) {
        assert_eq!(read_all(m, read).ok(), oracle::<T>(m), "{m:02x?}");
    }
}

/// The test vectors (vectors/vectors.json).
#[cfg(test)]
pub(crate) fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("../../vectors/vectors.json")).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte string up to 3 bytes, and random longer ones: the reader
    /// accepts exactly what postcard accepts in canonical form, with the
    /// same value.
    fn same_as_postcard<T>(read: fn(&mut Reader) -> Result<T, Bad>)
    where
        T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + core::fmt::Debug,
    {
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for a in 0..=255u8 {
            inputs.push(vec![a]);
            for b in 0..=255u8 {
                inputs.push(vec![a, b]);
                inputs.push(vec![a | 0x80, b | 0x80, 0x01]);
                inputs.push(vec![a | 0x80, b, 0x00]);
            }
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in 3..=11 {
            for _ in 0..4000 {
                let mut bytes = Vec::new();
                for i in 0..len {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let b = state as u8;
                    bytes.push(if i + 1 < len { b | 0x80 } else { b & 0x7f });
                }
                inputs.push(bytes);
            }
        }
        for (k, i) in [u64::MAX, u64::from(u32::MAX), u64::from(u16::MAX), 1 << 63]
            .iter()
            .flat_map(|v| [*v, v - 1, v.wrapping_add(1)])
            .enumerate()
        {
            let mut bytes = postcard::to_allocvec(&i).unwrap();
            if k % 2 == 0 {
                bytes.push(0);
            }
            inputs.push(bytes);
        }
        for bytes in &inputs {
            let ours = read_all(bytes, read).ok();
            assert_eq!(ours, oracle::<T>(bytes), "{bytes:02x?}");
        }
    }

    #[test]
    fn varints_are_postcards_canonical_ones() {
        same_as_postcard::<u16>(|r| r.u16());
        same_as_postcard::<u32>(|r| r.u32());
        same_as_postcard::<u64>(|r| r.u64());
        same_as_postcard::<bool>(|r| r.bool());
        same_as_postcard::<Option<u8>>(|r| r.option(|r| r.u8()));
    }

    #[test]
    fn text_sequences_and_enums_are_postcards_canonical_ones() {
        let scopes = [
            Scope::None,
            Scope::Own,
            Scope::Assigned,
            Scope::Specific(vec!["a".into(), "é".into(), String::new()]),
            Scope::All,
            Scope::Listed(IdListRef {
                count: 300,
                digest: [7; 16],
            }),
        ];
        for scope in &scopes {
            let bytes = postcard::to_allocvec(scope).unwrap();
            assert_eq!(read_all(&bytes, Reader::scope).as_ref(), Ok(scope));
            for m in mutations(&bytes) {
                assert_eq!(
                    read_all(&m, Reader::scope).ok(),
                    oracle::<Scope>(&m),
                    "{m:02x?}"
                );
            }
        }
        for redact in [Redact::Remove, Redact::Mask("•••".into())] {
            let bytes = postcard::to_allocvec(&redact).unwrap();
            for m in mutations(&bytes).into_iter().chain([bytes]) {
                assert_eq!(read_all(&m, Reader::redact).ok(), oracle::<Redact>(&m));
            }
        }
        let texts: Vec<String> = vec!["staff".into(), "ü".repeat(70), String::new()];
        let bytes = postcard::to_allocvec(&texts).unwrap();
        for m in mutations(&bytes).into_iter().chain([bytes]) {
            let ours = read_all(&m, |r| r.seq(Reader::string)).ok();
            assert_eq!(ours, oracle::<Vec<String>>(&m), "{m:02x?}");
        }
        // Invalid UTF-8 and a length past the end.
        assert_eq!(
            read_all(&[2, 0xc3, 0x28], Reader::string),
            Err("text that is not UTF-8")
        );
        assert_eq!(
            read_all(&[0xff, 0xff, 0x03], Reader::string),
            Err("it ends early")
        );
    }

    #[test]
    fn room_is_reserved_for_at_most_4_kib_of_an_announced_sequence() {
        assert_eq!(reserve::<u8>(100), 100);
        assert_eq!(reserve::<u8>(1 << 20), 4096);
        assert_eq!(
            reserve::<String>(1 << 20),
            4096 / core::mem::size_of::<String>()
        );
        assert_eq!(reserve::<()>(1 << 20), 4096);
        // A sequence longer than what is reserved still reads whole.
        let long: Vec<u16> = (0..5000).collect();
        let bytes = postcard::to_allocvec(&long).unwrap();
        assert_eq!(read_all(&bytes, |r| r.seq(|r| r.u16())), Ok(long));
    }

    #[test]
    fn a_huge_announced_length_allocates_nothing() {
        // u32::MAX elements announced in 5 bytes: refused before any
        // allocation, as every element takes at least one byte.
        let bytes = [0xff, 0xff, 0xff, 0xff, 0x0f];
        assert_eq!(
            read_all(&bytes, |r| r.seq(Reader::u8)),
            Err("it ends early")
        );
    }
}
