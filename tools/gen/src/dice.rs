//! Seeded randomness. Every stream is a PCG64 seeded from a mix of the user's seed and a label, so the
//! parts of a report (catalogue, pools, rows) do not shift when another part draws more or less.
//! Only integer draws and IEEE-exact float arithmetic (no `powf`/`ln`) are used, so the bytes are the
//! same natively and in wasm32.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

pub(crate) struct Dice(Pcg64Mcg);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(Pcg64Mcg::seed_from_u64(seed))
    }

    /// Uniform in `0..n`; `n` must be at least 1.
    pub fn below(&mut self, n: u32) -> u32 {
        self.0.random_range(0..n)
    }

    pub fn index<T>(&mut self, items: &[T]) -> usize {
        self.below(items.len() as u32) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items)]
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    pub fn bits(&mut self) -> u64 {
        self.0.random::<u64>()
    }

    /// An item of `(item, weight)` pairs with probability proportional to its weight.
    pub fn weighted<T: Copy>(&mut self, table: &[(T, u32)]) -> T {
        table[self.weighted_index(table, |(_, weight)| *weight)].0
    }

    /// The index of an item, with probability proportional to `weight(item)`; the list must not be empty.
    pub fn weighted_index<T>(&mut self, items: &[T], weight: impl Fn(&T) -> u32) -> usize {
        let total: u32 = items.iter().map(&weight).sum();
        let mut ticket = self.below(total);
        for (index, item) in items.iter().enumerate() {
            if ticket < weight(item) {
                return index;
            }
            ticket -= weight(item);
        }
        items.len() - 1
    }
}

/// SplitMix64's finaliser over the pair: well-spread seeds from related inputs.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, to turn labels (an organisation, a stream's name) into seed material.
pub(crate) fn label(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// Zipf–Mandelbrot popularity over ranks `0..n`: weight `1 / (rank + offset)`. A larger offset flattens
/// the head. Sampled by binary search over the cumulative weights.
pub(crate) struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: u32, offset: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|rank| {
                total += 1.0 / (f64::from(rank) + offset);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn sample(&self, dice: &mut Dice) -> u32 {
        let target = dice.unit() * self.cumulative[self.cumulative.len() - 1];
        let rank = self.cumulative.partition_point(|&c| c <= target);
        rank.min(self.cumulative.len() - 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_favours_low_ranks() {
        let zipf = Zipf::new(3000, 2.0);
        let mut dice = Dice::new(7);
        let mut counts = vec![0u32; 3000];
        for _ in 0..100_000 {
            counts[zipf.sample(&mut dice) as usize] += 1;
        }
        assert!(counts[0] > counts[10] && counts[10] > counts[1000]);
        assert!(
            counts.iter().filter(|&&c| c > 0).count() > 2000,
            "the tail is reached too"
        );
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut dice = Dice::new(1);
        let table = [("never", 0), ("always", 5)];
        assert!((0..1000).all(|_| dice.weighted(&table) == "always"));
    }
}
