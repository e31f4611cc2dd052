//! `summarizeStream`: a report's bytes, chunk by chunk as they arrive, into a [`ReportParser`].
//!
//! The host's own `DecompressionStream('gzip')` inflates several times faster than wasm (in Node it even
//! runs off the main thread), so a gzip source goes through it when the source can be read again: its
//! errors carry no SPEC code, and Chromium's rejects concatenated gzip members outright. When it fails the
//! source is read again from the start with the wasm inflater, which reads any number of members and tells
//! BAD_GZIP from TRUNCATED. A source that can only be read once skips the host's decoder.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{Blob, ReadableStream, ReadableStreamDefaultReader, WritableStream, WritableStreamDefaultWriter};

use super::errors::to_js;
use super::exports::summary_to_js;
use super::host::{Abort, Progress, describe_js, has_global, option, quietly};
use crate::api::parse_report_date;
use crate::engine::{ReportDate, ReportParser, Tally};
use crate::error::{Error, ErrorCode, Result};

// web-sys has DecompressionStream only behind `--cfg web_sys_unstable_apis`, which a plain
// `wasm-pack build` would not pass; the three members used are bound here instead.
#[wasm_bindgen]
extern "C" {
    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &DecompressionStream) -> ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &DecompressionStream) -> WritableStream;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_STREAM: &str = r#"
/** What summarizeStream reads. A ReadableStream is read once, by the wasm inflater. A Blob/File or a
 * function returning a fresh ReadableStream can be read again, so a gzip report goes through the host's
 * faster DecompressionStream first and is read again by the wasm inflater only if that fails. */
export type ReportSource = ReadableStream<Uint8Array> | Blob | (() => ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>);

export interface ProgressInfo {
  /** "requesting" | "running" (the API prepares the report) | "downloading" (fetchReport) | "parsing" (summarizeStream) */
  phase: string;
  /** the task's percentComplete while running; the share of bytes read when the size is known; else null */
  percentComplete: number | null;
  /** bytes read from the source (gzip bytes for a gzip report) */
  bytes: number;
  /** report rows read so far */
  rows: number;
  /** the key's label, when fetchReport was given several keys */
  label?: string;
}

export interface SummarizeStreamOptions {
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
    #[wasm_bindgen(unchecked_param_type = "SummarizeStreamOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    summarize_js_source(source, options).await.map_err(|error| to_js(&error))
}

async fn summarize_js_source(source: JsValue, options: JsValue) -> Result<JsValue> {
    let report_date = match option(&options, "reportDate") {
        Some(date) => Some(parse_report_date(&date.as_string().unwrap_or_default())?),
        None => None,
    };
    let callback = option(&options, "onProgress").and_then(|f| f.dyn_into::<Function>().ok());
    let abort = Abort::new(option(&options, "signal").map(JsCast::unchecked_into))?;
    let mut progress = Progress::new(callback, None);
    let mut source = JsSource::new(source)?;
    let tally = tally_source(&mut source, report_date, &abort, &mut progress, "parsing").await?;
    Ok(summary_to_js(&tally.summary()))
}

/// A source of report bytes.
pub(crate) trait Source {
    /// Can [`Source::open`] be called again for the same bytes from the start?
    fn reopenable(&self) -> bool;
    /// A stream from the first byte, and how many bytes it will give if known.
    async fn open(&mut self, abort: &Abort) -> Result<(ReadableStream, Option<f64>)>;
    /// The error for a stream that failed after `bytes` bytes.
    fn broken(&self, bytes: f64, error: &JsValue) -> Error;
}

/// The tally of a whole source, as fast as the host allows.
pub(crate) async fn tally_source(
    source: &mut impl Source,
    report_date: Option<ReportDate>,
    abort: &Abort,
    progress: &mut Progress,
    phase: &'static str,
) -> Result<Tally> {
    let (reader, first) = open(source, abort, progress, phase).await?;
    let bytes = first.as_ref().map_or(0.0, |chunk| f64::from(chunk.length()));
    let gzip = first.as_ref().is_some_and(|chunk| chunk.length() >= 2 && chunk.get_index(0) == 0x1f && chunk.get_index(1) == 0x8b);
    if gzip && source.reopenable() && has_global("DecompressionStream") {
        let native = NativeGzip::start(first, reader, bytes)?;
        let mut parser = ReportParser::new(report_date);
        match native.drain(&mut parser, source, abort, progress).await {
            Ok(()) => return finish(&mut parser, progress),
            Err(Drained::Failed(error)) => return Err(error),
            Err(Drained::HostGaveUp) => {
                let (reader, first) = open(source, abort, progress, phase).await?;
                let bytes = first.as_ref().map_or(0.0, |chunk| f64::from(chunk.length()));
                return read_all(first, bytes, &reader, report_date, source, abort, progress).await;
            }
        }
    }
    read_all(first, bytes, &reader, report_date, source, abort, progress).await
}

