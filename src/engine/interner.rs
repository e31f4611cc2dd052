//! Field values as small integer ids. Keys live back to back in one arena and the table holds only ids,
//! so a distinct set costs its bytes plus about 12 bytes a key, and looking a value up allocates nothing.

use core::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;

#[derive(Clone, Default)]
pub struct Interner {
    table: HashTable<u32>,
    arena: Vec<u8>,
    /// `ends[id]` is where key `id` stops in the arena; it starts where the previous one stops.
    ends: Vec<usize>,
    hasher: FixedState,
}

impl Interner {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn key(&self, id: u32) -> &[u8] {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.arena[start..self.ends[id]]
    }

    /// The id of `key`, adding it if new; the flag says whether it was new.
    pub fn intern(&mut self, key: &[u8]) -> (u32, bool) {
        let hash = self.hasher.hash_one(key);
        let Interner { table, arena, ends, hasher } = self;
        let eq = |&id: &u32| {
            let id = id as usize;
            let start = if id == 0 { 0 } else { ends[id - 1] };
            &arena[start..ends[id]] == key
        };
        if let Some(&id) = table.find(hash, eq) {
            return (id, false);
        }
        let id = ends.len() as u32;
        arena.extend_from_slice(key);
        ends.push(arena.len());
        let rehash = |&id: &u32| {
            let id = id as usize;
            let start = if id == 0 { 0 } else { ends[id - 1] };
            hasher.hash_one(&arena[start..ends[id]])
        };
        table.insert_unique(hash, id, rehash);
        (id, true)
    }

    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len() as u32).map(|id| self.key(id))
    }
}

/// Counts per distinct value of one column. Reports repeat a value on consecutive rows often (the same
/// action, country or connector), so the previous row's id is tried before hashing.
#[derive(Clone, Default)]
pub struct Counter {
    values: Interner,
    counts: Vec<u64>,
    last: Option<u32>,
}

impl Counter {
    /// Counts `key` once and returns its id.
    #[inline]
    pub fn add(&mut self, key: &[u8]) -> u32 {
        self.add_n(key, 1)
    }

    pub fn add_n(&mut self, key: &[u8], n: u64) -> u32 {
        let id = match self.last {
            Some(last) if self.values.key(last) == key => last,
            _ => {
                let (id, new) = self.values.intern(key);
                if new {
                    self.counts.push(0);
                }
                self.last = Some(id);
                id
            }
        };
        self.counts[id as usize] += n;
        id
    }

    pub fn key(&self, id: u32) -> &[u8] {
        self.values.key(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.values.keys().zip(self.counts.iter().copied())
    }

    pub fn merge(&mut self, other: &Counter) {
        for (key, n) in other.iter() {
            self.add_n(key, n);
        }
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
        assert_eq!(got, vec![(&b"GB"[..], 4), (&b"US"[..], 2), (&b""[..], 1), (&b"FR"[..], 1)]);
    }
}
