// The Worker's error codes as HTTP statuses. tests/js/contract.test.mjs holds this table to the engine's
// errorCodes(), so a code added to the engine cannot go without a status here.

// The HTTP status of each engine error code: the caller's mistakes are 4xx; the API or the Worker's own
// credentials failing are the gateway's 5xx, since the caller cannot fix them.
export const STATUS_OF = {
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

// The Worker's own codes, next to the engine's (docs/worker.md): the contract test checks
// that every code the Worker's source answers with is one of these or an engine code.
// OUT_OF_SCOPE (403): outside a view link's range, or a link asking for more than its maker sees; EXPIRED
// (401): a view link past its expiry.
export const WORKER_CODES = ['CONFIG', 'BAD_PATH', 'BAD_REQUEST', 'NOT_PUBLIC', 'ORIGIN_NOT_ALLOWED', 'METHOD_NOT_ALLOWED', 'OUT_OF_SCOPE', 'EXPIRED'];