/// Opens the source from its first byte and reads its first chunk (None: the source is empty).
async fn open(
    source: &mut impl Source,
    abort: &Abort,
    progress: &mut Progress,
    phase: &'static str,
) -> Result<(ReadableStreamDefaultReader, Option<Uint8Array>)> {
    let (stream, total) = source.open(abort).await?;
    progress.source(phase, total);
    let reader = reader_of(&stream)?;
    let first = next_chunk(&reader, 0.0, source, abort).await?;
    Ok((reader, first))
}

/// The next chunk of a source, a failed read being the source's failure.
async fn next_chunk(
    reader: &ReadableStreamDefaultReader,
    bytes: f64,
    source: &impl Source,
    abort: &Abort,
) -> Result<Option<Uint8Array>> {
    let outcome = read(reader, abort).await;
    if outcome.is_err() || matches!(outcome, Ok(Err(_))) {
        quietly(&reader.cancel());
    }
    outcome?.map_err(|error| source.broken(bytes, &error))
}

/// The wasm inflater path: every byte of the source through the parser.
async fn read_all(
    first: Option<Uint8Array>,
    mut bytes: f64,
    reader: &ReadableStreamDefaultReader,
    report_date: Option<ReportDate>,
    source: &impl Source,
    abort: &Abort,
    progress: &mut Progress,
) -> Result<Tally> {
    let mut parser = ReportParser::new(report_date);
    let mut buffer = Vec::new();
    let mut next = first;
    while let Some(chunk) = next {
        if let Err(error) = push(&mut parser, &chunk, &mut buffer) {
            quietly(&reader.cancel());
            return Err(error);
        }
        progress.data(bytes, parser.rows());
        next = next_chunk(reader, bytes, source, abort).await?;
        bytes += next.as_ref().map_or(0.0, |chunk| f64::from(chunk.length()));
    }
    finish(&mut parser, progress)
}

fn finish(parser: &mut ReportParser, progress: &mut Progress) -> Result<Tally> {
    let tally = parser.finish()?;
    progress.flush();
    Ok(tally)
}

/// Copies a chunk into wasm memory (one reused buffer) and parses it.
fn push(parser: &mut ReportParser, chunk: &Uint8Array, buffer: &mut Vec<u8>) -> Result<()> {
    buffer.resize(chunk.length() as usize, 0);
    chunk.copy_to(buffer);
    parser.push(buffer)
}

/// Why the host's gzip path stopped short.
enum Drained {
    /// A failure the wasm path would meet too (the source broke, the CSV is not a report, an abort).
    Failed(Error),
    /// The host's decoder failed: read again with the wasm inflater.
    HostGaveUp,
}

impl From<Error> for Drained {
    fn from(error: Error) -> Drained {
        Drained::Failed(error)
    }
}

/// The source pumped into a `DecompressionStream` by a task of its own while the caller reads plain CSV
/// out: writes wait for reads, so the two must run side by side.
struct NativeGzip {
    source: ReadableStreamDefaultReader,
    output: ReadableStreamDefaultReader,
    pump: Rc<PumpState>,
}

#[derive(Default)]
struct PumpState {
    bytes: Cell<f64>,
    /// The source's own failure, told apart from the decoder's.
    source_error: RefCell<Option<JsValue>>,
}

impl NativeGzip {
    fn start(first: Option<Uint8Array>, source: ReadableStreamDefaultReader, bytes: f64) -> Result<NativeGzip> {
        let decoder = DecompressionStream::new("gzip").map_err(|error| {
            Error::new(ErrorCode::BadGzip, format!("The host's gzip decoder could not start: {}", describe_js(&error)))
        })?;
        let writer: WritableStreamDefaultWriter = decoder.writable().get_writer().map_err(|error| {
            Error::new(ErrorCode::BadGzip, format!("The host's gzip decoder could not start: {}", describe_js(&error)))
        })?;
        let output = reader_of(&decoder.readable())?;
        let pump = Rc::new(PumpState { bytes: Cell::new(bytes), ..PumpState::default() });
        spawn_local(run_pump(first, source.clone(), writer, pump.clone()));
        Ok(NativeGzip { source, output, pump })
    }

    async fn drain(
        &self,
        parser: &mut ReportParser,
        source: &impl Source,
        abort: &Abort,
        progress: &mut Progress,
    ) -> Result<(), Drained> {
        let mut buffer = Vec::new();
        let result = async {
            loop {
                match read(&self.output, abort).await? {
                    Ok(Some(chunk)) => {
                        push(parser, &chunk, &mut buffer)?;
                        progress.data(self.pump.bytes.get(), parser.rows());
                    }
                    Ok(None) => return Ok(()),
                    Err(_) => {
                        return Err(match self.pump.source_error.borrow().as_ref() {
                            Some(source_error) => Drained::Failed(source.broken(self.pump.bytes.get(), source_error)),
                            None => Drained::HostGaveUp,
                        });
                    }
                }
            }
        }
        .await;
        if result.is_err() {
            quietly(&self.output.cancel());
            quietly(&self.source.cancel());
        }
        result
    }
}

