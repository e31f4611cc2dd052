//! The one error type of the crate. Its codes are the `code` strings of docs/api.md, so the wasm glue, the page
//! and the Worker can branch on them without parsing messages.

use core::fmt;

use crate::api::redact_key;

/// Writes [`ErrorCode`], its strings, the list of every code and its TypeScript union from one table, so
/// that no copy can miss a code.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident => $code:literal,)+) => {
        /// What went wrong, as the `code` string of docs/api.md that callers branch on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of docs/api.md's table.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code as JS sees it, e.g. `"BAD_DATE"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }
        }

        /// The `ErrorCode` union of the generated TypeScript types.
        #[cfg(target_arch = "wasm32")]
        // Read by wasm-bindgen's custom section (src/wasm/contract.rs), which the lint does not see.
        #[allow(dead_code)]
        pub(crate) const ERROR_CODE_TYPE: &str =
            concat!("\n/** An error code of docs/api.md. */\nexport type ErrorCode =", $("\n  | \"", $code, "\""),+, ";\n");
    };
}

error_codes! {
    /// The date is not a real `yyyy-MM-dd` date.
    BadDate => "BAD_DATE",
    /// The date is outside yesterday .. 30 days ago (UTC).
    DateOutOfRange => "DATE_OUT_OF_RANGE",
    /// The API refused the key, or no key was given.
    Auth => "AUTH",
    /// The API does not know the API name, or the task or download is gone.
    NotFound => "NOT_FOUND",
    /// The API kept limiting requests.
    RateLimited => "RATE_LIMITED",
    /// The API kept failing.
    Server => "SERVER",
    /// No answer came (connection, DNS, CORS).
    Network => "NETWORK",
    /// The report was not ready in time, or an answer stalled.
    Timeout => "TIMEOUT",
    /// The caller's `AbortSignal` fired.
    Aborted => "ABORTED",
    /// An answer that makes no sense.
    BadResponse => "BAD_RESPONSE",
    /// The gzip data is corrupt.
    BadGzip => "BAD_GZIP",
    /// The input stops inside a gzip member.
    Truncated => "TRUNCATED",
    /// The input is empty or is not a report.
    NotAReport => "NOT_A_REPORT",
    /// Past a cap of docs/limits.md.
    TooLarge => "TOO_LARGE",
    /// A snapshot of a parse cannot be read back.
    BadSnapshot => "BAD_SNAPSHOT",
    /// A slice names what the report cannot be sliced by.
    BadFilter => "BAD_FILTER",
}

/// A failure with an error code of docs/api.md and a message that says what happened and what the user can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What went wrong, for callers to branch on.
    pub code: ErrorCode,
    /// What happened and what the user can do, in words.
    pub message: String,
}

impl Error {
    /// An error with this code and message.
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

/// How much of an outside text a message repeats: enough to recognise it, too little to flood the message.
const QUOTED_CHARS: usize = 60;

/// Text from outside (the user's input, a server's answer, a host's exception) quoted for a message: any
/// `OAApiKey <key>` redacted, control characters dropped, and shortened to [`QUOTED_CHARS`] so a pasted
/// blob or a long body cannot flood it. Redacting comes first, so shortening cannot leave half a key behind.
pub(crate) fn quoted(text: &str) -> String {
    let text = redact_key(text, "");
    let shown: String = text.chars().filter(|c| !c.is_control()).take(QUOTED_CHARS).collect();
    let more = if text.chars().count() > QUOTED_CHARS { "…" } else { "" };
    format!("\"{shown}{more}\"")
}

/// The crate's results.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echoed_authorization_header_is_redacted_before_shortening() {
        let shown = quoted(&format!("bad header OAApiKey {}", "k3y-".repeat(20)));
        assert_eq!(shown, "\"bad header OAApiKey [redacted]\"");
    }

    #[test]
    fn quoted_text_is_cut_short_and_loses_control_characters() {
        let shown = quoted(&format!("a\u{7}\n{}", "x".repeat(500)));
        assert_eq!(shown, format!("\"a{}…\"", "x".repeat(QUOTED_CHARS - 1)));
    }
}
