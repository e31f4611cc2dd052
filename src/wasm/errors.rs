//! Crate errors as JS `Error` objects with a `code` property, the one shape every export throws.

use js_sys::Object;
use wasm_bindgen::JsValue;

use super::host::set;

use crate::error::Error;

pub(crate) fn to_js(error: &Error) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("RawStatsError");
    // Reflect::set only fails on frozen objects; a fresh Error is not one.
    let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code.as_str().into());
    js.into()
}

/// `{code, message}`, as a failed part or day is listed.
pub(crate) fn error_js(error: &Error) -> JsValue {
    let described = Object::new();
    set(&described, "code", &error.code.as_str().into());
    set(&described, "message", &error.message.as_str().into());
    described.into()
}
