//! The poll loop as a state machine.
//!
//! [`TaskFlow`] does no I/O and reads no clock: the driver (the wasm `fetchReport`) performs each
//! [`Request`] it is given at the time it names, then reports what came back — [`TaskFlow::on_reply`] or
//! [`TaskFlow::on_network_error`], with the current time — and gets the next [`Step`]. The whole policy
//! (links, polling pace, retries, the deadline, which failure is which error code of docs/api.md and what the user should
//! do about it) lives here, so it is tested natively with made-up responses.

use super::document::TaskDocument;
use super::messages::{advice, bad_response, describe_ms, missing_link, server_says};
use super::origin::{BaseUrl, encode_path_segment, normalise_origin, origin_of};
use super::retry_after::parse_retry_after;
use crate::engine::ReportDate;
use crate::error::{Error, ErrorCode, Result, quoted};
use crate::limits::MAX_DOCUMENT_BYTES;

/// `baseUrl` when none is given: the OpenAthens reports API.
pub const DEFAULT_BASE_URL: &str = "https://reports.openathens.net/api/v1";
/// `pollIntervalMs` when none is given.
pub const DEFAULT_POLL_INTERVAL_MS: f64 = 2_000.0;
/// `timeoutMs` when none is given: 10 minutes for the report to be ready.
pub const DEFAULT_TIMEOUT_MS: f64 = 600_000.0;
/// `idleTimeoutMs` when none is given.
pub const DEFAULT_IDLE_TIMEOUT_MS: f64 = 60_000.0;

/// Tries after the first for one request that meets 429, 502, 503, 504 or no answer.
const MAX_RETRIES: u32 = 4;
/// Each poll waits a quarter longer than the one before, up to this many poll intervals.
const POLL_GROWTH: f64 = 1.25;
const MAX_POLL_INTERVALS: f64 = 4.0;
/// A Retry-After longer than this is not waited out: the user is told to come back later instead.
const MAX_RETRY_AFTER_MS: f64 = 120_000.0;
/// Redirects followed in a row before the answer counts as making no sense (a loop, most likely).
const MAX_REDIRECTS: u32 = 5;
/// Before anything has answered, no answer is tried once more after this wait, then reported: a wrong base
/// URL, a blocked origin or a closed port does not change in the seconds a full backoff would take.
const FIRST_CONTACT_RETRY_MS: f64 = 500.0;

/// What `fetchReport` was asked for, with its options' defaults already applied.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskConfig {
    /// The API root, e.g. [`DEFAULT_BASE_URL`] or a proxy standing in for it; absolute http(s).
    pub base_url: String,
    /// The organisation's OpenAthens API name, as the user gave it.
    pub api_name: String,
    /// The day whose report is asked for, already checked against the window.
    pub date: ReportDate,
    /// The first wait between polls of a running task.
    pub poll_interval_ms: f64,
    /// Bounds the wait for the report to be ready (requests, polls, retries); the download itself runs as
    /// long as data keeps arriving.
    pub timeout_ms: f64,
    /// Bounds every wait for bytes (an answer's headers, each chunk of a body), download included.
    pub idle_timeout_ms: f64,
}

/// What a request fetches, which decides how its reply is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A task-v1 document: the driver hands over the whole body.
    Task,
    /// The gzipped CSV: on a 2xx the driver hands over no body and streams it once told [`Step::Stream`].
    Download,
}

/// A GET to perform.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Absolute.
    pub url: String,
    /// Whether to send `Authorization: OAApiKey <key>`; only ever true on the base URL's origin.
    pub send_key: bool,
    /// Not before this time (ms on the driver's clock).
    pub at_ms: f64,
    /// How its reply is to be read.
    pub purpose: Purpose,
}

/// The next thing the driver does.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Perform this request.
    Fetch(Request),
    /// The download answered 2xx: stream its body into the parser.
    Stream,
    /// Stop: the fetch failed with this error.
    Fail(Error),
}

/// Where the flow is, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Asking for the report.
    Requesting,
    /// The API is preparing it.
    Running,
    /// Its download answered.
    Downloading,
}

impl Phase {
    /// The `phase` of `onProgress` reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Requesting => "requesting",
            Phase::Running => "running",
            Phase::Downloading => "downloading",
        }
    }
}

/// An HTTP answer as the driver saw it.
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The raw `Retry-After` header, if any.
    pub retry_after: Option<&'a str>,
    /// The body of a task request or of a failed download; empty for a 2xx download.
    pub body: &'a [u8],
    /// The `Location` header, resolved against the request's URL.
    pub location: Option<&'a str>,
}

/// Where an answer stopped sending bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stall {
    /// Before its headers.
    Headers,
    /// In its body, after this many bytes.
    Body(u64),
}

/// The poll loop: first request, polls of SELF, the DOWN link, retries and the deadline.
#[derive(Debug, Clone)]
pub struct TaskFlow {
    base: BaseUrl,
    /// The API name as it appears in a path, which is also how links are recognised as the API's own.
    api_segment: String,
    api_name: String,
    date: String,
    poll_interval_ms: f64,
    timeout_ms: f64,
    idle_timeout_ms: f64,
    deadline_ms: f64,
    phase: Phase,
    percent: Option<f64>,
    /// The request in flight, repeated as is by a retry.
    current: Request,
    retries: u32,
    redirects: u32,
    polls: u32,
    /// Whether anything has answered yet (any status): until then, no answer means nothing is there.
    answered: bool,
}

