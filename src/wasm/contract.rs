//! What JS shares with the engine instead of keeping copies: the error codes, `fetchReport`'s defaults, the
//! spelling of an origin, the redaction of a key, the progress pace and the errors the page's pipeline
//! raises for the engine.

use wasm_bindgen::prelude::*;

use super::abort::aborted_error;
use super::errors::to_js;
use super::host::set;
use super::progress::PROGRESS_EVERY_MS;
use super::stream::broken_source;

use crate::api::{
    DEFAULT_BASE_URL, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_POLL_INTERVAL_MS, DEFAULT_TIMEOUT_MS, canonical_origin,
    redact_key,
};
use crate::error::{ERROR_CODE_TYPE, ErrorCode};

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR_CODE: &str = ERROR_CODE_TYPE;

#[wasm_bindgen(typescript_custom_section)]
const TS_DEFAULTS: &str = r#"
/** What fetchReport uses for an option that is not given. */
export interface FetchReportDefaults { baseUrl: string; pollIntervalMs: number; timeoutMs: number; idleTimeoutMs: number }
"#;

/// Every error code an export can throw, in docs/api.md's order.
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "ErrorCode[]")]
pub fn error_codes() -> js_sys::Array {
    ErrorCode::ALL.iter().map(|code| JsValue::from(code.as_str())).collect()
}

/// `fetchReport`'s defaults, for a form that shows them or a host that passes them on.
#[wasm_bindgen(js_name = fetchReportDefaults, unchecked_return_type = "FetchReportDefaults")]
pub fn fetch_report_defaults() -> JsValue {
    let defaults = js_sys::Object::new();
    let values: [(&str, JsValue); 4] = [
        ("baseUrl", DEFAULT_BASE_URL.into()),
        ("pollIntervalMs", DEFAULT_POLL_INTERVAL_MS.into()),
        ("timeoutMs", DEFAULT_TIMEOUT_MS.into()),
        ("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS.into()),
    ];
    for (key, value) in values {
        set(&defaults, key, &value);
    }
    defaults.into()
}

/// The origin of an absolute http(s) URL (or an origin as a setting writes it, e.g. with a trailing `/`),
/// lower case and without a default port: the spelling fetchReport compares origins in before it sends a
/// key. `undefined` when it is not one.
#[wasm_bindgen(js_name = canonicalOrigin)]
pub fn canonical_origin_js(url: &str) -> Option<String> {
    canonical_origin(url)
}

/// `text` with every form of `key` (as sent, JSON-escaped, percent-encoded, as HTML references) and any
/// `OAApiKey` credential replaced by `[redacted]`: what fetchReport does to an answer before quoting it,
/// for the Worker's proxy to do the same.
#[wasm_bindgen(js_name = redactKey)]
pub fn redact_key_js(text: &str, key: &str) -> String {
    redact_key(text, key)
}

/// The least time in milliseconds between two progress calls: the pace of every export's `onProgress`.
#[wasm_bindgen(js_name = progressEveryMs)]
pub fn progress_every_ms() -> f64 {
    PROGRESS_EVERY_MS
}

/// The ABORTED error an export throws when its signal fires, for a host that stops a job itself.
#[wasm_bindgen(js_name = abortedError)]
pub fn aborted_error_js() -> JsValue {
    to_js(&aborted_error())
}

/// The TRUNCATED error for a source that failed after `bytes` bytes with `reason`, as summarizeStream says it.
#[wasm_bindgen(js_name = truncatedError)]
pub fn truncated_error_js(bytes: f64, reason: &JsValue) -> JsValue {
    to_js(&broken_source(bytes as u64, reason))
}
