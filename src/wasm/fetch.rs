//! `fetchReport` and `fetchReportFile`: the driver that performs what [`TaskFlow`] asks for with the host's
//! global `fetch`, then streams the download through [`tally_source`]. Their options are read in
//! options.rs; several keys are scheduled in parts.rs.

use std::rc::Rc;

use js_sys::{Array, Function, Object};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Headers, ReadableStreamDefaultReader, RequestInit, RequestRedirect, Response, ResponseType, Url};

use super::abort::{Abort, Limit};
use super::date::checked_date;
use super::errors::to_js;
use super::exports::{Reading, summary_to_js};
use super::host::{describe_js, ignore_rejection, now_ms, set};
use super::options::{Credentials, api_key_of, config_of, credentials_of, option};
use super::parts::fetch_parts;
use super::progress::{DayTag, Progress};
use super::stream::{Idle, Source, each_chunk, read, tally_source};
use crate::api::{Phase, Purpose, Reply, Request, Stall, Step, TaskConfig, TaskFlow, redact_key, redact_key_bytes};
use crate::engine::Tally;
use crate::error::{Error, ErrorCode, Result};
use crate::limits::MAX_DOCUMENT_BYTES;

#[wasm_bindgen(typescript_custom_section)]
const TS_FETCH: &str = r#"
export interface ReportKey {
  /** how this key's organisation is named in `parts` and in progress reports */
  label: string;
  key: string;
}

export interface FetchReportOptions {
  /** your OpenAthens API name, e.g. "example.org" */
  apiName: string;
  /** the API key; or give `keys` for several (sub-)organisations */
  apiKey?: string;
  keys?: ReportKey[];
  /** "yyyy-MM-dd", yesterday back to 30 days ago (UTC) */
  date: string;
  /** default "https://reports.openathens.net/api/v1"; may be a proxy (a path on this page's origin works in a page) */
  baseUrl?: string;
  /** first wait between polls of a running report, growing gently; default 2000; retries back off from half of it */
  pollIntervalMs?: number;
  /** how long to wait for the report to be ready (not for the download itself); default 600000 */
  timeoutMs?: number;
  /** how long any answer (task document or download) may send no bytes before it fails with TIMEOUT; default 60000 */
  idleTimeoutMs?: number;
  onProgress?: (progress: ProgressInfo) => void;
  signal?: AbortSignal;
  /** performs every request (task, polls, download) in place of the global fetch, e.g. to count or cap a
   * Worker's subrequests; called as fetch(url, init) and must answer as fetch does */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** count only the rows of this slice (or of all these slices) */
  filter?: Filter | Filter[];
  /** each chunk of the downloaded report (gzip bytes) as it arrives, e.g. to keep it for slicing later; a
   * promise it returns is awaited before the next read */
  onChunk?: (chunk: Uint8Array) => void | Promise<unknown>;
}

export type SubOrgPart =
  | { label: string; summary: Summary }
  | { label: string; error: { code: ErrorCode; message: string } };

export interface SubOrgReport {
  /** every part that succeeded, merged; distinct counts exact */
  merged: Summary;
  parts: SubOrgPart[];
}

/** Exactly one of `apiKey` (the result is a Summary) and `keys` (a SubOrgReport). */
export type SingleKeyOptions = FetchReportOptions & { apiKey: string; keys?: never };
export type SubOrgKeysOptions = FetchReportOptions & { keys: ReportKey[]; apiKey?: never };
export function fetchReport(options: SingleKeyOptions): Promise<Summary>;
export function fetchReport(options: SubOrgKeysOptions): Promise<SubOrgReport>;
"#;

/// Fetches one day's report and summarises it as it downloads; with `keys`, every key's report and their
/// merge.
#[wasm_bindgen(js_name = fetchReport, unchecked_return_type = "Summary | SubOrgReport")]
pub async fn fetch_report(
    #[wasm_bindgen(unchecked_param_type = "SingleKeyOptions | SubOrgKeysOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    fetch_report_with(options).await.map_err(|error| to_js(&error))
}

