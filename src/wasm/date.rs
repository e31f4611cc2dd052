//! The report-date window for JS: `validateReportDate`, and `reportDateWindow` for date pickers.

use wasm_bindgen::prelude::*;

use super::errors::to_js;
use super::host::{now_ms, set};
use crate::api::{report_date_window, validate_report_date};
use crate::engine::ReportDate;
use crate::error::{Error, ErrorCode, Result};

#[wasm_bindgen(typescript_custom_section)]
const TS_DATE_WINDOW: &str = r#"
/** The report dates the API has, as "yyyy-MM-dd": `min` 30 days ago, `max` yesterday (UTC). */
export interface ReportDateWindow { min: string; max: string }
"#;

/// Checks a report date: `"yyyy-MM-dd"` from yesterday back to 30 days ago, UTC, relative to `now`
/// (a Date or ms since the epoch; default the current time). Returns the date or throws BAD_DATE /
/// DATE_OUT_OF_RANGE.
#[wasm_bindgen(js_name = validateReportDate)]
pub fn validate_report_date_js(
    #[wasm_bindgen(unchecked_param_type = "string")] date: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Date | number")] now: Option<JsValue>,
) -> Result<String, JsValue> {
    checked_date(&date, ms_of(now))
        .map(|_| date.as_string().unwrap_or_default())
        .map_err(|error| to_js(&error))
}

/// The window `validateReportDate` accepts at `now` (a Date or ms since the epoch; default the current
/// time), for a date picker's bounds.
#[wasm_bindgen(js_name = reportDateWindow, unchecked_return_type = "ReportDateWindow")]
pub fn report_date_window_js(
    #[wasm_bindgen(unchecked_optional_param_type = "Date | number")] now: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (min, max) = utc_day(ms_of(now))
        .and_then(|today| {
            report_date_window(today).ok_or_else(|| {
                Error::new(
                    ErrorCode::BadDate,
                    "The current time given has no report dates before it.",
                )
            })
        })
        .map_err(|error| to_js(&error))?;
    let window = js_sys::Object::new();
    for (key, day) in [("min", min), ("max", max)] {
        set(&window, key, &day.to_string().into());
    }
    Ok(window.into())
}

/// A JS `now` argument as ms since the epoch: NaN when it is no time.
fn ms_of(now: Option<JsValue>) -> f64 {
    now.map_or_else(now_ms, |now| js_sys::Date::new(&now).get_time())
}

pub(crate) fn checked_date(date: &JsValue, now_ms: f64) -> Result<ReportDate> {
    let today = utc_day(now_ms)?;
    let date = date.as_string().ok_or_else(|| {
        Error::new(
            ErrorCode::BadDate,
            "No report date was given: give one as yyyy-MM-dd (for example 2023-06-06).",
        )
    })?;
    validate_report_date(&date, today)
}

fn utc_day(ms: f64) -> Result<ReportDate> {
    ms.is_finite()
        .then(|| ReportDate::of_unix_seconds((ms / 1000.0).floor() as i64))
        .flatten()
        .ok_or_else(|| {
            Error::new(
                ErrorCode::BadDate,
                "The current time given is not a valid date: give a Date or milliseconds since 1970.",
            )
        })
}
