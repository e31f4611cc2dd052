//! ReportParser: wires gzip → records → columns → tally.
use crate::engine::{ReportDate, Tally};
use crate::error::Result;

pub struct ReportParser {}

impl ReportParser {
    /// `report_date`, when known (a fetch), decides the day order of `a/b/yyyy` dates.
    pub fn new(_report_date: Option<ReportDate>) -> Self {
        todo!("engine")
    }
    pub fn push(&mut self, _chunk: &[u8]) -> Result<()> {
        todo!("engine")
    }
    /// Rows read so far, for progress.
    pub fn rows(&self) -> u64 {
        todo!("engine")
    }
    pub fn finish(&mut self) -> Result<Tally> {
        todo!("engine")
    }
}
