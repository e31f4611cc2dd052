//! The road from report bytes to a [`Summary`]: gzip members → CSV records → columns by name → tallies.
//! Nothing here knows about JS or I/O; every stage takes bytes pushed in any chunking.

mod columns;
mod cuts;
mod dense;
mod distinct;
mod gzip;
mod interner;
mod parser;
mod people;
mod records;
mod seed;
mod snapshot;
mod sort;
mod summary;
mod tally;
mod timestamp;

pub use cuts::{header_line, last_cut};
pub use gzip::{GzipDecoder, Inflated};
pub use parser::{CsvSide, Filter, ReportDecoder, ReportParser, guard};
pub use seed::set_hash_seed;
pub use snapshot::SNAPSHOT_VERSION;
pub use summary::{
    AccountFailures, Authentications, FailureTimes, IpFailures, Resource, Security, Spread, Summary, Transfers,
};
pub use tally::Tally;
pub use timestamp::ReportDate;
