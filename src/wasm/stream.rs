//! `summarizeStream`: a report's bytes, chunk by chunk as they arrive, into a [`ReportParser`].
//!
//! The host's own `DecompressionStream('gzip')` inflates several times faster than wasm (in Node it even
//! runs off the main thread), so a gzip source goes through it when the source can be read again: its
//! errors carry no SPEC code, and Chromium's rejects concatenated gzip members outright. When it fails the
//! source is read again from the start with the wasm inflater, which reads any number of members and tells
//! BAD_GZIP from TRUNCATED. A source that can only be read once skips the host's decoder.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, ReadableStream, ReadableStreamDefaultReader, ReadableWritablePair, StreamPipeOptions,
    TransformStream, TransformStreamDefaultController, Transformer, WritableStream,
};

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
    #[wasm_bindgen(unchecked_optional_param_type = "SummarizeStreamOptions")] options: Option<
        JsValue,
    >,
) -> Result<JsValue, JsValue> {
    summarize_js_source(source, options.unwrap_or(JsValue::UNDEFINED))
        .await
        .map_err(|error| to_js(&error))
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
    let (stream, reader, first) = open(source, abort, progress, phase).await?;
    let gzip = first.as_ref().filter(|chunk| {
        chunk.length() >= 2 && chunk.get_index(0) == 0x1f && chunk.get_index(1) == 0x8b
    });
    let native = gzip
        .filter(|_| source.reopenable() && has_global("DecompressionStream"))
        .and_then(|first| NativeGzip::start(&stream, &reader, first, abort).ok());
    // A host whose decoder will not even start leaves the source to the wasm inflater as it is.
    if let Some(native) = native {
        let mut parser = ReportParser::new(report_date);
        match native.drain(&mut parser, abort, progress).await? {
            Drained::Done => return finish(&mut parser, progress),
            // Whatever the host's side met (corrupt data, several members in Chromium, a broken download),
            // the wasm inflater reading the source again says exactly what.
            Drained::HostGaveUp => {
                let (_, reader, first) = open(source, abort, progress, phase).await?;
                return read_all(first, &reader, report_date, source, abort, progress).await;
            }
        }
    }
    read_all(first, &reader, report_date, source, abort, progress).await
}

