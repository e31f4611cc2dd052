// The report engine (the same wasm package as the page's, www/pkg), instantiated once per isolate from the
// module the runtime compiled at upload: Workers may not compile wasm from bytes at run time.

import wasm from '../../www/pkg/openathens_rawstats_bg.wasm';
import { SnapshotMerge, fetchRange, fetchReport, initSync } from '../../www/pkg/openathens_rawstats.js';
import { apiBaseUrl, credentials } from './config.js';
import { STATUS_OF } from './status.js';

initSync({ module: wasm });

// The fetches under way in this isolate, by what they ask the API: 50 callers asking for one day at once
// make one report task, not 50.
const inFlight = new Map();

/**
 * The Summary of `date` (or the sub-organisation result with several keys); throws an Error with `code`.
 * Callers asking for the same day with the same settings while a fetch runs share it; it is given up only
 * once every one of their signals has aborted.
 */
export function fetchDay(env, date, signal) {
  const options = { ...credentials(env), baseUrl: apiBaseUrl(env), date };
  const key = JSON.stringify(options);
  let shared = inFlight.get(key);
  if (!shared) {
    const entry = {
      controller: new AbortController(),
      waiting: 0,
      // A caller arriving after the result (or after every caller left) starts a fetch of its own.
      leave: () => inFlight.get(key) === entry && inFlight.delete(key),
    };
    entry.result = fetchReport({ ...options, signal: entry.controller.signal });
    entry.result.then(entry.leave, entry.leave);
    inFlight.set(key, entry);
    shared = entry;
  }
  shared.waiting += 1;
  const joined = shared;
  signal?.addEventListener('abort', () => {
    joined.waiting -= 1;
    if (joined.waiting > 0) return;
    joined.leave();
    joined.controller.abort();
  }, { once: true });
  return joined.result;
}

/**
 * `date` for the archive: fetchDay's result (not shared with other callers) and the day's snapshot, the
 * exact state /history merges. `limits` are the cron run's (budget.js) or a queue message's (queue.js): its
 * fetch, signal and timeoutMs; `keyed`, the credentials (a queue message fetches one sub-organisation's).
 */
export async function fetchDayForArchive(env, date, limits, keyed = credentials(env)) {
  const options = { ...keyed, baseUrl: apiBaseUrl(env), from: date, to: date, snapshots: true, ...limits };
  // A range of one day rejects when that day fails, so its one day is a success.
  const day = /** @type {Extract<import('../../www/pkg/openathens_rawstats.js').RangeDay, {summary: unknown}>} */ ((await fetchRange(options)).days[0]);
  return { result: day.parts ? { merged: day.summary, parts: day.parts } : day.summary, snapshot: day.snapshot };
}

/**
 * The exact Summary of the snapshots `read` gives for `dates` (one at a time, so a year's answer holds one
 * snapshot and the merge), or null when none was merged; the dates it had none for (`without`); and the
 * dates whose snapshot is not one (`unreadable`, each with its BAD_SNAPSHOT error), left out of the merge.
 */
export async function mergeSnapshotsOf(dates, read) {
  const merge = new SnapshotMerge();
  try {
    const without = [];
    const unreadable = [];
    let added = 0;
    for (const date of dates) {
      const bytes = await read(date);
      if (!bytes) {
        without.push(date);
        continue;
      }
      try {
        merge.add(new Uint8Array(bytes));
        added += 1;
      } catch (error) {
        // A damaged day (a truncated value, say) costs that day, not the range: a snapshot that is not one
        // leaves the merge as it was. Anything else (TOO_LARGE: the merge is full) fails the answer.
        if (error?.code !== 'BAD_SNAPSHOT') throw error;
        unreadable.push({ date, error: { code: error.code, message: error.message } });
      }
    }
    return { merged: added > 0 ? merge.finish() : null, without, unreadable };
  } finally {
    merge.free();
  }
}

/** {status, code, message} for an error fetchDay threw. */
export function describeFailure(error) {
  const message = String(error?.message ?? error);
  if (!Object.hasOwn(STATUS_OF, error?.code)) return { status: 500, code: 'SERVER', message: `The Worker failed: ${message}` };
  return { status: STATUS_OF[error.code], code: error.code, message };
}
