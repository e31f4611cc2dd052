//! The page's reading of a report on two threads: an [`Inflater`] in one worker (the [`ReportDecoder`]
//! half) hands batches of decoded bytes to a [`BatchParser`] in another (the [`CsvSide`] half);
//! www/js/pipeline.js moves the batches. A batch carries the gzip members' bounds, so the CSV side picks
//! the report's error exactly as `ReportParser` does on one thread.

use js_sys::{Function, Uint8Array, Uint32Array};
use wasm_bindgen::prelude::*;

use super::errors::to_js;
use super::exports::{Reading, summary_to_js};
use super::options::option;
use crate::api::parse_report_date;
use crate::engine::{CsvSide, Inflated, ReportDecoder, guard};
use crate::error::{Error, Result};

#[wasm_bindgen(typescript_custom_section)]
const TS_PIPELINE: &str = r#"
/** Where gzip members start and end in an Inflater batch: each mark is offset * 2, plus 1 for an end. */
export type BatchMarks = Uint32Array;
"#;

/// A batch is handed on once it holds this much: large enough that posting it costs nothing per byte,
/// small enough that a few in flight are a few MiB.
const BATCH_BYTES: usize = 1 << 20;

/// Input is decoded this much at a time, so that one step adds at most about 8.3 MB to a batch (deflate
/// expands at most 1032 to 1): a batch stays below 10 MB whatever the input.
const STEP_BYTES: usize = 8 << 10;

/// The decoding half: report bytes (gzip or plain CSV) in, `onBatch(bytes, marks)` out, in order.
#[wasm_bindgen]
pub struct Inflater {
    decoder: ReportDecoder,
    batch: Batch,
    on_batch: Function,
}

#[derive(Default)]
struct Batch {
    data: Vec<u8>,
    marks: Vec<u32>,
}

impl Batch {
    fn add(&mut self, piece: Inflated<'_>) -> Result<()> {
        // Offsets stay below BATCH_BYTES + one step's output, far below 2^31.
        let at = self.data.len() as u32 * 2;
        match piece {
            Inflated::MemberStart => self.marks.push(at),
            Inflated::MemberEnd => self.marks.push(at + 1),
            Inflated::Data(bytes) => self.data.extend_from_slice(bytes),
        }
        Ok(())
    }
}

#[wasm_bindgen]
impl Inflater {
    /// `onBatch(bytes: Uint8Array, marks: BatchMarks)` gets each batch as its own buffers, to transfer.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "(bytes: Uint8Array, marks: BatchMarks) => void")] on_batch: Function,
    ) -> Inflater {
        Inflater {
            decoder: ReportDecoder::default(),
            batch: Batch::default(),
            on_batch,
        }
    }

    /// Decodes the next piece of the report. On an error (BAD_GZIP), what was decoded before the fault is
    /// handed on first; the error is then the report's unless the CSV side has already failed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        for step in chunk.chunks(STEP_BYTES) {
            let decoded = self.decoder.push(step, &mut |piece| self.batch.add(piece));
            if decoded.is_err() || self.batch.data.len() >= BATCH_BYTES {
                self.hand_on()?;
            }
            decoded.map_err(|e| to_js(&e))?;
        }
        Ok(())
    }

    /// The report has ended: hands on the last batch; throws TRUNCATED for cut-off gzip data.
    pub fn finish(&mut self) -> Result<(), JsValue> {
        let ended = self.decoder.finish(&mut |piece| self.batch.add(piece));
        self.hand_on()?;
        ended.map_err(|e| to_js(&e))
    }

    fn hand_on(&mut self) -> Result<(), JsValue> {
        let Batch { data, marks } = &mut self.batch;
        if data.is_empty() && marks.is_empty() {
            return Ok(());
        }
        let bytes = Uint8Array::from(&data[..]);
        let bounds = Uint32Array::from(&marks[..]);
        data.clear();
        marks.clear();
        self.on_batch.call2(&JsValue::NULL, &bytes, &bounds).map(drop)
    }
}

/// The CSV half: an [`Inflater`]'s batches in, in order, a Summary out.
#[wasm_bindgen]
pub struct BatchParser {
    csv: CsvSide,
    /// The report's error once it has one: every later call gives it again.
    failed: Option<Error>,
}

#[wasm_bindgen]
impl BatchParser {
    /// Options as summarizeStream's: `filter` and `reportDate`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "SummarizeStreamOptions")] options: Option<JsValue>,
    ) -> Result<BatchParser, JsValue> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let report_date = match option(&options, "reportDate") {
            Some(date) => Some(parse_report_date(&date.as_string().unwrap_or_default()).map_err(|e| to_js(&e))?),
            None => None,
        };
        let reading = Reading::of(&options).map_err(|e| to_js(&e))?;
        Ok(BatchParser {
            csv: CsvSide::new(report_date, reading.filters),
            failed: None,
        })
    }

    /// Reads one batch. An error is the report's.
    pub fn push(&mut self, bytes: &[u8], marks: &[u32]) -> Result<(), JsValue> {
        let BatchParser { csv, failed } = self;
        guard(failed, || {
            let mut at = 0;
            for &mark in marks {
                let end = (mark as usize / 2).clamp(at, bytes.len());
                csv.take(Inflated::Data(&bytes[at..end]))?;
                at = end;
                csv.take(if mark % 2 == 1 {
                    Inflated::MemberEnd
                } else {
                    Inflated::MemberStart
                })?;
            }
            csv.take(Inflated::Data(&bytes[at..]))
        })
        .map_err(|e| to_js(&e))
    }

    /// Rows read so far.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> f64 {
        self.csv.rows() as f64
    }

    /// The Inflater finished without an error: ends the report and returns its Summary (the parser is
    /// used up).
    #[wasm_bindgen(unchecked_return_type = "Summary")]
    pub fn finish(self) -> Result<JsValue, JsValue> {
        let tally = match self.failed {
            Some(error) => Err(error),
            None => self.csv.finish(),
        };
        tally
            .map(|tally| summary_to_js(&tally.summary()))
            .map_err(|e| to_js(&e))
    }
}
