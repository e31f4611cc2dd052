//! `onProgress` reports, thinned out while data flows: the one throttle between the engine and any page,
//! Worker or script.

use js_sys::{Function, Object};
use wasm_bindgen::JsValue;

use super::host::{now_ms, set};

/// `onProgress({phase, percentComplete, bytes, rows})`, at most every [`PROGRESS_EVERY_MS`] while data
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

/// The least time between two progress calls, shared with the page's pipeline through `progressEveryMs`.
pub(crate) const PROGRESS_EVERY_MS: f64 = 100.0;

impl Progress {
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
        if now_ms() - self.last_ms >= PROGRESS_EVERY_MS {
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
        let set = |key: &str, value: JsValue| set(&report, key, &value);
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
