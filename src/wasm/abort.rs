//! Cancellation for one call: the caller's `AbortSignal`, a timeout, or the end of the call settle every
//! pending wait. The call's requests start here too, so each carries its signal.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use super::host::{call_fetch, global_function, ignore_rejection, now_ms};
use crate::error::{Error, ErrorCode, Result};

/// Cancellation for one call: the caller's `AbortSignal`, a timeout, or the end of the call all abort one
/// internal controller, whose signal goes to every `fetch` so the host cancels requests and bodies; every
/// other wait races it.
pub(crate) struct Abort {
    controller: AbortController,
    /// Rejects once aborted; raced against every wait.
    aborted: Promise,
    reason: Rc<RefCell<Option<Error>>>,
    caller: Option<(AbortSignal, Closure<dyn FnMut()>)>,
    /// The caller's `fetch` option, called instead of the global `fetch`.
    fetch: Option<Function>,
}

impl Abort {
    pub(crate) fn new(caller: Option<AbortSignal>) -> Result<Abort> {
        let controller = AbortController::new()
            .map_err(|_| Error::new(ErrorCode::Network, "This JavaScript runtime has no AbortController: use a current browser, Node 20 or later, or a Cloudflare Worker."))?;
        let signal = controller.signal();
        let aborted = Promise::new(&mut |_, reject| {
            let _ = signal.add_event_listener_with_callback("abort", &reject);
        });
        ignore_rejection(&aborted);
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
            fetch: None,
        };
        if abort.caller.as_ref().is_some_and(|(signal, _)| signal.aborted()) {
            abort.reason.borrow_mut().get_or_insert_with(aborted_error);
            abort.controller.abort();
        }
        Ok(abort)
    }

    /// Requests go to `fetch` (the `fetch` option) when given, else to the global `fetch`: a host that must
    /// count or cap its requests (a Cloudflare Worker's subrequests) sees every one.
    pub(crate) fn with_fetch(mut self, fetch: Option<Function>) -> Abort {
        self.fetch = fetch;
        self
    }

    /// Starts `fetch(url, init)` with the call's signal.
    pub(crate) fn fetch(&self, url: &str, init: &web_sys::RequestInit) -> Result<Promise> {
        init.set_signal(Some(&self.controller.signal()));
        call_fetch(self.fetch.as_ref(), url, init)
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

pub(crate) fn aborted_error() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "The report was cancelled (the AbortSignal fired). Start again when you are ready.",
    )
}
