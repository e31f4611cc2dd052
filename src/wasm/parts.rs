//! `fetchReport` with `keys`: the sub-organisation scheduler, [`LANES`] keys at a time, each part keeping
//! its own result, and the merge of those that succeeded.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::abort::Abort;
use super::errors::error_js;
use super::exports::{Reading, summary_to_js};
use super::fetch::{Day, fetch_tally};
use super::host::set;
use super::progress::{DayTag, Progress};
use crate::api::TaskConfig;
use crate::engine::Tally;
use crate::error::{Error, ErrorCode, Result};

/// Keys fetched at the same time when there are several: kind to the API's rate limits.
const LANES: usize = 2;

/// Several keys, [`LANES`] at a time; each part keeps its own result, and the parts that succeeded merge
/// in the order given.
pub(super) async fn fetch_parts(
    config: &TaskConfig,
    reading: &Rc<Reading>,
    keys: &Rc<Vec<(String, String)>>,
    abort: &Rc<Abort>,
    callback: &Option<Function>,
    day: Option<&DayTag>,
) -> Result<Day> {
    // Each key's result in its place, as the parts finish.
    let results = Rc::new(RefCell::new(
        (0..keys.len()).map(|_| None).collect::<Vec<Option<Result<Tally>>>>(),
    ));
    let next = Rc::new(Cell::new(0));
    let lanes = Array::new();
    for _ in 0..LANES.min(keys.len()) {
        let (config, reading, keys, results, next, abort, callback, day) = (
            config.clone(),
            reading.clone(),
            keys.clone(),
            results.clone(),
            next.clone(),
            abort.clone(),
            callback.clone(),
            day.cloned(),
        );
        lanes.push(&future_to_promise(async move {
            while next.get() < keys.len() {
                let at = next.get();
                next.set(at + 1);
                let (label, key) = &keys[at];
                let mut progress = Progress::new(callback.clone(), Some(label.clone()), day.clone());
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
                set(&part, "summary", &summary_to_js(&tally));
                match &mut merged {
                    Some(merged) => merged.merge(tally),
                    None => merged = Some(tally),
                }
            }
            Err(error) => {
                set(&part, "error", &error_js(&error));
                first_error.get_or_insert((label, error));
            }
        }
        parts.push(&part);
    }
    match (merged, first_error) {
        (Some(tally), _) => Ok(Day {
            tally,
            parts: Some(parts),
        }),
        (None, Some((label, error))) => Err(Error::new(
            error.code,
            format!("No key gave a report. {label}: {}", error.message),
        )),
        (None, None) => Err(Error::new(
            ErrorCode::Auth,
            "No API keys were given: give at least one labelled key.",
        )),
    }
}
