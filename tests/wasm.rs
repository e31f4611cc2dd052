//! The exported JS API, run as wasm in Node and (WASM_BINDGEN_USE_BROWSER=1) in headless Chromium:
//! plain objects equal to the generator's truth, for gzip and plain CSV, whole or pushed in pieces, and
//! JS `Error`s with SPEC codes for broken input.
#![cfg(target_arch = "wasm32")]

use openathens_rawstats::wasm::exports::{JsReportParser, summarize};
use rawstats_gen::{Config, report_bytes};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn to_json(summary: JsValue) -> Value {
    serde_wasm_bindgen::from_value(summary).expect("a plain JSON-able object")
}

fn error_code(error: JsValue) -> String {
    let error: js_sys::Error = error.dyn_into().expect("an Error object");
    js_sys::Reflect::get(&error, &"code".into())
        .unwrap()
        .as_string()
        .expect("a code")
}

fn report(config: Config) -> (Vec<u8>, Value) {
    let (bytes, truth) = report_bytes(&Config {
        rows: 2_000,
        seed: 3,
        ..config
    })
    .unwrap();
    (bytes, truth.to_json())
}

#[wasm_bindgen_test]
fn summarize_gzip_with_several_members() {
    let (bytes, truth) = report(Config {
        members: 3,
        ..Default::default()
    });
    assert_eq!(to_json(summarize(&bytes).unwrap()), truth);
}

#[wasm_bindgen_test]
fn summarize_plain_csv() {
    let (bytes, truth) = report(Config {
        plain: true,
        ..Default::default()
    });
    assert_eq!(to_json(summarize(&bytes).unwrap()), truth);
}

#[wasm_bindgen_test]
fn report_parser_in_any_pieces() {
    for plain in [false, true] {
        let (bytes, truth) = report(Config {
            plain,
            ..Default::default()
        });
        for size in [1, 4093, 65536] {
            let mut parser = JsReportParser::new();
            for piece in bytes.chunks(size) {
                parser.push(piece).unwrap();
            }
            assert_eq!(parser.rows() as u64, truth["rows"].as_u64().unwrap());
            assert_eq!(
                to_json(parser.finish().unwrap()),
                truth,
                "plain {plain}, pieces of {size}"
            );
        }
    }
}

#[wasm_bindgen_test]
fn broken_input_throws_errors_with_codes() {
    let (gzip, _) = report(Config::default());
    let mut corrupt = gzip.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0x5a;
    let cases: [(&[u8], &str); 5] = [
        (&gzip[..gzip.len() - 5], "TRUNCATED"),
        (&corrupt, "BAD_GZIP"),
        (b"", "NOT_A_REPORT"),
        (b"<html>not a report</html>\n", "NOT_A_REPORT"),
        (b"\x1f\x8b\x08\x00", "TRUNCATED"),
    ];
    for (bytes, code) in cases {
        assert_eq!(error_code(summarize(bytes).unwrap_err()), code);
    }
    let mut parser = JsReportParser::new();
    assert_eq!(error_code(parser.push(b"no,header\n").unwrap_err()), "NOT_A_REPORT");
}
