//! `gen-report` as the demo server and the benchmark run it.

use std::path::PathBuf;
use std::process::{Command, Output};

use rawstats_gen::{Config, Date, DateStyle, report_bytes};

fn gen_report(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen-report"))
        .args(args)
        .output()
        .expect("gen-report runs")
}

/// A path in the temp dir, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        TempFile(std::env::temp_dir().join(format!("gen-report-{}-{name}", std::process::id())))
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn writes_the_report_to_stdout_and_the_truth_to_a_file() {
    let truth_file = TempFile::new("truth.json");
    let args = [
        "--rows",
        "500",
        "--seed",
        "9",
        "--date",
        "2023-06-21",
        "--org",
        "medicine",
        "--date-style",
        "iso",
    ];
    let output = gen_report(
        &[
            &args[..],
            &["--plain", "--crlf", "--out", "-", "--truth", truth_file.path()],
        ]
        .concat(),
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let config = Config {
        rows: 500,
        seed: 9,
        date: Date::parse("2023-06-21").unwrap(),
        org: "medicine".into(),
        date_style: DateStyle::Iso,
        plain: true,
        crlf: true,
        ..Config::default()
    };
    let (csv, truth) = report_bytes(&config).unwrap();
    assert!(output.stdout == csv);
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&truth_file.0).unwrap()).unwrap();
    assert_eq!(written, truth.to_json());
}

#[test]
fn writes_gzip_members_to_a_file() {
    let out = TempFile::new("report.csv.gz");
    let output = gen_report(&[
        "--rows",
        "300",
        "--seed",
        "4",
        "--date",
        "2023-06-06",
        "--members",
        "3",
        "--hostile",
        "--shuffle-columns",
        "--drop-columns",
        "account.expiry,attribute.role",
        "--out",
        out.path(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let config = Config {
        rows: 300,
        seed: 4,
        members: 3,
        hostile: true,
        shuffle_columns: true,
        drop_columns: vec!["account.expiry".into(), "attribute.role".into()],
        ..Config::default()
    };
    assert!(std::fs::read(&out.0).unwrap() == report_bytes(&config).unwrap().0);
}

#[test]
fn bad_arguments_get_usage_and_exit_2() {
    let base = ["--rows", "10", "--seed", "1", "--date", "2023-06-06", "--out", "-"];
    let cases: [(&[&str], &str); 8] = [
        (
            &["--seed", "1", "--date", "2023-06-06", "--out", "-"],
            "--rows is required",
        ),
        (&["--rows", "ten"], "--rows takes a whole number"),
        (&["--date", "2023-02-30"], "yyyy-MM-dd"),
        (&["--date-style", "ymd"], "dmy, mdy or iso"),
        (&["--members", "0"], "at least 1"),
        (&["--drop-columns", "action"], "not a report"),
        (&["--colour"], "unknown argument"),
        (&["--org"], "--org needs a value"),
    ];
    for (extra, message) in cases {
        let args = if extra.contains(&"--out") {
            extra.to_vec()
        } else {
            [&base[..], extra].concat()
        };
        let output = gen_report(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(message) && stderr.contains("usage: gen-report"),
            "{args:?}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{args:?} writes no report");
    }
}

#[test]
fn merge_org_writes_the_merged_truth_of_the_organisations() {
    let truth_file = TempFile::new("merged.json");
    let output = gen_report(&[
        "--rows",
        "400",
        "--seed",
        "5",
        "--date",
        "2023-06-06",
        "--hostile",
        "--merge-org",
        "library",
        "--merge-org",
        "",
        "--truth",
        truth_file.path(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty());

    let part = |org: &str| {
        let config = Config {
            rows: 400,
            seed: 5,
            hostile: true,
            org: org.into(),
            ..Config::default()
        };
        report_bytes(&config).unwrap().1
    };
    let mut merged = part("library");
    merged.merge(&part(""));
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&truth_file.0).unwrap()).unwrap();
    assert_eq!(written, merged.to_json());
    assert_eq!(written["rows"], 800);

    let with_out = gen_report(&[
        "--rows",
        "1",
        "--seed",
        "1",
        "--date",
        "2023-06-06",
        "--merge-org",
        "a",
        "--out",
        "-",
    ]);
    assert_eq!(with_out.status.code(), Some(2), "--merge-org writes no report");
}
