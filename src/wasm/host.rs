//! What the host gives every runtime alike (a page, a Web Worker, Node 20, a Cloudflare Worker): the
//! global `fetch` and timers, reached through `globalThis` rather than `window`, cancellation that settles
//! every pending promise, and progress reports.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::error::{Error, ErrorCode, Result};

/// A member of `globalThis` that must be a function, called with `globalThis` as `this`.
fn global_function(name: &str) -> Result<(Object, Function)> {
    let global = js_sys::global();
    Reflect::get(&global, &name.into())
        .ok()
        .and_then(|value| value.dyn_into::<Function>().ok())
        .map(|function| (global, function))
        .ok_or_else(|| {
            Error::new(ErrorCode::Network, format!("This JavaScript runtime has no global {name}(): use a browser, Node 20 or later, or a Cloudflare Worker."))
        })
}

/// Calls the global `fetch(url, init)`.
pub(crate) fn global_fetch(url: &str, init: &web_sys::RequestInit) -> Result<Promise> {
    let (global, fetch) = global_function("fetch")?;
    fetch
        .call2(&global, &url.into(), init)
        .map(Promise::unchecked_from_js)
        .map_err(|error| {
            Error::new(
                ErrorCode::Network,
                format!("fetch() refused the request: {}", describe_js(&error)),
            )
        })
}

pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A promise that never rejects unhandled: Node ends the process on an unhandled rejection, and streams
/// cancelled during cleanup reject their pending promises.
pub(crate) fn quietly(promise: &Promise) {
    thread_local! {
        static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_| {});
    }
    IGNORE.with(|ignore| {
        let _ = promise.catch(ignore);
    });
}

/// Cancellation for one call: the caller's `AbortSignal`, a timeout, or the end of the call all abort one
/// internal controller, whose signal goes to every `fetch` so the host cancels requests and bodies; every
/// other wait races it.
pub(crate) struct Abort {
    controller: AbortController,
    /// Rejects once aborted; raced against every wait.
    aborted: Promise,
    reason: Rc<RefCell<Option<Error>>>,
    caller: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl Abort {
    pub(crate) fn new(caller: Option<AbortSignal>) -> Result<Abort> {
        let controller = AbortController::new()
            .map_err(|_| Error::new(ErrorCode::Network, "This JavaScript runtime has no AbortController: use a current browser, Node 20 or later, or a Cloudflare Worker."))?;
        let signal = controller.signal();
        let aborted = Promise::new(&mut |_, reject| {
            let _ = signal.add_event_listener_with_callback("abort", &reject);
        });
        quietly(&aborted);
        let reason = Rc::new(RefCell::new(None));
        let caller = caller.map(|signal| {
            let controller = controller.clone();
            let reason = reason.clone();
            let on_abort = Closure::<dyn FnMut()>::new(move || {
                reason.borrow_mut().get_or_insert_with(aborted_error);
                controller.abort();
            });
            let _ = signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
            (signal, on_abort)
        });
        let abort = Abort {
            controller,
            aborted,
            reason,
            caller,
        };
        if abort.caller.as_ref().is_some_and(|(signal, _)| signal.aborted()) {
            abort.abort_with(aborted_error());
        }
        Ok(abort)
    }

    /// The signal to hand to `fetch`.
    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    pub(crate) fn abort_with(&self, error: Error) {
        self.reason.borrow_mut().get_or_insert(error);
        self.controller.abort();
    }

    /// Why the call was aborted, if it was.
    pub(crate) fn reason(&self) -> Option<Error> {
        self.reason.borrow().clone()
    }

    /// Ok unless aborted.
    pub(crate) fn check(&self) -> Result<()> {
        self.reason().map_or(Ok(()), Err)
    }

    /// Waits for `promise` unless the call is aborted first. A rejection is handed back as is, except
    /// that once aborted the abort's reason wins (hosts reject aborted fetches and reads each their own way).
    pub(crate) async fn wait(&self, promise: &Promise) -> Result<Result<JsValue, JsValue>> {
        self.check()?;
        let race = Promise::race(&js_sys::Array::of2(promise, &self.aborted));
        let outcome = JsFuture::from(race).await;
        self.check()?;
        Ok(outcome)
    }

    /// Like [`Abort::wait`], but fails with the limit's error if `promise` has not settled by its time.
    pub(crate) async fn wait_within(
        &self,
        promise: &Promise,
        limit: Option<Limit<'_>>,
    ) -> Result<Result<JsValue, JsValue>> {
        let Some(limit) = limit else {
            return self.wait(promise).await;
        };
        let timer = Timer::start(limit.at_ms - now_ms())?;
        let race = Promise::race(&js_sys::Array::of3(promise, &self.aborted, &timer.done));
        let outcome = JsFuture::from(race).await;
        timer.clear();
        self.check()?;
        match outcome {
            Ok(value) if value == timer.token => Err((limit.error)()),
            outcome => Ok(outcome),
        }
    }

    /// Sleeps until `at_ms` on the `Date.now()` clock.
    pub(crate) async fn sleep_until(&self, at_ms: f64) -> Result<()> {
        let wait = at_ms - now_ms();
        if wait <= 0.0 {
            return self.check();
        }
        let timer = Timer::start(wait)?;
        let outcome = self.wait(&timer.done).await;
        timer.clear();
        outcome.map(|_| ())
    }
}

/// When a wait gives up (ms on the `Date.now()` clock), and the error it then fails with.
pub(crate) struct Limit<'a> {
    pub(crate) at_ms: f64,
    pub(crate) error: &'a dyn Fn() -> Error,
}

