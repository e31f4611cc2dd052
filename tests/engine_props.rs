//! Properties of the whole engine on arbitrary input: any chunking gives the same result, no input makes it
//! panic, and every record after the header is a row or a skipped row.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;

use openathens_rawstats::engine::{CsvSide, Inflated, ReportDecoder};
use openathens_rawstats::{ReportParser, Summary, Tally};
use proptest::prelude::*;

fn run(chunks: &[&[u8]]) -> Result<Summary, String> {
    let mut parser = ReportParser::new(None);
    for chunk in chunks {
        parser.push(chunk).map_err(|e| e.code.as_str().to_string())?;
    }
    parser
        .finish()
        .map(|t| t.summary())
        .map_err(|e| e.code.as_str().to_string())
}

/// The page's two threads, one after the other: the decoder reads every chunk into pieces (never failing
/// on them, as the inflating worker does not), then the CSV side reads the pieces, and the decoder's error
/// is the report's unless the CSV side failed first.
fn two_halves(chunks: &[&[u8]]) -> Result<Summary, String> {
    enum Piece {
        Start,
        Data(Vec<u8>),
        End,
    }
    let mut pieces = Vec::new();
    let mut keep = |piece: Inflated<'_>| {
        pieces.push(match piece {
            Inflated::MemberStart => Piece::Start,
            Inflated::Data(bytes) => Piece::Data(bytes.to_vec()),
            Inflated::MemberEnd => Piece::End,
        });
        Ok(())
    };
    let mut decoder = ReportDecoder::default();
    let decoded = chunks
        .iter()
        .try_for_each(|chunk| decoder.push(chunk, &mut keep))
        .and_then(|()| decoder.finish(&mut keep));
    let mut csv = CsvSide::new(None, Vec::new());
    let code = |e: openathens_rawstats::Error| e.code.as_str().to_string();
    for piece in &pieces {
        csv.take(match piece {
            Piece::Start => Inflated::MemberStart,
            Piece::Data(bytes) => Inflated::Data(bytes),
            Piece::End => Inflated::MemberEnd,
        })
        .map_err(code)?;
    }
    decoded.map_err(code)?;
    csv.finish().map(|tally| tally.summary()).map_err(code)
}

/// A report's rows counted in shares, as the page's parsing workers count them: batches of rows in turn to
/// `shares` CSV sides (each reading the header first), numbered in the report's order, merged from
/// their snapshots.
fn in_shares(header: &str, rows: &[String], batch_rows: usize, shares: usize) -> Summary {
    let mut sides: Vec<CsvSide> = (0..shares).map(|_| CsvSide::new(None, Vec::new())).collect();
    for side in &mut sides {
        side.take(Inflated::Data(header.as_bytes())).unwrap();
    }
    for (place, batch) in rows.chunks(batch_rows).enumerate() {
        let side = &mut sides[place % shares];
        side.set_place(place as u64 + 1);
        side.take(Inflated::Data(batch.concat().as_bytes())).unwrap();
        assert!(side.at_record_start());
    }
    let snapshots: Vec<Vec<u8>> = sides
        .into_iter()
        .map(|side| side.finish().unwrap().to_share_snapshot())
        .collect();
    Tally::merge_snapshots(snapshots.iter().map(Vec::as_slice))
        .unwrap()
        .summary()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

fn split_at_points<'a>(bytes: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = points.iter().map(|p| p % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        chunks.push(&bytes[from..cut]);
        from = cut;
    }
    chunks
}

/// CSV-like text from the characters that matter to the parser, after a real header.
fn report_like() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = prop::sample::select(vec![
        b"," as &[u8],
        b"\"",
        b"\r",
        b"\n",
        b"\r\n",
        b"SUCCESS",
        b"FEDERATED_TRANSFER",
        b"AUTHENTICATE",
        b"06/06/2023T19:29:16",
        b"2023-06-07T01:02:03Z",
        b"13/06/2023T10:00:00",
        b"06/13/2023T10:00:00",
        b"demo#a, demo#b",
        b"x",
        b"\xff",
        b"\xEF\xBB\xBF",
        b" ",
    ]);
    prop::collection::vec(alphabet, 0..200).prop_map(|parts| {
        let mut bytes = b"date,action,status,account.permissionsets,attribute.resourceid,attribute.dept\n".to_vec();
        for part in parts {
            bytes.extend_from_slice(part);
        }
        bytes
    })
}

