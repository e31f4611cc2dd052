// Plain words for the codes a report is written in (GB, ACCOUNT_ERROR_BAD_PASSWORD, LOCAL_AUTHENTICATE).
// Each function gives the words, or null when the code is its own best name; the tables then show the
// words with the code beside them, so that someone who knows the codes still finds them.

// The statuses OpenAthens documents or that reports are known to hold; any other code is read aloud by
// `spelledOut`, which is right for most of them (FAILURE_NO_PERMISSION -> "Failure: no permission").
const STATUSES = {
  SUCCESS: 'Succeeded',
  ACCOUNT_ERROR_BAD_PASSWORD: 'Wrong password',
  ACCOUNT_ERROR_NOT_FOUND: 'No such account',
  ACCOUNT_ERROR_EXPIRED: 'Account expired',
  ACCOUNT_ERROR_LOCKED: 'Account locked',
  ACCOUNT_ERROR_PENDING: 'Account not yet activated',
  ACCOUNT_ERROR_SUSPENDED: 'Account suspended',
  FAILURE_RESTRICTIVE: 'Blocked by restrictive mode',
  FAILURE_NO_PERMISSION: 'No permission for the resource',
  FAILURE_ACCOUNT_EXPIRED: 'Account expired',
  FAILURE_RESOURCE_UNAVAILABLE: 'Resource unavailable',
};

const ACTIONS = {
  AUTHENTICATE: 'Sign-in, OpenAthens account',
  LOCAL_AUTHENTICATE: 'Sign-in, local account',
  FEDERATED_TRANSFER: 'Sent to a resource, OpenAthens account',
  LOCAL_FEDERATED_TRANSFER: 'Sent to a resource, local account',
};

const ACCOUNT_TYPES = {
  LOCAL: 'Local (your own sign-in system)',
  PERSONAL: 'Personal OpenAthens account',
};

// "ACCOUNT_ERROR_BAD_PASSWORD" -> "Account error: bad password"; only for codes in capitals and
// underscores, so that free text (a connector's name) is never rewritten.
function spelledOut(code) {
  if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(code)) return null;
  const lower = code.toLowerCase();
  const kind = ['account_error_', 'failure_', 'error_'].find((prefix) => lower.startsWith(prefix));
  const sentence = kind
    ? `${kind.slice(0, -1).replace('_', ' ')}: ${lower.slice(kind.length).replaceAll('_', ' ')}`
    : lower.replaceAll('_', ' ');
  return sentence[0].toUpperCase() + sentence.slice(1);
}

function capitalised(code) {
  return /^[A-Z]{2,}$/.test(code) ? code[0] + code.slice(1).toLowerCase() : null;
}

let regions = null;

/** "GB" -> "United Kingdom" in the reader's language; null for anything that is not a region code. */
export function countryName(code) {
  if (!/^[A-Z]{2}$/.test(code)) return null;
  regions ??= new Intl.DisplayNames(undefined, { type: 'region', fallback: 'none' });
  try {
    return regions.of(code) ?? null;
  } catch {
    return null;
  }
}

export function statusWords(code) {
  return STATUSES[code] ?? spelledOut(code) ?? capitalised(code);
}

export function actionWords(code) {
  return ACTIONS[code] ?? spelledOut(code) ?? capitalised(code);
}

export function accountTypeWords(code) {
  return ACCOUNT_TYPES[code] ?? capitalised(code) ?? spelledOut(code);
}

/** Account statuses (ACTIVE, PENDING, INVALID …) and other one-word codes. */
export function codeWords(code) {
  return capitalised(code) ?? spelledOut(code);
}
