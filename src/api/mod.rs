//! Talking to the OpenAthens reports API without doing I/O: the report-date window and the poll loop.

mod date;
mod document;
mod flow;
mod json;
mod messages;
mod origin;
mod range;
mod redact;
mod retry_after;

pub use date::{parse_report_date, report_date_window, validate_report_date};
pub use document::{Link, TaskDocument};
pub use flow::*;
pub use origin::canonical_origin;
pub use range::{OrderedMerge, range_days};
pub use redact::{redact_key, redact_key_bytes};
