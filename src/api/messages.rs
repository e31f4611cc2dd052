//! The words of the flow's errors: what went wrong with the API, and what the user can do about it.

use super::json::Json;
use crate::error::{Error, ErrorCode, quoted};

pub(super) fn advice(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::RateLimited => "Wait a few minutes before fetching again, and fetch fewer reports at once.",
        ErrorCode::Network => {
            "Check the connection. In a browser, the API must allow this page's origin (CORS); if it does not, \
             set the API base URL to a proxy that forwards to the API."
        }
        _ => "Try again in a few minutes; if it keeps failing, contact OpenAthens support.",
    }
}

pub(super) fn bad_response(message: impl core::fmt::Display) -> Error {
    Error::new(
        ErrorCode::BadResponse,
        format!("{message} If the API base URL is a proxy, check that it forwards the API's answers unchanged."),
    )
}

pub(super) fn missing_link(status: &str, rel: &str) -> Error {
    bad_response(format!("The report task is {status} but has no {rel} link to follow."))
}

/// A short, printable view of a body that was not what was expected.
pub(super) fn describe_body(body: &[u8]) -> String {
    if body.is_empty() {
        "an empty body".to_owned()
    } else {
        format!("it begins {}", quoted(&String::from_utf8_lossy(body)))
    }
}

/// `: "<server message>"` from a JSON error body's `message` or `error`, when it has one.
pub(super) fn server_says(body: &[u8]) -> String {
    let said = Json::parse(body).and_then(|json| {
        ["message", "error", "detail"]
            .iter()
            .find_map(|key| json.get(key)?.as_str().map(str::to_owned))
    });
    match said {
        Some(text) => format!(": {}", quoted(&text)),
        None => String::new(),
    }
}

pub(super) fn describe_ms(ms: f64) -> String {
    // Whole numbers only: formatting an f64 would add the float printer to the wasm module.
    let whole = |n: f64| n.round() as u64;
    if ms >= 60_000.0 {
        format!("{} min", whole(ms / 60_000.0))
    } else if ms >= 1_000.0 {
        format!("{} s", whole(ms / 1_000.0))
    } else {
        format!("{} ms", whole(ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_described_in_whole_units() {
        assert_eq!(describe_ms(499.6), "500 ms");
        assert_eq!(describe_ms(1_500.0), "2 s");
        assert_eq!(describe_ms(3_600_000.0), "60 min");
        // However long (a Retry-After of centuries, timeoutMs: Number.MAX_VALUE), the user reads whole minutes.
        for huge in [1e15, f64::MAX] {
            let said = describe_ms(huge);
            let minutes = said.strip_suffix(" min").unwrap_or_else(|| panic!("{said}"));
            assert!(
                !minutes.is_empty() && minutes.bytes().all(|b| b.is_ascii_digit()),
                "{said}"
            );
        }
    }
}
