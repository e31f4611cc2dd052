//! The key of every hash table that holds report values. A fixed key would let a hostile report choose
//! values that all fall in one bucket and make each lookup walk them all; a key the report cannot know
//! keeps lookups constant-time. Natively it comes from the standard library's random state; in wasm, where
//! that state is fixed, the glue sets one from the host at start-up.

use core::sync::atomic::{AtomicU64, Ordering};

static SEED: AtomicU64 = AtomicU64::new(0);

/// Sets the key for tables made from now on; zero is ignored. Tables made earlier keep theirs, so their
/// contents stay findable.
pub fn set_hash_seed(seed: u64) {
    if seed != 0 {
        SEED.store(seed, Ordering::Relaxed);
    }
}

pub(crate) fn hash_seed() -> u64 {
    match SEED.load(Ordering::Relaxed) {
        0 => {
            let fresh = initial();
            let _ = SEED.compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed);
            SEED.load(Ordering::Relaxed)
        }
        seed => seed,
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn initial() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64) | 1
}

#[cfg(target_arch = "wasm32")]
fn initial() -> u64 {
    0x243f_6a88_85a3_08d3
}