/// Source → decoder, one chunk at a time. A source failure is recorded, so the reader of the output can
/// tell it from the decoder's; either way the decoder is aborted so its output side ends too.
async fn run_pump(
    first: Option<Uint8Array>,
    source: ReadableStreamDefaultReader,
    writer: WritableStreamDefaultWriter,
    state: Rc<PumpState>,
) {
    let mut next = first;
    while let Some(chunk) = next {
        if JsFuture::from(writer.write_with_chunk(&chunk)).await.is_err() {
            // The decoder refused the bytes, or its output was cancelled: the output side says which.
            quietly(&source.cancel());
            return;
        }
        let read = JsFuture::from(source.read())
            .await
            .and_then(|result| chunk_of(&result).map_err(|error| JsValue::from(error.message)));
        match read {
            Ok(chunk) => next = chunk,
            Err(error) => {
                *state.source_error.borrow_mut() = Some(error.clone());
                quietly(&source.cancel());
                quietly(&writer.abort_with_reason(&error));
                return;
            }
        }
        state.bytes.set(state.bytes.get() + next.as_ref().map_or(0.0, |chunk| f64::from(chunk.length())));
    }
    quietly(&writer.close());
}

/// Reads the next chunk: Ok(Ok(None)) at the end, Ok(Err(_)) when the stream failed, Err on abort or on
/// a chunk that is not bytes.
async fn read(reader: &ReadableStreamDefaultReader, abort: &Abort) -> Result<Result<Option<Uint8Array>, JsValue>> {
    match abort.wait(&reader.read()).await? {
        Ok(result) => chunk_of(&result).map(Ok),
        Err(error) => Ok(Err(error)),
    }
}

/// The chunk of a `{done, value}` read result.
fn chunk_of(result: &JsValue) -> Result<Option<Uint8Array>> {
    let done = Reflect::get(result, &"done".into()).map(|done| done.is_truthy()).unwrap_or(true);
    if done {
        return Ok(None);
    }
    let value = Reflect::get(result, &"value".into()).unwrap_or(JsValue::UNDEFINED);
    value.dyn_into::<Uint8Array>().map(Some).map_err(|_| {
        Error::new(ErrorCode::NotAReport, "The stream gave something other than bytes: give a stream of Uint8Array chunks, such as file.stream() or a fetch body.")
    })
}

fn reader_of(stream: &ReadableStream) -> Result<ReadableStreamDefaultReader> {
    ReadableStreamDefaultReader::new(stream).map_err(|error| {
        Error::new(ErrorCode::NotAReport, format!("The report stream cannot be read (is it already being read?): {}", describe_js(&error)))
    })
}

/// `summarizeStream`'s source argument.
enum JsSource {
    Once(Option<ReadableStream>),
    Blob(Blob),
    Opener(Function),
}

impl JsSource {
    fn new(source: JsValue) -> Result<JsSource> {
        if let Some(function) = source.dyn_ref::<Function>() {
            Ok(JsSource::Opener(function.clone()))
        } else if source.is_instance_of::<Blob>() {
            Ok(JsSource::Blob(source.unchecked_into()))
        } else if Reflect::has(&source, &"getReader".into()).unwrap_or(false) {
            Ok(JsSource::Once(Some(source.unchecked_into())))
        } else {
            Err(not_a_source())
        }
    }
}

fn not_a_source() -> Error {
    Error::new(
        ErrorCode::NotAReport,
        "summarizeStream needs a ReadableStream, a Blob or File, or a function that returns a fresh ReadableStream.",
    )
}

impl Source for JsSource {
    fn reopenable(&self) -> bool {
        !matches!(self, JsSource::Once(_))
    }

    async fn open(&mut self, abort: &Abort) -> Result<(ReadableStream, Option<f64>)> {
        match self {
            JsSource::Once(stream) => stream.take().map(|stream| (stream, None)).ok_or_else(not_a_source),
            JsSource::Blob(blob) => Ok((blob.stream(), Some(blob.size()))),
            JsSource::Opener(open) => {
                let opened = open.call0(&JsValue::UNDEFINED).map_err(|error| self.broken(0.0, &error))?;
                let stream = abort.wait(&Promise::resolve(&opened)).await?.map_err(|error| self.broken(0.0, &error))?;
                if Reflect::has(&stream, &"getReader".into()).unwrap_or(false) {
                    Ok((stream.unchecked_into(), None))
                } else {
                    Err(not_a_source())
                }
            }
        }
    }

    fn broken(&self, bytes: f64, error: &JsValue) -> Error {
        Error::new(
            ErrorCode::Truncated,
            format!("Reading the report stopped after {bytes} bytes ({}). Open or download the report again.", describe_js(error)),
        )
    }
}