impl TaskFlow {
    /// The flow and its first request: `{baseUrl}/{apiName}/rawreport?date=...`, to be made at once.
    pub fn start(config: TaskConfig, now_ms: f64) -> Result<(TaskFlow, Request)> {
        let base = BaseUrl::parse(&config.base_url)?;
        if config.api_name.trim().is_empty() {
            return Err(Error::new(
                ErrorCode::NotFound,
                "No API name was given: enter your organisation's OpenAthens API name (usually your federation scope).",
            ));
        }
        let api_segment = encode_path_segment(&config.api_name);
        let date = config.date.to_string();
        let first = Request {
            url: format!("{}/{api_segment}/rawreport?date={date}", base.root),
            send_key: true,
            at_ms: now_ms,
            purpose: Purpose::Task,
        };
        let flow = TaskFlow {
            base,
            api_segment,
            api_name: config.api_name,
            date,
            poll_interval_ms: config.poll_interval_ms.max(0.0),
            timeout_ms: config.timeout_ms.max(0.0),
            idle_timeout_ms: config.idle_timeout_ms.max(0.0),
            deadline_ms: now_ms + config.timeout_ms.max(0.0),
            phase: Phase::Requesting,
            percent: None,
            current: first.clone(),
            retries: 0,
            answered: false,
            redirects: 0,
            polls: 0,
        };
        Ok((flow, first))
    }

    /// Where the flow is now.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The task's own percentComplete, once it has said one.
    pub fn percent_complete(&self) -> Option<f64> {
        self.percent
    }

    /// When waiting for the report must end; `None` once the download has begun.
    pub fn deadline_ms(&self) -> Option<f64> {
        (self.phase != Phase::Downloading).then_some(self.deadline_ms)
    }

    /// The error for a deadline passed while a request was still unanswered.
    pub fn timeout_error(&self) -> Error {
        let progress = match self.percent {
            Some(p) => format!(" ({}% done)", p.round() as u32),
            None => String::new(),
        };
        Error::new(
            ErrorCode::Timeout,
            format!(
                "The report for {} was not ready after {}{progress}. Try again later, or allow longer with timeoutMs.",
                self.date,
                describe_ms(self.timeout_ms)
            ),
        )
    }

    /// How long any answer may send no bytes.
    pub fn idle_timeout_ms(&self) -> f64 {
        self.idle_timeout_ms
    }

    /// The error for an answer to the current request that sent no bytes for the idle timeout.
    pub fn stalled_error(&self, stall: Stall) -> Error {
        let what = match self.current.purpose {
            Purpose::Task => "The answer to the report task request",
            Purpose::Download => "The report download",
        };
        let when = match stall {
            Stall::Headers => "before it began".to_owned(),
            Stall::Body(bytes) => format!("after {bytes} bytes"),
        };
        Error::new(
            ErrorCode::Timeout,
            format!(
                "{what} stalled: no bytes came for {} {when}. Fetch the report again; if it keeps stalling, the API \
                 or a proxy in between is stuck (idleTimeoutMs allows longer).",
                describe_ms(self.idle_timeout_ms)
            ),
        )
    }

    /// The error for a task document or error body past [`MAX_DOCUMENT_BYTES`], which is not read further.
    pub fn too_large_error(&self) -> Error {
        Error::new(
            ErrorCode::TooLarge,
            format!(
                "The API answered with over {} KiB where a report task or an error (a few hundred bytes) was \
                 expected; the rest was not read. If the API base URL is a proxy, check that it forwards the API's \
                 answers unchanged.",
                MAX_DOCUMENT_BYTES / 1024
            ),
        )
    }

    /// What an answer to the current request means.
    pub fn on_reply(&mut self, reply: Reply<'_>, now_ms: f64) -> Step {
        self.answered = true;
        if let (301 | 302 | 303 | 307 | 308, Some(location)) = (reply.status, reply.location) {
            return self.redirect(location, now_ms).map_or_else(Step::Fail, Step::Fetch);
        }
        match reply.status {
            200..=299 => {
                self.retries = 0;
                self.redirects = 0;
                match self.current.purpose {
                    Purpose::Download => Step::Stream,
                    Purpose::Task => self.on_task(reply.body, now_ms),
                }
            }
            429 => self
                .retry(now_ms, reply.retry_after, Retryable::RateLimited)
                .map_or_else(Step::Fail, Step::Fetch),
            502..=504 => self
                .retry(now_ms, reply.retry_after, Retryable::Unavailable(reply.status))
                .map_or_else(Step::Fail, Step::Fetch),
            status => Step::Fail(self.refusal(status, reply.body)),
        }
    }

    /// A redirect goes by the rule of task links ([`TaskFlow::follow`]): the host's own following is never
    /// used, as workerd's keeps the key on the way to another origin.
    fn redirect(&mut self, location: &str, now_ms: f64) -> Result<Request> {
        if self.redirects >= MAX_REDIRECTS {
            return Err(bad_response(format!(
                "The API redirected more than {MAX_REDIRECTS} times in a row, last to {}.",
                quoted(location)
            )));
        }
        let request = Request {
            at_ms: now_ms,
            purpose: self.current.purpose,
            ..self.follow(location)?
        };
        self.redirects += 1;
        self.current = request.clone();
        Ok(request)
    }

