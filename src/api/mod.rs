//! Talking to the OpenAthens reports API without doing I/O: the report-date window and the poll loop.

use std::borrow::Cow;

mod date;
mod json;
mod range;
mod task;

pub use date::{parse_report_date, validate_report_date};
pub use range::{OrderedMerge, range_days};
pub use task::*;

/// What stands in for a credential taken out of outside text.
const REDACTED: &str = "[redacted]";

/// Text from outside (the user's input, a server's answer) quoted for a message: any `OAApiKey <key>`
/// redacted, control characters dropped, and shortened to `max_chars` so a pasted blob or a long body
/// cannot flood it. Redacting comes first, so shortening cannot leave half a key behind.
pub(crate) fn quoted(text: &str, max_chars: usize) -> String {
    let text = redact_scheme(text);
    let shown: String = text.chars().filter(|c| !c.is_control()).take(max_chars).collect();
    let more = if text.chars().count() > max_chars { "…" } else { "" };
    format!("\"{shown}{more}\"")
}

/// `text` with the credential after each `OAApiKey` (any case) replaced: a server that echoes the
/// Authorization header it was sent must not put a key in a message.
fn redact_scheme(text: &str) -> Cow<'_, str> {
    const SCHEME: &str = "oaapikey";
    let lower = text.to_ascii_lowercase();
    if !lower.contains(SCHEME) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find(SCHEME) {
        let after_scheme = at + found + SCHEME.len();
        let rest = &text[after_scheme..];
        let spaces = rest.len() - rest.trim_start().len();
        let key_len = rest[spaces..]
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len() - spaces);
        out.push_str(&text[at..after_scheme]);
        out.push_str(&rest[..spaces]);
        if key_len > 0 {
            out.push_str(REDACTED);
        }
        at = after_scheme + spaces + key_len;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

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
    fn an_echoed_authorization_header_is_redacted_before_shortening() {
        let key = "k3y-".repeat(20);
        for text in [
            format!("bad header OAApiKey {key}"),
            format!("{{\"auth\":\"oaapikey  {key}\"}} then more"),
            format!("OAAPIKEY\t{key}\nOAApiKey {key}"),
        ] {
            let shown = quoted(&text, 60);
            assert!(!shown.contains("k3y-"), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
        assert_eq!(quoted("OAApiKey", 60), "\"OAApiKey\"");
        assert_eq!(quoted("no credential here", 60), "\"no credential here\"");
    }

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
