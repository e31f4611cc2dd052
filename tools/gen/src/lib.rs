//! A seeded generator of realistic OpenAthens raw statistics reports, which also computes the Summary
//! the engine must give for them (its ground truth).
//!
//! The same [`Config`] always gives the same bytes, on every platform. The library is pure computation
//! over a caller's writer: no OS randomness, threads or files, so it also runs in wasm32 tests.
//!
//! ```
//! let config = rawstats_gen::Config { rows: 100, plain: true, ..Default::default() };
//! let (csv, truth) = rawstats_gen::report_bytes(&config).unwrap();
//! assert!(csv.starts_with(b"date,action,status,"));
//! assert_eq!(truth.to_json()["rows"], 100);
//! ```

mod columns;
mod date;
mod dice;
mod output;
mod rows;
mod truth;
mod vocab;
mod world;

use std::io::{self, Write};
use std::iter;

pub use columns::NAMES as COLUMNS;
pub use date::{Date, DateStyle};
pub use truth::Truth;
pub use vocab::API_NAME;

use columns::{DATE, Layout, USER_AGENT};
use output::{CsvWriter, Members, Plain, Sink};
use rows::{Row, RowMaker};

/// What to generate. Every field takes part in the bytes: change any and the report changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub rows: u64,
    pub seed: u64,
    /// The report's day; every event falls on it.
    pub date: Date,
    /// A sub-organisation label. Organisations of one seed share resources and part of their accounts
    /// and IP addresses, so merged distinct counts are less than the sum of the parts. `""` is the parent.
    pub org: String,
    pub date_style: DateStyle,
    /// Puts markup into resource titles, user agents, custom attribute values and names, and a
    /// permission set name, for tests that the page never renders report text as HTML. Also pads header
    /// names with spaces and tabs and changes their case, repeats a column, adds a bare `attribute.`
    /// column, and writes, besides the `rows`, rows with a wrong field count (skipped) and blank lines.
    pub hostile: bool,
    /// Number of gzip members (at least 1). Each cut falls in the middle of a row.
    pub members: usize,
    /// Plain CSV instead of gzip.
    pub plain: bool,
    /// CRLF line ends instead of LF.
    pub crlf: bool,
    /// Columns in a seeded random order instead of the reference's.
    pub shuffle_columns: bool,
    /// Column names (of [`COLUMNS`]) to leave out; the truth then reads them as empty, and without
    /// `date` every row is undated. `action` and `status` cannot be dropped.
    pub drop_columns: Vec<String>,
    /// The organisation's own pools of accounts and IP addresses; about a fifth of events come from a
    /// shared pool of 10,000 accounts and 6,000 addresses besides. The defaults suit a university; the
    /// high-cardinality bench report raises them (a large NHS trust or a whole federation).
    pub population: Population,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Population {
    pub accounts: u32,
    pub ips: u32,
}

impl Default for Population {
    fn default() -> Population {
        Population {
            accounts: 40_000,
            ips: 30_000,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            rows: 1000,
            seed: 1,
            date: Date::new(2023, 6, 6).expect("a real day"),
            org: String::new(),
            date_style: DateStyle::DayMonth,
            hostile: false,
            members: 1,
            plain: false,
            crlf: false,
            shuffle_columns: false,
            drop_columns: Vec::new(),
            population: Population::default(),
        }
    }
}

impl Config {
    /// Why this config cannot make a report, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        self.layout().map(drop)
    }

    fn layout(&self) -> Result<Layout, String> {
        if self.population.accounts == 0 || self.population.ips == 0 {
            return Err("accounts and ips must be at least 1".to_string());
        }
        if self.members == 0 {
            return Err("members must be at least 1: a gzip file has one member or more".to_string());
        }
        Layout::new(self.seed, self.hostile, self.shuffle_columns, &self.drop_columns)
    }
}

/// Writes the report `config` describes (gzip unless `config.plain`) and returns its truth. The only
/// errors are the writer's and an `InvalidInput` for a config that fails [`Config::check`].
pub fn write_report(config: &Config, out: impl Write) -> io::Result<Truth> {
    let layout = config
        .layout()
        .map_err(|message| io::Error::new(io::ErrorKind::InvalidInput, message))?;
    if config.plain {
        generate(config, &layout, Plain(out))
    } else {
        generate(config, &layout, Members::new(out))
    }
}

/// The report in memory, for tests.
pub fn report_bytes(config: &Config) -> io::Result<(Vec<u8>, Truth)> {
    let mut bytes = Vec::new();
    let truth = write_report(config, &mut bytes)?;
    Ok((bytes, truth))
}

fn generate(config: &Config, layout: &Layout, sink: impl Sink) -> io::Result<Truth> {
    let header = layout.header();
    let mut truth = Truth::new(header.clone());
    let mut csv = CsvWriter::new(sink, config.crlf);
    csv.record(header.iter().map(|name| (name.as_str(), false)))?;

    let mut maker = RowMaker::new(
        config.seed,
        &config.org,
        config.date,
        config.date_style,
        config.hostile,
        config.population,
        config.rows,
    );
    let mut row = Row::new();
    let dated = layout.has(DATE);
    let members = config.members as u64;
    // Member k (k ≥ 1) starts inside row `rows * k / members`; cuts past the last row make empty members.
    let mut cuts = (1..members).map(|k| config.rows * k / members).peekable();
    for index in 0..config.rows {
        let moment = maker.next(index, &mut row);
        csv.record(layout.order.iter().map(|&c| (row.fields[c].as_str(), c == USER_AGENT)))?;
        if config.hostile {
            hostile_extras(index, layout, &row, &mut csv, &mut truth)?;
        }
        while cuts.next_if_eq(&index).is_some() {
            csv.cut()?;
        }
        truth.observe(
            |position| &row.fields[layout.order[position]],
            dated.then(|| {
                (
                    moment.hour(),
                    moment.iso_utc(config.date),
                    moment.unix_seconds(config.date),
                )
            }),
        );
    }
    for _ in cuts {
        csv.cut()?;
    }
    csv.finish()?;
    Ok(truth)
}

/// After some rows of a hostile report, a copy of the row with one field too few or too many (a skipped
/// row), or a blank line (not a row at all).
fn hostile_extras(
    index: u64,
    layout: &Layout,
    row: &Row,
    csv: &mut CsvWriter<impl Sink>,
    truth: &mut Truth,
) -> io::Result<()> {
    let fields = layout.order.iter().map(|&c| (row.fields[c].as_str(), c == USER_AGENT));
    match index % 400 {
        100 => {
            csv.record(fields.clone().take(layout.order.len() - 1))?;
            truth.skip();
        }
        300 => {
            csv.record(fields.chain(iter::once(("one field too many", false))))?;
            truth.skip();
        }
        7 => csv.record(iter::empty())?,
        _ => {}
    }
    Ok(())
}
