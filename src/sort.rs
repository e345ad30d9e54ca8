//! One stable sort for the page's code.
//!
//! `slice::sort_by` is generic: every element type and comparator gets its own copy of the
//! standard library's sorting code, about 3 KB of wasm each, and the page sorted seven kinds of
//! things. [`sort_by`] sorts positions instead, with the comparator behind `dyn`, so the page
//! carries the sorting code once; each caller only adds the few lines that put the elements in
//! the order found. The inputs are small (at most a few tens of thousands of elements per frame),
//! so the indirect calls cost nothing a reader would see.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal elements in their order (like `slice::sort_by`).
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = order_by(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// The positions `0..n` in the order `cmp` puts them, ties in their order.
#[inline(never)]
fn order_by(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
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
    fn empty_and_single_vectors_are_left_as_they_are() {
        let mut empty: Vec<f64> = Vec::new();
        sort_by(&mut empty, f64::total_cmp);
        assert!(empty.is_empty());
        let mut one = vec![String::from("x")];
        sort_by(&mut one, |a, b| a.cmp(b));
        assert_eq!(one, ["x"]);
    }
}
