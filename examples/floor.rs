//! `make bench`, the floor: the least any summary of the report can cost on this machine, so that every
//! other line can say how far it is from it. A plain miniz_oxide inflate and csv-core pass that only
//! counts records: no CRC, no columns, no counting of values, none of the engine.
//! - `floor-1t`: one thread inflates and parses, the floor of `native` and of wasm in Node;
//! - `floor-2t`: one thread inflates and hands ~1 MiB batches to a second that parses, the layout of
//!   `native-2t` (examples/bench.rs) and of the page's two workers: the floor of both.
//!
//! usage: floor REPORT PLAIN_BYTES

use std::sync::mpsc::sync_channel;
use std::thread;
use std::time::Instant;

use csv_core::{ReadRecordResult, Reader};
use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// The same batches and channel as native-2t's, so that the two lines differ only in the work done.
const BATCH_LEN: usize = 1 << 20;
const BATCHES_IN_FLIGHT: usize = 4;
const OUT_LEN: usize = 64 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(plain_bytes)) = (args.get(1), args.get(2).and_then(|n| n.parse::<f64>().ok())) else {
        eprintln!("usage: floor REPORT PLAIN_BYTES");
        std::process::exit(2);
    };

    let started = Instant::now();
    let mut records = Records::default();
    inflate_report(&read(path), |csv| records.count(csv));
    let one = records.finish();
    print_line("floor-1t", started.elapsed().as_secs_f64(), plain_bytes, one);

    let started = Instant::now();
    let (batches, received) = sync_channel::<Vec<u8>>(BATCHES_IN_FLIGHT);
    let path = path.clone();
    let inflating = thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH_LEN + OUT_LEN);
        inflate_report(&read(&path), |csv| {
            batch.extend_from_slice(csv);
            if batch.len() >= BATCH_LEN {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_LEN + OUT_LEN));
                batches.send(full).expect("parsing thread stopped");
            }
        });
        batches.send(batch).expect("parsing thread stopped");
    });
    let mut records = Records::default();
    for batch in received {
        records.count(&batch);
    }
    inflating.join().expect("inflating thread failed");
    let two = records.finish();
    print_line("floor-2t", started.elapsed().as_secs_f64(), plain_bytes, two);
    assert_eq!(one, two, "the two layouts counted different records");
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Inflates each gzip member in turn, handing `out` the CSV in pieces of up to 64 KiB.
fn inflate_report(mut gz: &[u8], mut out: impl FnMut(&[u8])) {
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut buf = vec![0; OUT_LEN];
    while !gz.is_empty() {
        gz = &gz[header_len(gz)..];
        loop {
            let result = inflate(&mut state, gz, &mut buf, MZFlush::None);
            gz = &gz[result.bytes_consumed..];
            // An empty piece would read to csv-core as the end of the input.
            if result.bytes_written > 0 {
                out(&buf[..result.bytes_written]);
            }
            match result.status {
                Ok(MZStatus::StreamEnd) => break,
                Ok(MZStatus::Ok) | Err(MZError::Buf) if !gz.is_empty() || result.bytes_written > 0 => {}
                other => panic!("the report does not inflate: {other:?}"),
            }
        }
        state.reset(DataFormat::Raw);
        gz = &gz[8..]; // CRC32 and ISIZE, unchecked
    }
}

/// The length of the gzip member header at the start of `gz` (RFC 1952).
fn header_len(gz: &[u8]) -> usize {
    assert!(gz.len() >= 10 && gz[..3] == [0x1f, 0x8b, 8], "not a gzip member");
    let flags = gz[3];
    let mut at = 10;
    if flags & 4 != 0 {
        at += 2 + usize::from(u16::from_le_bytes([gz[at], gz[at + 1]]));
    }
    for flag in [8, 16] {
        if flags & flag != 0 {
            at += gz[at..]
                .iter()
                .position(|&b| b == 0)
                .expect("unterminated header field")
                + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    at
}

/// CSV records counted with csv-core; field bytes are written to a scratch buffer and dropped.
struct Records {
    reader: Reader,
    field_bytes: Vec<u8>,
    ends: Vec<usize>,
    count: u64,
}

impl Default for Records {
    fn default() -> Records {
        Records {
            reader: Reader::new(),
            field_bytes: vec![0; OUT_LEN],
            ends: vec![0; 256],
            count: 0,
        }
    }
}

impl Records {
    fn count(&mut self, mut csv: &[u8]) {
        loop {
            let (result, read, _, _) = self.reader.read_record(csv, &mut self.field_bytes, &mut self.ends);
            csv = &csv[read..];
            match result {
                ReadRecordResult::Record => self.count += 1,
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return,
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            }
        }
    }

    /// Rows: records after the header, the last one flushed.
    fn finish(mut self) -> u64 {
        self.count(&[]);
        self.count.saturating_sub(1)
    }
}

fn print_line(label: &str, seconds: f64, plain_bytes: f64, rows: u64) {
    println!(
        "{label:<9} {seconds:>7.3} s  {:>6.1} MB/s  ({rows} rows)",
        plain_bytes / seconds / 1e6
    );
}
