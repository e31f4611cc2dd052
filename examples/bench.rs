//! `make bench`, native side: the report twice, and a line for each with time, throughput over the
//! uncompressed CSV size and peak RSS.
//! - `native`: one thread streams the file through ReportParser in 64 KiB reads, as a download would arrive;
//! - `native-2t`: one thread decodes (ReportDecoder) and hands ~1 MiB batches of CSV, with the gzip
//!   members' bounds, to a second, which counts them (CsvSide): the halves and layout of the page's two
//!   workers (www/js/pipeline.js).
//!
//! usage: bench REPORT PLAIN_BYTES

use std::fs::File;
use std::io::Read;
use std::sync::mpsc::sync_channel;
use std::thread;
use std::time::Instant;

use openathens_rawstats::engine::{CsvSide, Inflated, ReportDecoder};
use openathens_rawstats::{ReportParser, Summary};

const READ_LEN: usize = 64 * 1024;
/// Large enough that the channel costs nothing next to parsing a batch, small enough to stay in L2/L3.
const BATCH_LEN: usize = 1 << 20;
/// Batches in flight: enough that neither thread waits on the other's jitter.
const BATCHES_IN_FLIGHT: usize = 4;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(plain_bytes)) = (args.get(1), args.get(2).and_then(|n| n.parse::<f64>().ok())) else {
        eprintln!("usage: bench REPORT PLAIN_BYTES");
        std::process::exit(2);
    };

    let started = Instant::now();
    let one = one_thread(path);
    print_line("native", started.elapsed().as_secs_f64(), plain_bytes, &one);

    reset_peak_rss();
    let started = Instant::now();
    let two = two_threads(path);
    print_line("native-2t", started.elapsed().as_secs_f64(), plain_bytes, &two);
    assert_eq!(one, two, "the two layouts gave different Summaries");
}

fn one_thread(path: &str) -> Summary {
    let mut file = File::open(path).unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    let mut chunk = vec![0; READ_LEN];
    let mut parser = ReportParser::new(None);
    loop {
        let n = file.read(&mut chunk).expect("read failed");
        if n == 0 {
            break;
        }
        parser.push(&chunk[..n]).expect("report failed");
    }
    parser.finish().expect("report failed").summary()
}

/// Decoded bytes and where gzip members start (false) and end (true) in them.
#[derive(Default)]
struct Batch {
    data: Vec<u8>,
    marks: Vec<(usize, bool)>,
}

fn two_threads(path: &str) -> Summary {
    let mut file = File::open(path).unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    let (batches, received) = sync_channel::<Batch>(BATCHES_IN_FLIGHT);
    let decoding = thread::spawn(move || {
        let mut chunk = vec![0; READ_LEN];
        let mut decoder = ReportDecoder::default();
        let mut batch = Batch::default();
        let mut out = |piece: Inflated<'_>| {
            match piece {
                Inflated::MemberStart => batch.marks.push((batch.data.len(), false)),
                Inflated::MemberEnd => batch.marks.push((batch.data.len(), true)),
                Inflated::Data(bytes) => batch.data.extend_from_slice(bytes),
            }
            if batch.data.len() >= BATCH_LEN {
                batches.send(std::mem::take(&mut batch)).expect("parser thread stopped");
            }
            Ok(())
        };
        loop {
            let n = file.read(&mut chunk).expect("read failed");
            if n == 0 {
                break;
            }
            decoder.push(&chunk[..n], &mut out).expect("report failed");
        }
        decoder.finish(&mut out).expect("report failed");
        batches.send(batch).expect("parser thread stopped");
    });
    let mut csv = CsvSide::new(None, Vec::new());
    for Batch { data, marks } in received {
        csv.take_batch(&data, marks).expect("report failed");
    }
    decoding.join().expect("decoding thread failed");
    csv.finish().expect("report failed").summary()
}

fn print_line(label: &str, seconds: f64, plain_bytes: f64, summary: &Summary) {
    println!(
        "{label:<9} {seconds:>7.3} s  {:>6.1} MB/s  peak RSS {:.1} MB  ({} rows)",
        plain_bytes / seconds / 1e6,
        peak_rss_bytes() as f64 / 1e6,
        summary.rows
    );
}

/// VmHWM from /proc: the process's peak resident set, the figure the memory target is about.
fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Sets VmHWM back to the current RSS (Linux's clear_refs value 5), so that the second line's peak is its
/// own rather than the first run's.
fn reset_peak_rss() {
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        eprintln!("cannot reset peak RSS ({e}): native-2t's peak includes native's");
    }
}
