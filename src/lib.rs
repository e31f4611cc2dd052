//! openathens-rawstats: one day of OpenAthens raw statistics, streamed from gzip CSV into a [`Summary`].
//!
//! The crate is sans-IO at its core:
//! - [`engine`] turns report bytes, pushed in any chunking, into a [`Summary`]
//!   (gzip members → CSV records → columns by name → tallies);
//! - [`api`] holds what talking to the reports API needs without doing any I/O: the report-date window and
//!   the poll loop as a state machine that is fed responses and answers with the next request;
//! - `wasm` (wasm32 only) is the thin wasm-bindgen glue: the JS exports and the `fetch` driver.

pub mod api;
pub mod engine;
mod error;
pub mod limits;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use engine::{Filter, ReportParser, Summary, Tally};
pub use error::{Error, ErrorCode, Result};
