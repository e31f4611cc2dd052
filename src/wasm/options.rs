//! Reading the options objects JS callers pass: any member, and `fetchReport`'s as the flow's config and
//! its keys.

use js_sys::{Array, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

use super::date::checked_date;
use super::host::now_ms;
use crate::api::{DEFAULT_BASE_URL, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_POLL_INTERVAL_MS, DEFAULT_TIMEOUT_MS, TaskConfig};
use crate::error::{Error, ErrorCode, Result};

/// `options[key]` when it is neither undefined nor null.
pub(crate) fn option(options: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(options, &key.into())
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

/// `fetchReport`'s options as the flow's config, defaults applied and the date checked.
pub(super) fn task_config(options: &JsValue) -> Result<TaskConfig> {
    let date = checked_date(&option(options, "date").unwrap_or(JsValue::UNDEFINED), now_ms())?;
    let number = |key: &str, default: f64| {
        option(options, key)
            .and_then(|value| value.as_f64())
            .filter(|n| n.is_finite() && *n >= 0.0)
            .unwrap_or(default)
    };
    Ok(TaskConfig {
        base_url: base_url_of(options),
        api_name: option(options, "apiName")
            .and_then(|name| name.as_string())
            .unwrap_or_default(),
        date,
        poll_interval_ms: number("pollIntervalMs", DEFAULT_POLL_INTERVAL_MS),
        timeout_ms: number("timeoutMs", DEFAULT_TIMEOUT_MS),
        idle_timeout_ms: number("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS),
    })
}

/// The base URL, a path like `/oa/api/v1` taken as on the page's own origin when there is a page.
fn base_url_of(options: &JsValue) -> String {
    let base = option(options, "baseUrl")
        .and_then(|base| base.as_string())
        .unwrap_or_default();
    let base = base.trim();
    if base.is_empty() {
        return DEFAULT_BASE_URL.to_owned();
    }
    let page_origin = || {
        let location = Reflect::get(&js_sys::global(), &"location".into()).ok()?;
        Reflect::get(&location, &"origin".into())
            .ok()?
            .as_string()
            .filter(|origin| origin.starts_with("http"))
    };
    match page_origin() {
        Some(origin) if base.starts_with('/') && !base.starts_with("//") => {
            format!("{origin}{base}")
        }
        _ => base.to_owned(),
    }
}

/// `keys` as (label, key) pairs, in order; a missing label is `key n`.
pub(super) fn keys_of(keys: &JsValue) -> Result<Vec<(String, String)>> {
    let bad = || {
        Error::new(
            ErrorCode::Auth,
            "`keys` must be a list of {label, key}: give at least one labelled API key.",
        )
    };
    let list = keys
        .dyn_ref::<Array>()
        .filter(|list| list.length() > 0)
        .ok_or_else(bad)?;
    Ok(list
        .iter()
        .enumerate()
        .map(|(at, entry)| {
            let text = |key: &str| {
                option(&entry, key)
                    .and_then(|value| value.as_string())
                    .unwrap_or_default()
            };
            let label = text("label");
            (
                if label.is_empty() {
                    format!("key {}", at + 1)
                } else {
                    label
                },
                text("key"),
            )
        })
        .collect())
}
