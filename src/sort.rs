//! One stable sort for the page's code.
//!
//! `slice::sort_by` is generic: every element type and comparator gets its own copy of the
//! standard library's sorting code, about 3 KB of wasm each, and the page sorted seven kinds of
//! things. [`sort_by`] sorts positions instead, with the comparator behind `dyn`, so the page
//! carries the sorting code once; each caller only adds the few lines that put the elements in
//! the order found. The positions are sorted by a plain merge sort rather than the standard
//! library's (4 KB of wasm even once): the inputs are small (at most a few tens of thousands of
//! elements per frame, most often already in order, which is checked first), so neither the
//! indirect calls nor the simpler algorithm cost anything a reader would see.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal elements in their order (like `slice::sort_by`).
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = order_by(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// The positions `0..n` in the order `cmp` puts them, ties in their order: a bottom-up merge
/// sort, runs of 1, 2, 4, … merged pairwise, after a check for input already in order.
#[inline(never)]
fn order_by(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if (1..n).all(|i| cmp(i - 1, i) != Ordering::Greater) {
        return order;
    }
    let mut merged = vec![0; n];
    let mut width = 1;
    while width < n {
        for start in (0..n).step_by(2 * width) {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right) = (start, mid);
            for slot in &mut merged[start..end] {
                // The left run's head goes first unless the right one's is strictly smaller:
                // that keeps ties in their order.
                let take_left = right == end
                    || (left < mid && cmp(order[right], order[left]) != Ordering::Less);
                if take_left {
                    *slot = order[left];
                    left += 1;
                } else {
                    *slot = order[right];
                    right += 1;
                }
            }
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_sorts_as_the_standard_library_does_ties_kept_in_order() {
        let mut seed = 7u32;
        let mut v: Vec<(u32, u32)> = (0..500)
            .map(|i| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                ((seed >> 16) % 20, i)
            })
            .collect();
        let mut expected = v.clone();
        expected.sort_by_key(|a| a.0);
        sort_by(&mut v, |a, b| a.0.cmp(&b.0));
        assert_eq!(v, expected);
    }

    #[test]
    fn every_length_and_shape_sorts_as_the_standard_library_does() {
        let mut seed = 11u32;
        for n in 0..130 {
            let random: Vec<(u32, usize)> = (0..n)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((seed >> 16) % 7, i)
                })
                .collect();
            let ascending: Vec<(u32, usize)> = (0..n).map(|i| (i as u32 / 3, i)).collect();
            let descending: Vec<(u32, usize)> = (0..n).map(|i| ((n - i) as u32 / 2, i)).collect();
            for mut v in [random, ascending, descending] {
                let mut expected = v.clone();
                expected.sort_by_key(|a| a.0);
                sort_by(&mut v, |a, b| a.0.cmp(&b.0));
                assert_eq!(v, expected, "n = {n}");
            }
        }
    }

    #[test]
    fn empty_and_single_vectors_are_left_as_they_are() {
        let mut empty: Vec<f64> = Vec::new();
        sort_by(&mut empty, f64::total_cmp);
        assert!(empty.is_empty());
        let mut one = vec![String::from("x")];
        sort_by(&mut one, |a, b| a.cmp(b));
        assert_eq!(one, ["x"]);
    }
}
