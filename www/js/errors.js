// What each error code (docs/api.md) means to the person at the page, and what they can do next. The engine's own
// message is kept as the detail line; these words come first because they do not assume any API knowledge.

// The page's own codes, next to the engine's errorCodes() (docs/api.md, "Errors"): report-worker.js gives
// ENGINE_RESTARTED when it replaced a worker whose engine failed. tests/js/contract.test.mjs holds EXPLAINED
// to exactly the engine's codes and these.
export const PAGE_CODES = ['ENGINE_RESTARTED', 'ENGINE_UNAVAILABLE'];

/** @type {Record<string, {title: string, next: string}>} */
export const EXPLAINED = {
  BAD_DATE: {
    title: 'That report date could not be read.',
    next: 'Pick a date with the date picker (year, month and day).',
  },
  DATE_OUT_OF_RANGE: {
    title: 'Reports exist only for the last 30 days: yesterday back to 30 days ago (UTC).',
    next: 'Pick a date in that window. For older days, use the daily summaries your Cloudflare Worker stores, if your organisation runs one.',
  },
  AUTH: {
    title: 'The API did not accept the API key.',
    next: 'Check the key: it must belong to the organisation you are asking about (each sub-organisation has its own) and have the reports API permission (or full access). Copy it again without spaces around it.',
  },
  NOT_FOUND: {
    title: 'The API does not know that API name.',
    next: 'Check the API name: it is your domain’s OpenAthens API name, usually (not always) the same as your federation scope, for example example.org. Also check that the API base URL ends in /api/v1.',
  },
  RATE_LIMITED: {
    title: 'The API asked us to slow down and kept refusing after several tries.',
    next: 'Wait a few minutes, then fetch again.',
  },
  SERVER: {
    title: 'The API had a problem on its side and kept failing after several tries.',
    next: 'Try again later. If it keeps happening, check the OpenAthens service status.',
  },
  NETWORK: {
    title: 'The API could not be reached, or it refused a request from this page.',
    next: 'Check the API base URL and your connection. If both are right, the API does not allow calls from this page’s address (browsers enforce this, called CORS): set API base URL to a proxy that does, such as the project’s Cloudflare Worker deployed for your organisation, whose proxy lives under /api/v1 (for example https://reports-proxy.example.workers.dev/api/v1). Or download the report elsewhere and open the file here.',
  },
  TIMEOUT: {
    title: 'The report was not ready in time.',
    next: 'Busy days take longer to prepare: fetch again in a few minutes, and the API will carry on with the same report.',
  },
  ABORTED: {
    title: 'Cancelled.',
    next: 'Nothing was kept. Fetch or open a report again when you are ready.',
  },
  BAD_RESPONSE: {
    title: 'The API answered with something that is not a report task.',
    next: 'Check the API base URL: it should end in /api/v1 (the OpenAthens API or a proxy in front of it).',
  },
  BAD_GZIP: {
    title: 'The file is damaged: it is not a valid gzip file.',
    next: 'Download the report again and open the new copy; or, if it is a plain CSV, make sure its name does not end in .gz.',
  },
  TRUNCATED: {
    title: 'The report stops part-way: the file or download is incomplete.',
    next: 'Download the report again (wait until the download has finished) and open the new copy.',
  },
  NOT_A_REPORT: {
    title: 'This is not an OpenAthens raw statistics report.',
    next: 'Open the .csv.gz (or .csv) file that the reports API gives for a day: its first line names the columns, including action and status.',
  },
  TOO_LARGE: {
    title: 'The file or answer is far larger in one place than any real report: a line, a field or the list of columns goes past a safe limit.',
    next: 'Check that this is the report file the API gave (a damaged or unrelated file can look like this). The limits are listed in the project’s docs/limits.md.',
  },
  BAD_SNAPSHOT: {
    title: 'A saved day could not be read back.',
    next: 'The saved copy is damaged or from another version: forget the saved days and fetch them again.',
  },
  BAD_FILTER: {
    title: 'That slice names a column the report does not have.',
    next: 'Remove the slice, or pick a value from one of the tables to slice by it.',
  },
  // Not engine codes: report-worker.js gives these when the engine could not start at all, and when it
  // replaced a worker whose engine failed.
  ENGINE_UNAVAILABLE: {
    title: 'The report engine could not be loaded, so no report can be read here.',
    next: 'Reload the page. If it happens again, the site is missing part of the engine (its worker or its .wasm file): the detail below helps whoever looks after this page.',
  },
  ENGINE_RESTARTED: {
    title: 'The report engine stopped unexpectedly and was restarted; the page is ready again.',
    next: 'Fetch or open the report again. If the same report stops the engine every time, the detail below helps whoever looks after this page.',
  },
};

const UNEXPECTED = {
  title: 'Something went wrong that the page did not expect.',
  next: 'Reload the page and try again. If it happens again, the detail below helps whoever looks after this page.',
};

/** @param {{code?: string, message: string}} error  @returns {{title: string, next: string, detail: string}} */
export function explainError(error) {
  const words = EXPLAINED[error.code] ?? UNEXPECTED;
  return { ...words, detail: error.code ? `${error.message} (${error.code})` : error.message };
}
