// The Summary of every day the cron fetched, in the HISTORY KV namespace under its date, so the history
// outlives the API's 30-day window.

import { readableSummary } from './access.js';
import { DAY_MS, dayBefore, dayOf, daysBetween, parseDay } from './dates.js';
import { describeFailure, fetchDay } from './engine.js';
import { errorResponse, json } from './http.js';

// One KV read per day asked for: a year stays well within a Worker's per-request operation limits.
const MAX_DAYS = 366;
// Without from/to: the 30 days up to yesterday.
const DEFAULT_DAYS = 30;
// The API gives reports for yesterday back to this many days ago.
const API_WINDOW_DAYS = 30;

/**
 * The scheduled run: yesterday, and every partial day (a sub-organisation's key failed) still inside the
 * API's window, fetched again into KV. Resolves to {stored: [date], problems: [text]}; a day that could not
 * be fetched at all is not stored (a partial one stays as it was), a partial day is stored with the parts
 * that failed, and either is a problem, so that the run shows as failed until the day is whole.
 */
export async function runDaily(env, scheduledTime) {
  const yesterday = dayBefore(scheduledTime);
  const yesterdayMs = parseDay(yesterday);
  const earlier = daysBetween(yesterdayMs - (API_WINDOW_DAYS - 1) * DAY_MS, yesterdayMs - DAY_MS);
  const records = await Promise.all(earlier.map((date) => env.HISTORY.get(date, 'json')));
  const partial = earlier.filter((_, at) => records[at]?.failedParts);
  const stored = [];
  const problems = [];
  for (const date of [yesterday, ...partial]) {
    let result;
    try {
      result = await fetchDay(env, date);
    } catch (error) {
      const { code, message } = describeFailure(error);
      problems.push(`the report for ${date} could not be fetched (${code}): ${message}`);
      continue;
    }
    const failedParts = (result.parts ?? []).filter((part) => part.error).map(({ label, error }) => ({ label, code: error.code }));
    const record = { date, storedAt: new Date().toISOString(), summary: result };
    await env.HISTORY.put(date, JSON.stringify(failedParts.length > 0 ? { ...record, failedParts } : record));
    stored.push(date);
    if (failedParts.length > 0) {
      const which = failedParts.map(({ label, code }) => `${label} (${code})`).join(', ');
      problems.push(`${date} is stored partial, without ${which}; the next run fetches it again while the API still has it`);
    }
  }
  return { stored, problems };
}

/**
 * GET /history?from=yyyy-MM-dd&to=yyyy-MM-dd: the stored days in the range, the days missing from it, and
 * the stored days that are partial (each such day's record names its failedParts).
 */
export async function history(url, env) {
  const to = url.searchParams.get('to') ?? dayBefore(Date.now());
  const toMs = parseDay(to);
  const from = url.searchParams.get('from') ?? (toMs === null ? null : dayOf(toMs - (DEFAULT_DAYS - 1) * DAY_MS));
  const fromMs = parseDay(from);
  if (fromMs === null || toMs === null) {
    return errorResponse(400, 'BAD_DATE', 'Give from and to as yyyy-MM-dd dates, e.g. /history?from=2023-06-01&to=2023-06-30.');
  }
  if (fromMs > toMs) return errorResponse(400, 'BAD_DATE', `from (${from}) is after to (${to}).`);
  // Checked by arithmetic before any list is built: 0000-01-01 to 9999-12-31 would be 3.6 million days.
  const today = dayOf(Date.now());
  if (to > today) return errorResponse(400, 'DATE_OUT_OF_RANGE', `${to} is in the future (today is ${today}, UTC): no day after yesterday is ever stored.`);
  const span = (toMs - fromMs) / DAY_MS + 1;
  if (span > MAX_DAYS) {
    return errorResponse(400, 'DATE_OUT_OF_RANGE', `Ask for at most ${MAX_DAYS} days at a time; ${from} to ${to} is ${span}.`);
  }
  const dates = daysBetween(fromMs, toMs);
  const stored = await Promise.all(dates.map((date) => env.HISTORY.get(date, 'json')));
  return json(200, {
    from,
    to,
    days: stored.filter(Boolean).map((record) => ({ ...record, summary: readableSummary(record.summary, env) })),
    missing: dates.filter((_, at) => !stored[at]),
    partial: dates.filter((_, at) => stored[at]?.failedParts),
  });
}
