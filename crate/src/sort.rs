//! One small stable sort for the WebAssembly build.
//!
//! The standard library's sorts are fast and large: every element type and
//! comparison gets its own copy of quicksort or driftsort with sorting
//! networks, and the `.wasm` carried about 60 KB of them at `opt-level = "s"`.
//! What the classifier sorts is short (the hits, features and spans of one
//! block, a verdict's reasons) or sorted once at start-up (a school's extra
//! domains), so in the `.wasm` a plain bottom-up merge sort of indices does.
//! Native builds keep the standard stable sort. Both are stable, so both
//! builds put everything in the same order.

/// Sorts `v` stably by `less` (a strict "comes before").
pub fn sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    #[cfg(not(target_arch = "wasm32"))]
    v.sort_by(|a, b| {
        if less(a, b) {
            std::cmp::Ordering::Less
        } else if less(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    #[cfg(target_arch = "wasm32")]
    merge_sort(v, less);
}

/// Sorts `v` stably by a key.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    #[cfg(not(target_arch = "wasm32"))]
    v.sort_by_key(key);
    #[cfg(target_arch = "wasm32")]
    merge_sort(v, |a, b| key(a) < key(b));
}

/// Bottom-up merge sort of positions, then the permutation applied in place.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn merge_sort<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut next = vec![0u32; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut l, mut r) = (start, mid);
            for slot in &mut next[start..end] {
                // Take from the right run only when it is strictly first:
                // equal elements keep their order.
                let take_right =
                    r < end && (l >= mid || less(&v[order[r] as usize], &v[order[l] as usize]));
                if take_right {
                    *slot = order[r];
                    r += 1;
                } else {
                    *slot = order[l];
                    l += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut order, &mut next);
        width *= 2;
    }
    // Position k must receive the element at `order[k]`: follow each cycle,
    // marking placed positions with their own index.
    for i in 0..n {
        let mut at = i;
        while order[at] as usize != i {
            let from = order[at] as usize;
            v.swap(at, from);
            order[at] = at as u32;
            at = from;
        }
        order[at] = at as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sort_is_stable_and_agrees_with_the_standard_sort() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for n in [0usize, 1, 2, 3, 7, 8, 9, 31, 64, 100, 1000] {
            let v: Vec<(u8, u32)> = (0..n as u32)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ((seed % 5) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            merge_sort(&mut ours, |a, b| a.0 < b.0);
            let mut std_sorted = v.clone();
            std_sorted.sort_by_key(|x| x.0);
            assert_eq!(ours, std_sorted, "n = {n}");
            let mut strings: Vec<String> =
                v.iter().map(|x| format!("{}-{}", x.0, x.1 % 3)).collect();
            let mut expected = strings.clone();
            expected.sort();
            merge_sort(&mut strings, |a, b| a < b);
            assert_eq!(strings, expected);
        }
    }
}
