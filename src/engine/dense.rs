//! `Dense`: values by a dense u32 id, in chunks of a fixed size. A growing `Vec` doubles and briefly holds
//! its old and new buffers, so at a million ids its peak would be three times the data; chunks never move.

const CHUNK_BITS: u32 = 16;
const CHUNK: usize = 1 << CHUNK_BITS;

#[derive(Clone)]
pub struct Dense<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Dense<T> {
    fn default() -> Self {
        Dense {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Copy> Dense<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Adds `value` under the next id, which it returns.
    pub fn push(&mut self, value: T) -> u32 {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let id = self.len as u32;
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(value);
        }
        self.len += 1;
        id
    }

    /// The value of `id`, which must be below `len()`.
    #[inline]
    pub fn get(&self, id: u32) -> T {
        self.chunks[(id >> CHUNK_BITS) as usize][id as usize % CHUNK]
    }

    #[inline]
    pub fn get_mut(&mut self, id: u32) -> &mut T {
        &mut self.chunks[(id >> CHUNK_BITS) as usize][id as usize % CHUNK]
    }

    pub fn held_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>() * size_of::<T>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cross_chunks_and_keep_their_values() {
        let mut dense = Dense::default();
        for i in 0..(2 * CHUNK as u32 + 5) {
            assert_eq!(dense.push(i * 3), i);
        }
        *dense.get_mut(CHUNK as u32) += 1;
        assert_eq!(dense.len(), 2 * CHUNK + 5);
        assert_eq!(dense.get(CHUNK as u32 - 1), (CHUNK as u32 - 1) * 3);
        assert_eq!(dense.get(CHUNK as u32), CHUNK as u32 * 3 + 1);
        assert_eq!(dense.get(2 * CHUNK as u32 + 4), (2 * CHUNK as u32 + 4) * 3);
    }
}
