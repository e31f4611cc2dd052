//! openathens-rawstats: one day of OpenAthens raw statistics, streamed from gzip CSV into a [`Summary`].
//!
//! The crate is sans-IO at its core:
//! - [`engine`] turns report bytes, pushed in any chunking, into a [`Summary`]
//!   (gzip members → CSV records → columns by name → tallies);
//! - [`api`] holds what talking to the reports API needs without doing any I/O: the report-date window and
//!   the poll loop as a state machine that is fed responses and answers with the next request;
//! - `wasm` (wasm32 only) is the thin wasm-bindgen glue: the JS exports and the `fetch` driver.

#![warn(missing_docs)]

pub mod api;
mod crc32;
pub mod engine;
mod error;
pub mod limits;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use engine::{Filter, ReportParser, Summary, Tally};
pub use error::{Error, ErrorCode, Result};

// The README's Rust example, compiled and run by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
