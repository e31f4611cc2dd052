//! The one error type of the crate. Its codes are the `code` strings of docs/api.md, so the wasm glue, the page
//! and the Worker can branch on them without parsing messages.

use core::fmt;

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

pub type Result<T, E = Error> = core::result::Result<T, E>;