    /// The current request got no answer (connection refused, DNS, CORS, a dropped connection): the same
    /// request again later, or the error once retries run out.
    pub fn on_network_error(&mut self, now_ms: f64) -> Result<Request> {
        let origin = origin_of(&self.current.url).unwrap_or(&self.current.url).to_owned();
        if self.answered {
            return self.retry(now_ms, None, Retryable::NoAnswer(origin));
        }
        if self.retries > 0 {
            return Err(Error::new(
                ErrorCode::Network,
                format!(
                    "Nothing answers at {origin}: two tries, half a second apart, got no answer at all. Check the \
                     API base URL and the connection. In a browser, the API must also allow this page's origin \
                     (CORS); if it does not, set the API base URL to a proxy that forwards to the API."
                ),
            ));
        }
        self.retries += 1;
        self.current.at_ms = now_ms + FIRST_CONTACT_RETRY_MS;
        Ok(self.current.clone())
    }

    fn on_task(&mut self, body: &[u8], now_ms: f64) -> Step {
        match self.read_task(body, now_ms) {
            Ok(step) => step,
            Err(error) => Step::Fail(error),
        }
    }

    fn read_task(&mut self, body: &[u8], now_ms: f64) -> Result<Step> {
        let task = TaskDocument::parse(body)?;
        if let Some(percent) = task.percent() {
            self.percent = Some(percent);
        }
        if task.status.eq_ignore_ascii_case("FINISHED") {
            let href = task.link("DOWN").ok_or_else(|| missing_link("FINISHED", "DOWN"))?;
            let request = Request {
                at_ms: now_ms,
                purpose: Purpose::Download,
                ..self.follow(href)?
            };
            self.phase = Phase::Downloading;
            self.percent = Some(100.0);
            self.current = request.clone();
            Ok(Step::Fetch(request))
        } else if task.status.eq_ignore_ascii_case("RUNNING") {
            let href = task.link("SELF").ok_or_else(|| missing_link("RUNNING", "SELF"))?;
            let next = self.follow(href)?;
            self.phase = Phase::Running;
            if now_ms >= self.deadline_ms {
                return Err(self.timeout_error());
            }
            let wait = self.poll_interval_ms * POLL_GROWTH.powi(self.polls.min(64) as i32).min(MAX_POLL_INTERVALS);
            self.polls += 1;
            let request = Request {
                at_ms: (now_ms + wait).min(self.deadline_ms),
                purpose: Purpose::Task,
                ..next
            };
            self.current = request.clone();
            Ok(Step::Fetch(request))
        } else {
            Err(bad_response(format!(
                "The report task has a status this client does not know ({}); it expects RUNNING or FINISHED.",
                quoted(&task.status)
            )))
        }
    }

    /// Repeats the current request after a pause, or gives up with the code this failure calls for.
    fn retry(&mut self, now_ms: f64, retry_after: Option<&str>, failure: Retryable) -> Result<Request> {
        let (code, what) = failure.describe();
        let asked = retry_after.and_then(|value| parse_retry_after(value, now_ms));
        if let Some(wait) = asked.filter(|wait| *wait > MAX_RETRY_AFTER_MS) {
            return Err(Error::new(
                code,
                format!(
                    "{what} and asks to wait {} before trying again. Fetch the report again after that.",
                    describe_ms(wait)
                ),
            ));
        }
        if self.retries >= MAX_RETRIES {
            return Err(Error::new(
                code,
                format!("{what}, after {} tries. {}", self.retries + 1, advice(code)),
            ));
        }
        let backoff = self.poll_interval_ms / 2.0 * 2f64.powi(self.retries as i32);
        let at_ms = now_ms + asked.unwrap_or(backoff);
        if self.phase != Phase::Downloading && at_ms > self.deadline_ms {
            return Err(Error::new(
                code,
                format!(
                    "{what}, and waiting to try again would pass the timeout. {}",
                    advice(code)
                ),
            ));
        }
        self.retries += 1;
        self.current.at_ms = at_ms;
        Ok(self.current.clone())
    }

    /// The error for a status that retrying will not change.
    fn refusal(&self, status: u16, body: &[u8]) -> Error {
        let first = self.phase == Phase::Requesting;
        match status {
            401 | 403 => Error::new(
                ErrorCode::Auth,
                format!(
                    "The API refused the key (HTTP {status}) for API name {}. Check the API key, that it belongs to \
                     this organisation, and that it has the reports API (or full access) permission.",
                    quoted(&self.api_name)
                ),
            ),
            404 if first => Error::new(
                ErrorCode::NotFound,
                format!(
                    "The API does not know the API name {} (HTTP 404). Check the API name (usually, but not always, \
                     your federation scope) and that the reports API is enabled for your organisation.",
                    quoted(&self.api_name)
                ),
            ),
            404 | 410 => Error::new(
                ErrorCode::NotFound,
                format!(
                    "The report {} is no longer available (HTTP {status}). Fetch the report again.",
                    if self.phase == Phase::Downloading {
                        "download"
                    } else {
                        "task"
                    }
                ),
            ),
            400 if first => {
                let said = String::from_utf8_lossy(body);
                let code = if said.to_ascii_lowercase().contains("format") {
                    ErrorCode::BadDate
                } else {
                    ErrorCode::DateOutOfRange
                };
                Error::new(
                    code,
                    format!(
                        "The API refused the date {} (HTTP 400{}). Reports cover yesterday back to 30 days ago, UTC; \
                         early in the UTC day yesterday's report may not exist yet, so try an earlier date.",
                        self.date,
                        server_says(body)
                    ),
                )
            }
            500..=599 => Error::new(
                ErrorCode::Server,
                format!(
                    "The API failed (HTTP {status}{}). {}",
                    server_says(body),
                    advice(ErrorCode::Server)
                ),
            ),
            _ => bad_response(format!(
                "The API answered HTTP {status}{}, which this client does not expect here.",
                server_says(body)
            )),
        }
    }

