//! The engine against the generator's independently computed ground truth, over the report shapes the
//! generator can make, fed in uneven chunks.

use openathens_rawstats::{ReportParser, Tally};
use rawstats_gen::{Config, Date, DateStyle, Truth, report_bytes};
use serde_json::Value;

fn tally_of(bytes: &[u8], chunk: usize) -> Tally {
    let mut parser = ReportParser::new(None);
    for piece in bytes.chunks(chunk) {
        parser.push(piece).unwrap_or_else(|e| panic!("{e}"));
    }
    parser.finish().unwrap_or_else(|e| panic!("{e}"))
}

fn check(config: Config) {
    let (bytes, truth) = report_bytes(&config).expect("generator");
    for chunk in [1 << 20, 7919, 61] {
        let got = serde_json::to_value(tally_of(&bytes, chunk).summary()).unwrap();
        assert_json_eq(&got, &truth.to_json(), &format!("{config:?}, chunks of {chunk}"));
    }
}

fn assert_json_eq(got: &Value, want: &Value, what: &str) {
    if got != want {
        let keys = want.as_object().unwrap().keys();
        let differing: Vec<&String> = keys.filter(|k| got.get(k.as_str()) != want.get(k.as_str())).collect();
        panic!("{what}: summary differs from the truth in {differing:?}");
    }
}

fn config(rows: u64) -> Config {
    Config {
        rows,
        seed: 7,
        ..Default::default()
    }
}

#[test]
fn gzip_one_member() {
    check(config(5_000));
}

#[test]
fn gzip_many_members_split_inside_rows() {
    check(Config {
        members: 7,
        ..config(3_000)
    });
}

#[test]
fn plain_csv_with_crlf() {
    check(Config {
        plain: true,
        crlf: true,
        ..config(3_000)
    });
}

#[test]
fn columns_in_any_order_and_missing() {
    check(Config {
        shuffle_columns: true,
        ..config(2_000)
    });
    let dropped = [
        "date",
        "location.isp",
        "account.permissionsets",
        "attribute.resourcetitle",
        "request.ipaddress",
    ];
    check(Config {
        drop_columns: dropped.iter().map(|c| c.to_string()).collect(),
        ..config(2_000)
    });
}

#[test]
fn iso_and_month_first_dates() {
    check(Config {
        date_style: DateStyle::Iso,
        ..config(2_000)
    });
    // Day 21 is above 12, so a month-first report shows itself without a report date.
    check(Config {
        date_style: DateStyle::MonthDay,
        date: Date::new(2023, 6, 21).unwrap(),
        ..config(2_000)
    });
}

#[test]
fn hostile_text_is_counted_like_any_other() {
    check(Config {
        hostile: true,
        ..config(2_000)
    });
}

/// Hostile headers (padded, tab-wrapped, other case, a repeated name, a bare `attribute.`) in any order,
/// with skipped rows and blank lines, across gzip members. Seeds 7 and 11 put the repeated `attribute.role`
/// after and before the original.
#[test]
fn hostile_headers_and_skipped_rows_in_any_order() {
    for seed in [7, 11] {
        check(Config {
            hostile: true,
            shuffle_columns: true,
            members: 5,
            crlf: true,
            seed,
            ..config(2_000)
        });
    }
}

#[test]
fn sub_organisations_merge_exactly() {
    let mut merged: Option<Tally> = None;
    let mut truth: Option<Truth> = None;
    let mut sum_of_parts = 0;
    for org in ["", "library", "medicine"] {
        let (bytes, part_truth) = report_bytes(&Config {
            org: org.into(),
            ..config(3_000)
        })
        .unwrap();
        let part = tally_of(&bytes, 4096);
        sum_of_parts += part.summary().distinct_accounts;
        match (&mut merged, &mut truth) {
            (Some(m), Some(t)) => {
                m.merge(part);
                t.merge(&part_truth);
            }
            _ => {
                merged = Some(part);
                truth = Some(part_truth);
            }
        }
    }
    let (merged, truth) = (merged.unwrap().summary(), truth.unwrap().to_json());
    assert_json_eq(&serde_json::to_value(&merged).unwrap(), &truth, "merged");
    assert!(
        merged.distinct_accounts < sum_of_parts,
        "the organisations share accounts, counted once"
    );
}
