//! Reading the options objects JS callers pass: any member, and `fetchReport`'s (and `fetchRange`'s) as the
//! flow's settings and whose keys to use.

use std::rc::Rc;

use js_sys::{Array, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

use crate::api::{DEFAULT_BASE_URL, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_POLL_INTERVAL_MS, DEFAULT_TIMEOUT_MS, TaskConfig};
use crate::engine::ReportDate;
use crate::error::{Error, ErrorCode, Result};

/// `options[key]` when it is neither undefined nor null.
pub(crate) fn option(options: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(options, &key.into())
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

/// Whose reports to fetch: one key, or several organisations' labelled keys.
pub(crate) enum Credentials {
    Key(String),
    Keys(Rc<Vec<(String, String)>>),
}

/// `keys` when given, else `apiKey`.
pub(crate) fn credentials_of(options: &JsValue) -> Result<Credentials> {
    Ok(match option(options, "keys") {
        Some(keys) => Credentials::Keys(Rc::new(keys_of(&keys)?)),
        None => Credentials::Key(api_key_of(options)),
    })
}

/// `apiKey`, trimmed.
pub(crate) fn api_key_of(options: &JsValue) -> String {
    key_in(options, "apiKey")
}

/// A key as it enters, trimmed here once: HTTP trims the header it goes in, so the API sees (and may echo)
/// the key without the spaces or line break a paste brings, and that is the key redaction must find.
fn key_in(options: &JsValue, name: &str) -> String {
    option(options, name)
        .and_then(|key| key.as_string())
        .map(|key| key.trim().to_owned())
        .unwrap_or_default()
}

/// The task settings of `options` for `date`.
pub(crate) fn config_of(options: &JsValue, date: ReportDate) -> TaskConfig {
    let number = |key: &str, default: f64| {
        option(options, key)
            .and_then(|value| value.as_f64())
            .filter(|n| n.is_finite() && *n >= 0.0)
            .unwrap_or(default)
    };
    TaskConfig {
        base_url: base_url_of(options),
        api_name: option(options, "apiName")
            .and_then(|name| name.as_string())
            .unwrap_or_default(),
        date,
        poll_interval_ms: number("pollIntervalMs", DEFAULT_POLL_INTERVAL_MS),
        timeout_ms: number("timeoutMs", DEFAULT_TIMEOUT_MS),
        idle_timeout_ms: number("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS),
    }
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
fn keys_of(keys: &JsValue) -> Result<Vec<(String, String)>> {
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
            let label = option(&entry, "label")
                .and_then(|value| value.as_string())
                .unwrap_or_default();
            (
                if label.is_empty() {
                    format!("key {}", at + 1)
                } else {
                    label
                },
                key_in(&entry, "key"),
            )
        })
        .collect())
}