    /// Where to fetch a link or redirect the API gave, and whether the key may go with it.
    ///
    /// Links are absolute URLs on the API's own host. One under `/{apiName}/` is rebased onto the base URL
    /// (keeping the path from the API name on), so a proxy base URL keeps working and the key only ever
    /// goes to the base URL's origin; any other link is followed as it is, without the key.
    fn follow(&self, href: &str) -> Result<Request> {
        let (origin, path) = if href.starts_with('/') && !href.starts_with("//") {
            (None, href)
        } else {
            let origin = origin_of(href).ok_or_else(|| {
                bad_response(format!(
                    "The API points to {}, which is not an http(s) URL.",
                    quoted(href)
                ))
            })?;
            (Some(origin), &href[origin.len()..])
        };
        let needle = format!("/{}/", self.api_segment);
        let lower_path = path.to_ascii_lowercase();
        let (url, send_key) = if let Some(at) = lower_path.find(&needle.to_ascii_lowercase()) {
            (format!("{}{}", self.base.root, &path[at..]), true)
        } else if origin.is_none_or(|origin| normalise_origin(origin) == self.base.origin) {
            (format!("{}{path}", self.base.origin_as_written), true)
        } else {
            (href.to_owned(), false)
        };
        Ok(Request {
            url,
            send_key,
            at_ms: 0.0,
            purpose: Purpose::Task,
        })
    }
}

/// A failure worth trying again.
enum Retryable {
    RateLimited,
    Unavailable(u16),
    NoAnswer(String),
}

impl Retryable {
    fn describe(&self) -> (ErrorCode, String) {
        match self {
            Retryable::RateLimited => (
                ErrorCode::RateLimited,
                "The API is limiting how often it is asked (HTTP 429)".to_owned(),
            ),
            Retryable::Unavailable(status) => (ErrorCode::Server, format!("The API was unavailable (HTTP {status})")),
            Retryable::NoAnswer(origin) => (ErrorCode::Network, format!("No answer came from {origin}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const API: &str = "https://reports.openathens.net/api/v1";
    const SELF: &str = "https://reports.openathens.net/api/v1/example.org/rawtask/a11b";
    const DOWN: &str = "https://reports.openathens.net/api/v1/example.org/rawreport/a11b";

    fn config(base_url: &str) -> TaskConfig {
        TaskConfig {
            base_url: base_url.to_owned(),
            api_name: "example.org".to_owned(),
            date: ReportDate::from_ymd(2023, 5, 22).unwrap(),
            poll_interval_ms: 2_000.0,
            timeout_ms: 60_000.0,
            idle_timeout_ms: 30_000.0,
        }
    }

    fn start(base_url: &str) -> (TaskFlow, Request) {
        TaskFlow::start(config(base_url), 0.0).unwrap()
    }

    fn task(status: &str, percent: u32, rel: &str, href: &str) -> Vec<u8> {
        format!(
            r#"{{"percentComplete": {percent}, "status": "{status}", "id": "a11b",
                "links": [{{"href": "{href}", "rel": "{rel}", "type": "x", "method": "get"}}]}}"#
        )
        .into_bytes()
    }

    fn ok(body: &[u8]) -> Reply<'_> {
        Reply {
            status: 200,
            retry_after: None,
            body,
            location: None,
        }
    }

    fn status(status: u16) -> Reply<'static> {
        Reply {
            status,
            retry_after: None,
            body: b"",
            location: None,
        }
    }

    fn fetch(step: Step) -> Request {
        match step {
            Step::Fetch(request) => request,
            other => panic!("expected a fetch, got {other:?}"),
        }
    }

