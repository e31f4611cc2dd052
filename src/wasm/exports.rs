//! `summarize` and `ReportParser` for JS. Summaries cross as plain objects (JSON-compatible: maps become
//! objects, counts numbers), so they can be posted between workers and saved as they are.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::engine::{ReportParser, Summary};
use crate::wasm::errors::to_js;

#[wasm_bindgen(typescript_custom_section)]
const SUMMARY_TYPE: &str = r#"
/** Counts by value; an empty field counts under "". */
export type Counts = Record<string, number>;

export interface Resource {
  id: string;
  title: string;
  federation: string;
  transfers: number;
  blocked: number;
  /** distinct non-empty account ids among its transfer rows */
  users: number;
}

/** When an account's or an IP's failed sign-ins happened. */
export interface FailureTimes {
  /** the most dated failures within any 600 seconds */
  maxFailedIn10Min: number;
  firstFailure: string | null;
  lastFailure: string | null;
}

export interface AccountFailures extends FailureTimes { account: string; failed: number; succeeded: number; ips: number; countries: number }

export interface IpFailures extends FailureTimes { ip: string; failed: number; succeeded: number; accounts: number }

export interface Spread { account: string; countries: number; ips: number; signIns: number; transfers: number }

/** Who signs in wrongly, and who is seen from many places (docs/summary.md). */
export interface Security {
  accountsWithFailedSignIns: number;
  ipsWithFailedSignIns: number;
  byAccount: AccountFailures[];
  byIp: IpFailures[];
  spread: Spread[];
}

/** One day of OpenAthens activity (docs/summary.md). */
export interface Summary {
  schemaVersion: 2;
  rows: number;
  skippedRows: number;
  undatedRows: number;
  columns: string[];
  firstEvent: string | null;
  lastEvent: string | null;
  byAction: Counts;
  byStatus: Counts;
  byActionStatus: Record<string, Counts>;
  authentications: { total: number; succeeded: number; failed: number };
  transfers: { total: number; succeeded: number; blockedRestrictive: number; failed: number };
  resources: Resource[];
  byHour: number[];
  /** byHour for AUTHENTICATE and LOCAL_AUTHENTICATE rows. */
  signInsByHour: number[];
  /** byHour for FEDERATED_TRANSFER and LOCAL_FEDERATED_TRANSFER rows. */
  transfersByHour: number[];
  byCountry: Counts;
  byIsp: Counts;
  byAuthSystem: Counts;
  byAccountType: Counts;
  byAccountStatus: Counts;
  byOrganisation: Counts;
  byPermissionSet: Counts;
  distinctAccounts: number;
  distinctIps: number;
  customAttributes: Record<string, Counts>;
  security: Security;
}

/** Thrown by every export. */
export interface RawStatsError extends Error { code: ErrorCode }

// ReportParser's generated `[Symbol.dispose]` needs this symbol, which TypeScript's lib declares only from
// esnext.disposable on: declared here too, so the types compile with lib es2022 (TypeScript 5.2 or later).
declare global { interface SymbolConstructor { readonly dispose: unique symbol } }
"#;

pub(crate) fn summary_to_js(summary: &Summary) -> JsValue {
    // Counts stay far below 2^53, and a Summary holds nothing else that JSON cannot carry.
    summary
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or_else(JsValue::from)
}

/// Summarises a whole report held in memory: gzip (any number of members) or plain CSV.
#[wasm_bindgen(unchecked_return_type = "Summary")]
pub fn summarize(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let mut parser = ReportParser::new(None);
    parser.push(bytes).map_err(|e| to_js(&e))?;
    let tally = parser.finish().map_err(|e| to_js(&e))?;
    Ok(summary_to_js(&tally.summary()))
}

/// A report pushed in pieces as they arrive; any chunking gives the same Summary.
#[wasm_bindgen(js_name = ReportParser)]
pub struct JsReportParser {
    inner: ReportParser,
}

#[wasm_bindgen(js_class = ReportParser)]
impl JsReportParser {
    /// A parser at the start of a report.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> JsReportParser {
        JsReportParser {
            inner: ReportParser::new(None),
        }
    }

    /// Reads the next piece of the report.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.inner.push(chunk).map_err(|e| to_js(&e))
    }

    /// Rows read so far.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> f64 {
        self.inner.rows() as f64
    }

    /// Ends the report and returns its Summary; the parser can then read another report.
    #[wasm_bindgen(unchecked_return_type = "Summary")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let tally = self.inner.finish().map_err(|e| to_js(&e))?;
        Ok(summary_to_js(&tally.summary()))
    }
}
