//! Snapshots: the parts of a report, each snapshotted and merged, give the whole report's Summary; bytes
//! that are not a snapshot (random, damaged, or a well-sealed envelope around a hostile payload) give
//! BAD_SNAPSHOT, never a panic. The envelope is built here from docs/snapshot.md, not from the crate.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{Read, Write};

use openathens_rawstats::engine::SNAPSHOT_VERSION;
use openathens_rawstats::{ErrorCode, ReportParser, Summary, Tally};
use proptest::prelude::*;
use rawstats_gen::{Config, DateStyle, Population, report_bytes};

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
    let mut out = b"OARS".to_vec();
    out.push(SNAPSHOT_VERSION);
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
