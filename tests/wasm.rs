//! The exported JS API, run as wasm in Node and (WASM_BINDGEN_USE_BROWSER=1) in headless Chromium:
//! plain objects equal to the generator's truth, for gzip and plain CSV, whole or pushed in pieces, and
//! JS `Error`s with the codes of docs/api.md for broken input.
#![cfg(target_arch = "wasm32")]

use openathens_rawstats::wasm::exports::{JsReportParser, merge_snapshots, summarize};
use rawstats_gen::{Config, report_bytes};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn to_json(summary: JsValue) -> Value {
    let text = js_sys::JSON::stringify(&summary).expect("a plain JSON-able object");
    serde_json::from_str(&String::from(text)).expect("JSON")
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
    assert_eq!(to_json(summarize(&bytes, None).unwrap()), truth);
}

#[wasm_bindgen_test]
fn summarize_plain_csv() {
    let (bytes, truth) = report(Config {
        plain: true,
        ..Default::default()
    });
    assert_eq!(to_json(summarize(&bytes, None).unwrap()), truth);
}

#[wasm_bindgen_test]
fn report_parser_in_any_pieces() {
    for plain in [false, true] {
        let (bytes, truth) = report(Config {
            plain,
            ..Default::default()
        });
        for size in [1, 4093, 65536] {
            let mut parser = JsReportParser::new(None).unwrap();
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
        assert_eq!(error_code(summarize(bytes, None).unwrap_err()), code);
    }
    let mut parser = JsReportParser::new(None).unwrap();
    assert_eq!(error_code(parser.push(b"no,header\n").unwrap_err()), "NOT_A_REPORT");
}

/// Bytes of the module's linear memory, which only ever grows: the high-water mark of everything so far.
fn linear_memory() -> usize {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().unwrap();
    memory.buffer().dyn_into::<js_sys::ArrayBuffer>().unwrap().byte_length() as usize
}

#[wasm_bindgen_test]
fn distinct_action_status_pairs_cost_memory_in_proportion() {
    // 20,000 rows each with a new action and a new status: a table indexed [action][status] would need
    // 20,000² counters (3.2 GB, past wasm's 4 GiB once grown) and trap; pairs keyed as seen cost little.
    let mut csv = String::from("action,status\n");
    for i in 0..20_000 {
        csv.push_str(&format!("A{i},S{i}\n"));
    }
    let before = linear_memory();
    let summary = to_json(summarize(csv.as_bytes(), None).unwrap());
    assert_eq!(summary["byActionStatus"].as_object().unwrap().len(), 20_000);
    assert!(
        linear_memory() - before < 32 << 20,
        "grew {} bytes",
        linear_memory() - before
    );
}

#[wasm_bindgen_test]
fn oversized_records_are_refused_and_the_module_keeps_working() {
    let huge_field = format!("action,status\nAUTHENTICATE,\"{}\"\n", "x".repeat(2 << 20));
    let mut wide_header = vec!["c"; 5000].join(",");
    wide_header.push_str(",action,status\n");
    for input in [huge_field.as_bytes(), wide_header.as_bytes()] {
        assert_eq!(error_code(summarize(input, None).unwrap_err()), "TOO_LARGE");
        let mut parser = JsReportParser::new(None).unwrap();
        for piece in input.chunks(65536) {
            if let Err(error) = parser.push(piece) {
                assert_eq!(error_code(error), "TOO_LARGE");
                break;
            }
        }
        assert_eq!(error_code(parser.finish().unwrap_err()), "TOO_LARGE");
    }
    let (bytes, truth) = report(Config::default());
    assert_eq!(to_json(summarize(&bytes, None).unwrap()), truth);
}

fn options(filter: Value) -> Option<JsValue> {
    let options = serde_json::json!({ "filter": filter });
    Some(js_sys::JSON::parse(&options.to_string()).unwrap())
}

#[wasm_bindgen_test]
fn filters_slice_the_summary_and_stack() {
    let (bytes, truth) = report(Config::default());
    let one = to_json(
        summarize(
            &bytes,
            options(serde_json::json!({"column": " ACTION ", "value": "AUTHENTICATE"})),
        )
        .unwrap(),
    );
    assert_eq!(one["rows"], truth["byAction"]["AUTHENTICATE"]);
    assert_eq!(one["byAction"].as_object().unwrap().len(), 1);
    let both = serde_json::json!([
        {"column": "action", "value": "AUTHENTICATE"},
        {"column": "status", "value": "SUCCESS"},
    ]);
    let stacked = to_json(summarize(&bytes, options(both.clone())).unwrap());
    assert_eq!(stacked["rows"], truth["byActionStatus"]["AUTHENTICATE"]["SUCCESS"]);
    let mut parser = JsReportParser::new(options(both)).unwrap();
    for piece in bytes.chunks(4093) {
        parser.push(piece).unwrap();
    }
    assert_eq!(to_json(parser.finish().unwrap()), stacked);
    let empty = to_json(
        summarize(
            &bytes,
            options(serde_json::json!({"column": "request.ipaddress", "value": ""})),
        )
        .unwrap(),
    );
    assert_eq!(empty["distinctIps"], 0);
}

#[wasm_bindgen_test]
fn a_bad_filter_throws_bad_filter() {
    let (bytes, _) = report(Config::default());
    for filter in [
        serde_json::json!({"column": "no.such.column", "value": "x"}),
        serde_json::json!({"column": "action"}),
        serde_json::json!([{"column": "action", "value": "AUTHENTICATE"}, 7]),
    ] {
        assert_eq!(
            error_code(summarize(&bytes, options(filter.clone())).unwrap_err()),
            "BAD_FILTER",
            "{filter}"
        );
    }
    assert_eq!(
        error_code(JsReportParser::new(options(serde_json::json!("action"))).err().unwrap()),
        "BAD_FILTER"
    );
}

#[wasm_bindgen_test]
fn snapshots_of_two_organisations_merge_to_their_merged_truth() {
    let mut snapshots = Vec::new();
    let mut merged_truth: Option<rawstats_gen::Truth> = None;
    let mut parser = JsReportParser::new(None).unwrap();
    assert_eq!(error_code(parser.snapshot().unwrap_err()), "BAD_SNAPSHOT");
    for org in ["", "library"] {
        let (bytes, truth) = report_bytes(&Config {
            rows: 1_500,
            org: org.into(),
            ..Default::default()
        })
        .unwrap();
        parser.push(&bytes).unwrap();
        parser.finish().unwrap();
        snapshots.push(js_sys::Uint8Array::from(parser.snapshot().unwrap().as_slice()));
        match &mut merged_truth {
            Some(merged) => merged.merge(&truth),
            None => merged_truth = Some(truth),
        }
    }
    let list = js_sys::Array::from_iter(snapshots.iter());
    assert_eq!(
        to_json(merge_snapshots(list.into()).unwrap()),
        merged_truth.unwrap().to_json()
    );

    let bad = js_sys::Array::of2(&snapshots[0], &js_sys::Uint8Array::from(&b"OARS\x01 not really"[..]));
    assert_eq!(error_code(merge_snapshots(bad.into()).unwrap_err()), "BAD_SNAPSHOT");
    assert_eq!(
        error_code(merge_snapshots(JsValue::from(3)).unwrap_err()),
        "BAD_SNAPSHOT"
    );
    // The module keeps working after a refused snapshot, and a new report drops the old snapshot.
    parser.push(b"action,status\n").unwrap();
    assert_eq!(error_code(parser.snapshot().unwrap_err()), "BAD_SNAPSHOT");
    assert_eq!(to_json(parser.finish().unwrap())["rows"], 0);
}
