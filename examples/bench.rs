//! `make bench`, native side: streams a report file through ReportParser in 64 KiB reads, as a download
//! would arrive, and prints time, throughput over the uncompressed CSV size and peak RSS.
//!
//! usage: bench REPORT PLAIN_BYTES

use std::fs::File;
use std::io::Read;
use std::time::Instant;

use openathens_rawstats::ReportParser;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(plain_bytes)) = (args.get(1), args.get(2).and_then(|n| n.parse::<f64>().ok())) else {
        eprintln!("usage: bench REPORT PLAIN_BYTES");
        std::process::exit(2);
    };
    let mut file = File::open(path).unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    let mut chunk = vec![0; 64 * 1024];
    let started = Instant::now();
    let mut parser = ReportParser::new(None);
    loop {
        let n = file.read(&mut chunk).expect("read failed");
        if n == 0 {
            break;
        }
        parser.push(&chunk[..n]).expect("report failed");
    }
    let summary = parser.finish().expect("report failed").summary();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "native  {:>7.3} s  {:>6.1} MB/s  peak RSS {:.1} MB  ({} rows)",
        seconds,
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
