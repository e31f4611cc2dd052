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
/// Version 2 added the slice (the filters a snapshot's rows were counted under) at the payload's start;
/// version 1 snapshots (the Worker's archive) are still read, as unfiltered.
pub const SNAPSHOT_VERSION: u8 = 2;
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
        Tally::from_snapshot_within(bytes, MAX_TALLY_BYTES)
    }

    /// `from_snapshot`, refusing before it allocates a snapshot whose tables would hold more than `budget`
    /// bytes of memory.
    fn from_snapshot_within(bytes: &[u8], budget: usize) -> Result<Tally> {
        let (version, payload) = open(bytes)?;
        let mut r = Reader::new(&payload, budget);
        r.version = version;
        let tally = Tally::take(&mut r)?;
        if !r.rest.is_empty() {
            return Err(bad("it has bytes after its last part"));
        }
        Ok(tally)
    }
}

impl Tally {
    /// Adds the rows a snapshot holds, exactly as if this tally's parser had read them too.
    /// Nothing is changed unless it succeeds: the snapshot is read whole and checked before it is merged, so
    /// a merge that refused one snapshot can take the next.
    pub fn merge_snapshot(&mut self, bytes: &[u8]) -> Result<()> {
        // The merge and the snapshot being read never hold more than MAX_TALLY_BYTES together.
        let tally = Tally::from_snapshot_within(bytes, MAX_TALLY_BYTES.saturating_sub(self.held_bytes()))?;
        if !self.same_slice(&tally) {
            return Err(bad(
                "it was counted under other filters than the snapshots merged before it",
            ));
        }
        if tally.rows().saturating_add(self.rows()) > MAX_MERGED_ROWS || self.too_wide_with(&tally) {
            return Err(too_large());
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

/// Checks the envelope and inflates the payload; gives it with its version.
fn open(bytes: &[u8]) -> Result<(u8, Vec<u8>)> {
    if bytes.len() < HEADER + TRAILER || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad("it does not start as a snapshot does"));
    }
    let version = bytes[MAGIC.len()];
    if !(1..=SNAPSHOT_VERSION).contains(&version) {
        return Err(bad(&format!(
            "it is of format version {version}, and this engine reads versions 1 to {SNAPSHOT_VERSION}"
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
    Ok((version, payload))
}

fn too_large() -> Error {
    Error::new(
        ErrorCode::TooLarge,
        "These snapshots hold more than one merge can: merge fewer days at a time.",
    )
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

/// One kind of item in a list of a payload, for [`Reader::count`]: the fewest bytes it is written in, the
/// most memory reading one holds (beyond its text, which the payload's own size bounds), and how many a
/// list may hold.
#[derive(Clone, Copy)]
pub(crate) struct Item {
    pub bytes: usize,
    pub memory: usize,
    pub cap: usize,
}

/// The payload being read; every read checks what is left, so a hostile payload ends in `BAD_SNAPSHOT`.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    /// Bytes of memory the lists still unread may take (`Item::memory` each), so that a few bytes claiming
    /// millions of items are refused before the first is allocated.
    budget: usize,
    version: u8,
}

impl<'a> Reader<'a> {
    pub fn new(rest: &'a [u8], budget: usize) -> Self {
        Reader {
            rest,
            budget,
            version: SNAPSHOT_VERSION,
        }
    }

    /// The format version of the snapshot being read.
    pub fn version(&self) -> u8 {
        self.version
    }

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

    /// The length of a list of `item`s: refused (before any is read) beyond the list's cap, beyond what the
    /// bytes left can hold, or beyond the memory left to the reader, which it then takes.
    pub fn count(&mut self, item: Item) -> Result<usize> {
        let n = self.uint()?;
        ensure(n <= item.cap as u64, "a list in it is longer than a snapshot may hold")?;
        ensure(
            n.saturating_mul(item.bytes as u64) <= self.rest.len() as u64,
            "a list in it is longer than its bytes",
        )?;
        let n = n as usize;
        self.budget = n
            .checked_mul(item.memory)
            .and_then(|memory| self.budget.checked_sub(memory))
            .ok_or_else(too_large)?;
        Ok(n)
    }

    pub fn int(&mut self) -> Result<i64> {
        let v = self.uint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.uint()?;
        ensure(n <= self.rest.len() as u64, "a text in it is longer than its bytes")?;
        let (taken, rest) = self.rest.split_at(n as usize);
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
        let mut r = Reader::new(&w.out, 0);
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
                Reader::new(overlong, 0).uint().unwrap_err().code,
                ErrorCode::BadSnapshot
            );
        }
    }

    #[test]
    fn a_list_is_refused_before_anything_is_reserved_past_its_bytes_its_cap_or_the_memory_left() {
        let item = Item {
            bytes: 2,
            memory: 10,
            cap: 3,
        };
        let count = |n: u64, following: usize, budget: usize| {
            let mut w = Writer::default();
            w.uint(n);
            w.out.resize(w.out.len() + following, 0);
            let mut r = Reader::new(&w.out, budget);
            r.count(item).map(|n| (n, r.budget)).map_err(|e| e.code)
        };
        assert_eq!(count(3, 6, 30), Ok((3, 0)));
        assert_eq!(count(1 << 40, 6, 30), Err(ErrorCode::BadSnapshot));
        assert_eq!(count(4, 8, 40), Err(ErrorCode::BadSnapshot));
        assert_eq!(count(3, 5, 30), Err(ErrorCode::BadSnapshot));
        assert_eq!(count(3, 6, 29), Err(ErrorCode::TooLarge));
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