async fn fetch_report_with(options: JsValue) -> Result<JsValue> {
    let abort = Rc::new(abort_of(&options)?);
    let now = now_ms();
    let date = checked_date(&option(&options, "date").unwrap_or(JsValue::UNDEFINED), now)?;
    let config = config_of(&options, date);
    let reading = Rc::new(Reading::of(&options)?);
    let credentials = credentials_of(&options)?;
    let callback = option(&options, "onProgress").and_then(|f| f.dyn_into::<Function>().ok());
    let day = fetch_day(&config, &reading, &credentials, &abort, &callback, None).await?;
    Ok(day.result_js())
}

/// The call's cancellation and requests: the `signal` and `fetch` options.
pub(crate) fn abort_of(options: &JsValue) -> Result<Abort> {
    let fetch = option(options, "fetch").and_then(|f| f.dyn_into::<Function>().ok());
    Ok(Abort::new(option(options, "signal").map(JsCast::unchecked_into))?.with_fetch(fetch))
}

/// One day as `fetchReport` gives it: its tally (with keys, the parts that succeeded merged) and, with keys,
/// the `parts` list.
pub(crate) struct Day {
    pub tally: Tally,
    pub parts: Option<Array>,
}

impl Day {
    /// What `fetchReport` resolves to: the Summary, or with keys `{merged, parts}`.
    pub fn result_js(&self) -> JsValue {
        let summary = summary_to_js(&self.tally);
        match &self.parts {
            None => summary,
            Some(parts) => {
                let report = Object::new();
                set(&report, "merged", &summary);
                set(&report, "parts", parts);
                report.into()
            }
        }
    }
}

pub(crate) async fn fetch_day(
    config: &TaskConfig,
    reading: &Rc<Reading>,
    credentials: &Credentials,
    abort: &Rc<Abort>,
    callback: &Option<Function>,
    day: Option<&DayTag>,
) -> Result<Day> {
    match credentials {
        Credentials::Keys(keys) => fetch_parts(config, reading, keys, abort, callback, day).await,
        Credentials::Key(key) => {
            let mut progress = Progress::new(callback.clone(), None, day.cloned());
            let tally = fetch_tally(config, reading, key, abort, &mut progress).await?;
            Ok(Day { tally, parts: None })
        }
    }
}

/// One key's report: the task, then the download streamed into the parser.
pub(super) async fn fetch_tally(
    config: &TaskConfig,
    reading: &Reading,
    key: &str,
    abort: &Abort,
    progress: &mut Progress,
) -> Result<Tally> {
    redacting(key, async {
        let (flow, response) = open_download(config, key, abort, progress).await?;
        let source = download_source(flow, &response, reading.on_chunk.clone())?;
        tally_source(
            source,
            reading.parser(Some(config.date)),
            abort,
            progress,
            "downloading",
        )
        .await
    })
    .await
}

/// The download's body as a source: its length when the answer says it, and the flow's bound on the wait
/// for each chunk.
fn download_source(flow: TaskFlow, response: &Response, on_chunk: Option<Function>) -> Result<Source> {
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|length| length.trim().parse::<u64>().ok())
        .map(|length| length as f64);
    let stream = response.body().ok_or_else(|| {
        Error::new(
            ErrorCode::NotAReport,
            "The report download was empty. Fetch it again; if it stays empty, the day may have no report.",
        )
    })?;
    let idle = Idle {
        ms: flow.idle_timeout_ms(),
        stalled: Box::new(move |bytes| flow.stalled_error(Stall::Body(bytes))),
    };
    Ok(Source {
        stream,
        total,
        broken: broken_download,
        idle: Some(idle),
        on_chunk,
    })
}

/// Answers are redacted before they are quoted; this also covers the API name and the host's own error
/// texts, which could carry the key as well.
async fn redacting<T>(key: &str, work: impl Future<Output = Result<T>>) -> Result<T> {
    work.await.map_err(|error| Error {
        message: redact_key(&error.message, key),
        ..error
    })
}

