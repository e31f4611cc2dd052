//! Event times and report dates.

/// A calendar day (UTC), e.g. the date a report was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReportDate(pub time::Date);
