//! `fetchReport` with `keys`: the sub-organisation scheduler, [`LANES`] keys at a time, each part keeping
//! its own result, and the merge of those that succeeded.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::abort::Abort;
use super::exports::{Reading, summary_to_js};
use super::fetch::fetch_tally;
use super::progress::Progress;
use crate::api::TaskConfig;
use crate::engine::Tally;
use crate::error::{Error, ErrorCode, Result};

/// Keys fetched at the same time when there are several: kind to the API's rate limits.
const LANES: usize = 2;

/// Several keys, [`LANES`] at a time; each part keeps its own result, and the parts that succeeded merge
/// in the order given.
pub(super) async fn fetch_parts(
    config: TaskConfig,
    reading: Reading,
    keys: Vec<(String, String)>,
    abort: Rc<Abort>,
    callback: Option<Function>,
) -> Result<JsValue> {
    let (keys, reading) = (Rc::new(keys), Rc::new(reading));
    // Each key's result in its place, as the parts finish.
    let results = Rc::new(RefCell::new(
        (0..keys.len()).map(|_| None).collect::<Vec<Option<Result<Tally>>>>(),
    ));
    let next = Rc::new(Cell::new(0));
    let lanes = Array::new();
    for _ in 0..LANES.min(keys.len()) {
        let (config, reading, keys, results, next, abort, callback) = (
            config.clone(),
            reading.clone(),
            keys.clone(),
            results.clone(),
            next.clone(),
            abort.clone(),
            callback.clone(),
        );
        lanes.push(&future_to_promise(async move {
            while next.get() < keys.len() {
                let at = next.get();
                next.set(at + 1);
                let (label, key) = &keys[at];
                let mut progress = Progress::new(callback.clone(), Some(label.clone()));
                let result = fetch_tally(&config, &reading, key, &abort, &mut progress).await;
                results.borrow_mut()[at] = Some(result);
            }
            Ok(JsValue::UNDEFINED)
        }));
    }
    // Lanes never reject: each part's error is kept in `results`.
    let _ = JsFuture::from(Promise::all(&lanes)).await;
    abort.check()?;

    let parts = Array::new();
    let mut merged: Option<Tally> = None;
    let mut first_error = None;
    // Every lane has run until no key was left, so every place is filled.
    let results = results.take().into_iter().enumerate();
    for (at, result) in results.filter_map(|(at, result)| Some((at, result?))) {
        let label = keys[at].0.as_str();
        let part = Object::new();
        set(&part, "label", &label.into());
        match result {
            Ok(tally) => {
                set(&part, "summary", &summary_to_js(&tally.summary()));
                match &mut merged {
                    Some(merged) => merged.merge(tally),
                    None => merged = Some(tally),
                }
            }
            Err(error) => {
                let described = Object::new();
                set(&described, "code", &error.code.as_str().into());
                set(&described, "message", &error.message.as_str().into());
                set(&part, "error", &described);
                first_error.get_or_insert((label, error));
            }
        }
        parts.push(&part);
    }
    let merged = match (merged, first_error) {
        (Some(merged), _) => merged,
        (None, Some((label, error))) => {
            return Err(Error::new(
                error.code,
                format!("No key gave a report. {label}: {}", error.message),
            ));
        }
        (None, None) => {
            return Err(Error::new(
                ErrorCode::Auth,
                "No API keys were given: give at least one labelled key.",
            ));
        }
    };
    let report = Object::new();
    set(&report, "merged", &summary_to_js(&merged.summary()));
    set(&report, "parts", &parts);
    Ok(report.into())
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property of a fresh plain object cannot fail.
    let _ = Reflect::set(object, &key.into(), value);
}
