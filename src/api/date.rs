//! The report-date window: yesterday back to 30 days ago, UTC.
use crate::engine::ReportDate;
use crate::error::Result;

/// Checks a `yyyy-MM-dd` date against the window relative to `today` (UTC).
pub fn validate_report_date(_date: &str, _today: ReportDate) -> Result<ReportDate> {
    todo!("fetch helper")
}
