//! Snapshots: a tally as bytes that can be stored and merged later (docs/snapshot.md, byte for byte).
//!
//! The envelope is checked before anything is inflated (magic, version, CRC32), and the payload a hostile
//! envelope can make us inflate is bounded by its own size; the payload reader then never allocates more
//! than the bytes it has read. Each tally component writes and reads itself next to its private fields
//! (`Snap` impls in tally.rs, interner.rs, distinct.rs, timestamp.rs), so a new field is added in one place.

use crate::engine::Tally;
use crate::error::{Error, ErrorCode, Result};
use crate::limits::{MAX_MERGED_ROWS, MAX_SNAPSHOT_PAYLOAD_BYTES, MAX_TALLY_BYTES};

const MAGIC: &[u8; 4] = b"OARS";
/// Bumped whenever the payload's layout changes: an older reader must refuse a newer snapshot, not misread it.
pub const SNAPSHOT_VERSION: u8 = 1;
const HEADER: usize = MAGIC.len() + 1 + 4;
const TRAILER: usize = 4;
/// How much larger than its deflate stream a payload may be. Our payloads inflate by at most about 10
/// (distinct values are mostly entropy), so 256 refuses only hostile envelopes, and keeps what a reader
/// allocates proportional to the bytes it was given.
const MAX_DEFLATE_RATIO: usize = 256;
/// miniz_oxide's default level: levels above it cost several times the time for under 1% on our payloads.
const LEVEL: u8 = 6;

/// A component of the tally that writes itself to a snapshot payload and reads itself back.
pub(crate) trait Snap: Sized {
    fn put(&self, w: &mut Writer);
    fn take(r: &mut Reader<'_>) -> Result<Self>;
}

impl Tally {
    /// The tally's state as a compressed, versioned, checksummed snapshot.
    pub fn to_snapshot(&self) -> Vec<u8> {
        self.snapshot_at(LEVEL)
    }

    /// The same snapshot with its payload stored rather than compressed (deflate level 0, which any reader
    /// reads): for handing to another thread that reads it back at once, where compressing would cost four
    /// times the writing (0.65 s against 0.16 s for a 1M-row day's in wasm) and save nothing.
    pub fn to_share_snapshot(&self) -> Vec<u8> {
        self.snapshot_at(0)
    }

    fn snapshot_at(&self, level: u8) -> Vec<u8> {
        let mut payload = Writer::default();
        self.put(&mut payload);
        let deflated = miniz_oxide::deflate::compress_to_vec(&payload.out, level);
        let mut out = Vec::with_capacity(HEADER + deflated.len() + TRAILER);
        out.extend_from_slice(MAGIC);
        out.push(SNAPSHOT_VERSION);
        // The payload stays below MAX_SNAPSHOT_PAYLOAD_BYTES for any tally a parse can hold (1 GiB of
        // tables is a few hundred MB of payload at most), so it fits in 32 bits.
        out.extend_from_slice(&(payload.out.len() as u32).to_le_bytes());
        out.extend_from_slice(&deflated);
        let crc = crate::crc32::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// The tally a snapshot holds; `BAD_SNAPSHOT` for anything that is not a whole snapshot of this version.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Tally> {
        let payload = open(bytes)?;
        let mut r = Reader { rest: &payload };
        let tally = Tally::take(&mut r)?;
        if !r.rest.is_empty() {
            return Err(bad("it has bytes after its last part"));
        }
        Ok(tally)
    }
}

impl Tally {
    /// Adds the rows a snapshot holds, exactly as if this tally's parser had read them too.
    pub fn merge_snapshot(&mut self, bytes: &[u8]) -> Result<()> {
        let tally = Tally::from_snapshot(bytes)?;
        if tally.rows().saturating_add(self.rows()) > MAX_MERGED_ROWS || self.held_bytes() > MAX_TALLY_BYTES {
            return Err(Error::new(
                ErrorCode::TooLarge,
                "These snapshots hold more than one merge can: merge fewer days at a time.",
            ));
        }
        self.merge(tally);
        Ok(())
    }

    /// One tally for several snapshots, exactly as if one parser had read all of their rows. No snapshots
    /// give an empty tally.
    pub fn merge_snapshots<'a>(snapshots: impl IntoIterator<Item = &'a [u8]>) -> Result<Tally> {
        let mut merged = Tally::new(None);
        for bytes in snapshots {
            merged.merge_snapshot(bytes)?;
        }
        Ok(merged)
    }
}

/// Checks the envelope and inflates the payload.
fn open(bytes: &[u8]) -> Result<Vec<u8>> {
    if bytes.len() < HEADER + TRAILER || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad("it does not start as a snapshot does"));
    }
    let version = bytes[MAGIC.len()];
    if version != SNAPSHOT_VERSION {
        return Err(bad(&format!(
            "it is of format version {version}, and this engine reads version {SNAPSHOT_VERSION}"
        )));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - TRAILER);
    if crate::crc32::hash(body).to_le_bytes() != trailer {
        return Err(bad("its checksum does not match (damaged or cut short)"));
    }
    let declared = u32::from_le_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]) as usize;
    let deflated = &body[HEADER..];
    if declared > MAX_SNAPSHOT_PAYLOAD_BYTES || declared > deflated.len().saturating_mul(MAX_DEFLATE_RATIO) {
        return Err(bad("it claims more content than it can hold"));
    }
    let payload = miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, declared)
        .map_err(|_| bad("its content does not inflate"))?;
    if payload.len() != declared {
        return Err(bad("its content is not the length it claims"));
    }
    Ok(payload)
}

