//! `summarizeStream`: a report's bytes, chunk by chunk as they arrive, into a [`ReportParser`].
//!
//! Every byte goes through the wasm inflater, which reads any number of gzip members (or plain CSV) and
//! tells BAD_GZIP from TRUNCATED. The host's `DecompressionStream` was tried and measured: no faster for the
//! whole pipeline, no exact error codes, and Chromium's rejects concatenated members.

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, ReadableStream, ReadableStreamDefaultReader};

use super::abort::{Abort, Limit};
use super::errors::to_js;
use super::exports::{Reading, summary_to_js};
use super::host::{describe_js, ignore_rejection, now_ms};
use super::options::option;
use super::progress::Progress;
use crate::api::parse_report_date;
use crate::engine::{ReportDate, ReportParser, Tally};
use crate::error::{Error, ErrorCode, Result};

#[wasm_bindgen(typescript_custom_section)]
const TS_STREAM: &str = r#"
/** What summarizeStream reads, gzip (any number of members) or plain CSV: a ReadableStream, a Blob/File,
 * or a function returning a ReadableStream (called once). */
export type ReportSource = ReadableStream<Uint8Array> | Blob | (() => ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>);

export interface ProgressInfo {
  /** "running": the API prepares the report; "downloading" is fetchReport's reading, "parsing" summarizeStream's */
  phase: "requesting" | "running" | "downloading" | "parsing";
  /** the task's percentComplete while running; the share of bytes read when the size is known; else null */
  percentComplete: number | null;
  /** bytes read from the source (gzip bytes for a gzip report) */
  bytes: number;
  /** report rows read so far */
  rows: number;
  /** the key's label, when fetchReport was given several keys */
  label?: string;
}

export interface SummarizeStreamOptions extends SummarizeOptions {
  /** each chunk of the source's bytes as it is read, e.g. to keep the report for slicing later */
  onChunk?: (chunk: Uint8Array) => void | Promise<unknown>;
  /** "yyyy-MM-dd": the report's day, which decides the day order of a/b/yyyy dates */
  reportDate?: string;
  onProgress?: (progress: ProgressInfo) => void;
  signal?: AbortSignal;
}
"#;

/// Summarises a report read from a stream: gzip (any number of members) or plain CSV.
#[wasm_bindgen(js_name = summarizeStream, unchecked_return_type = "Summary")]
pub async fn summarize_stream(
    #[wasm_bindgen(unchecked_param_type = "ReportSource")] source: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SummarizeStreamOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    summarize_js_source(source, options.unwrap_or(JsValue::UNDEFINED))
        .await
        .map_err(|error| to_js(&error))
}

/// The `reportDate` option ("yyyy-MM-dd"), which decides the day order of `a/b/yyyy` dates.
pub(crate) fn report_date_of(options: &JsValue) -> Result<Option<ReportDate>> {
    option(options, "reportDate")
        .map(|date| parse_report_date(&date.as_string().unwrap_or_default()))
        .transpose()
}

async fn summarize_js_source(source: JsValue, options: JsValue) -> Result<JsValue> {
    let report_date = report_date_of(&options)?;
    let callback = option(&options, "onProgress").and_then(|f| f.dyn_into::<Function>().ok());
    let abort = Abort::new(option(&options, "signal").map(JsCast::unchecked_into))?;
    let reading = Reading::of(&options)?;
    let mut progress = Progress::new(callback, None, None);
    let source = open_js_source(source, &abort, &reading).await?;
    let tally = tally_source(source, reading.parser(report_date), &abort, &mut progress, "parsing").await?;
    Ok(summary_to_js(&tally))
}

/// A stream of report bytes, read once.
pub(crate) struct Source {
    pub(crate) stream: ReadableStream,
    /// How many bytes the stream will give, if known.
    pub(crate) total: Option<f64>,
    /// The error for a stream that failed after this many bytes.
    pub(crate) broken: fn(u64, &JsValue) -> Error,
    /// A download's bound on the wait for each chunk; a stream the caller gives is theirs to time.
    pub(crate) idle: Option<Idle>,
    /// Sees each chunk as it arrives (`onChunk`).
    pub(crate) on_chunk: Option<Function>,
}

pub(crate) struct Idle {
    pub(crate) ms: f64,
    /// The error for no bytes within `ms`, after this many bytes.
    pub(crate) stalled: Box<dyn Fn(u64) -> Error>,
}

/// The tally of a whole source: every chunk through the parser as it arrives.
pub(crate) async fn tally_source(
    source: Source,
    mut parser: ReportParser,
    abort: &Abort,
    progress: &mut Progress,
    phase: &'static str,
) -> Result<Tally> {
    let mut buffer = Vec::new();
    each_chunk(source, abort, progress, phase, |chunk| {
        buffer.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut buffer);
        parser.push(&buffer).map(|()| parser.rows())
    })
    .await?;
    let tally = parser.finish()?;
    progress.flush();
    Ok(tally)
}

