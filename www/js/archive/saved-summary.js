// Open a saved summary: the JSON the page's `Download summary (JSON)` wrote, shown again as it was, with no
// key and no report file. It is read as data and checked for the shape the views draw (docs/summary.md);
// the views put its text into the page as text only.

// A summary JSON larger than this is not one the page wrote (a day of 1M rows gives a few MB).
export const MAX_SAVED_SUMMARY_BYTES = 256 * 1024 * 1024;

const COUNTS = ['byAction', 'byStatus', 'byActionStatus', 'byCountry', 'byIsp', 'byAuthSystem', 'byAccountType', 'byAccountStatus', 'byOrganisation', 'byPermissionSet', 'customAttributes'];
const NUMBERS = ['rows', 'skippedRows', 'undatedRows', 'distinctAccounts', 'distinctIps'];
const HOURS = ['byHour', 'signInsByHour', 'transfersByHour'];

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value) => Number.isSafeInteger(value) && value >= 0;

/** Whether `file` starts as JSON does (a report is gzip or CSV, whose first byte is never `{`). */
export async function looksLikeJson(file) {
  return /^\s*\{/.test(await file.slice(0, 64).text());
}

/** What is wrong with `summary` as a Summary the views can draw, or null. */
function flaw(summary) {
  if (!isObject(summary)) return 'it is not a JSON object';
  if (summary.schemaVersion !== 2) return `its schemaVersion is ${JSON.stringify(summary.schemaVersion)}, not 2`;
  const wrong = [
    ...NUMBERS.filter((key) => !isCount(summary[key])),
    ...COUNTS.filter((key) => !isObject(summary[key])),
    ...HOURS.filter((key) => !Array.isArray(summary[key]) || summary[key].length !== 24 || !summary[key].every(isCount)),
    ...['columns', 'resources'].filter((key) => !Array.isArray(summary[key])),
    ...['authentications', 'transfers'].filter((key) => !isObject(summary[key])),
  ];
  if (wrong.length > 0) return `${wrong.join(', ')} ${wrong.length === 1 ? 'is' : 'are'} not as the page writes them`;
  const badResource = summary.resources.find((resource) => !isObject(resource) || typeof resource.id !== 'string' || typeof resource.title !== 'string'
    || !['transfers', 'users', 'blocked'].every((key) => isCount(resource[key])));
  if (badResource !== undefined) return 'a resource is not as the page writes it';
  if (summary.security !== undefined && !(isObject(summary.security) && ['byAccount', 'byIp', 'spread'].every((key) => Array.isArray(summary.security[key])))) {
    return 'its security section is not as the page writes it';
  }
  return null;
}

/** The Summary in a saved summary file; rejects with NOT_A_REPORT (in words about a summary) or TOO_LARGE. */
export async function readSavedSummary(file) {
  if (file.size > MAX_SAVED_SUMMARY_BYTES) {
    throw { code: 'TOO_LARGE', message: `${file.name} is ${file.size} bytes; a saved summary is at most ${MAX_SAVED_SUMMARY_BYTES}.` };
  }
  let summary;
  try {
    summary = JSON.parse(await file.text());
  } catch (error) {
    throw { code: 'NOT_A_REPORT', message: `${file.name} is not a summary this page saved: it is not JSON (${error.message}).` };
  }
  const problem = flaw(summary);
  if (problem) throw { code: 'NOT_A_REPORT', message: `${file.name} is not a summary this page saved: ${problem}.` };
  return summary;
}

/** The days a saved summary covers, from its first and last event, for its heading. */
export function savedPeriod(summary) {
  if (summary.firstEvent === null) return undefined;
  return { from: summary.firstEvent.slice(0, 10), to: summary.lastEvent.slice(0, 10) };
}

/** {title, next, detail} for what readSavedSummary threw. */
export function explainSavedSummaryError(error) {
  const next = 'Open a summary JSON that this page’s Download summary (JSON) saved, or a .csv.gz or .csv report.';
  const title = error.code === 'TOO_LARGE' ? 'This JSON file is far larger than any summary the page saves.' : 'This JSON file is not a summary this page saved.';
  return { title, next, detail: `${error.message} (${error.code})` };
}
