//! Talking to the OpenAthens reports API without doing I/O: the report-date window and the poll loop.

mod date;
mod json;
mod task;

pub use date::{parse_report_date, validate_report_date};
pub use task::*;

/// Text from outside (the user's input, a server's answer) quoted for a message: control characters
/// dropped, and shortened to `max_chars` so a pasted blob or a long body cannot flood it.
fn quoted(text: &str, max_chars: usize) -> String {
    let shown: String = text.chars().filter(|c| !c.is_control()).take(max_chars).collect();
    let more = if text.chars().count() > max_chars { "…" } else { "" };
    format!("\"{shown}{more}\"")
}
