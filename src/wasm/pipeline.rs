//! The page's reading of a report on several threads: an [`Inflater`] in one worker (the [`ReportDecoder`]
//! half) hands batches of decoded bytes to [`BatchParser`]s in others (the [`CsvSide`] half);
//! www/js/pipeline.js moves the batches. A batch carries the gzip members' bounds, so one CSV side given
//! every batch picks the report's error exactly as `ReportParser` does on one thread. Asked to, the
//! Inflater cuts batches between records (engine/cuts.rs), so that several parsers can share them.

use js_sys::{Function, Uint8Array, Uint32Array};
use wasm_bindgen::prelude::*;

use super::errors::to_js;
use super::exports::{Reading, summary_to_js};
use super::stream::report_date_of;
use crate::engine::{CsvSide, Inflated, ReportDecoder, Tally, guard, header_line, last_cut};
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

/// The decoding half: report bytes (gzip or plain CSV) in, `onBatch(bytes, marks, cut, header)` out, in
/// order.
#[wasm_bindgen]
pub struct Inflater {
    decoder: ReportDecoder,
    batch: Batch,
    on_batch: Function,
    cutting: Cutting,
}

/// Whether batches are still cut between records.
enum Cutting {
    /// Not asked for, or no longer possible (no header line to copy, or a batch with no place to cut).
    Off,
    /// Asked for; the first batch has not been handed on yet.
    Asked,
    /// The report's header line, which a parser given a later batch first reads, until it is handed on
    /// with the first cut batch.
    On(Option<Vec<u8>>),
}

#[derive(Default)]
struct Batch {
    data: Vec<u8>,
    marks: Vec<u32>,
}

