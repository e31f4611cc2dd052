//! Sorts of short lists, in a few hundred bytes of wasm each. Every order sorted by here is total (ties
//! only between equal items), so any correct sort gives the same lists and snapshots.
//!
//! Natively the standard library's sorts. In wasm a heapsort: the standard sorts inline their comparison
//! into about 5 KB of code for each type and order; the engine's dozen, with `select_nth_unstable`, were
//! 79 KB of the optimised module (about 22 KB gzipped). Heapsort is 5 – 10× slower on large lists, so the
//! sorts of a day's distinct values and of its account pairs (hundreds of thousands of items, at each
//! snapshot) keep `sort_unstable`, and those here are of lists of at most a day's failed sign-ins.

use std::cmp::Ordering;

/// Sorts `items` in `order`, which must be total.
pub(crate) fn sort_by<T>(items: &mut [T], order: impl Fn(&T, &T) -> Ordering) {
    #[cfg(not(target_arch = "wasm32"))]
    items.sort_unstable_by(order);
    #[cfg(target_arch = "wasm32")]
    heapsort(items, &|a: &T, b: &T| order(a, b) == Ordering::Less);
}

pub(crate) fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// Keeps the first `n` of `items` in `order` (total), sorted.
pub(crate) fn first_by<T>(items: &mut Vec<T>, n: usize, order: impl Fn(&T, &T) -> Ordering) {
    #[cfg(not(target_arch = "wasm32"))]
    if items.len() > n && n > 0 {
        items.select_nth_unstable_by(n - 1, &order);
    }
    #[cfg(target_arch = "wasm32")]
    keep_first(items, n, &|a: &T, b: &T| order(a, b) == Ordering::Less);
    items.truncate(n);
    sort_by(items, order);
}

/// Moves the item at `node` down the max-heap `heap` until neither child is greater.
#[cfg(any(target_arch = "wasm32", test))]
fn sift_down<T>(heap: &mut [T], mut node: usize, less: &impl Fn(&T, &T) -> bool) {
    loop {
        let mut child = 2 * node + 1;
        if child >= heap.len() {
            return;
        }
        if child + 1 < heap.len() && less(&heap[child], &heap[child + 1]) {
            child += 1;
        }
        if !less(&heap[node], &heap[child]) {
            return;
        }
        heap.swap(node, child);
        node = child;
    }
}

#[cfg(any(target_arch = "wasm32", test))]
fn heapify<T>(heap: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    for node in (0..heap.len() / 2).rev() {
        sift_down(heap, node, less);
    }
}

#[cfg(any(target_arch = "wasm32", test))]
fn heapsort<T>(items: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    heapify(items, less);
    for end in (1..items.len()).rev() {
        items.swap(0, end);
        sift_down(&mut items[..end], 0, less);
    }
}

/// Moves the first `n` items in `less` to the front, in no order: a max-heap of the best `n` so far, whose
/// greatest each later item replaces if it is less (one comparison for most items, as selection takes).
#[cfg(any(target_arch = "wasm32", test))]
fn keep_first<T>(items: &mut [T], n: usize, less: &impl Fn(&T, &T) -> bool) {
    if items.len() <= n || n == 0 {
        return;
    }
    let (heap, rest) = items.split_at_mut(n);
    heapify(heap, less);
    for item in rest {
        if less(item, &heap[0]) {
            std::mem::swap(item, &mut heap[0]);
            sift_down(heap, 0, less);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn heapsort_sorts_as_the_standard_library_does(mut items in prop::collection::vec((0u8..20, any::<u32>()), 0..300)) {
            let mut expected = items.clone();
            expected.sort_unstable();
            heapsort(&mut items, &|a, b| a < b);
            prop_assert_eq!(items, expected);
        }

        #[test]
        fn keep_first_keeps_what_a_sort_puts_first(mut items in prop::collection::vec((0u8..20, any::<u32>()), 0..300), n in 0usize..120) {
            let mut expected = items.clone();
            expected.sort_unstable();
            expected.truncate(n);
            keep_first(&mut items, n, &|a, b| a < b);
            items.truncate(n);
            heapsort(&mut items, &|a, b| a < b);
            prop_assert_eq!(items, expected);
        }
    }
}