/// A global `setTimeout` as a promise that resolves to a token of its own.
struct Timer {
    done: Promise,
    token: JsValue,
    id: JsValue,
}

impl Timer {
    fn start(wait_ms: f64) -> Result<Timer> {
        let (global, set_timeout) = global_function("setTimeout")?;
        let token: JsValue = Object::new().into();
        let mut id = JsValue::UNDEFINED;
        let done = Promise::new(&mut |resolve, _| {
            id = set_timeout
                .call3(&global, &resolve, &wait_ms.max(0.0).into(), &token)
                .unwrap_or(JsValue::UNDEFINED);
        });
        Ok(Timer { done, token, id })
    }

    /// An abort can leave the timer pending; clearing it lets Node exit without waiting for it.
    fn clear(&self) {
        if let Ok((global, clear_timeout)) = global_function("clearTimeout") {
            let _ = clear_timeout.call1(&global, &self.id);
        }
    }
}
impl Drop for Abort {
    /// The call is over: whatever it left in flight (a retried request, a stream being cancelled) stops.
    fn drop(&mut self) {
        if let Some((signal, on_abort)) = &self.caller {
            let _ = signal.remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
        self.controller.abort();
    }
}

fn aborted_error() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "The report was cancelled (the AbortSignal fired). Start again when you are ready.",
    )
}

/// `onProgress({phase, percentComplete, bytes, rows})`, at most every [`Progress::EVERY_MS`] while data
/// flows and at once when the phase changes.
pub(crate) struct Progress {
    callback: Option<Function>,
    label: Option<String>,
    day: Option<DayTag>,
    phase: &'static str,
    percent: Option<f64>,
    /// Bytes the source will give, when known (a Content-Length, a Blob's size).
    total: Option<f64>,
    bytes: f64,
    rows: u64,
    last_ms: f64,
}

impl Progress {
    const EVERY_MS: f64 = 100.0;

    pub(crate) fn new(callback: Option<Function>, label: Option<String>, day: Option<DayTag>) -> Progress {
        Progress {
            callback,
            label,
            day,
            phase: "",
            percent: None,
            total: None,
            bytes: 0.0,
            rows: 0,
            last_ms: 0.0,
        }
    }

    pub(crate) fn phase(&mut self, phase: &'static str, percent: Option<f64>) {
        let changed = phase != self.phase || percent != self.percent;
        self.phase = phase;
        self.percent = percent;
        if changed {
            self.emit();
        }
    }

    /// A source starts.
    pub(crate) fn source(&mut self, phase: &'static str, total: Option<f64>) {
        self.total = total.filter(|total| *total > 0.0);
        self.bytes = 0.0;
        self.rows = 0;
        self.phase = phase;
        self.percent = self.total.map(|_| 0.0);
        self.emit();
    }

    pub(crate) fn data(&mut self, bytes: f64, rows: u64) {
        self.bytes = bytes;
        self.rows = rows;
        if let Some(total) = self.total {
            self.percent = Some((bytes / total * 100.0).min(100.0));
        }
        if now_ms() - self.last_ms >= Self::EVERY_MS {
            self.emit();
        }
    }

    /// The last word on a source: its final byte and row counts.
    pub(crate) fn flush(&mut self) {
        self.emit();
    }

    fn emit(&mut self) {
        let Some(callback) = &self.callback else {
            return;
        };
        self.last_ms = now_ms();
        let report = Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = Reflect::set(&report, &key.into(), &value);
        };
        set("phase", self.phase.into());
        set("percentComplete", self.percent.map_or(JsValue::NULL, JsValue::from));
        set("bytes", self.bytes.into());
        set("rows", (self.rows as f64).into());
        if let Some(label) = &self.label {
            set("label", label.into());
        }
        if let Some(day) = &self.day {
            day.describe(&set);
        }
        // A throwing progress callback must not fail the report it is watching.
        let _ = callback.call1(&JsValue::UNDEFINED, &report);
    }
}

/// Which day of a range a fetch is: `fetchRange` adds `{date, daysDone, daysTotal}` to its progress.
#[derive(Clone)]
pub(crate) struct DayTag {
    pub date: String,
    pub done: std::rc::Rc<std::cell::Cell<u32>>,
    pub total: u32,
}

impl DayTag {
    fn describe(&self, set: &dyn Fn(&str, JsValue)) {
        set("date", self.date.as_str().into());
        set("daysDone", self.done.get().into());
        set("daysTotal", self.total.into());
    }
}

/// A JS exception as short text for a message.
pub(crate) fn describe_js(value: &JsValue) -> String {
    let text = value
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "an unknown error".to_owned());
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// `options[key]` when it is neither undefined nor null.
pub(crate) fn option(options: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(options, &key.into())
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}