const TITLED_HEADER: &str =
    "date,action,status,account.accountid,attribute.resourceid,attribute.resourcetitle,attribute.federationctx\n";

/// Transfer rows of a few resources whose titles and federations change, or are left empty, from row to row.
fn titled_rows() -> impl Strategy<Value = Vec<String>> {
    let pick = |items: &'static [&'static str]| prop::sample::select(items.to_vec());
    let row = (
        pick(&["r1", "r2", "r3"]),
        pick(&["", "Old title", "New title", "Other"]),
        pick(&["", "oafed", "ukfed"]),
        pick(&["a", "b"]),
    );
    prop::collection::vec(row, 0..40).prop_map(|rows| {
        rows.into_iter()
            .map(|(id, title, federation, account)| {
                format!("15/01/2026T10:00:00,FEDERATED_TRANSFER,SUCCESS,{account},{id},{title},{federation}\n")
            })
            .collect()
    })
}

const ROW_HEADER: &str =
    "date,action,status,account.accountid,request.ipaddress,request.countrycode,attribute.resourceid\n";

/// Rows from small pools, so accounts and IPs repeat, fail near each other in time (10-minute edges,
/// midnight, either day order, undated) and travel between countries.
fn rows() -> impl Strategy<Value = Vec<String>> {
    let pick = |items: &'static [&'static str]| prop::sample::select(items.to_vec());
    let row = (
        pick(&[
            "15/01/2026T10:00:00",
            "15/01/2026T10:09:59",
            "15/01/2026T10:10:00",
            "15/01/2026T23:59:59",
            "16/01/2026T00:05:00",
            "01/02/2026T10:00:00",
            "2026-01-15T10:04:00Z",
            "",
        ]),
        pick(&["AUTHENTICATE", "LOCAL_AUTHENTICATE", "FEDERATED_TRANSFER", "OTHER"]),
        pick(&["SUCCESS", "ACCOUNT_ERROR_BAD_PASSWORD", "FAILURE_RESTRICTIVE"]),
        pick(&[
            "",
            "a",
            "b",
            "c",
            "someone.with.a.long.name@example.ac.uk",
            "123e4567-e89b-42d3-a456-426614174000",
        ]),
        pick(&["", "10.0.0.1", "10.0.0.2", "2001:db8::1", "2001:DB8::1"]),
        pick(&["", "GB", "FR", "US"]),
        pick(&["", "r1", "r2"]),
    );
    prop::collection::vec(row, 0..60).prop_map(|rows| {
        rows.into_iter()
            .map(|(d, a, s, acc, ip, c, r)| format!("{d},{a},{s},{acc},{ip},{c},{r}\n"))
            .collect()
    })
}

fn tally(rows: &[&String]) -> Tally {
    let mut parser = ReportParser::new(None);
    parser.push(ROW_HEADER.as_bytes()).unwrap();
    for row in rows {
        parser.push(row.as_bytes()).unwrap();
    }
    parser.finish().unwrap()
}

/// One field as it is written: unquoted bytes (no quote, comma or line end), or any bytes quoted.
fn field() -> impl Strategy<Value = Vec<u8>> {
    let unquoted = prop::collection::vec(any::<u8>().prop_filter("plain", |b| !b"\",\r\n".contains(b)), 0..6);
    let quoted = prop::collection::vec(any::<u8>(), 0..12).prop_map(|bytes| {
        let mut out = vec![b'"'];
        for byte in bytes {
            out.push(byte);
            if byte == b'"' {
                out.push(b'"');
            }
        }
        out.push(b'"');
        out
    });
    prop_oneof![3 => unquoted, 1 => quoted]
}

/// Records of 0 to 7 fields, each ended by LF or CRLF. The header below has 5.
fn records() -> impl Strategy<Value = Vec<(Vec<Vec<u8>>, bool)>> {
    let fields = prop_oneof![
        2 => prop::collection::vec(field(), 5),
        1 => prop::collection::vec(field(), 0..8),
    ];
    prop::collection::vec((fields, any::<bool>()), 0..40)
}

