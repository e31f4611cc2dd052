//! `fetchRange`: every day from `from` to `to` fetched as `fetchReport` would, a few at a time, and merged
//! exactly in date order ([`OrderedMerge`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::date::checked_date;
use super::errors::error_js;
use super::errors::to_js;
use super::exports::Reading;
use super::exports::summary_to_js;
use super::fetch::{abort_of, fetch_day};
use super::host::now_ms;
use super::host::set;
use super::options::option;
use super::options::{config_of, credentials_of};
use super::progress::{DayTag, Progress};
use crate::api::{OrderedMerge, range_days};
use crate::error::Result;

/// Days fetched at once unless `concurrency` says otherwise: kind to the API's rate limits.
const DEFAULT_CONCURRENCY: usize = 2;

#[wasm_bindgen(typescript_custom_section)]
const TS_RANGE: &str = r#"
export interface FetchRangeOptions extends Omit<FetchReportOptions, "date"> {
  /** the first day, "yyyy-MM-dd", inside the API's window */
  from: string;
  /** the last day, on or after `from`, inside the window */
  to: string;
  /** days fetched at once; default 2 */
  concurrency?: number;
  /** also give each day that succeeded its `snapshot` (ReportParser.snapshot's bytes), e.g. to cache it */
  snapshots?: boolean;
}

export type RangeDay =
  | { date: string; summary: Summary; parts?: SubOrgPart[]; snapshot?: Uint8Array }
  | { date: string; error: { code: ErrorCode; message: string }; parts?: SubOrgPart[] };

export interface RangeReport {
  /** every day that succeeded, merged exactly (distinct accounts and IPs across days) */
  merged: Summary;
  /** one entry a day, in date order */
  days: RangeDay[];
}
"#;

/// Fetches every day of a range; a day that fails is listed with its error, and the range fails only when
/// no day succeeds (with the earliest day's error) or on ABORTED.
#[wasm_bindgen(js_name = fetchRange, unchecked_return_type = "RangeReport")]
pub async fn fetch_range(
    #[wasm_bindgen(unchecked_param_type = "FetchRangeOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    fetch_range_with(options).await.map_err(|error| to_js(&error))
}

async fn fetch_range_with(options: JsValue) -> Result<JsValue> {
    let abort = Rc::new(abort_of(&options)?);
    let now = now_ms();
    let bound = |key: &str| checked_date(&option(&options, key).unwrap_or(JsValue::UNDEFINED), now);
    let days = Rc::new(range_days(bound("from")?, bound("to")?)?);
    let credentials = Rc::new(credentials_of(&options)?);
    // A filter slices every day alike; onChunk hears every day's bytes.
    let reading = Rc::new(Reading::of(&options)?);
    let callback = option(&options, "onProgress").and_then(|f| f.dyn_into::<Function>().ok());
    let snapshots = option(&options, "snapshots").is_some_and(|value| value.is_truthy());
    let concurrency = option(&options, "concurrency")
        .and_then(|value| value.as_f64())
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map_or(DEFAULT_CONCURRENCY, |n| n as usize)
        .min(days.len());

    let entries = Rc::new(RefCell::new(vec![JsValue::UNDEFINED; days.len()]));
    let merge = Rc::new(RefCell::new(OrderedMerge::new(days.len())));
    let (next, done) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0u32)));
    let lanes = Array::new();
    for _ in 0..concurrency {
        let (options, reading, days, credentials, callback, entries, merge, next, done, abort) = (
            options.clone(),
            reading.clone(),
            days.clone(),
            credentials.clone(),
            callback.clone(),
            entries.clone(),
            merge.clone(),
            next.clone(),
            done.clone(),
            abort.clone(),
        );
        lanes.push(&future_to_promise(async move {
            while next.get() < days.len() {
                let at = next.get();
                next.set(at + 1);
                let date = days[at];
                let tag = DayTag {
                    date: date.to_string(),
                    done: done.clone(),
                    total: days.len() as u32,
                };
                let config = config_of(&options, date);
                let result = fetch_day(&config, &reading, &credentials, &abort, &callback, Some(&tag)).await;
                let entry = Object::new();
                set(&entry, "date", &tag.date.as_str().into());
                let result = match result {
                    Ok(day) => {
                        set(&entry, "summary", &summary_to_js(&day.tally));
                        if let Some(parts) = &day.parts {
                            set(&entry, "parts", parts);
                        }
                        if snapshots {
                            set(
                                &entry,
                                "snapshot",
                                &Uint8Array::from(day.tally.to_snapshot().as_slice()),
                            );
                        }
                        Ok(day.tally)
                    }
                    Err(error) => {
                        set(&entry, "error", &error_js(&error));
                        Err(error)
                    }
                };
                let phase = if result.is_ok() { "done" } else { "failed" };
                entries.borrow_mut()[at] = entry.into();
                merge.borrow_mut().finish(at, result);
                done.set(done.get() + 1);
                Progress::new(callback.clone(), None, Some(tag)).phase(phase, None);
            }
            Ok(JsValue::UNDEFINED)
        }));
    }
    // Lanes never reject: each day's error is in its entry.
    let _ = JsFuture::from(Promise::all(&lanes)).await;
    abort.check()?;

    let merged = merge.replace(OrderedMerge::new(0)).done(&days)?;
    let report = Object::new();
    set(&report, "merged", &summary_to_js(&merged));
    set(&report, "days", &entries.take().into_iter().collect::<Array>());
    Ok(report.into())
}
