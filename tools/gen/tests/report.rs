//! The generator's promises: reproducible bytes, CSV that reads back field for field, a truth whose
//! numbers agree with each other and with an independent reading of the file, and the options doing
//! what they say.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use flate2::bufread::{GzDecoder, MultiGzDecoder};
use rawstats_gen::{Config, Date, DateStyle, Truth, report_bytes};
use serde_json::Value;

fn config(rows: u64) -> Config {
    Config {
        rows,
        seed: 42,
        plain: true,
        ..Config::default()
    }
}

fn generate(config: &Config) -> (Vec<u8>, Truth) {
    report_bytes(config).expect("a valid config")
}

/// Header and records as the `csv` crate reads them, with every record's field count checked (only
/// hostile reports have rows of another width: see `read_with_skipped`).
fn read(csv: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let (header, records, skipped) = read_with_skipped(csv);
    assert_eq!(skipped, 0, "every record has the header's field count");
    (header, records)
}

/// Also the number of records whose field count differs from the header's, which are left out.
fn read_with_skipped(csv: &[u8]) -> (Vec<String>, Vec<Vec<String>>, u64) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let (records, skipped): (Vec<Vec<String>>, Vec<Vec<String>>) = reader
        .records()
        .map(|r| {
            r.expect("well-formed CSV")
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .partition(|record| record.len() == header.len());
    (header, records, skipped.len() as u64)
}

/// The first column whose name, trimmed of ASCII spaces and tabs, is `name` ignoring ASCII case.
fn column<'a>(header: &[String], records: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let at = header
        .iter()
        .position(|h| h.trim_matches([' ', '\t']).eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no column {name}"));
    records.iter().map(|r| r[at].as_str()).collect()
}

fn tally<'a>(values: impl IntoIterator<Item = &'a str>) -> Value {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    serde_json::to_value(counts).unwrap()
}

fn distinct(values: &[&str]) -> usize {
    values.iter().filter(|v| !v.is_empty()).collect::<HashSet<_>>().len()
}

fn sum(map: &Value) -> u64 {
    map.as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    MultiGzDecoder::new(bytes).read_to_end(&mut plain).expect("valid gzip");
    plain
}

/// Each member's decoded bytes, in order.
fn members(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    while !bytes.is_empty() {
        let mut decoder = GzDecoder::new(bytes);
        let mut part = Vec::new();
        decoder.read_to_end(&mut part).expect("a whole member");
        parts.push(part);
        bytes = decoder.into_inner();
    }
    parts
}

#[test]
fn the_same_config_gives_the_same_bytes() {
    for config in [
        config(3000),
        Config {
            plain: false,
            members: 3,
            hostile: true,
            ..config(3000)
        },
    ] {
        let (first, truth) = generate(&config);
        let (second, again) = generate(&config);
        assert!(first == second, "identical bytes");
        assert_eq!(truth.to_json(), again.to_json());
    }
    let (other_seed, _) = generate(&Config {
        seed: 43,
        ..config(3000)
    });
    assert!(other_seed != generate(&config(3000)).0);
}

#[test]
fn records_read_back_to_what_the_truth_counted() {
    let config = Config {
        hostile: true,
        ..config(20_000)
    };
    let (csv, truth) = generate(&config);
    let truth = truth.to_json();
    let (header, records, skipped) = read_with_skipped(&csv);
    assert_eq!(records.len(), 20_000);
    assert_eq!(truth["skippedRows"], skipped);
    assert!(skipped > 0, "a hostile report has rows of the wrong width");
    assert_eq!(truth["columns"], serde_json::to_value(&header).unwrap());
    assert!(
        header
            .iter()
            .any(|h| h.starts_with([' ', '\t']) || h.ends_with([' ', '\t']))
    );
    let col = |name| column(&header, &records, name);

    assert_eq!(truth["byAction"], tally(col("action")));
    assert_eq!(truth["byStatus"], tally(col("status")));
    assert_eq!(truth["byCountry"], tally(col("request.countrycode")));
    assert_eq!(truth["byIsp"], tally(col("location.isp")));
    assert_eq!(truth["byAuthSystem"], tally(col("account.authsystemname")));
    assert_eq!(truth["byOrganisation"], tally(col("account.organisation")));
    assert_eq!(
        truth["customAttributes"]["department"],
        tally(col("attribute.department"))
    );
    assert_eq!(
        truth["customAttributes"]["CostCentre"],
        tally(col("attribute.CostCentre"))
    );
    assert_eq!(truth["customAttributes"]["role"], tally(col("attribute.role")));
    let custom: Vec<&String> = truth["customAttributes"].as_object().unwrap().keys().collect();
    assert_eq!(
        custom.len(),
        4,
        "the bare attribute. and the repeated role are no attributes: {custom:?}"
    );
    assert_eq!(truth["distinctAccounts"], distinct(&col("account.accountid")));
    assert_eq!(truth["distinctIps"], distinct(&col("request.ipaddress")));

    let titles: HashSet<&str> = col("attribute.resourcetitle").into_iter().collect();
    for resource in truth["resources"].as_array().unwrap() {
        let title = resource["title"].as_str().unwrap();
        assert!(title.is_empty() || titles.contains(title), "title {title:?} reads back");
    }
    for agent in col("request.useragent") {
        assert!(agent.starts_with("Mozilla/5.0 ("), "{agent}");
    }
}