    fn fail(step: Step) -> Error {
        match step {
            Step::Fail(error) => error,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn first_request_is_rawreport_with_the_key() {
        let (flow, first) = start(API);
        assert_eq!(
            first.url,
            "https://reports.openathens.net/api/v1/example.org/rawreport?date=2023-05-22"
        );
        assert!(first.send_key);
        assert_eq!((first.at_ms, first.purpose), (0.0, Purpose::Task));
        assert_eq!(flow.phase(), Phase::Requesting);
        assert_eq!(flow.deadline_ms(), Some(60_000.0));
    }

    #[test]
    fn api_name_is_url_encoded_and_base_slashes_dropped() {
        let (_, first) = TaskFlow::start(
            TaskConfig {
                api_name: "a b/c?d".into(),
                ..config(&format!("{API}//"))
            },
            0.0,
        )
        .unwrap();
        assert_eq!(
            first.url,
            "https://reports.openathens.net/api/v1/a%20b%2Fc%3Fd/rawreport?date=2023-05-22"
        );
    }

    #[test]
    fn a_missing_api_name_or_bad_base_url_fails_before_any_request() {
        let empty = TaskFlow::start(
            TaskConfig {
                api_name: "  ".into(),
                ..config(API)
            },
            0.0,
        )
        .unwrap_err();
        assert_eq!(empty.code, ErrorCode::NotFound);
        for base in [
            "",
            "reports.openathens.net/api/v1",
            "ftp://host/x",
            "https://",
            "https://h/x?y=1",
            "/api/v1",
        ] {
            let error = TaskFlow::start(config(base), 0.0).unwrap_err();
            assert_eq!(error.code, ErrorCode::Network, "{base:?}");
            assert!(error.message.contains("base URL"), "{}", error.message);
        }
    }

    #[test]
    fn finished_at_once_downloads_the_down_link() {
        let (mut flow, _) = start(API);
        let down = fetch(flow.on_reply(ok(&task("FINISHED", 100, "DOWN", DOWN)), 500.0));
        assert_eq!(
            down,
            Request {
                url: DOWN.into(),
                send_key: true,
                at_ms: 500.0,
                purpose: Purpose::Download
            }
        );
        assert_eq!(
            (flow.phase(), flow.percent_complete(), flow.deadline_ms()),
            (Phase::Downloading, Some(100.0), None)
        );
        assert_eq!(flow.on_reply(status(200), 900.0), Step::Stream);
    }

    #[test]
    fn running_polls_self_with_gentle_backoff_then_downloads() {
        let (mut flow, _) = start(API);
        let mut now = 0.0;
        let mut waits = Vec::new();
        for percent in [10, 20, 30, 40, 50, 60, 70, 80, 90] {
            let poll = fetch(flow.on_reply(ok(&task("RUNNING", percent, "SELF", SELF)), now));
            assert_eq!(
                (poll.url.as_str(), poll.send_key, poll.purpose),
                (SELF, true, Purpose::Task)
            );
            assert_eq!(flow.phase(), Phase::Running);
            assert_eq!(flow.percent_complete(), Some(f64::from(percent)));
            waits.push(poll.at_ms - now);
            now = poll.at_ms;
        }
        assert_eq!(waits[..3], [2_000.0, 2_500.0, 3_125.0]);
        assert!(waits.windows(2).all(|w| w[1] >= w[0]), "{waits:?}");
        assert_eq!(*waits.last().unwrap(), 8_000.0, "capped at four intervals");
        let down = fetch(flow.on_reply(ok(&task("FINISHED", 100, "DOWN", DOWN)), now));
        assert_eq!(down.purpose, Purpose::Download);
    }

    #[test]
    fn a_task_that_never_finishes_times_out_after_a_last_look_at_the_deadline() {
        let (mut flow, _) = start(API);
        let mut now = 0.0;
        loop {
            match flow.on_reply(ok(&task("RUNNING", 40, "SELF", SELF)), now) {
                Step::Fetch(poll) => {
                    assert!(poll.at_ms <= 60_000.0);
                    now = poll.at_ms;
                }
                Step::Fail(error) => {
                    assert_eq!(now, 60_000.0);
                    assert_eq!(error.code, ErrorCode::Timeout);
                    assert!(
                        error.message.contains("40% done") && error.message.contains("timeoutMs"),
                        "{}",
                        error.message
                    );
                    break;
                }
                Step::Stream => panic!("no download was asked for"),
            }
        }
    }

    #[test]
    fn refusals_map_to_spec_codes() {
        let cases = [
            (401, ErrorCode::Auth),
            (403, ErrorCode::Auth),
            (404, ErrorCode::NotFound),
            (400, ErrorCode::DateOutOfRange),
            (500, ErrorCode::Server),
            (501, ErrorCode::Server),
            (418, ErrorCode::BadResponse),
            (302, ErrorCode::BadResponse),
            (100, ErrorCode::BadResponse),
        ];
        for (code, expected) in cases {
            let (mut flow, _) = start(API);
            let error = fail(flow.on_reply(status(code), 0.0));
            assert_eq!(error.code, expected, "HTTP {code}");
            assert!(error.message.contains(&format!("HTTP {code}")), "{}", error.message);
        }
    }

    #[test]
    fn refusal_messages_say_what_to_do() {
        let (mut flow, _) = start(API);
        let auth = fail(flow.on_reply(status(401), 0.0)).message;
        assert!(
            auth.contains("Check the API key") && auth.contains("example.org"),
            "{auth}"
        );
        let (mut flow, _) = start(API);
        let not_found = fail(flow.on_reply(status(404), 0.0)).message;
        assert!(not_found.contains("Check the API name"), "{not_found}");
    }

    #[test]
    fn a_400_about_the_format_is_bad_date_and_quotes_the_server() {
        let (mut flow, _) = start(API);
        let body = br#"{"message": "Invalid date format"}"#;
        let error = fail(flow.on_reply(
            Reply {
                status: 400,
                retry_after: None,
                body,
                location: None,
            },
            0.0,
        ));
        assert_eq!(error.code, ErrorCode::BadDate);
        assert!(error.message.contains("\"Invalid date format\""), "{}", error.message);
    }

    #[test]
    fn a_404_after_the_first_request_means_the_task_or_download_expired() {
        let (mut flow, _) = start(API);
        flow.on_reply(ok(&task("RUNNING", 10, "SELF", SELF)), 0.0);
        let error = fail(flow.on_reply(status(404), 2_000.0));
        assert_eq!(error.code, ErrorCode::NotFound);
        assert!(error.message.contains("task") && error.message.contains("Fetch the report again"));
        let (mut flow, _) = start(API);
        flow.on_reply(ok(&task("FINISHED", 100, "DOWN", DOWN)), 0.0);
        assert!(fail(flow.on_reply(status(410), 1.0)).message.contains("download"));
    }

    #[test]
    fn unavailable_is_retried_with_backoff_then_succeeds() {
        let (mut flow, first) = start(API);
        let mut now = 0.0;
        let mut waits = Vec::new();
        for code in [502, 503, 504] {
            let again = fetch(flow.on_reply(status(code), now));
            assert_eq!(again.url, first.url);
            waits.push(again.at_ms - now);
            now = again.at_ms;
        }
        assert_eq!(waits, [1_000.0, 2_000.0, 4_000.0]);
        assert_eq!(
            fetch(flow.on_reply(ok(&task("FINISHED", 100, "DOWN", DOWN)), now)).purpose,
            Purpose::Download
        );
        // A success resets the budget: the download gets its own retries.
        assert_eq!(fetch(flow.on_reply(status(503), now)).at_ms, now + 1_000.0);
    }

    #[test]
    fn unavailable_until_retries_run_out_is_server() {
        let (mut flow, _) = start(API);
        let mut now = 0.0;
        for _ in 0..MAX_RETRIES {
            now = fetch(flow.on_reply(status(503), now)).at_ms;
        }
        let error = fail(flow.on_reply(status(503), now));
        assert_eq!(error.code, ErrorCode::Server);
        assert!(
            error.message.contains("after 5 tries") && error.message.contains("Try again"),
            "{}",
            error.message
        );
    }

    #[test]
    fn rate_limits_honour_retry_after_then_give_up() {
        let (mut flow, _) = start(API);
        let limited = |retry_after| Reply {
            status: 429,
            retry_after,
            body: b"",
            location: None,
        };
        assert_eq!(fetch(flow.on_reply(limited(Some("3")), 100.0)).at_ms, 3_100.0);
        assert_eq!(
            fetch(flow.on_reply(limited(None), 3_100.0)).at_ms,
            5_100.0,
            "backoff without the header"
        );
        // An HTTP-date counts from now (Unix ms); 1 Jan 2023 00:00:10 is 10 s after `now`.
        let now = 1_672_531_200_000.0;
        let mut flow = TaskFlow::start(config(API), now).unwrap().0;
        let dated = fetch(flow.on_reply(limited(Some("Sun, 01 Jan 2023 00:00:10 GMT")), now));
        assert_eq!(dated.at_ms - now, 10_000.0);
        let mut flow = start(API).0;
        let mut now = 0.0;
        for _ in 0..MAX_RETRIES {
            now = fetch(flow.on_reply(limited(Some("1")), now)).at_ms;
        }
        let error = fail(flow.on_reply(limited(Some("1")), now));
        assert_eq!(error.code, ErrorCode::RateLimited);
        assert!(error.message.contains("Wait a few minutes"), "{}", error.message);
    }

    #[test]
    fn a_retry_after_too_long_or_past_the_deadline_is_not_waited_out() {
        let (mut flow, _) = start(API);
        let error = fail(flow.on_reply(
            Reply {
                status: 429,
                retry_after: Some("3600"),
                body: b"",
                location: None,
            },
            0.0,
        ));
        assert_eq!(error.code, ErrorCode::RateLimited);
        assert!(error.message.contains("60 min"), "{}", error.message);
        let (mut flow, _) = start(API);
        let error = fail(flow.on_reply(
            Reply {
                status: 503,
                retry_after: Some("90"),
                body: b"",
                location: None,
            },
            0.0,
        ));
        assert_eq!(error.code, ErrorCode::Server);
        assert!(error.message.contains("pass the timeout"), "{}", error.message);
    }

    #[test]
    fn unreadable_retry_after_falls_back_to_backoff() {
        for value in ["soon", "-5", "NaN", "", "1.5", "+3", "Sun, 01 Jan 2023 00:00:10 UTC"] {
            let (mut flow, _) = start(API);
            let again = fetch(flow.on_reply(
                Reply {
                    status: 429,
                    retry_after: Some(value),
                    body: b"",
                    location: None,
                },
                0.0,
            ));
            assert_eq!(again.at_ms, 1_000.0, "{value:?}");
        }
    }

    #[test]
    fn nothing_answering_at_first_is_said_after_one_quick_retry() {
        let (mut flow, _) = start(API);
        let again = flow.on_network_error(0.0).unwrap();
        assert_eq!(again.at_ms, FIRST_CONTACT_RETRY_MS);
        let error = flow.on_network_error(again.at_ms).unwrap_err();
        assert_eq!(error.code, ErrorCode::Network);
        assert!(
            error
                .message
                .starts_with("Nothing answers at https://reports.openathens.net"),
            "{}",
            error.message
        );
        assert!(error.message.contains("CORS"));
    }

    #[test]
    fn no_answer_after_an_answer_is_retried_with_backoff_then_network() {
        let (mut flow, _) = start(API);
        let mut now = fetch(flow.on_reply(ok(&task("RUNNING", 10, "SELF", SELF)), 0.0)).at_ms;
        let mut waits = Vec::new();
        for _ in 0..MAX_RETRIES {
            let at = flow.on_network_error(now).unwrap().at_ms;
            waits.push(at - now);
            now = at;
        }
        assert_eq!(waits, [1_000.0, 2_000.0, 4_000.0, 8_000.0]);
        let error = flow.on_network_error(now).unwrap_err();
        assert_eq!(error.code, ErrorCode::Network);
        assert!(
            error.message.contains("after 5 tries") && error.message.contains("CORS"),
            "{}",
            error.message
        );
    }

    #[test]
    fn documents_that_make_no_sense_are_bad_responses() {
        let bodies: [&[u8]; 9] = [
            b"",
            b"<html>Sign in</html>",
            b"[]",
            br#"{"percentComplete": 10}"#,
            br#"{"status": "FINISHED", "links": []}"#,
            br#"{"status": "RUNNING", "links": [{"href": "x", "rel": "DOWN"}]}"#,
            br#"{"status": "QUEUED", "links": []}"#,
            br#"{"status": "FINISHED", "links": [{"href": "javascript:alert(1)", "rel": "DOWN"}]}"#,
            br#"{"status": "FINISHED", "links": "DOWN"}"#,
        ];
        for body in bodies {
            let (mut flow, _) = start(API);
            let error = fail(flow.on_reply(ok(body), 0.0));
            assert_eq!(error.code, ErrorCode::BadResponse, "{}", String::from_utf8_lossy(body));
            assert!(error.message.contains("proxy"), "{}", error.message);
        }
    }

    #[test]
    fn lenient_where_the_reference_is_loose() {
        let (mut flow, _) = start(API);
        let body = format!(
            r#"{{"status": "finished", "percentComplete": "n/a", "links": [{{"href": "{DOWN}", "rel": "down"}}]}}"#
        );
        assert_eq!(fetch(flow.on_reply(ok(body.as_bytes()), 0.0)).url, DOWN);
        let (mut flow, _) = start(API);
        flow.on_reply(ok(&task("RUNNING", 250, "SELF", SELF)), 0.0);
        assert_eq!(flow.percent_complete(), Some(100.0), "clamped");
    }

    #[test]
    fn links_are_rebased_onto_a_proxy_base_url() {
        let proxy = "http://127.0.0.1:9000/proxy/oa/api/v1/";
        let (mut flow, first) = start(proxy);
        assert_eq!(
            first.url,
            "http://127.0.0.1:9000/proxy/oa/api/v1/example.org/rawreport?date=2023-05-22"
        );
        let poll = fetch(flow.on_reply(ok(&task("RUNNING", 10, "SELF", SELF)), 0.0));
        assert_eq!(
            poll.url,
            "http://127.0.0.1:9000/proxy/oa/api/v1/example.org/rawtask/a11b"
        );
        assert!(poll.send_key);
        let down = fetch(flow.on_reply(
            ok(&task("FINISHED", 100, "DOWN", &format!("{DOWN}?filename=r.csv"))),
            2_000.0,
        ));
        assert_eq!(
            down.url,
            "http://127.0.0.1:9000/proxy/oa/api/v1/example.org/rawreport/a11b?filename=r.csv"
        );
    }

    #[test]
    fn the_key_never_goes_to_another_origin() {
        let cases = [
            // (link, expected url, key sent)
            (
                "https://cdn.example.net/files/r.csv.gz",
                "https://cdn.example.net/files/r.csv.gz",
                false,
            ),
            (
                "https://REPORTS.openathens.net:443/files/r.gz",
                "https://reports.openathens.net/files/r.gz",
                true,
            ),
            (
                "http://reports.openathens.net/files/r.gz",
                "http://reports.openathens.net/files/r.gz",
                false,
            ),
            (
                "https://reports.openathens.net.evil.com/x",
                "https://reports.openathens.net.evil.com/x",
                false,
            ),
            (
                "/api/v1/other/file",
                "https://reports.openathens.net/api/v1/other/file",
                true,
            ),
            // The API name's path is always taken through the base URL, whatever host the link names.
            (
                "https://evil.com/api/v1/example.org/rawreport/1",
                "https://reports.openathens.net/api/v1/example.org/rawreport/1",
                true,
            ),
        ];
        for (link, url, send_key) in cases {
            let (mut flow, _) = start(API);
            let down = fetch(flow.on_reply(ok(&task("FINISHED", 100, "DOWN", link)), 0.0));
            assert_eq!((down.url.as_str(), down.send_key), (url, send_key), "{link}");
        }
    }

    fn redirect(status: u16, location: &str) -> Reply<'_> {
        Reply {
            status,
            retry_after: None,
            body: b"",
            location: Some(location),
        }
    }

    #[test]
    fn redirects_follow_the_rule_of_links_and_keep_the_purpose() {
        // (the redirect's Location, expected url, key sent)
        let cases = [
            (
                "https://cdn.example.net/r.csv.gz",
                "https://cdn.example.net/r.csv.gz",
                false,
            ),
            (
                "https://reports.openathens.net/files/2",
                "https://reports.openathens.net/files/2",
                true,
            ),
            (
                "https://evil.com/api/v1/example.org/rawtask/2",
                "https://reports.openathens.net/api/v1/example.org/rawtask/2",
                true,
            ),
            ("http://127.0.0.1:9/x", "http://127.0.0.1:9/x", false),
        ];
        for (location, url, send_key) in cases {
            for code in [301, 302, 303, 307, 308] {
                let (mut flow, _) = start(API);
                let again = fetch(flow.on_reply(redirect(code, location), 5.0));
                assert_eq!(
                    (again.url.as_str(), again.send_key, again.purpose, again.at_ms),
                    (url, send_key, Purpose::Task, 5.0)
                );
                let (mut flow, _) = start(API);
                flow.on_reply(ok(&task("FINISHED", 100, "DOWN", DOWN)), 0.0);
                let down = fetch(flow.on_reply(redirect(code, location), 0.0));
                assert_eq!(
                    (down.url.as_str(), down.send_key, down.purpose),
                    (url, send_key, Purpose::Download)
                );
                assert_eq!(flow.on_reply(status(200), 1.0), Step::Stream);
            }
        }
    }

    #[test]
    fn a_redirect_loop_is_a_bad_response_and_a_redirect_without_location_too() {
        let (mut flow, _) = start(API);
        for _ in 0..MAX_REDIRECTS {
            fetch(flow.on_reply(redirect(302, "https://cdn.example.net/a"), 0.0));
        }
        let error = fail(flow.on_reply(redirect(302, "https://cdn.example.net/a"), 0.0));
        assert_eq!(error.code, ErrorCode::BadResponse);
        assert!(error.message.contains("more than 5 times"), "{}", error.message);
        // A document in between starts the count again.
        let (mut flow, _) = start(API);
        for _ in 0..MAX_REDIRECTS {
            fetch(flow.on_reply(redirect(307, SELF), 0.0));
        }
        fetch(flow.on_reply(ok(&task("RUNNING", 10, "SELF", SELF)), 0.0));
        fetch(flow.on_reply(redirect(307, SELF), 0.0));
        let (mut flow, _) = start(API);
        assert_eq!(fail(flow.on_reply(status(302), 0.0)).code, ErrorCode::BadResponse);
        let (mut flow, _) = start(API);
        let error = fail(flow.on_reply(redirect(302, "javascript:alert(1)"), 0.0));
        assert_eq!(error.code, ErrorCode::BadResponse);
    }

    #[test]
    fn a_stall_is_a_timeout_that_says_what_stalled() {
        let (mut flow, _) = start(API);
        let error = flow.stalled_error(Stall::Headers);
        assert_eq!(error.code, ErrorCode::Timeout);
        assert!(
            error.message.contains("task request") && error.message.contains("30 s before it began"),
            "{}",
            error.message
        );
        flow.on_reply(ok(&task("FINISHED", 100, "DOWN", DOWN)), 0.0);
        let error = flow.stalled_error(Stall::Body(1234));
        assert!(
            error.message.contains("download stalled") && error.message.contains("after 1234 bytes"),
            "{}",
            error.message
        );
        assert!(error.message.contains("idleTimeoutMs"));
        assert_eq!(flow.idle_timeout_ms(), 30_000.0);
    }

    #[test]
    fn a_document_too_large_says_so_with_its_code() {
        let (flow, _) = start(API);
        let error = flow.too_large_error();
        assert_eq!(error.code, ErrorCode::TooLarge);
        assert!(error.message.contains("1024 KiB"), "{}", error.message);
    }

    #[test]
    fn through_a_proxy_a_foreign_link_goes_without_the_key() {
        let (mut flow, _) = start("http://127.0.0.1:9000/proxy");
        let down = fetch(flow.on_reply(
            ok(&task("FINISHED", 100, "DOWN", "https://reports.openathens.net/files/1")),
            0.0,
        ));
        assert_eq!(
            (down.url.as_str(), down.send_key),
            ("https://reports.openathens.net/files/1", false)
        );
    }

    #[test]
    fn a_request_left_unanswered_past_the_deadline_is_a_timeout() {
        let (mut flow, _) = start(API);
        flow.on_reply(ok(&task("RUNNING", 70, "SELF", SELF)), 0.0);
        let error = flow.timeout_error();
        assert_eq!(error.code, ErrorCode::Timeout);
        assert!(
            error.message.contains("2023-05-22") && error.message.contains("1 min") && error.message.contains("70%")
        );
    }

    #[test]
    fn server_text_is_quoted_short_and_without_control_characters() {
        let (mut flow, _) = start(API);
        let body = format!(r#"{{"error": "boom\u0007\n{}"}}"#, "x".repeat(500));
        let error = fail(flow.on_reply(
            Reply {
                status: 500,
                retry_after: None,
                body: body.as_bytes(),
                location: None,
            },
            0.0,
        ));
        assert!(
            error.message.contains("\"boomxxx") && error.message.len() < 300,
            "{}",
            error.message
        );
        assert!(!error.message.contains('\u{7}'));
    }
}
