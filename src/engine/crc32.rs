//! gzip's CRC-32 for the wasm build: crc32fast's portable method (slicing by 16), with its 16 KB of tables
//! built at first use instead of stored in the module, where they were an eighth of its gzipped size
//! (tables of random-looking numbers do not compress). Native builds keep crc32fast, which uses the CPU's
//! carry-less multiply.

use std::sync::OnceLock;

/// `TABLES[k][b]`: the CRC of byte `b` followed by `k` zero bytes.
type Tables = [[u32; 256]; 16];

/// The reflected polynomial of CRC-32 (ISO 3309, used by gzip).
const POLYNOMIAL: u32 = 0xEDB8_8320;

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Box<Tables>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut tables = Box::new([[0; 256]; 16]);
        for byte in 0..256 {
            let mut crc = byte as u32;
            for _ in 0..8 {
                crc = (crc >> 1) ^ (POLYNOMIAL & (crc & 1).wrapping_neg());
            }
            tables[0][byte] = crc;
        }
        for k in 1..16 {
            for byte in 0..256 {
                let previous = tables[k - 1][byte];
                tables[k][byte] = (previous >> 8) ^ tables[0][(previous & 0xFF) as usize];
            }
        }
        tables
    })
}

/// The running CRC-32 of the bytes given to [`Hasher::update`], as crc32fast's `Hasher`.
#[derive(Default)]
pub struct Hasher {
    crc: u32,
}

impl Hasher {
    pub fn new() -> Hasher {
        Hasher { crc: 0 }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        let t = tables();
        let mut crc = !self.crc;
        let mut blocks = bytes.chunks_exact(16);
        for b in &mut blocks {
            let w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) ^ crc;
            crc = t[0x0][b[15] as usize]
                ^ t[0x1][b[14] as usize]
                ^ t[0x2][b[13] as usize]
                ^ t[0x3][b[12] as usize]
                ^ t[0x4][b[11] as usize]
                ^ t[0x5][b[10] as usize]
                ^ t[0x6][b[9] as usize]
                ^ t[0x7][b[8] as usize]
                ^ t[0x8][b[7] as usize]
                ^ t[0x9][b[6] as usize]
                ^ t[0xa][b[5] as usize]
                ^ t[0xb][b[4] as usize]
                ^ t[0xc][(w >> 24) as usize]
                ^ t[0xd][((w >> 16) & 0xFF) as usize]
                ^ t[0xe][((w >> 8) & 0xFF) as usize]
                ^ t[0xf][(w & 0xFF) as usize];
        }
        for &byte in blocks.remainder() {
            crc = t[0][((crc as u8) ^ byte) as usize] ^ (crc >> 8);
        }
        self.crc = !crc;
    }

    pub fn finalize(self) -> u32 {
        self.crc
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn hash(pieces: &[&[u8]]) -> u32 {
        let mut hasher = Hasher::new();
        for piece in pieces {
            hasher.update(piece);
        }
        hasher.finalize()
    }

    #[test]
    fn known_values() {
        assert_eq!(hash(&[]), 0);
        assert_eq!(hash(&[b"hello world"]), 0x0D4A_1185);
        assert_eq!(hash(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(hash(&[&[0xFF; 32]]), 0xFF6C_AB0B);
    }

    proptest! {
        #[test]
        fn the_same_as_crc32fast_in_any_pieces(bytes in prop::collection::vec(any::<u8>(), 0..200), cut in 0usize..200) {
            let cut = cut.min(bytes.len());
            prop_assert_eq!(hash(&[&bytes[..cut], &bytes[cut..]]), crc32fast::hash(&bytes));
        }
    }
}
