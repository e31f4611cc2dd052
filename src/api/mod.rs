//! Talking to the OpenAthens reports API without doing I/O: the report-date window and the poll loop.

use std::borrow::Cow;

use crate::error::REDACTED;

mod date;
mod document;
mod flow;
mod json;
mod messages;
mod origin;
mod range;
mod retry_after;

pub use date::{parse_report_date, report_date_window, validate_report_date};
pub use document::{Link, TaskDocument};
pub use flow::*;
pub use origin::canonical_origin;
pub use range::{OrderedMerge, range_days};

/// Outside bytes (an answer's body, a Location) with every occurrence of `key` replaced, before any of
/// them can be quoted in a message.
pub fn redact_key<'a>(bytes: &'a [u8], key: &str) -> Cow<'a, [u8]> {
    let key = key.as_bytes();
    if key.is_empty() || !bytes.windows(key.len()).any(|window| window == key) {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at..].starts_with(key) {
            out.extend_from_slice(REDACTED.as_bytes());
            at += key.len();
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_itself_is_redacted_wherever_it_appears() {
        let body = br#"{"message": "key abc123 is not valid for abc123x", "x": "abc12"}"#;
        let redacted = redact_key(body, "abc123");
        assert_eq!(
            String::from_utf8_lossy(&redacted),
            r#"{"message": "key [redacted] is not valid for [redacted]x", "x": "abc12"}"#
        );
        assert!(matches!(redact_key(body, "zzz"), Cow::Borrowed(_)));
        assert!(matches!(redact_key(body, ""), Cow::Borrowed(_)));
    }
}
