//! `summarize` and `ReportParser` for JS. Summaries cross as plain objects (JSON-compatible: maps become
//! objects, counts numbers), so they can be posted between workers and saved as they are.

use js_sys::{Array, Function};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::engine::{Filter, ReportDate, ReportParser, Tally, too_many_filters};
use crate::error::{Error, ErrorCode, Result};
use crate::limits::MAX_FILTERS;
use crate::wasm::errors::to_js;
use crate::wasm::options::option;

#[wasm_bindgen(typescript_custom_section)]
const SUMMARY_TYPE: &str = r#"
/** Counts by value; an empty field counts under "". */
export type Counts = Record<string, number>;

export interface Resource {
  id: string; title: string; federation: string; transfers: number; blocked: number;
  /** distinct non-empty account ids among its transfer rows */
  users: number;
}

/** The most failed sign-ins of an account or IP within any 600 seconds, and its first and last (ISO UTC). */
export interface FailureTimes { maxFailedIn10Min: number; firstFailure: string | null; lastFailure: string | null }

export interface AccountFailures extends FailureTimes {
  account: string; failed: number; succeeded: number;
  /** distinct IPs and countries over all of its rows */
  ips: number; countries: number;
}

export interface IpFailures extends FailureTimes {
  ip: string; failed: number; succeeded: number;
  /** distinct accounts among its failed sign-ins: many is password spraying */
  accounts: number;
}

/** An account seen from two countries or more (shared or stolen). */
export interface Spread { account: string; countries: number; ips: number; signIns: number; transfers: number }

export interface Security {
  accountsWithFailedSignIns: number;
  ipsWithFailedSignIns: number;
  /** the 100 accounts with most failed sign-ins, then by id */
  byAccount: AccountFailures[];
  /** the 100 IPs with most failed sign-ins, then by IP */
  byIp: IpFailures[];
  /** the 100 accounts from most countries, then most IPs, then by id */
  spread: Spread[];
}

/** One day of OpenAthens activity (docs/summary.md). */
export interface Summary {
  schemaVersion: 2;
  rows: number;
  skippedRows: number;
  undatedRows: number;
  columns: string[];
  firstEvent: string | null;
  lastEvent: string | null;
  byAction: Counts;
  byStatus: Counts;
  byActionStatus: Record<string, Counts>;
  authentications: { total: number; succeeded: number; failed: number };
  transfers: { total: number; succeeded: number; blockedRestrictive: number; failed: number };
  resources: Resource[];
  byHour: number[];
  /** byHour for AUTHENTICATE and LOCAL_AUTHENTICATE rows. */
  signInsByHour: number[];
  /** byHour for FEDERATED_TRANSFER and LOCAL_FEDERATED_TRANSFER rows. */
  transfersByHour: number[];
  byCountry: Counts;
  byIsp: Counts;
  byAuthSystem: Counts;
  byAccountType: Counts;
  byAccountStatus: Counts;
  byOrganisation: Counts;
  byPermissionSet: Counts;
  distinctAccounts: number;
  distinctIps: number;
  customAttributes: Record<string, Counts>;
  security: Security;
}

/** A slice: only rows whose field in `column` (a header name, matched trimmed and ignoring ASCII case) is
 * exactly `value` ("" for empty). */
export interface Filter { column: string; value: string }

export interface SummarizeOptions {
  /** one slice, or several that must all match; a column the report lacks throws BAD_FILTER */
  filter?: Filter | Filter[];
}

/** Thrown by every export. */
export interface RawStatsError extends Error { code: ErrorCode }

// ReportParser's generated `[Symbol.dispose]` needs this symbol, which TypeScript's lib declares only from
// esnext.disposable on: declared here too, so the types compile with lib es2022 (TypeScript 5.2 or later).
declare global { interface SymbolConstructor { readonly dispose: unique symbol } }
"#;

/// The tally's Summary as a JS object.
pub(crate) fn summary_to_js(tally: &Tally) -> JsValue {
    // Linear memory grown in one step for what the Summary will take, not in the many small ones the allocator
    // would make: each grow costs V8 time that rises with the memory already held (500,000 action × status
    // pairs took 4.3 s for 250,000 without it, 1.6 s with; make bench's pairs lines). Freed at once, it stays
    // with the allocator for the Summary's maps.
    drop(std::hint::black_box(Vec::<u8>::with_capacity(
        tally.summary_bytes_hint(),
    )));
    let summary = tally.summary();
    // One text across the boundary and one JSON.parse: V8 builds a large object graph far faster that way than
    // property by property from wasm. Counts stay far below 2^53, and a Summary holds nothing (no map with
    // keys other than strings, no float) that JSON cannot carry, so neither step can fail on one.
    let text = serde_json::to_string(&summary).unwrap_or_default();
    js_sys::JSON::parse(&text).unwrap_or_else(|error| error)
}

/// How a report is read: its slices, and who else sees its bytes.
pub(crate) struct Reading {
    pub(crate) filters: Vec<Filter>,
    /// `onChunk`: called with each chunk of the report's bytes as it arrives (as sent, so gzip for a download).
    pub(crate) on_chunk: Option<Function>,
}

impl Reading {
    pub(crate) fn of(options: &JsValue) -> Result<Reading> {
        Ok(Reading {
            filters: filters_of(options)?,
            on_chunk: option(options, "onChunk").and_then(|f| f.dyn_into::<Function>().ok()),
        })
    }

    pub(crate) fn parser(&self, report_date: Option<ReportDate>) -> ReportParser {
        ReportParser::filtered(report_date, self.filters.clone())
    }
}