/// Reads a whole source: each chunk to `onChunk` (awaiting the promise it returns, if any, so that a slow
/// reader holds the source back), then to `take`, which gives the rows read so far for progress.
pub(crate) async fn each_chunk(
    source: Source,
    abort: &Abort,
    progress: &mut Progress,
    phase: &'static str,
    mut take: impl FnMut(&Uint8Array) -> Result<u64>,
) -> Result<()> {
    progress.source(phase, source.total);
    let reader = ReadableStreamDefaultReader::new(&source.stream).map_err(|error| {
        Error::new(
            ErrorCode::NotAReport,
            format!(
                "The report stream cannot be read (is it already being read?): {}",
                describe_js(&error)
            ),
        )
    })?;
    let mut bytes = 0u64;
    loop {
        let stalled = source
            .idle
            .as_ref()
            .map(|idle| (idle.ms, move || (idle.stalled)(bytes)));
        let limit = stalled.as_ref().map(|(ms, error)| Limit {
            at_ms: now_ms() + ms,
            error,
        });
        let chunk = match read(&reader, abort, limit).await {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) => break,
            Ok(Err(error)) => {
                ignore_rejection(&reader.cancel());
                return Err((source.broken)(bytes, &error));
            }
            Err(error) => {
                ignore_rejection(&reader.cancel());
                return Err(error);
            }
        };
        bytes += u64::from(chunk.length());
        let taken = match &source.on_chunk {
            Some(on_chunk) => hand_on(on_chunk, &chunk, abort).await,
            None => Ok(()),
        }
        .and_then(|()| take(&chunk));
        match taken {
            Ok(rows) => progress.data(bytes as f64, rows),
            Err(error) => {
                ignore_rejection(&reader.cancel());
                return Err(error);
            }
        }
    }
    Ok(())
}

/// Calls `onChunk`, and waits for the promise it returns, if any.
async fn hand_on(on_chunk: &Function, chunk: &Uint8Array, abort: &Abort) -> Result<()> {
    let failed = |error: JsValue| {
        Error::new(
            ErrorCode::Aborted,
            format!("onChunk failed, so reading stopped: {}", describe_js(&error)),
        )
    };
    let returned = on_chunk.call1(&JsValue::UNDEFINED, chunk).map_err(failed)?;
    match returned.dyn_ref::<Promise>() {
        Some(promise) => abort.wait(promise).await?.map(drop).map_err(failed),
        None => Ok(()),
    }
}

/// Reads the next chunk: Ok(Ok(None)) at the end, Ok(Err(_)) when the stream failed, Err on abort, past
/// the limit or on a chunk that is not bytes.
pub(crate) async fn read(
    reader: &ReadableStreamDefaultReader,
    abort: &Abort,
    limit: Option<Limit<'_>>,
) -> Result<Result<Option<Uint8Array>, JsValue>> {
    let result = match abort.wait_within(&reader.read(), limit).await? {
        Ok(result) => result,
        Err(error) => return Ok(Err(error)),
    };
    let done = Reflect::get(&result, &"done".into())
        .map(|done| done.is_truthy())
        .unwrap_or(true);
    if done {
        return Ok(Ok(None));
    }
    let value = Reflect::get(&result, &"value".into()).unwrap_or(JsValue::UNDEFINED);
    value.dyn_into::<Uint8Array>().map(|chunk| Ok(Some(chunk))).map_err(|_| {
        Error::new(ErrorCode::NotAReport, "The stream gave something other than bytes: give a stream of Uint8Array chunks, such as file.stream() or a fetch body.")
    })
}

/// `summarizeStream`'s source argument, opened: a ReadableStream as it is, a Blob's stream, or the stream a
/// function returns.
async fn open_js_source(source: JsValue, abort: &Abort, reading: &Reading) -> Result<Source> {
    let opened = |stream: JsValue, total| {
        if Reflect::has(&stream, &"getReader".into()).unwrap_or(false) {
            Ok(Source {
                stream: stream.unchecked_into(),
                total,
                broken: broken_source,
                idle: None,
                on_chunk: reading.on_chunk.clone(),
            })
        } else {
            Err(not_a_source())
        }
    };
    if let Some(open) = source.dyn_ref::<Function>() {
        let stream = open
            .call0(&JsValue::UNDEFINED)
            .map_err(|error| broken_source(0, &error))?;
        let stream = abort
            .wait(&Promise::resolve(&stream))
            .await?
            .map_err(|error| broken_source(0, &error))?;
        opened(stream, None)
    } else if let Some(blob) = source.dyn_ref::<Blob>() {
        opened(blob.stream().into(), Some(blob.size()))
    } else {
        opened(source, None)
    }
}

fn not_a_source() -> Error {
    Error::new(
        ErrorCode::NotAReport,
        "summarizeStream needs a ReadableStream, a Blob or File, or a function that returns a ReadableStream.",
    )
}

pub(crate) fn broken_source(bytes: u64, error: &JsValue) -> Error {
    Error::new(
        ErrorCode::Truncated,
        format!(
            "Reading the report stopped after {bytes} bytes ({}). Open or download the report again.",
            describe_js(error)
        ),
    )
}
