// The report engine (the same wasm package as the page's, www/pkg), instantiated once per isolate from the
// module the runtime compiled at upload: Workers may not compile wasm from bytes at run time.

import wasm from '../../www/pkg/openathens_rawstats_bg.wasm';
import { fetchReport, initSync } from '../../www/pkg/openathens_rawstats.js';
import { apiBaseUrl, credentials } from './config.js';

initSync({ module: wasm });

// A fetch left without progress for this long is given up (the API's own task can take minutes).
const TIMEOUT_MS = 10 * 60 * 1000;

/** The Summary of `date` (or the sub-organisation result with several keys); throws an Error with `code`. */
export function fetchDay(env, date, signal) {
  return fetchReport({ ...credentials(env), baseUrl: apiBaseUrl(env), date, timeoutMs: TIMEOUT_MS, signal });
}

// The HTTP status of each engine error code: the caller's mistakes are 4xx; the API or the Worker's own
// credentials failing are the gateway's 5xx, since the caller cannot fix them.
const STATUS_OF = {
  BAD_DATE: 400,
  DATE_OUT_OF_RANGE: 400,
  CONFIG: 500,
  AUTH: 502,
  NOT_FOUND: 502,
  RATE_LIMITED: 503,
  SERVER: 502,
  NETWORK: 502,
  TIMEOUT: 504,
  ABORTED: 503,
  BAD_RESPONSE: 502,
  BAD_GZIP: 502,
  TRUNCATED: 502,
  NOT_A_REPORT: 502,
  TOO_LARGE: 502,
  BAD_SNAPSHOT: 500,
  BAD_FILTER: 400,
};

/** {status, code, message} for an error fetchDay threw. */
export function describeFailure(error) {
  const message = String(error?.message ?? error);
  if (!Object.hasOwn(STATUS_OF, error?.code)) return { status: 500, code: 'SERVER', message: `The Worker failed: ${message}` };
  return { status: STATUS_OF[error.code], code: error.code, message };
}