#[test]
fn the_truth_agrees_with_itself() {
    let (_, truth) = generate(&config(20_000));
    let t = truth.to_json();
    let rows = t["rows"].as_u64().unwrap();
    assert_eq!(rows, 20_000);
    assert_eq!(t["schemaVersion"], 2);
    for key in [
        "byAction",
        "byStatus",
        "byCountry",
        "byIsp",
        "byAuthSystem",
        "byAccountType",
        "byAccountStatus",
        "byOrganisation",
    ] {
        assert_eq!(sum(&t[key]), rows, "{key} adds up to rows");
    }
    for (name, counts) in t["customAttributes"].as_object().unwrap() {
        assert_eq!(sum(counts), rows, "custom attribute {name} adds up to rows");
    }
    let nested: u64 = t["byActionStatus"].as_object().unwrap().values().map(sum).sum();
    assert_eq!(nested, rows);
    assert!(
        sum(&t["byPermissionSet"]) >= rows,
        "a row names at least one set or counts under \"\""
    );

    let by_action = |a: &str| t["byAction"][a].as_u64().unwrap_or(0);
    let (auth, transfers) = (&t["authentications"], &t["transfers"]);
    assert_eq!(
        auth["total"].as_u64().unwrap(),
        by_action("AUTHENTICATE") + by_action("LOCAL_AUTHENTICATE")
    );
    assert_eq!(
        auth["total"],
        auth["succeeded"].as_u64().unwrap() + auth["failed"].as_u64().unwrap()
    );
    let transfer_total = transfers["total"].as_u64().unwrap();
    assert_eq!(
        transfer_total,
        by_action("FEDERATED_TRANSFER") + by_action("LOCAL_FEDERATED_TRANSFER")
    );
    let parts: u64 = ["succeeded", "blockedRestrictive", "failed"]
        .iter()
        .map(|k| transfers[*k].as_u64().unwrap())
        .sum();
    assert_eq!(parts, transfer_total);
    assert_eq!(transfers["blockedRestrictive"], t["byStatus"]["FAILURE_RESTRICTIVE"]);

    let resources = t["resources"].as_array().unwrap();
    assert_eq!(
        resources.iter().map(|r| r["transfers"].as_u64().unwrap()).sum::<u64>(),
        transfer_total
    );
    assert_eq!(
        resources.iter().map(|r| r["blocked"].as_u64().unwrap()).sum::<u64>(),
        transfers["blockedRestrictive"]
    );
    for pair in resources.windows(2) {
        let key = |r: &Value| {
            (
                std::cmp::Reverse(r["transfers"].as_u64().unwrap()),
                r["id"].as_str().unwrap().to_string(),
            )
        };
        assert!(key(&pair[0]) < key(&pair[1]), "most transfers first, then by id");
    }

    let hours = t["byHour"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    assert_eq!(hours.iter().map(|h| h.as_u64().unwrap()).sum::<u64>(), rows);
    assert_eq!(t["undatedRows"], 0);
    assert_eq!(t["skippedRows"], 0);
    assert!(t["firstEvent"].as_str().unwrap() < t["lastEvent"].as_str().unwrap());
}

#[test]
fn the_data_looks_like_a_day_of_a_university() {
    let (csv, truth) = generate(&config(50_000));
    let t = truth.to_json();
    let share = |n: &Value| n.as_u64().unwrap() as f64 / 50_000.0;
    let sign_ins = share(&t["authentications"]["total"]);
    assert!((0.37..0.43).contains(&sign_ins), "about 40% sign-ins: {sign_ins}");
    let restrictive = share(&t["transfers"]["blockedRestrictive"]) / (1.0 - sign_ins);
    assert!(
        (0.01..0.03).contains(&restrictive),
        "about 2% of transfers blocked: {restrictive}"
    );
    let failures = t["byStatus"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|s| s.starts_with("ACCOUNT_ERROR_"))
        .count();
    assert!(failures >= 4, "several sign-in failure reasons");
    assert!(
        t["resources"].as_array().unwrap().len() > 1500,
        "thousands of resources"
    );
    assert!(t["distinctAccounts"].as_u64().unwrap() > 10_000);
    let federations: HashSet<&str> = t["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["federation"].as_str())
        .collect();
    assert!(federations.is_superset(&HashSet::from(["oafed", "ukfed", rawstats_gen::API_NAME])));

    let (header, records) = read(&csv);
    let ips = column(&header, &records, "request.ipaddress");
    assert!(
        ips.iter().any(|ip| ip.contains(':')) && ips.iter().any(|ip| ip.contains('.')),
        "IPv4 and IPv6"
    );
    let titles = column(&header, &records, "attribute.resourcetitle");
    for needle in [",", "\"", "é", "日本語", "\n"] {
        assert!(titles.iter().any(|t| t.contains(needle)), "some title holds {needle:?}");
    }
    let hours = t["byHour"].as_array().unwrap();
    assert!(hours[11].as_u64() > hours[3].as_u64(), "busier at noon than at 3am");
    let expiry = column(&header, &records, "account.expiry");
    let types = column(&header, &records, "account.type");
    assert!(
        expiry.iter().zip(&types).all(|(e, t)| e.is_empty() || *t == "PERSONAL"),
        "expiry only for OpenAthens accounts"
    );
    let actions = column(&header, &records, "action");
    let ids = column(&header, &records, "attribute.resourceid");
    assert!(
        actions
            .iter()
            .zip(&ids)
            .all(|(a, id)| a.ends_with("TRANSFER") || id.is_empty()),
        "no resource on sign-ins"
    );
    let dates = column(&header, &records, "date");
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "rows in time order");
}

#[test]
fn organisations_differ_but_share_accounts() {
    let parent = config(5000);
    let sub = Config {
        org: "law-school".into(),
        ..config(5000)
    };
    let ((a, mut merged), (b, b_truth)) = (generate(&parent), generate(&sub));
    assert!(a != b);
    let accounts = |csv: &[u8]| -> HashSet<String> {
        let (header, records) = read(csv);
        column(&header, &records, "account.accountid")
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (in_a, in_b) = (accounts(&a), accounts(&b));
    assert!(!in_a.is_disjoint(&in_b), "some accounts appear in both");
    assert!(in_a != in_b);

    let a_json = merged.to_json();
    merged.merge(&b_truth);
    let m = merged.to_json();
    assert_eq!(m["rows"], 10_000);
    assert_eq!(m["distinctAccounts"], in_a.union(&in_b).count());
    assert!(m["distinctAccounts"].as_u64() < Some(a_json["distinctAccounts"].as_u64().unwrap() + in_b.len() as u64));
    assert_eq!(m["columns"], a_json["columns"]);
    assert_eq!(sum(&m["byCountry"]), 10_000);
}

#[test]
fn gzip_members_decode_to_the_plain_report() {
    let (plain, plain_truth) = generate(&config(2000));
    for count in [1, 2, 5] {
        let (gz, truth) = generate(&Config {
            plain: false,
            members: count,
            ..config(2000)
        });
        assert_eq!(gunzip(&gz), plain);
        assert_eq!(truth.to_json(), plain_truth.to_json());
        let parts = members(&gz);
        assert_eq!(parts.len(), count);
        for part in &parts[..count - 1] {
            assert!(!part.ends_with(b"\n"), "a member ends inside a row");
        }
    }
    let (gz, _) = generate(&Config {
        plain: false,
        members: 4,
        ..config(1)
    });
    assert_eq!(members(&gz).len(), 4, "more members than rows leaves empty members");
    assert_eq!(gunzip(&gz), generate(&config(1)).0);
}

#[test]
fn date_styles_write_their_formats_and_nothing_else_changes() {
    let date = Date::parse("2023-06-21").unwrap();
    let dates = |style| {
        let (csv, truth) = generate(&Config {
            date,
            date_style: style,
            ..config(300)
        });
        let (header, records) = read(&csv);
        (
            column(&header, &records, "date")
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>(),
            truth.to_json(),
        )
    };
    let (dmy, truth) = dates(DateStyle::DayMonth);
    let (mdy, mdy_truth) = dates(DateStyle::MonthDay);
    let (iso, iso_truth) = dates(DateStyle::Iso);
    assert_eq!(truth, mdy_truth);
    assert_eq!(truth, iso_truth);
    let shape = |s: &str, prefix: &str| {
        s.starts_with(prefix)
            && s.as_bytes()[prefix.len()..]
                .iter()
                .filter(|b| b.is_ascii_digit())
                .count()
                >= 6
    };
    assert!(
        dmy.iter().all(|d| shape(d, "21/06/2023T") && d.len() == 19),
        "{:?}",
        dmy[0]
    );
    assert!(
        mdy.iter().all(|d| shape(d, "06/21/2023T") && d.len() == 19),
        "{:?}",
        mdy[0]
    );
    assert!(
        iso.iter().all(|d| shape(d, "2023-06-21T") && d.ends_with('Z')),
        "{:?}",
        iso[0]
    );
    assert!(
        iso.iter().any(|d| d.len() == 24) && iso.iter().any(|d| d.len() == 20),
        "some with milliseconds"
    );
    for (d, i) in dmy.iter().zip(&iso) {
        assert_eq!(d[11..19], i[11..19], "same clock time");
    }
    assert_eq!(truth["firstEvent"].as_str().unwrap()[..11], *"2023-06-21T");
}

#[test]
fn layout_options_change_only_the_layout() {
    let base = generate(&config(1000)).1.to_json();
    let without_columns = |mut t: Value| {
        t.as_object_mut().unwrap().remove("columns");
        t
    };
    let (crlf, crlf_truth) = generate(&Config {
        crlf: true,
        ..config(1000)
    });
    assert_eq!(crlf_truth.to_json(), base);
    assert_eq!(
        crlf.windows(2).filter(|w| w == b"\r\n").count(),
        crlf.iter().filter(|&&b| b == b'\n').count()
    );

    let (shuffled, truth) = generate(&Config {
        shuffle_columns: true,
        ..config(1000)
    });
    let (header, _) = read(&shuffled);
    assert_ne!(
        header,
        base["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect::<Vec<_>>()
    );
    assert_eq!(without_columns(truth.to_json()), without_columns(base.clone()));
}

#[test]
fn dropped_columns_read_as_empty() {
    let drop = ["date", "account.accountid", "attribute.role", "attribute.resourcetitle"]
        .map(String::from)
        .to_vec();
    let (csv, truth) = generate(&Config {
        drop_columns: drop.clone(),
        ..config(1000)
    });
    let t = truth.to_json();
    let (header, _) = read(&csv);
    assert!(drop.iter().all(|d| !header.contains(d)));
    assert_eq!(t["undatedRows"], 1000);
    assert_eq!(t["byHour"], serde_json::to_value([0u64; 24]).unwrap());
    assert_eq!(t["firstEvent"], Value::Null);
    assert_eq!(t["distinctAccounts"], 0);
    assert!(t["customAttributes"].get("role").is_none());
    assert!(t["resources"].as_array().unwrap().iter().all(|r| r["title"] == ""));

    for bad in ["action", "status", "no.such.column"] {
        let err = report_bytes(&Config {
            drop_columns: vec![bad.into()],
            ..config(10)
        })
        .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{bad}");
    }
    assert!(
        report_bytes(&Config {
            members: 0,
            ..config(10)
        })
        .is_err()
    );
}

#[test]
fn hostile_reports_carry_markup_and_the_same_events() {
    let (csv, truth) = generate(&Config {
        hostile: true,
        ..config(5000)
    });
    let (_, tame) = generate(&config(5000));
    let text = String::from_utf8(csv).unwrap();
    for markup in ["<img src=x onerror=alert(1)>", "<script>", "<svg onload=", "demo#<img"] {
        assert!(text.contains(markup), "{markup}");
    }
    let (t, tame) = (truth.to_json(), tame.to_json());
    for key in [
        "byAction",
        "byStatus",
        "byHour",
        "distinctAccounts",
        "distinctIps",
        "byCountry",
    ] {
        assert_eq!(t[key], tame[key], "{key}");
    }
    assert!(
        t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().contains("<img"))
    );
}

#[test]
fn no_rows_is_a_header_only_report() {
    let (csv, truth) = generate(&config(0));
    let (header, records) = read(&csv);
    assert!(records.is_empty() && header.len() == 21);
    let t = truth.to_json();
    assert_eq!(t["rows"], 0);
    assert_eq!(t["firstEvent"], Value::Null);
    assert_eq!(t["resources"], serde_json::json!([]));
}

#[test]
fn attacks_stand_out_in_the_security_lists() {
    let t = generate(&config(20_000)).1.to_json();
    let security = &t["security"];
    let n = |v: &Value| v.as_u64().unwrap();
    let burst = security["byAccount"].as_array().unwrap().iter();
    assert!(
        burst
            .clone()
            .any(|a| n(&a["maxFailedIn10Min"]) >= 10 && n(&a["ips"]) <= 2),
        "a burst of failures on one account"
    );
    assert!(
        security["byIp"]
            .as_array()
            .unwrap()
            .iter()
            .any(|ip| n(&ip["accounts"]) >= 10 && n(&ip["maxFailedIn10Min"]) >= 10 && n(&ip["succeeded"]) == 0),
        "one address failing for many accounts within minutes"
    );
    assert!(
        security["spread"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| n(&a["countries"]) >= 5),
        "an account seen from several countries"
    );
    let failing = n(&security["accountsWithFailedSignIns"]);
    assert!(
        failing < n(&t["distinctAccounts"]) / 20,
        "attacks stay rare: {failing} accounts failing"
    );
}