impl Batch {
    /// Splits off what follows `cut`: this batch keeps the bytes before it, the marks before it and a member
    /// end at it.
    fn split_off(&mut self, cut: usize) -> Batch {
        let data = self.data.split_off(cut);
        let at = cut as u32 * 2;
        let keep = self
            .marks
            .iter()
            .take_while(|&&mark| mark <= at + 1 && mark != at)
            .count();
        let marks = self.marks.split_off(keep).into_iter().map(|mark| mark - at).collect();
        Batch { data, marks }
    }

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
    /// `onBatch(bytes: Uint8Array, marks: BatchMarks, cut: boolean, header?: Uint8Array)` gets each batch
    /// as its own buffers, to transfer. With `cut`, batches end between records while that can be done
    /// (`cut` true): such a batch and those after it may go to different parsers, each given the report's
    /// header line first (`header`, with the first cut batch). A batch with `cut` false must go to the
    /// parser of the batch after it too.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(
            unchecked_param_type = "(bytes: Uint8Array, marks: BatchMarks, cut: boolean, header?: Uint8Array) => void"
        )]
        on_batch: Function,
        cut: bool,
    ) -> Inflater {
        Inflater {
            decoder: ReportDecoder::default(),
            batch: Batch::default(),
            on_batch,
            cutting: if cut { Cutting::Asked } else { Cutting::Off },
        }
    }

    /// Decodes the next piece of the report. On an error (BAD_GZIP), what was decoded before the fault is
    /// handed on first; the error is then the report's unless the CSV side has already failed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        for step in chunk.chunks(STEP_BYTES) {
            let decoded = self.decoder.push(step, &mut |piece| self.batch.add(piece));
            if decoded.is_err() {
                self.hand_on_all()?;
            } else if self.batch.data.len() >= BATCH_BYTES {
                self.hand_on_cut()?;
            }
            decoded.map_err(|e| to_js(&e))?;
        }
        Ok(())
    }

    /// The report has ended: hands on the last batch; throws TRUNCATED for cut-off gzip data.
    pub fn finish(&mut self) -> Result<(), JsValue> {
        let ended = self.decoder.finish(&mut |piece| self.batch.add(piece));
        self.hand_on_all()?;
        ended.map_err(|e| to_js(&e))
    }

    /// Hands on a full batch, up to its last cut while cutting; what follows the cut starts the next one.
    fn hand_on_cut(&mut self) -> Result<(), JsValue> {
        if let Cutting::Asked = self.cutting {
            self.cutting = match header_line(&self.batch.data) {
                Some(len) => Cutting::On(Some(self.batch.data[..len].to_vec())),
                None => Cutting::Off,
            };
        }
        if let Cutting::Off = self.cutting {
            return self.hand_on_all();
        }
        match last_cut(&self.batch.data) {
            Some(cut) => {
                let rest = self.batch.split_off(cut);
                let batch = std::mem::replace(&mut self.batch, rest);
                self.call(&batch, true)
            }
            None => {
                self.cutting = Cutting::Off;
                self.hand_on_all()
            }
        }
    }

    fn hand_on_all(&mut self) -> Result<(), JsValue> {
        let batch = std::mem::take(&mut self.batch);
        if batch.data.is_empty() && batch.marks.is_empty() {
            return Ok(());
        }
        self.call(&batch, false)
    }

    fn call(&mut self, batch: &Batch, cut: bool) -> Result<(), JsValue> {
        let bytes = Uint8Array::from(&batch.data[..]);
        let marks = Uint32Array::from(&batch.marks[..]);
        let header = match &mut self.cutting {
            Cutting::On(header) if cut => header
                .take()
                .map_or(JsValue::UNDEFINED, |h| Uint8Array::from(&h[..]).into()),
            _ => JsValue::UNDEFINED,
        };
        let args = [bytes.into(), marks.into(), JsValue::from_bool(cut), header];
        self.on_batch
            .apply(&JsValue::NULL, &args.into_iter().collect())
            .map(drop)
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
        let report_date = report_date_of(&options).map_err(|e| to_js(&e))?;
        let reading = Reading::of(&options).map_err(|e| to_js(&e))?;
        Ok(BatchParser {
            csv: CsvSide::new(report_date, reading.filters),
            failed: None,
        })
    }

    /// Reads one batch, the `place`th of the report (numbered from 1 in order, so that parsers sharing a
    /// report merge into its exact Summary). An error is the report's.
    pub fn push(&mut self, bytes: &[u8], marks: &[u32], place: f64) -> Result<(), JsValue> {
        let BatchParser { csv, failed } = self;
        csv.set_place(place as u64);
        let bounds = marks.iter().map(|&mark| (mark as usize / 2, mark % 2 == 1));
        guard(failed, || csv.take_batch(bytes, bounds)).map_err(|e| to_js(&e))
    }

    /// Rows read so far.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> f64 {
        self.csv.rows() as f64
    }

    /// The batches so far ended exactly at a record's end, as a batch cut between records must.
    #[wasm_bindgen(getter)]
    pub fn clean(&self) -> bool {
        self.failed.is_none() && self.csv.at_record_start()
    }

    /// Bytes the tables hold, so that several parsers together stay within one parser's bound.
    #[wasm_bindgen(getter, js_name = heldBytes)]
    pub fn held_bytes(&self) -> f64 {
        self.csv.held_bytes() as f64
    }

    /// As `finish`, but the exact, mergeable state of what this parser read (docs/snapshot.md), for
    /// mergeSnapshots to join with the other parsers' shares of the report.
    pub fn snapshot(self) -> Result<Vec<u8>, JsValue> {
        self.tally()
            .map(|tally| tally.to_share_snapshot())
            .map_err(|e| to_js(&e))
    }

    /// The Inflater finished without an error: ends the report and returns its Summary (the parser is
    /// used up).
    #[wasm_bindgen(unchecked_return_type = "Summary")]
    pub fn finish(self) -> Result<JsValue, JsValue> {
        self.tally().map(|tally| summary_to_js(&tally)).map_err(|e| to_js(&e))
    }
}

impl BatchParser {
    fn tally(self) -> Result<Tally> {
        match self.failed {
            Some(error) => Err(error),
            None => self.csv.finish(),
        }
    }
}