/// The task, until the download answers: the flow (for its waits) and the answer with its body unread.
async fn open_download(
    config: &TaskConfig,
    key: &str,
    abort: &Abort,
    progress: &mut Progress,
) -> Result<(TaskFlow, Response)> {
    if key.trim().is_empty() {
        return Err(Error::new(
            ErrorCode::Auth,
            "No API key was given: enter an API key with the reports API permission.",
        ));
    }
    let (mut flow, first) = TaskFlow::start(config.clone(), now_ms())?;
    progress.phase(flow.phase().as_str(), None);
    let response = until_download(&mut flow, first, key, abort, progress).await?;
    Ok((flow, response))
}

/// Fetches one day's report file as the API serves it (gzip, or CSV), as a Blob to save: the same task as
/// `fetchReport` with `apiKey`, and the download kept instead of summarised. With `onChunk`, the download is
/// handed to it chunk by chunk instead (as fetchReport's `onChunk`, with its timeouts and errors) and the
/// promise gives undefined: the page's pipeline (www/js/pipeline.js) counts it on other threads.
#[wasm_bindgen(js_name = fetchReportFile, unchecked_return_type = "Blob | undefined")]
pub async fn fetch_report_file(
    #[wasm_bindgen(unchecked_param_type = "SingleKeyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    fetch_file_with(options).await.map_err(|error| to_js(&error))
}

async fn fetch_file_with(options: JsValue) -> Result<JsValue> {
    let abort = abort_of(&options)?;
    let date = checked_date(&option(&options, "date").unwrap_or(JsValue::UNDEFINED), now_ms())?;
    let config = config_of(&options, date);
    let key = api_key_of(&options);
    let callback = option(&options, "onProgress").and_then(|f| f.dyn_into::<Function>().ok());
    let mut progress = Progress::new(callback, None, None);
    let on_chunk = option(&options, "onChunk").and_then(|f| f.dyn_into::<Function>().ok());
    redacting(&key, async {
        let (flow, response) = open_download(&config, &key, &abort, &mut progress).await?;
        if on_chunk.is_some() {
            let source = download_source(flow, &response, on_chunk)?;
            each_chunk(source, &abort, &mut progress, "downloading", |_| Ok(0)).await?;
            progress.flush();
            return Ok(JsValue::UNDEFINED);
        }
        let blob = response.blob().map_err(|error| broken_download(0, &error))?;
        abort.wait(&blob).await?.map_err(|error| broken_download(0, &error))
    })
    .await
}

fn broken_download(bytes: u64, error: &JsValue) -> Error {
    Error::new(
        ErrorCode::Truncated,
        format!(
            "The download broke off after {bytes} bytes ({}). Fetch the report again; through a proxy, check it \
             allows long downloads.",
            describe_js(error)
        ),
    )
}

/// Performs requests until the download answers 2xx, and returns that answer with its body unread.
async fn until_download(
    flow: &mut TaskFlow,
    mut request: Request,
    key: &str,
    abort: &Abort,
    progress: &mut Progress,
) -> Result<Response> {
    loop {
        abort.sleep_until(request.at_ms).await?;
        let next = match send(&request, key, abort, flow).await? {
            Some((response, body)) => {
                let header = |name| response.headers().get(name).ok().flatten();
                let retry_after = header("retry-after");
                let location = header("location").map(|location| redact_key(&resolve(&location, &request.url), key));
                let reply = Reply {
                    status: response.status(),
                    retry_after: retry_after.as_deref(),
                    body: &redact_key_bytes(&body, key),
                    location: location.as_deref(),
                };
                match flow.on_reply(reply, now_ms()) {
                    Step::Stream => return Ok(response),
                    Step::Fetch(next) => next,
                    Step::Fail(error) => return Err(error),
                }
            }
            None => flow.on_network_error(now_ms())?,
        };
        // The download reports its own progress (bytes and rows) once its body flows.
        if flow.phase() != Phase::Downloading {
            progress.phase(flow.phase().as_str(), flow.percent_complete());
        }
        request = next;
    }
}

