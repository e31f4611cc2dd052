//! Field values as small integer ids. Keys live back to back in one arena, so a distinct set costs its
//! bytes plus a few words a key, and looking a value up allocates nothing. Most report values (actions,
//! statuses, countries, ISPs, IPv4 addresses, connector names) are at most 32 bytes: those are packed into
//! four words and found by comparing integers, without touching the arena. Hashing and comparing use only
//! 64-bit arithmetic, which wasm has natively (128-bit multiplies and `memcmp` are slow there).

use core::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;

use crate::engine::seed::hash_seed;
use crate::engine::snapshot::{Item, Reader, Snap, Writer, ensure, sum};
use crate::error::Result;

const PACKED_MAX: usize = 32;

#[inline]
fn word(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
}

/// A key of at most 32 bytes, losslessly: given the length, the overlapping loads determine every byte.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Packed {
    words: [u64; 4],
    len: u8,
}

impl Packed {
    #[inline]
    fn new(key: &[u8]) -> Option<Packed> {
        let n = key.len();
        let half = |at: usize| u64::from(u32::from_le_bytes(key[at..at + 4].try_into().unwrap_or_default()));
        let words = match n {
            0 => [0; 4],
            1..=3 => [
                u64::from(key[0]) | u64::from(key[n / 2]) << 8 | u64::from(key[n - 1]) << 16,
                0,
                0,
                0,
            ],
            4..=7 => [half(0), half(n - 4), 0, 0],
            8..=16 => [word(key, 0), word(key, n - 8), 0, 0],
            17..=PACKED_MAX => [word(key, 0), word(key, 8), word(key, n - 16), word(key, n - 8)],
            _ => return None,
        };
        Some(Packed { words, len: n as u8 })
    }

    /// Multiply-xorshift mixing of the words (as in murmur3's finaliser), so that both the low bits
    /// (bucket) and the top bits (hashbrown's tag) depend on every byte.
    #[inline]
    fn hash(&self, seed: u64) -> u64 {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut h = (seed ^ u64::from(self.len)).wrapping_mul(K);
        for w in self.words {
            h = (h ^ w).wrapping_mul(K);
            h ^= h >> 29;
        }
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^ (h >> 32)
    }
}

/// Byte equality a word at a time; in wasm `==` on slices calls a byte-by-byte `memcmp`.
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut at = 0;
    while at + 8 <= n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

#[derive(Clone)]
pub struct Interner {
    packed: HashTable<(Packed, u32)>,
    /// Ids of the keys longer than `PACKED_MAX`, compared against the arena.
    long: HashTable<u32>,
    arena: Vec<u8>,
    /// `ends[id]` is where key `id` stops in the arena; it starts where the previous one stops.
    ends: Vec<usize>,
    seed: u64,
    hasher: FixedState,
}

impl Default for Interner {
    fn default() -> Self {
        let seed = hash_seed();
        Interner {
            packed: HashTable::new(),
            long: HashTable::new(),
            arena: Vec::new(),
            ends: Vec::new(),
            seed,
            hasher: FixedState::with_seed(seed),
        }
    }
}

impl Interner {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn key(&self, id: u32) -> &[u8] {
        key_in(&self.arena, &self.ends, id)
    }

    /// The id of `key`, adding it if new; the flag says whether it was new.
    #[inline]
    pub fn intern(&mut self, key: &[u8]) -> (u32, bool) {
        match Packed::new(key) {
            Some(packed) => self.intern_packed(key, packed),
            None => self.intern_long(key),
        }
    }

    #[inline]
    fn intern_packed(&mut self, key: &[u8], packed: Packed) -> (u32, bool) {
        let seed = self.seed;
        let hash = packed.hash(seed);
        if let Some(&(_, id)) = self.packed.find(hash, |(p, _)| *p == packed) {
            return (id, false);
        }
        let id = self.append(key);
        self.packed.insert_unique(hash, (packed, id), |(p, _)| p.hash(seed));
        (id, true)
    }

    fn intern_long(&mut self, key: &[u8]) -> (u32, bool) {
        let hash = self.hasher.hash_one(key);
        let Interner { long, arena, ends, .. } = self;
        if let Some(&id) = long.find(hash, |&id| same_bytes(key_in(arena, ends, id), key)) {
            return (id, false);
        }
        let id = self.append(key);
        let Interner {
            long,
            arena,
            ends,
            hasher,
            ..
        } = self;
        long.insert_unique(hash, id, |&id| hasher.hash_one(key_in(arena, ends, id)));
        (id, true)
    }

    fn append(&mut self, key: &[u8]) -> u32 {
        self.arena.extend_from_slice(key);
        self.ends.push(self.arena.len());
        (self.ends.len() - 1) as u32
    }

    /// Bytes of memory the interner holds, for `limits::MAX_TALLY_BYTES`.
    pub fn held_bytes(&self) -> usize {
        self.packed.allocation_size()
            + self.long.allocation_size()
            + self.arena.capacity()
            + self.ends.capacity() * size_of::<usize>()
    }

    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len() as u32).map(|id| self.key(id))
    }
}

