//! The pseudo-random number generator behind every choice the generator
//! makes.
//!
//! The algorithm is written out here, instead of taken from a crate, so that
//! the logs written for a seed stay byte for byte the same whatever versions
//! of the dependencies are locked. A changed stream would silently change
//! every recorded benchmark input and every seed a bug report names.

/// xoshiro256** (Blackman and Vigna, 2018), seeded through SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    state: [u64; 4],
}

/// Advances a SplitMix64 state and returns its next output, which spreads
/// a seed over the xoshiro state.
fn split_mix(value: &mut u64) -> u64 {
    *value = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *value;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// Creates the generator of stream `stream` of `seed`. Streams of one
    /// seed are independent, so each appliance gets its own.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut mix = seed ^ stream.wrapping_mul(0xd134_2543_de82_ef95);
        let state = [
            split_mix(&mut mix),
            split_mix(&mut mix),
            split_mix(&mut mix),
            split_mix(&mut mix),
        ];
        Rng { state }
    }

    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.state;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    /// Returns a value in `0..bound`, where `bound` must not be 0. The bias
    /// of the multiply-and-shift reduction is below 2^-32 for the bounds
    /// used here, which is irrelevant for test data.
    pub fn below(&mut self, bound: u64) -> u64 {
        debug_assert!(bound > 0);
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// Returns a value in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    /// Returns an index into a collection of `len` items.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Returns a uniformly chosen item of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// Returns a float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Returns true with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Returns an exponentially distributed value of mean `mean`.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    /// Returns the index of an item chosen with the given relative weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut target = self.below(total);
        for (index, &weight) in weights.iter().enumerate() {
            let weight = u64::from(weight);
            if target < weight {
                return index;
            }
            target -= weight;
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_is_stable() {
        // Pinned, because a change to the algorithm would change every
        // generated log.
        let mut rng = Rng::new(1, 0);
        assert_eq!(rng.next_u64(), 0xb3f2_af6d_0fc7_10c5);
        assert_eq!(rng.next_u64(), 0x853b_5596_4736_4cea);
        assert_eq!(rng.next_u64(), 0x92f8_9756_082a_4514);
    }

    #[test]
    fn streams_differ() {
        let first = Rng::new(1, 0).next_u64();
        assert_ne!(Rng::new(1, 1).next_u64(), first);
        assert_ne!(Rng::new(2, 0).next_u64(), first);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = Rng::new(7, 0);
        for bound in [1, 2, 3, 10, 1_000_000] {
            for _ in 0..1_000 {
                assert!(rng.below(bound) < bound);
            }
        }
    }

    #[test]
    fn weighted_skips_zero_weights() {
        let mut rng = Rng::new(3, 0);
        for _ in 0..1_000 {
            assert_ne!(rng.weighted(&[5, 0, 5]), 1);
        }
    }
}
