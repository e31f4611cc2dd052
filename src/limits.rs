//! Every cap on what one input may hold, in one place. Past a cap the input is refused with `TOO_LARGE`
//! (never a trap, never unbounded memory); docs/limits.md explains each to users. The caps sit far above
//! anything a real OpenAthens report or task document holds.

/// Bytes of one CSV record's fields (the header or a row), after unquoting.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Fields in one record. A report has about 20 columns plus one per custom attribute.
pub const MAX_COLUMNS: usize = 4096;

/// Bytes of one task document or error body read from the API (they are a few hundred bytes).
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// Bytes of memory a parse's tables may hold (distinct values and their counts). A real day needs a few
/// megabytes (about 40 bytes per distinct account id or IP); the cap stops a hostile file of millions of
/// tiny distinct values well before a 32-bit wasm module runs out of its 4 GiB.
pub const MAX_TALLY_BYTES: usize = 1 << 30;

/// Rows one snapshot may claim (a real day has a few million): with it, no sum of a merge of snapshots
/// can overflow, whatever a hostile snapshot claims.
pub const MAX_SNAPSHOT_ROWS: u64 = 1 << 40;

/// Rows a merge of snapshots may hold in all, so that every count stays exact as a JavaScript number.
pub const MAX_MERGED_ROWS: u64 = 1 << 53;

/// Bytes of a snapshot's inflated content. The high-cardinality bench day (1M rows, 490k distinct values)
/// needs about 9 MB; the tables a parse may hold (`MAX_TALLY_BYTES`) never need more than this.
pub const MAX_SNAPSHOT_PAYLOAD_BYTES: usize = 1 << 30;

/// Column names, and `attribute.*` counters, that one snapshot may declare and one merge of snapshots may
/// hold: a report's own cap (`MAX_COLUMNS`). Beyond it a snapshot is refused with `BAD_SNAPSHOT`, a merge
/// with `TOO_LARGE`.
pub const MAX_SNAPSHOT_COLUMNS: usize = MAX_COLUMNS;

/// Filters (`{column, value}` slices) one parse may take. A row is counted when it meets them all, so
/// more than one per column is never needed; the page makes a handful.
pub const MAX_FILTERS: usize = 256;
