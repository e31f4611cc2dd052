//! Talking to the OpenAthens reports API without doing I/O: the report-date window and the poll loop.

mod date;
mod json;
mod task;

pub use date::{parse_report_date, validate_report_date};
pub use task::*;

use crate::error::quoted;
