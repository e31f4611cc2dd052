//! Snapshots: the parts of a report, each snapshotted and merged, give the whole report's Summary; bytes
//! that are not a snapshot (random, damaged, or a well-sealed envelope around a hostile payload) give
//! BAD_SNAPSHOT, never a panic. The envelope is built here from docs/snapshot.md, not from the crate.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Read, Write};

use openathens_rawstats::engine::Filter;
use openathens_rawstats::engine::SNAPSHOT_VERSION;
use openathens_rawstats::limits::MAX_SNAPSHOT_COLUMNS;
use openathens_rawstats::{ErrorCode, ReportParser, Summary, Tally};
use proptest::prelude::*;
use rawstats_gen::{Config, DateStyle, Population, report_bytes};

/// The system allocator, counting the bytes each thread holds and the most it held, so a test can bound
/// what reading a snapshot allocates whatever the tests beside it do.
struct Counting;

thread_local! {
    static HELD: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

fn note(grown: isize) {
    // `try_with`: a thread being torn down may still free.
    let _ = HELD.try_with(|held| {
        let (now, peak) = held.get();
        let now = now.saturating_add_signed(grown);
        held.set((now, peak.max(now)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as a move: old and new are both held while it copies.
        note(new_size as isize);
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        note(-(layout.size() as isize));
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` returns, and the most bytes this thread held above what it held before, while it ran.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = HELD.with(|held| {
        let (now, _) = held.get();
        held.set((now, now));
        now
    });
    let out = f();
    (out, HELD.with(|held| held.get().1) - before)
}

fn tally_of(csv: &[u8]) -> Tally {
    let mut parser = ReportParser::new(None);
    parser.push(csv).unwrap_or_else(|e| panic!("{e}"));
    parser.finish().unwrap_or_else(|e| panic!("{e}"))
}

/// Where each record of plain CSV ends (a line feed outside quotes), the header's first.
fn record_ends(csv: &[u8]) -> Vec<usize> {
    let mut quoted = false;
    let mut ends = Vec::new();
    for (at, &byte) in csv.iter().enumerate() {
        quoted ^= byte == b'"';
        if byte == b'\n' && !quoted {
            ends.push(at + 1);
        }
    }
    ends
}

/// The report cut into parts at record boundaries, each part with the header.
fn parts(csv: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let ends = record_ends(csv);
    let header = &csv[..ends[0]];
    let rows = &ends[1..];
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (rows.len() + 1)).collect();
    at.sort_unstable();
    let mut out = Vec::new();
    let mut from = ends[0];
    for end in at
        .iter()
        .map(|&i| if i == 0 { ends[0] } else { rows[i - 1] })
        .chain([csv.len()])
    {
        let mut part = header.to_vec();
        part.extend_from_slice(&csv[from..end]);
        out.push(part);
        from = end;
    }
    out
}

fn merged(snapshots: &[Vec<u8>]) -> Result<Summary, ErrorCode> {
    Tally::merge_snapshots(snapshots.iter().map(Vec::as_slice))
        .map(|t| t.summary())
        .map_err(|e| e.code)
}

/// Every feature of the generator that changes a tally: hostile text (custom attributes, markup in titles
/// and permission sets), shuffled columns, each date style, several organisations' accounts.
fn config(seed: u64, rows: u64, style: u8, org: bool) -> Config {
    Config {
        rows,
        seed,
        plain: true,
        hostile: seed.is_multiple_of(2),
        shuffle_columns: seed.is_multiple_of(3),
        date_style: [DateStyle::DayMonth, DateStyle::MonthDay, DateStyle::Iso][usize::from(style % 3)],
        org: if org { "library".into() } else { String::new() },
        population: Population {
            accounts: 300,
            ips: 200,
        },
        ..Default::default()
    }
}

/// A snapshot's payload, inflated, per docs/snapshot.md: "OARS", version, length, raw deflate, CRC32.
fn payload_of(snapshot: &[u8]) -> Vec<u8> {
    let mut payload = Vec::new();
    flate2::read::DeflateDecoder::new(&snapshot[9..snapshot.len() - 4])
        .read_to_end(&mut payload)
        .unwrap();
    assert_eq!(
        payload.len(),
        u32::from_le_bytes(snapshot[5..9].try_into().unwrap()) as usize
    );
    payload
}

/// A well-formed envelope around any payload.
fn sealed(payload: &[u8]) -> Vec<u8> {
    sealed_as(SNAPSHOT_VERSION, payload)
}

fn sealed_as(version: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = b"OARS".to_vec();
    out.push(version);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    let mut deflate = flate2::write::DeflateEncoder::new(out, flate2::Compression::default());
    deflate.write_all(payload).unwrap();
    let mut out = deflate.finish().unwrap();
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn refused(bytes: &[u8]) -> bool {
    matches!(Tally::from_snapshot(bytes), Err(e) if e.code == ErrorCode::BadSnapshot)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn merged_parts_are_the_whole(seed in 0u64..1000, rows in 0u64..600, style in 0u8..3, org: bool,
                                  cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        let (csv, _) = report_bytes(&config(seed, rows, style, org)).unwrap();
        let whole = tally_of(&csv).summary();
        let snapshots: Vec<Vec<u8>> = parts(&csv, &cuts).iter().map(|p| tally_of(p).to_snapshot()).collect();
        prop_assert_eq!(merged(&snapshots), Ok(whole.clone()));
        // A snapshot read back and snapshotted again says the same.
        let again = Tally::from_snapshot(&snapshots[0]).unwrap().to_snapshot();
        prop_assert_eq!(Tally::from_snapshot(&again).unwrap().summary(), Tally::from_snapshot(&snapshots[0]).unwrap().summary());
    }

    #[test]
    fn random_bytes_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..600), magic: bool) {
        let mut bytes = bytes;
        if magic && bytes.len() >= 5 {
            bytes[..4].copy_from_slice(b"OARS");
            bytes[4] = SNAPSHOT_VERSION;
        }
        prop_assert!(refused(&bytes));
    }

    #[test]
    fn damaged_snapshots_are_refused(seed in 0u64..1000, at: usize, flip in 1u8..=255, cut: usize) {
        let (csv, _) = report_bytes(&config(seed, 50, 0, false)).unwrap();
        let snapshot = tally_of(&csv).to_snapshot();
        let mut damaged = snapshot.clone();
        damaged[at % snapshot.len()] ^= flip;
        prop_assert!(refused(&damaged));
        prop_assert!(refused(&snapshot[..cut % snapshot.len()]));
    }

    /// Behind a valid checksum, any payload: the reader's own checks must hold.
    #[test]
    fn hostile_payloads_never_panic(seed in 0u64..1000, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
                                    cut: usize) {
        let (csv, _) = report_bytes(&config(seed, 80, 1, false)).unwrap();
        let mut payload = payload_of(&tally_of(&csv).to_snapshot());
        for (at, byte) in edits {
            let at = at % payload.len();
            payload[at] = byte;
        }
        for bytes in [sealed(&payload), sealed(&payload[..cut % payload.len()])] {
            if let Ok(tally) = Tally::from_snapshot(&bytes) {
                let summary = tally.summary();
                prop_assert!(summary.undated_rows <= summary.rows);
                let mut twice = tally.clone();
                twice.merge(tally);
            } else {
                prop_assert!(refused(&bytes));
            }
        }
    }
}

#[test]
fn every_summary_key_survives_a_snapshot() {
    // A report with every column and feature: every key of the Summary must come back non-trivially.
    let (csv, _) = report_bytes(&config(2, 3000, 0, false)).unwrap();
    let tally = tally_of(&csv);
    let summary = serde_json::to_value(tally.summary()).unwrap();
    let back = serde_json::to_value(Tally::from_snapshot(&tally.to_snapshot()).unwrap().summary()).unwrap();
    assert_eq!(back, summary);
    for (key, value) in summary.as_object().unwrap() {
        let empty = matches!(value, serde_json::Value::Null)
            || value.as_object().is_some_and(|o| o.is_empty())
            || value.as_array().is_some_and(|a| a.is_empty())
            || value.as_u64() == Some(0);
        assert!(
            !empty || key == "skippedRows" || key == "undatedRows",
            "{key} is empty in the test report"
        );
    }
}

#[test]
fn no_snapshots_merge_to_an_empty_day_and_one_bad_one_fails_the_merge() {
    assert_eq!(merged(&[]).unwrap().rows, 0);
    let (csv, _) = report_bytes(&config(1, 10, 0, false)).unwrap();
    let good = tally_of(&csv).to_snapshot();
    assert_eq!(merged(&[good.clone(), b"nope".to_vec()]), Err(ErrorCode::BadSnapshot));
    assert_eq!(merged(&[good]).unwrap().rows, 10);
}

/// A snapshot of an empty tally whose payload starts with `names` column names, each empty: a byte each,
/// which deflate packs a thousand to one. `padding` random bytes after it keep the whole within the ratio
/// of payload to stream a reader accepts, as the red team's did (the reader refuses them, once it gets there).
fn with_empty_names(names: usize, padding: usize) -> Vec<u8> {
    let empty = payload_of(&Tally::new(None).to_snapshot());
    assert_eq!(
        empty[..2],
        [0, 0],
        "an empty tally's payload starts with no filters and no column names"
    );
    let mut payload = Vec::with_capacity(names + empty.len() + 10);
    payload.push(0);
    let mut n = names;
    while n >= 0x80 {
        payload.push(n as u8 | 0x80);
        n >>= 7;
    }
    payload.push(n as u8);
    payload.resize(payload.len() + names, 0);
    payload.extend_from_slice(&empty[2..]);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    payload.extend((0..padding).map(|_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u8
    }));
    sealed(&payload)
}

#[test]
fn a_snapshot_claiming_millions_of_names_is_refused_before_they_are_allocated() {
    // 4M names in 4 MB of payload (4 KB of snapshot) would be 96 MB of `String`s; the 200M of the red team's
    // 1.2 MB snapshot ran a wasm module out of its 4 GiB.
    let hostile = with_empty_names(4_000_000, 20_000);
    let (result, peak) = peak_of(|| Tally::from_snapshot(&hostile).map(|_| ()).map_err(|e| e.code));
    assert_eq!(result, Err(ErrorCode::BadSnapshot));
    // The inflated payload (whose buffer grows by doubling as it inflates), and little more.
    assert!(peak < 3 * 4_000_000, "reading it held {peak} bytes");

    // A merge that refused it is as it was, and takes the next snapshot.
    let (csv, _) = report_bytes(&config(1, 10, 0, false)).unwrap();
    let good = tally_of(&csv).to_snapshot();
    let mut merge = Tally::new(None);
    merge.merge_snapshot(&good).unwrap();
    let before = merge.summary();
    assert_eq!(merge.merge_snapshot(&hostile).unwrap_err().code, ErrorCode::BadSnapshot);
    assert_eq!(merge.summary(), before);
    merge.merge_snapshot(&good).unwrap();
    assert_eq!(merge.summary().rows, 20);
}

#[test]
fn a_snapshot_may_declare_as_many_columns_as_a_report() {
    // A name listed twice is kept once, as a parse keeps it.
    let names = Tally::from_snapshot(&with_empty_names(MAX_SNAPSHOT_COLUMNS, 0)).map(|t| t.summary().columns);
    assert_eq!(names.unwrap(), [""]);
    assert!(refused(&with_empty_names(MAX_SNAPSHOT_COLUMNS + 1, 0)));
}

/// A one-row report with `action`, `status` and `width - 2` more columns named `{prefix}{i}`.
fn wide_report(prefix: &str, width: usize) -> Vec<u8> {
    let names: Vec<String> = (2..width).map(|i| format!("{prefix}{i}")).collect();
    format!(
        "action,status,{}\nAUTHENTICATE,SUCCESS{}\n",
        names.join(","),
        ",v".repeat(width - 2)
    )
    .into_bytes()
}

#[test]
fn a_merge_holds_no_more_columns_than_a_report() {
    let (a, b) = (
        tally_of(&wide_report("attribute.a", 3000)).to_snapshot(),
        tally_of(&wide_report("attribute.b", 3000)).to_snapshot(),
    );
    let mut merge = Tally::new(None);
    merge.merge_snapshot(&a).unwrap();
    merge.merge_snapshot(&a).unwrap();
    let before = merge.summary();
    assert_eq!((before.columns.len(), before.custom_attributes.len()), (3000, 2998));
    assert_eq!(merge.merge_snapshot(&b).unwrap_err().code, ErrorCode::TooLarge);
    assert_eq!(merge.summary(), before);
}

/// A payload per docs/snapshot.md: one row, a failed sign-in of account "u", and `failures` entries in the
/// failure log (the account's, with no IP and no time).
fn one_failed_sign_in(failures: u64) -> Vec<u8> {
    let mut p = vec![0, 0, 1, 0, 0];
    for _ in 0..2 {
        p.extend_from_slice(&[0, 0, 0]);
        p.extend_from_slice(&[0; 72]);
        p.push(0);
    }
    p.push(0);
    for _ in 0..7 {
        p.extend_from_slice(&[1, 0, 1]);
    }
    p.push(0);
    p.extend_from_slice(&[1, 12]);
    p.extend_from_slice(b"AUTHENTICATE");
    p.extend_from_slice(&[6]);
    p.extend_from_slice(b"FAILED");
    p.push(1);
    p.push(0);
    p.extend_from_slice(&[1, 0, 1, b'u', 0, 0, 0, 0, 0]);
    p.extend_from_slice(&[0; 6]);
    p.extend_from_slice(&[0, 0, 0, 0, 0]);
    p.extend_from_slice(&[0, 0, 0]);
    assert!(failures < 128);
    p.push(failures as u8);
    for at in 0..failures {
        p.extend_from_slice(&[u8::from(at == 0), 0, 0]);
    }
    p
}

#[test]
fn a_failure_log_longer_than_the_failed_sign_ins_is_refused() {
    let one = Tally::from_snapshot(&sealed(&one_failed_sign_in(1))).unwrap().summary();
    assert_eq!(
        (
            one.rows,
            one.authentications.failed,
            one.security.accounts_with_failed_sign_ins
        ),
        (1, 1, 1)
    );
    assert!(refused(&sealed(&one_failed_sign_in(100))));
}

#[test]
fn snapshots_of_different_filters_do_not_merge_and_old_ones_still_read() {
    let csv = b"action,status\nAUTHENTICATE,SUCCESS\nLOGOUT,SUCCESS\n";
    let sliced = |column: &str| {
        let filter = Filter {
            column: column.into(),
            value: b"AUTHENTICATE".to_vec(),
        };
        let mut parser = ReportParser::filtered(None, vec![filter]);
        parser.push(csv).unwrap();
        parser.finish().unwrap().to_snapshot()
    };
    let whole = tally_of(csv).to_snapshot();
    assert_eq!(merged(&[sliced("action"), whole.clone()]), Err(ErrorCode::BadSnapshot));
    assert_eq!(merged(&[whole.clone(), sliced("action")]), Err(ErrorCode::BadSnapshot));
    // One filter, however its column is written.
    assert_eq!(merged(&[sliced("action"), sliced(" ACTION")]).unwrap().rows, 2);
    // Version 1 had no filters: such snapshots (the Worker's archive) read as unfiltered.
    let old = sealed_as(1, &payload_of(&whole)[1..]);
    assert_eq!(merged(std::slice::from_ref(&old)), merged(std::slice::from_ref(&whole)));
    assert_eq!(merged(&[old, sliced("action")]), Err(ErrorCode::BadSnapshot));
}
