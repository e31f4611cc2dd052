//! Reading the options objects JS callers pass.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// `options[key]` when it is neither undefined nor null.
pub(crate) fn option(options: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(options, &key.into())
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}