/// One GET: the answer with its body read (except a 2xx download's), or None when no answer came.
async fn send(request: &Request, key: &str, abort: &Abort, flow: &TaskFlow) -> Result<Option<(Response, Vec<u8>)>> {
    let init = RequestInit::new();
    init.set_method("GET");
    // The flow follows redirects itself, by its rule for links: workerd's own following would carry the key
    // to another origin.
    init.set_redirect(RequestRedirect::Manual);
    if request.send_key {
        let headers = Headers::new().map_err(|error| host_failure(&error))?;
        headers
            .append("Authorization", &format!("OAApiKey {key}"))
            .map_err(|_| {
                Error::new(
                    ErrorCode::Auth,
                    "The API key cannot be sent as a header: check it has no line breaks or unusual characters.",
                )
            })?;
        init.set_headers(&headers);
    }
    let Some(mut response) = answer(&request.url, &init, abort, flow).await? else {
        return Ok(None);
    };
    if response.type_() == ResponseType::Opaqueredirect {
        // Browsers hide where a manual redirect leads (no status, no Location), and drop Authorization
        // themselves when a redirect leaves the origin (the Fetch standard): there the browser follows.
        init.set_redirect(RequestRedirect::Follow);
        let Some(followed) = answer(&request.url, &init, abort, flow).await? else {
            return Ok(None);
        };
        response = followed;
    }
    if request.purpose == Purpose::Download && response.ok() {
        return Ok(Some((response, Vec::new())));
    }
    Ok(read_document(&response, abort, flow)
        .await?
        .map(|body| (response, body)))
}

/// The host's answer to one fetch (its headers), or None when it had none.
async fn answer(url: &str, init: &RequestInit, abort: &Abort, flow: &TaskFlow) -> Result<Option<Response>> {
    let (at_ms, error) = within(flow, Stall::Headers);
    let answered = abort
        .wait_within(&abort.fetch(url, init)?, Some(Limit { at_ms, error: &error }))
        .await?;
    Ok(answered.ok().map(JsCast::unchecked_into))
}

/// A task document or an error body, read as it arrives and refused past [`MAX_DOCUMENT_BYTES`] without
/// reading the rest; None when it broke off.
async fn read_document(response: &Response, abort: &Abort, flow: &TaskFlow) -> Result<Option<Vec<u8>>> {
    let Some(stream) = response.body() else {
        return Ok(Some(Vec::new()));
    };
    let reader = ReadableStreamDefaultReader::new(&stream).map_err(|error| host_failure(&error))?;
    let mut body = Vec::new();
    loop {
        let (at_ms, error) = within(flow, Stall::Body(body.len() as u64));
        let chunk = match read(&reader, abort, Some(Limit { at_ms, error: &error })).await {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) => return Ok(Some(body)),
            Ok(Err(_)) => return Ok(None),
            Err(error) => {
                ignore_rejection(&reader.cancel());
                return Err(error);
            }
        };
        let at = body.len();
        if at + chunk.length() as usize > MAX_DOCUMENT_BYTES {
            ignore_rejection(&reader.cancel());
            return Err(flow.too_large_error());
        }
        body.resize(at + chunk.length() as usize, 0);
        chunk.copy_to(&mut body[at..]);
    }
}

/// When a wait for the host gives up, and with what: the task's deadline, or the idle timeout if sooner.
fn within(flow: &TaskFlow, stall: Stall) -> (f64, impl Fn() -> Error + '_) {
    let idle_at = now_ms() + flow.idle_timeout_ms();
    let deadline = flow.deadline_ms().filter(|deadline| *deadline <= idle_at);
    let error = move || match deadline {
        Some(_) => flow.timeout_error(),
        None => flow.stalled_error(stall),
    };
    (deadline.unwrap_or(idle_at), error)
}

/// A Location as an absolute URL, resolved as the host's fetch would resolve it; as it is if it is none.
fn resolve(location: &str, base: &str) -> String {
    Url::new_with_base(location, base).map_or_else(|_| location.to_owned(), |url| url.href())
}

fn host_failure(error: &JsValue) -> Error {
    Error::new(
        ErrorCode::Network,
        format!("The JavaScript runtime refused a request: {}", describe_js(error)),
    )
}