pub(crate) fn bad(why: &str) -> Error {
    Error::new(
        ErrorCode::BadSnapshot,
        format!(
            "These bytes are not a snapshot this engine can read: {why}. Make the snapshot again from the report \
             (ReportParser.snapshot() after finish())."
        ),
    )
}

/// The payload being written: LEB128 integers, length-prefixed bytes, fixed 16-byte values.
#[derive(Default)]
pub(crate) struct Writer {
    out: Vec<u8>,
}

impl Writer {
    pub fn uint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    pub fn len(&mut self, n: usize) {
        self.uint(n as u64);
    }

    /// Zigzag, so small negative numbers stay short.
    pub fn int(&mut self, v: i64) {
        self.uint(((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.out.extend_from_slice(b);
    }

    pub fn u128(&mut self, v: u128) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    pub fn opt_int(&mut self, v: Option<i64>) {
        match v {
            None => self.uint(0),
            Some(v) => {
                self.uint(1);
                self.int(v);
            }
        }
    }
}

/// The payload being read; every read checks what is left, so a hostile payload ends in `BAD_SNAPSHOT`.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Nothing is left to read: an optional last part is absent.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub fn uint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.rest.split_first().ok_or_else(|| bad("it ends inside a number"))?;
            self.rest = rest;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                if shift == 63 && byte > 1 {
                    break;
                }
                return Ok(v);
            }
        }
        Err(bad("a number in it is too long"))
    }

    /// A count of items that each take at least one byte, so it can never exceed what is left: callers may
    /// reserve room for it.
    pub fn len(&mut self) -> Result<usize> {
        let n = self.uint()?;
        if n > self.rest.len() as u64 {
            return Err(bad("a list in it is longer than its bytes"));
        }
        Ok(n as usize)
    }

    pub fn int(&mut self) -> Result<i64> {
        let v = self.uint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.len()?;
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(taken)
    }

    pub fn text(&mut self) -> Result<String> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| bad("a name in it is not UTF-8"))
    }

    pub fn u128(&mut self) -> Result<u128> {
        let (taken, rest) = self
            .rest
            .split_first_chunk::<16>()
            .ok_or_else(|| bad("it ends inside a value"))?;
        self.rest = rest;
        Ok(u128::from_be_bytes(*taken))
    }

    pub fn opt_int(&mut self) -> Result<Option<i64>> {
        match self.uint()? {
            0 => Ok(None),
            1 => self.int().map(Some),
            _ => Err(bad("a flag in it is neither 0 nor 1")),
        }
    }
}

/// Fails unless `ok`: the check a reader makes of what it read.
pub(crate) fn ensure(ok: bool, why: &str) -> Result<()> {
    if ok { Ok(()) } else { Err(bad(why)) }
}

/// `a + b`, or BAD_SNAPSHOT when counts read from a snapshot overflow.
pub(crate) fn sum(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b).ok_or_else(|| bad("its counts overflow"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_overlong_ones_are_refused() {
        let mut w = Writer::default();
        let values = [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX];
        for v in values {
            w.uint(v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            w.int(v);
        }
        let mut r = Reader { rest: &w.out };
        for v in values {
            assert_eq!(r.uint().unwrap(), v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(r.int().unwrap(), v);
        }
        assert!(r.rest.is_empty());
        for overlong in [
            &[0xff; 11][..],
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
            &[0x80],
        ] {
            assert_eq!(
                Reader { rest: overlong }.uint().unwrap_err().code,
                ErrorCode::BadSnapshot
            );
        }
    }

    #[test]
    fn a_list_longer_than_its_bytes_is_refused_before_anything_is_reserved() {
        let mut w = Writer::default();
        w.uint(1 << 40);
        assert_eq!(Reader { rest: &w.out }.len().unwrap_err().code, ErrorCode::BadSnapshot);
    }

    #[test]
    fn envelopes_that_lie_are_refused() {
        let good = Tally::new(None).to_snapshot();
        assert!(Tally::from_snapshot(&good).is_ok());
        let reseal = |edit: &dyn Fn(&mut Vec<u8>)| {
            let mut bytes = good[..good.len() - TRAILER].to_vec();
            edit(&mut bytes);
            let crc = crc32fast::hash(&bytes);
            bytes.extend_from_slice(&crc.to_le_bytes());
            Tally::from_snapshot(&bytes).map(|_| ()).unwrap_err().code
        };
        // A declared length far beyond what the deflate stream could hold, a short one, another version.
        assert_eq!(
            reseal(&|b| b[5..9].copy_from_slice(&u32::MAX.to_le_bytes())),
            ErrorCode::BadSnapshot
        );
        assert_eq!(
            reseal(&|b| b[5..9].copy_from_slice(&1u32.to_le_bytes())),
            ErrorCode::BadSnapshot
        );
        assert_eq!(reseal(&|b| b[4] = SNAPSHOT_VERSION + 1), ErrorCode::BadSnapshot);
        let mut flipped = good.clone();
        flipped[HEADER] ^= 1;
        assert_eq!(
            Tally::from_snapshot(&flipped).map(|_| ()).unwrap_err().code,
            ErrorCode::BadSnapshot
        );
    }
}