fn key_in<'a>(arena: &'a [u8], ends: &[usize], id: u32) -> &'a [u8] {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] };
    &arena[start..ends[id]]
}

/// Counts per distinct value of one column.
#[derive(Clone, Default)]
pub struct Counter {
    values: Interner,
    counts: Vec<u64>,
}

impl Counter {
    /// Counts `key` once and returns its id.
    #[inline]
    pub fn add(&mut self, key: &[u8]) -> u32 {
        self.add_n(key, 1)
    }

    pub fn add_n(&mut self, key: &[u8], n: u64) -> u32 {
        let (id, new) = self.values.intern(key);
        if new {
            self.counts.push(0);
        }
        self.counts[id as usize] += n;
        id
    }

    pub fn key(&self, id: u32) -> &[u8] {
        self.values.key(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.values.keys().zip(self.counts.iter().copied())
    }

    pub fn held_bytes(&self) -> usize {
        self.values.held_bytes() + self.counts.capacity() * size_of::<u64>()
    }

    /// Adds `other`'s counts; returns the id each of `other`'s ids has here.
    pub fn merge(&mut self, other: &Counter) -> Vec<u32> {
        other.iter().map(|(key, n)| self.add_n(key, n)).collect()
    }

    /// Distinct values counted.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// The sum of the counts, for a snapshot reader's checks.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// A counter's value in a snapshot: its text and count (a byte each at least); its slot in the table (with
/// its control byte), its end in the arena and its count, doubled as tables and vectors double.
pub(crate) const COUNTER_VALUE: Item = Item {
    bytes: 2,
    memory: 2 * (size_of::<(Packed, u32)>() + 1 + size_of::<usize>() + size_of::<u64>()),
    cap: usize::MAX,
};

/// Values in id order, so that a counter read back gives each value the id it had: the tally's people refer
/// to countries and resources by id.
impl Snap for Counter {
    fn put(&self, w: &mut Writer) {
        w.len(self.values.len());
        for (key, n) in self.iter() {
            w.bytes(key);
            w.uint(n);
        }
    }

    fn take(r: &mut Reader<'_>) -> Result<Self> {
        let mut counter = Counter::default();
        let mut total = 0u64;
        for _ in 0..r.count(COUNTER_VALUE)? {
            let key = r.bytes()?;
            let n = r.uint()?;
            total = sum(total, n)?;
            let (_, new) = counter.values.intern(key);
            ensure(new, "a value is listed twice in one of its counts")?;
            counter.counts.push(n);
        }
        Ok(counter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_keys_come_back() {
        let mut interner = Interner::default();
        let words: Vec<String> = (0..1000).map(|i| format!("value-{i}")).collect();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(interner.intern(w.as_bytes()), (i as u32, true));
        }
        interner.intern(b"");
        for (i, w) in words.iter().enumerate() {
            assert_eq!(interner.intern(w.as_bytes()), (i as u32, false));
            assert_eq!(interner.key(i as u32), w.as_bytes());
        }
        assert_eq!(interner.key(1000), b"");
        assert_eq!(interner.len(), 1001);
    }

    #[test]
    fn same_bytes_is_slice_equality() {
        let text = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789";
        for n in 0..text.len() {
            for flip in 0..n {
                let mut other = text[..n].to_vec();
                other[flip] ^= 1;
                assert!(!same_bytes(&text[..n], &other));
            }
            let copy = text[..n].to_vec();
            assert!(same_bytes(&text[..n], &copy));
            assert!(!same_bytes(&text[..n], &text[..n + 1]));
        }
    }

    #[test]
    fn every_key_of_every_length_keeps_its_own_id() {
        // All strings over two letters up to 11 bytes, and longer ones around the packing limit: packing
        // must never make two keys one.
        let mut keys: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=11usize {
            for bits in 0..1u32 << len {
                keys.push((0..len).map(|i| if bits >> i & 1 == 1 { b'b' } else { b'a' }).collect());
            }
        }
        for len in 12..=70 {
            for flip in 0..len {
                let mut key = vec![b'x'; len];
                key[flip] = b'y';
                keys.push(key);
            }
        }
        let mut interner = Interner::default();
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(
                interner.intern(key),
                (i as u32, true),
                "{:?}",
                String::from_utf8_lossy(key)
            );
        }
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(interner.intern(key), (i as u32, false));
            assert_eq!(interner.key(i as u32), key.as_slice());
        }
    }

    #[test]
    fn counter_counts_repeats_and_merges() {
        let mut a = Counter::default();
        for k in ["GB", "GB", "US", "GB", "", "US"] {
            a.add(k.as_bytes());
        }
        let mut b = Counter::default();
        b.add(b"FR");
        b.add(b"GB");
        a.merge(&b);
        let got: Vec<(&[u8], u64)> = a.iter().collect();
        assert_eq!(
            got,
            vec![(&b"GB"[..], 4), (&b"US"[..], 2), (&b""[..], 1), (&b"FR"[..], 1)]
        );
    }
}