/// The `filter` option: one `{column, value}` or a list of them; none when absent.
fn filters_of(options: &JsValue) -> Result<Vec<Filter>> {
    let Some(filter) = option(options, "filter") else {
        return Ok(Vec::new());
    };
    let list = match filter.dyn_ref::<Array>() {
        // Refused before a single entry is read: a million filters would cost hundreds of MB to hold.
        Some(list) if list.length() as usize > MAX_FILTERS => return Err(too_many_filters()),
        Some(list) => list.iter().collect(),
        None => vec![filter],
    };
    list.iter()
        .map(|filter| {
            let text = |key: &str| option(filter, key).and_then(|value| value.as_string());
            match (text("column"), text("value")) {
                (Some(column), Some(value)) => Ok(Filter {
                    column,
                    value: value.into_bytes(),
                }),
                _ => Err(Error::new(
                    ErrorCode::BadFilter,
                    "A filter is {column, value} with text in both (value \"\" for empty fields), or a list of them.",
                )),
            }
        })
        .collect()
}

/// Summarises a whole report held in memory: gzip (any number of members) or plain CSV.
#[wasm_bindgen(unchecked_return_type = "Summary")]
pub fn summarize(
    bytes: &[u8],
    #[wasm_bindgen(unchecked_optional_param_type = "SummarizeOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let reading = Reading::of(&options.unwrap_or(JsValue::UNDEFINED)).map_err(|e| to_js(&e))?;
    let mut parser = reading.parser(None);
    parser.push(bytes).map_err(|e| to_js(&e))?;
    let tally = parser.finish().map_err(|e| to_js(&e))?;
    Ok(summary_to_js(&tally))
}

/// A report pushed in pieces as they arrive; any chunking gives the same Summary.
#[wasm_bindgen(js_name = ReportParser)]
pub struct JsReportParser {
    inner: ReportParser,
    /// The tally of the report `finish` last ended, for `snapshot`, until the next report starts.
    finished: Option<Tally>,
}

#[wasm_bindgen(js_class = ReportParser)]
impl JsReportParser {
    /// A parser at the start of a report.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "SummarizeOptions")] options: Option<JsValue>,
    ) -> Result<JsReportParser, JsValue> {
        let reading = Reading::of(&options.unwrap_or(JsValue::UNDEFINED)).map_err(|e| to_js(&e))?;
        Ok(JsReportParser {
            inner: reading.parser(None),
            finished: None,
        })
    }

    /// Reads the next piece of the report.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.finished = None;
        self.inner.push(chunk).map_err(|e| to_js(&e))
    }

    /// Rows read so far.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> f64 {
        self.inner.rows() as f64
    }

    /// Ends the report and returns its Summary; the parser can then read another report.
    #[wasm_bindgen(unchecked_return_type = "Summary")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let tally = self.inner.finish().map_err(|e| to_js(&e))?;
        let summary = summary_to_js(&tally);
        self.finished = Some(tally);
        Ok(summary)
    }

    /// The exact, mergeable state of the report `finish` just ended (docs/snapshot.md); throws BAD_SNAPSHOT
    /// before a successful `finish` or once the next report has started.
    pub fn snapshot(&self) -> Result<Vec<u8>, JsValue> {
        match &self.finished {
            Some(tally) => Ok(tally.to_snapshot()),
            None => Err(to_js(&Error::new(
                ErrorCode::BadSnapshot,
                "There is no finished report to snapshot: call snapshot() after finish() has returned a Summary.",
            ))),
        }
    }
}

/// One Summary for several snapshots, exactly as if one parser had read every row of them (an empty list
/// gives an empty day). Throws BAD_SNAPSHOT for bytes that are not a snapshot of this version.
#[wasm_bindgen(js_name = mergeSnapshots, unchecked_return_type = "Summary")]
pub fn merge_snapshots(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array[]")] snapshots: JsValue,
) -> Result<JsValue, JsValue> {
    let list = snapshots.dyn_into::<js_sys::Array>().map_err(|_| {
        to_js(&Error::new(
            ErrorCode::BadSnapshot,
            "mergeSnapshots takes an array of snapshots (Uint8Array).",
        ))
    })?;
    let mut merge = SnapshotMerge::new();
    for item in list.iter() {
        merge.add_js(&item)?;
    }
    Ok(merge.finish())
}

/// Snapshots merged one at a time, so that only the merge and one snapshot are held at once (the Worker's
/// `/history` over many stored days).
#[wasm_bindgen]
pub struct SnapshotMerge {
    merged: Tally,
}

#[wasm_bindgen]
impl SnapshotMerge {
    /// An empty merge.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> SnapshotMerge {
        SnapshotMerge {
            merged: Tally::new(None),
        }
    }

    /// Adds one snapshot; throws BAD_SNAPSHOT (the merge is then unchanged) or TOO_LARGE.
    pub fn add(&mut self, snapshot: &[u8]) -> Result<(), JsValue> {
        self.merged.merge_snapshot(snapshot).map_err(|e| to_js(&e))
    }

    /// The Summary of every snapshot added so far.
    #[wasm_bindgen(unchecked_return_type = "Summary")]
    pub fn finish(&self) -> JsValue {
        summary_to_js(&self.merged)
    }

    /// The exact, mergeable state of every snapshot added so far (docs/snapshot.md): the Worker makes a
    /// day's snapshot from its sub-organisations' ones, each fetched by a queue message of its own.
    pub fn snapshot(&self) -> Vec<u8> {
        self.merged.to_snapshot()
    }
}

impl SnapshotMerge {
    fn add_js(&mut self, item: &JsValue) -> Result<(), JsValue> {
        let bytes = item.dyn_ref::<js_sys::Uint8Array>().ok_or_else(|| {
            to_js(&Error::new(
                ErrorCode::BadSnapshot,
                "Every snapshot must be a Uint8Array, as ReportParser.snapshot() gives.",
            ))
        })?;
        self.add(&bytes.to_vec())
    }
}
