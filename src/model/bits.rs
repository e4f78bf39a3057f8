//! A small growable bitset, serialized as its bytes (bit `i` is bit `i % 8` of
//! byte `i / 8`), with trailing zero bytes trimmed so that equal sets encode
//! to equal bytes.

use serde::{Deserialize, Serialize};

/// A set of small integers (permission, field or application indexes).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bits(Vec<u8>);

impl Bits {
    /// The empty set.
    pub fn new() -> Self {
        Bits(Vec::new())
    }

    /// A set from its raw bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Bits(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether `i` is in the set.
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.0
            .get(i / 8)
            .is_some_and(|byte| byte & (1 << (i % 8)) != 0)
    }

    /// Adds `i` to the set.
    pub fn set(&mut self, i: usize) {
        let at = i / 8;
        if self.0.len() <= at {
            self.0.resize(at + 1, 0);
        }
        if let Some(byte) = self.0.get_mut(at) {
            *byte |= 1 << (i % 8);
        }
    }

    /// Removes `i` from the set.
    pub fn clear(&mut self, i: usize) {
        if let Some(byte) = self.0.get_mut(i / 8) {
            *byte &= !(1 << (i % 8));
        }
        self.trim();
    }

    /// Drops trailing zero bytes (the canonical form).
    pub fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    /// Whether the bytes are canonical (no trailing zero byte).
    pub fn is_canonical(&self) -> bool {
        self.0.last() != Some(&0)
    }

    /// The members, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(at, byte)| {
            (0..8).filter_map(move |bit| (byte & (1 << bit) != 0).then_some(at * 8 + bit))
        })
    }

    /// Whether no member is `>= len`.
    pub fn fits(&self, len: usize) -> bool {
        self.iter().all(|i| i < len)
    }

    /// The members below `len` (canonical).
    pub fn truncated(&self, len: usize) -> Bits {
        let mut b: Bits = self.iter().take_while(|i| *i < len).collect();
        b.trim();
        b
    }

    /// The members in exactly one of `self` and `other` (canonical).
    pub fn xor(&self, other: &Bits) -> Bits {
        let len = self.0.len().max(other.0.len());
        let mut out: Vec<u8> = (0..len)
            .map(|i| self.0.get(i).copied().unwrap_or(0) ^ other.0.get(i).copied().unwrap_or(0))
            .collect();
        while out.last() == Some(&0) {
            out.pop();
        }
        Bits(out)
    }

    /// Whether every member of `other` is in `self`.
    pub fn contains_all(&self, other: &Bits) -> bool {
        other.iter().all(|i| self.get(i))
    }

    /// Adds every member of `other`.
    pub fn union_with(&mut self, other: &Bits) {
        for i in other.iter() {
            self.set(i);
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|b| *b == 0)
    }
}

impl FromIterator<usize> for Bits {
    fn from_iter<T: IntoIterator<Item = usize>>(iter: T) -> Self {
        let mut bits = Bits::new();
        for i in iter {
            bits.set(i);
        }
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_clear_and_canonical_bytes() {
        let mut b = Bits::new();
        b.set(0);
        b.set(9);
        b.set(17);
        assert_eq!(b.as_bytes(), &[0b0000_0001, 0b0000_0010, 0b0000_0010]);
        assert!(b.get(9) && !b.get(8) && !b.get(1000));
        b.clear(17);
        assert_eq!(b.as_bytes(), &[1, 2], "trailing zero byte trimmed");
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![0, 9]);
        assert!(b.fits(10) && !b.fits(9));
        assert!(!Bits::from_bytes(vec![1, 0]).is_canonical());
    }
}
