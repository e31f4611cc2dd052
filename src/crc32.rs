//! CRC-32 (IEEE), as gzip trailers and snapshots use it.
//!
//! Natively this is crc32fast, which finds the CPU's CRC instructions at run time. In wasm there are none,
//! and crc32fast's fallback is slicing-by-16 over 16 KiB of tables shipped as data: 16 KB of the module that
//! gzip cannot shrink, about 15 KB of its gzipped size. Here the same algorithm builds its tables on first
//! use instead (4,096 entries, microseconds) and gives the same checksums.

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use crc32fast::{Hasher, hash};
#[cfg(target_arch = "wasm32")]
pub(crate) use sliced::{Hasher, hash};

#[cfg(any(target_arch = "wasm32", test))]
mod sliced {
    use std::sync::OnceLock;

    /// `TABLES[k][b]`: the CRC of byte `b` followed by `k` zero bytes.
    type Tables = [[u32; 256]; 16];

    static TABLES: OnceLock<Box<Tables>> = OnceLock::new();

    fn tables() -> &'static Tables {
        TABLES.get_or_init(|| {
            let mut tables = Box::new([[0; 256]; 16]);
            for byte in 0..256 {
                let mut crc = byte as u32;
                for _ in 0..8 {
                    crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
                }
                tables[0][byte] = crc;
            }
            for k in 1..16 {
                for byte in 0..256 {
                    let prev = tables[k - 1][byte];
                    tables[k][byte] = (prev >> 8) ^ tables[0][(prev & 0xff) as usize];
                }
            }
            tables
        })
    }

    fn update(prev: u32, bytes: &[u8]) -> u32 {
        let t = tables();
        let mut crc = !prev;
        let mut blocks = bytes.chunks_exact(16);
        for b in &mut blocks {
            let w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) ^ crc;
            crc = t[0][b[15] as usize]
                ^ t[1][b[14] as usize]
                ^ t[2][b[13] as usize]
                ^ t[3][b[12] as usize]
                ^ t[4][b[11] as usize]
                ^ t[5][b[10] as usize]
                ^ t[6][b[9] as usize]
                ^ t[7][b[8] as usize]
                ^ t[8][b[7] as usize]
                ^ t[9][b[6] as usize]
                ^ t[10][b[5] as usize]
                ^ t[11][b[4] as usize]
                ^ t[12][(w >> 24) as usize]
                ^ t[13][((w >> 16) & 0xff) as usize]
                ^ t[14][((w >> 8) & 0xff) as usize]
                ^ t[15][(w & 0xff) as usize];
        }
        for &byte in blocks.remainder() {
            crc = (crc >> 8) ^ t[0][((crc ^ byte as u32) & 0xff) as usize];
        }
        !crc
    }

    /// The running CRC of bytes fed in any pieces.
    pub(crate) struct Hasher(u32);

    impl Hasher {
        pub(crate) fn new() -> Hasher {
            Hasher(0)
        }

        pub(crate) fn update(&mut self, bytes: &[u8]) {
            self.0 = update(self.0, bytes);
        }

        pub(crate) fn finalize(self) -> u32 {
            self.0
        }
    }

    pub(crate) fn hash(bytes: &[u8]) -> u32 {
        update(0, bytes)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// crc32fast's checksums, for every length around the 16-byte blocks and in any split.
        #[test]
        fn agrees_with_crc32fast() {
            let data: Vec<u8> = (0..4099u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect();
            for len in (0..70).chain([1000, 4099]) {
                let bytes = &data[..len];
                assert_eq!(hash(bytes), crc32fast::hash(bytes), "length {len}");
                for split in [0, 1, 7, 15, 16, 17, len / 2] {
                    let split = split.min(len);
                    let mut hasher = Hasher::new();
                    hasher.update(&bytes[..split]);
                    hasher.update(&bytes[split..]);
                    assert_eq!(
                        hasher.finalize(),
                        crc32fast::hash(bytes),
                        "length {len} split at {split}"
                    );
                }
            }
        }
    }
}
