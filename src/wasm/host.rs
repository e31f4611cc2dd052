//! What the host gives every runtime alike (a page, a Web Worker, Node 20, a Cloudflare Worker): the
//! global `fetch` and timers, reached through `globalThis` rather than `window`.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode, Result, quoted};

/// A member of `globalThis` that must be a function, called with `globalThis` as `this`.
pub(super) fn global_function(name: &str) -> Result<(Object, Function)> {
    let global = js_sys::global();
    Reflect::get(&global, &name.into())
        .ok()
        .and_then(|value| value.dyn_into::<Function>().ok())
        .map(|function| (global, function))
        .ok_or_else(|| {
            Error::new(ErrorCode::Network, format!("This JavaScript runtime has no global {name}(): use a browser, Node 20 or later, or a Cloudflare Worker."))
        })
}

/// Calls `given(url, init)`, or without one the global `fetch(url, init)`.
pub(crate) fn call_fetch(given: Option<&Function>, url: &str, init: &web_sys::RequestInit) -> Result<Promise> {
    let (this, fetch) = match given {
        Some(fetch) => (JsValue::UNDEFINED, fetch.clone()),
        None => {
            let (global, fetch) = global_function("fetch")?;
            (global.into(), fetch)
        }
    };
    fetch
        .call2(&this, &url.into(), init)
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
pub(crate) fn ignore_rejection(promise: &Promise) {
    thread_local! {
        static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_| {});
    }
    IGNORE.with(|ignore| {
        let _ = promise.catch(ignore);
    });
}

/// A JS exception quoted for a message.
pub(crate) fn describe_js(value: &JsValue) -> String {
    let text = value
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "an unknown error".to_owned());
    quoted(&text)
}

/// Sets a property of a fresh plain object, which cannot fail.
pub(crate) fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}