const HEADER: &[u8] = b"date,action,status,account.accountid,attribute.dept\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn merge_order_never_changes_the_result(rows in rows(), parts in prop::collection::vec(0..4usize, 60), order in Just([0usize, 1, 2, 3]).prop_shuffle()) {
        let whole = tally(&rows.iter().collect::<Vec<_>>()).summary();
        let part = |k: usize| tally(&rows.iter().zip(&parts).filter(|(_, p)| **p == k).map(|(r, _)| r).collect::<Vec<_>>());
        let mut merged = part(order[0]);
        for &k in &order[1..] {
            merged.merge(part(k));
        }
        prop_assert_eq!(merged.summary(), whole);
    }

    #[test]
    fn chunking_never_changes_the_result(bytes in report_like(), points in prop::collection::vec(any::<usize>(), 0..12)) {
        prop_assert_eq!(run(&split_at_points(&bytes, &points)), run(&[&bytes]));
        prop_assert_eq!(two_halves(&split_at_points(&bytes, &points)), run(&[&bytes]));
    }

    /// Random records after a real header: those of the header's width are rows, other non-blank ones
    /// skipped rows, blank lines neither. Byte noise after them may add records but never loses one.
    #[test]
    fn arbitrary_bytes_give_a_summary_or_an_error(records in records(), noise in prop::collection::vec(any::<u8>(), 0..64), points in prop::collection::vec(any::<usize>(), 0..8)) {
        let mut bytes = HEADER.to_vec();
        let (mut rows, mut skipped) = (0, 0);
        for (fields, crlf) in &records {
            bytes.extend_from_slice(&fields.join(&b','));
            bytes.extend_from_slice(if *crlf { b"\r\n" } else { b"\n" });
            let blank = fields.is_empty() || (fields.len() == 1 && fields[0].is_empty());
            if fields.len() == 5 {
                rows += 1;
            } else if !blank {
                skipped += 1;
            }
        }
        if noise.is_empty() {
            let summary = run(&split_at_points(&bytes, &points)).map_err(TestCaseError::fail)?;
            prop_assert_eq!((summary.rows, summary.skipped_rows), (rows, skipped));
        } else {
            bytes.extend_from_slice(&noise);
            let whole = run(&[&bytes]);
            prop_assert_eq!(run(&split_at_points(&bytes, &points)), whole.clone());
            if let Ok(summary) = whole {
                prop_assert!(summary.rows >= rows && summary.skipped_rows >= skipped, "{summary:?}");
                let records_in_noise = noise.len() as u64 + 1;
                prop_assert!(summary.rows + summary.skipped_rows <= rows + skipped + records_in_noise);
            }
        }
    }

    /// Shares of one report, in batches taken in turn and merged, give the report's Summary, down to each
    /// resource's title and federation (the last non-empty in the report's order).
    #[test]
    fn shares_merge_into_the_whole(rows in titled_rows(), batch_rows in 1..6usize, shares in 2..4usize) {
        let whole = run(&[format!("{TITLED_HEADER}{}", rows.concat()).as_bytes()]).map_err(TestCaseError::fail)?;
        prop_assert_eq!(in_shares(TITLED_HEADER, &rows, batch_rows, shares), whole);
    }

    /// Report-like text in gzip members, whole, cut short or with a byte changed: the two halves give
    /// what one parser gives, error for error.
    #[test]
    fn two_halves_read_as_one_parser(bytes in report_like(), members in prop::collection::vec(any::<usize>(), 0..4), damage in 0..3u8, at in any::<usize>(), points in prop::collection::vec(any::<usize>(), 0..8)) {
        let mut stream: Vec<u8> = split_at_points(&bytes, &members).into_iter().flat_map(gzip).collect();
        let at = at % stream.len();
        match damage {
            1 => stream[at] ^= 0x10,
            2 => stream.truncate(at),
            _ => {}
        }
        let chunks = split_at_points(&stream, &points);
        prop_assert_eq!(two_halves(&chunks), run(&chunks));
    }

    #[test]
    fn arbitrary_bytes_after_the_gzip_magic_never_panic(tail in prop::collection::vec(any::<u8>(), 0..2000), points in prop::collection::vec(any::<usize>(), 0..8)) {
        let mut bytes = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
        bytes.extend_from_slice(&tail);
        let whole = run(&[&bytes]);
        prop_assert_eq!(run(&split_at_points(&bytes, &points)), whole);
    }
}
