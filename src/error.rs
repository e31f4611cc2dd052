//! The one error type of the crate. Its codes are the `code` strings of docs/api.md, so the wasm glue, the page
//! and the Worker can branch on them without parsing messages.

use core::fmt;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    BadDate,
    DateOutOfRange,
    Auth,
    NotFound,
    RateLimited,
    Server,
    Network,
    Timeout,
    Aborted,
    BadResponse,
    BadGzip,
    Truncated,
    NotAReport,
    TooLarge,
    BadSnapshot,
    BadFilter,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadDate => "BAD_DATE",
            ErrorCode::DateOutOfRange => "DATE_OUT_OF_RANGE",
            ErrorCode::Auth => "AUTH",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Server => "SERVER",
            ErrorCode::Network => "NETWORK",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Aborted => "ABORTED",
            ErrorCode::BadResponse => "BAD_RESPONSE",
            ErrorCode::BadGzip => "BAD_GZIP",
            ErrorCode::Truncated => "TRUNCATED",
            ErrorCode::NotAReport => "NOT_A_REPORT",
            ErrorCode::TooLarge => "TOO_LARGE",
            ErrorCode::BadSnapshot => "BAD_SNAPSHOT",
            ErrorCode::BadFilter => "BAD_FILTER",
        }
    }
}

/// A failure with an error code of docs/api.md and a message that says what happened and what the user can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

/// What stands in for a credential taken out of outside text.
pub(crate) const REDACTED: &str = "[redacted]";

/// How much of an outside text a message repeats: enough to recognise it, too little to flood the message.
const QUOTED_CHARS: usize = 60;

/// Text from outside (the user's input, a server's answer, a host's exception) quoted for a message: any
/// `OAApiKey <key>` redacted, control characters dropped, and shortened to [`QUOTED_CHARS`] so a pasted
/// blob or a long body cannot flood it. Redacting comes first, so shortening cannot leave half a key behind.
pub(crate) fn quoted(text: &str) -> String {
    let text = redact_scheme(text);
    let shown: String = text.chars().filter(|c| !c.is_control()).take(QUOTED_CHARS).collect();
    let more = if text.chars().count() > QUOTED_CHARS { "…" } else { "" };
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

pub type Result<T, E = Error> = core::result::Result<T, E>;

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
            let shown = quoted(&text);
            assert!(!shown.contains("k3y-"), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
        assert_eq!(quoted("OAApiKey"), "\"OAApiKey\"");
        assert_eq!(quoted("no credential here"), "\"no credential here\"");
    }

    #[test]
    fn quoted_text_is_cut_short_and_loses_control_characters() {
        let shown = quoted(&format!("a\u{7}\n{}", "x".repeat(500)));
        assert_eq!(shown, format!("\"a{}…\"", "x".repeat(QUOTED_CHARS - 1)));
    }
}
