//! Properties of the whole engine on arbitrary input: any chunking gives the same result, and no input
//! makes it panic.
#![cfg(not(target_arch = "wasm32"))]

use openathens_rawstats::{ReportParser, Summary};
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn chunking_never_changes_the_result(bytes in report_like(), points in prop::collection::vec(any::<usize>(), 0..12)) {
        prop_assert_eq!(run(&split_at_points(&bytes, &points)), run(&[&bytes]));
    }

    #[test]
    fn arbitrary_bytes_give_a_summary_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..2000), points in prop::collection::vec(any::<usize>(), 0..8)) {
        let whole = run(&[&bytes]);
        prop_assert_eq!(run(&split_at_points(&bytes, &points)), whole);
    }

    #[test]
    fn arbitrary_bytes_after_the_gzip_magic_never_panic(tail in prop::collection::vec(any::<u8>(), 0..2000), points in prop::collection::vec(any::<usize>(), 0..8)) {
        let mut bytes = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
        bytes.extend_from_slice(&tail);
        let whole = run(&[&bytes]);
        prop_assert_eq!(run(&split_at_points(&bytes, &points)), whole);
    }
}
