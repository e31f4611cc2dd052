//! Mutation fuzzing from the corpus in `tests/fuzz-corpus/`: every input the mutator makes from a report
//! (plain, and gzip compressed before or after mutating) goes through the whole parser, in one piece and
//! in random pieces, and must give the same Summary or the same error code both ways — never a panic;
//! every mutated task document goes through `TaskDocument::parse`. `make test` runs a few thousand cases;
//! `make fuzz` runs `FUZZ_CASES` (default a million) from a seed it prints, so a failure can be replayed
//! with `FUZZ_SEED`.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::path::Path;

use openathens_rawstats::ReportParser;
use openathens_rawstats::api::TaskDocument;

/// xorshift64*: small, seedable and the same on every machine, so a seed replays a case exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces of text that steer the parser into its interesting states.
const TOKENS: &[&[u8]] = &[
    b",",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xef\xbb\xbf",
    b"\x1f\x8b",
    b"\x00",
    b"\xff",
    b"SUCCESS",
    b"AUTHENTICATE",
    b"FEDERATED_TRANSFER",
    b"FAILURE_RESTRICTIVE",
    b"attribute.",
    b"06/06/2023T12:00:00",
    b"13/13/2023T25:61:61",
    b"2023-06-06T12:00:00.5Z",
    b"::",
    b"123e4567-E89B-42d3-a456-426614174000",
    b"{\"status\":",
    b"[[[[[[[[",
    b"\\u0000",
    b"\\ud800",
    b"1e999",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(input.len() + 1);
        match rng.below(7) {
            0 if !input.is_empty() => {
                let i = rng.below(input.len());
                input[i] ^= 1 << rng.below(8);
            }
            1 => input.insert(at, rng.next() as u8),
            2 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                input.splice(at..at, token.iter().copied());
            }
            3 if !input.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(input.len());
                input.drain(at.min(end)..end);
            }
            4 if !input.is_empty() => {
                // A stretch repeated: long fields, wide records, many rows.
                let start = rng.below(input.len());
                let end = (start + 1 + rng.below(32)).min(input.len());
                let piece = input[start..end].repeat(1 + rng.below(200));
                input.splice(at..at, piece);
            }
            5 => {
                let other = &corpus[rng.below(corpus.len())];
                let start = rng.below(other.len() + 1);
                let end = (start + rng.below(128)).min(other.len());
                input.splice(at..at, other[start..end].iter().copied());
            }
            _ => input.truncate(at),
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// The Summary as JSON, or the error code.
fn parse(pieces: &mut dyn Iterator<Item = &[u8]>) -> Result<String, &'static str> {
    let mut parser = ReportParser::new(None);
    for piece in pieces {
        parser.push(piece).map_err(|e| e.code.as_str())?;
    }
    let summary = parser.finish().map_err(|e| e.code.as_str())?.summary();
    Ok(serde_json::to_string(&summary).expect("a Summary serialises"))
}

fn check_report(rng: &mut Rng, input: &[u8]) {
    let whole = parse(&mut std::iter::once(input));
    let mut rest = input;
    let mut pieces = std::iter::from_fn(|| {
        if rest.is_empty() {
            return None;
        }
        let (piece, after) = rest.split_at(1 + rng.below(rest.len().min(97)));
        rest = after;
        Some(piece)
    });
    let pieced = parse(&mut pieces);
    assert_eq!(
        whole,
        pieced,
        "chunking changed the result of {:?}",
        String::from_utf8_lossy(input)
    );
}

fn load(dir: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| std::fs::read(path).expect("a corpus file"))
        .collect()
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn mutated_reports_and_task_documents_never_panic_and_chunking_never_matters() {
    let reports = load("report");
    let tasks = load("task");
    let cases = setting("FUZZ_CASES", 3000);
    let seed = setting("FUZZ_SEED", 0x0a7e_e5ed);
    println!("fuzz: {cases} cases from seed {seed}");
    let mut rng = Rng(seed | 1);
    for _ in 0..cases {
        let mut report = reports[rng.below(reports.len())].clone();
        match rng.below(3) {
            0 => mutate(&mut rng, &mut report, &reports),
            1 => {
                // Mutated text, then compressed: the gzip layer is sound and the CSV is hostile.
                mutate(&mut rng, &mut report, &reports);
                report = gzip(&report);
            }
            _ => {
                // Compressed, then mutated: the gzip layer itself is hostile.
                report = gzip(&report);
                mutate(&mut rng, &mut report, &reports);
            }
        }
        check_report(&mut rng, &report);

        let mut task = tasks[rng.below(tasks.len())].clone();
        mutate(&mut rng, &mut task, &tasks);
        let _ = TaskDocument::parse(&task);
    }
}