/// Opens the source from its first byte and reads its first chunk (None: the source is empty).
async fn open(
    source: &mut impl Source,
    abort: &Abort,
    progress: &mut Progress,
    phase: &'static str,
) -> Result<(
    ReadableStream,
    ReadableStreamDefaultReader,
    Option<Uint8Array>,
)> {
    let (stream, total) = source.open(abort).await?;
    progress.source(phase, total);
    let reader = reader_of(&stream)?;
    let first = next_chunk(&reader, 0.0, source, abort).await?;
    Ok((stream, reader, first))
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
    reader: &ReadableStreamDefaultReader,
    report_date: Option<ReportDate>,
    source: &impl Source,
    abort: &Abort,
    progress: &mut Progress,
) -> Result<Tally> {
    let mut parser = ReportParser::new(report_date);
    let mut buffer = Vec::new();
    let mut bytes = 0.0;
    let mut next = first;
    while let Some(chunk) = next {
        bytes += f64::from(chunk.length());
        if let Err(error) = push(&mut parser, &chunk, &mut buffer) {
            quietly(&reader.cancel());
            return Err(error);
        }
        progress.data(bytes, parser.rows());
        next = next_chunk(reader, bytes, source, abort).await?;
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

/// The host's gzip path: the source piped by the host through a byte counter and a `DecompressionStream`,
/// so the only per-chunk work left to wasm is parsing plain CSV.
struct NativeGzip {
    output: ReadableStreamDefaultReader,
    bytes: Rc<Cell<f64>>,
    /// Called by the host for every source chunk while the pipe runs.
    _count: Closure<dyn FnMut(Uint8Array, TransformStreamDefaultController)>,
}

impl NativeGzip {
    /// `first` was read from `reader` already: the counter hands it on first, then the rest of `stream`.
    fn start(
        stream: &ReadableStream,
        reader: &ReadableStreamDefaultReader,
        first: &Uint8Array,
        abort: &Abort,
    ) -> Result<NativeGzip, JsValue> {
        let bytes = Rc::new(Cell::new(f64::from(first.length())));
        let counted = bytes.clone();
        let count = Closure::new(
            move |chunk: Uint8Array, controller: TransformStreamDefaultController| {
                counted.set(counted.get() + f64::from(chunk.length()));
                let _ = controller.enqueue_with_chunk(&chunk);
            },
        );
        let first = first.clone();
        let start = Closure::once_into_js(move |controller: TransformStreamDefaultController| {
            let _ = controller.enqueue_with_chunk(&first);
        });
        let transformer = Transformer::new();
        transformer.set_start(start.unchecked_ref());
        transformer.set_transform(count.as_ref().unchecked_ref());
        let counter = TransformStream::new_with_transformer(&transformer)?;
        let decoder = DecompressionStream::new("gzip")?;
        let output = counter.readable().pipe_through(&ReadableWritablePair::new(
            &decoder.readable(),
            &decoder.writable(),
        ));
        let output = ReadableStreamDefaultReader::new(&output)?;
        // From here on the host pipes the source; until here the caller may still read it itself.
        reader.release_lock();
        let options = StreamPipeOptions::new();
        options.set_signal(&abort.signal());
        quietly(&stream.pipe_to_with_options(&counter.writable(), &options));
        Ok(NativeGzip {
            output,
            bytes,
            _count: count,
        })
    }

    /// Parses the plain CSV coming out. Err: a failure reading again would not change (the CSV is not a
    /// report, an abort).
    async fn drain(
        self,
        parser: &mut ReportParser,
        abort: &Abort,
        progress: &mut Progress,
    ) -> Result<Drained> {
        let mut buffer = Vec::new();
        let outcome = loop {
            // No race with the abort here: the pipe carries the abort signal and fails the output itself.
            let read = JsFuture::from(self.output.read()).await;
            abort.check()?;
            let chunk = match read.map(|result| chunk_of(&result)) {
                Ok(Ok(Some(chunk))) => chunk,
                Ok(Ok(None)) => return Ok(Drained::Done),
                Ok(Err(error)) => break Err(error),
                Err(_) => break Ok(Drained::HostGaveUp),
            };
            if let Err(error) = push(parser, &chunk, &mut buffer) {
                break Err(error);
            }
            progress.data(self.bytes.get(), parser.rows());
        };
        quietly(&self.output.cancel());
        outcome
    }
}

enum Drained {
    Done,
    HostGaveUp,
}

/// Reads the next chunk: Ok(Ok(None)) at the end, Ok(Err(_)) when the stream failed, Err on abort or on
/// a chunk that is not bytes.
async fn read(
    reader: &ReadableStreamDefaultReader,
    abort: &Abort,
) -> Result<Result<Option<Uint8Array>, JsValue>> {
    match abort.wait(&reader.read()).await? {
        Ok(result) => chunk_of(&result).map(Ok),
        Err(error) => Ok(Err(error)),
    }
}

/// The chunk of a `{done, value}` read result.
fn chunk_of(result: &JsValue) -> Result<Option<Uint8Array>> {
    let done = Reflect::get(result, &"done".into())
        .map(|done| done.is_truthy())
        .unwrap_or(true);
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
        Error::new(
            ErrorCode::NotAReport,
            format!(
                "The report stream cannot be read (is it already being read?): {}",
                describe_js(&error)
            ),
        )
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
            JsSource::Once(stream) => stream
                .take()
                .map(|stream| (stream, None))
                .ok_or_else(not_a_source),
            JsSource::Blob(blob) => Ok((blob.stream(), Some(blob.size()))),
            JsSource::Opener(open) => {
                let opened = open
                    .call0(&JsValue::UNDEFINED)
                    .map_err(|error| self.broken(0.0, &error))?;
                let stream = abort
                    .wait(&Promise::resolve(&opened))
                    .await?
                    .map_err(|error| self.broken(0.0, &error))?;
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
            format!(
                "Reading the report stopped after {bytes} bytes ({}). Open or download the report again.",
                describe_js(error)
            ),
        )
    }
}
