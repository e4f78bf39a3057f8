//! A small in-place sort for the few lists sorted when a catalog or a key
//! set is loaded (name indexes, key ids). Heapsort: O(n log n), no
//! allocation, and a few hundred bytes of wasm per element type, where the
//! standard library's sorts take kilobytes each (the browser build ships
//! this; its size is a budget).

/// Sorts `v` so that no element is `less` than the one before it (not
/// stable).
pub(crate) fn sort_by<T>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n, &mut less);
    }
    for end in (1..n).rev() {
        swap(v, 0, end);
        sift_down(v, 0, end, &mut less);
    }
}

/// Restores the heap below `root` within `v[..end]`.
fn sift_down<T>(v: &mut [T], mut root: usize, end: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less_at(v, child, child + 1, less) {
            child += 1;
        }
        if !less_at(v, root, child, less) {
            return;
        }
        swap(v, root, child);
        root = child;
    }
}

/// `v.swap(a, b)` where both are in range (they always are here): no
/// panic path, whose message would link integer formatting into the
/// browser build.
fn swap<T>(v: &mut [T], a: usize, b: usize) {
    if a < v.len() && b < v.len() {
        v.swap(a, b);
    }
}

fn less_at<T>(v: &[T], a: usize, b: usize, less: &mut impl FnMut(&T, &T) -> bool) -> bool {
    match (v.get(a), v.get(b)) {
        (Some(x), Some(y)) => less(x, y),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_as_the_standard_library_does() {
        let mut s: u64 = 0x2545_f491_4f6c_dd1d;
        for n in 0..200usize {
            let mut v: Vec<(u64, u32)> = (0..n)
                .map(|i| {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    (s % 17, i as u32) // repeats among the keys
                })
                .collect();
            let mut expected: Vec<u64> = v.iter().map(|p| p.0).collect();
            expected.sort_unstable();
            super::sort_by(&mut v, |a, b| a.0 < b.0);
            assert_eq!(
                v.iter().map(|p| p.0).collect::<Vec<_>>(),
                expected,
                "n = {n}"
            );
        }
    }
}
