// The Summary of every day the cron fetched, in the HISTORY KV namespace under its date, so the history
// outlives the API's 30-day window.

import { DAY_MS, dayBefore, dayOf, daysBetween, parseDay } from './dates.js';
import { describeFailure, fetchDay } from './engine.js';
import { errorResponse, json } from './http.js';

// One KV read per day asked for: a year stays well within a Worker's per-request operation limits.
const MAX_DAYS = 366;
// Without from/to: the 30 days up to yesterday.
const DEFAULT_DAYS = 30;

/** The scheduled run: yesterday (the day before the run's scheduled time) into KV. Throws when it fails. */
export async function storeYesterday(env, scheduledTime) {
  const date = dayBefore(scheduledTime);
  let summary;
  try {
    summary = await fetchDay(env, date);
  } catch (error) {
    const { code, message } = describeFailure(error);
    // Thrown, so the run shows as failed in the Worker's cron log; the day stays missing from /history.
    throw new Error(`History: the report for ${date} could not be fetched (${code}): ${message}`);
  }
  await env.HISTORY.put(date, JSON.stringify({ date, storedAt: new Date().toISOString(), summary }));
  return date;
}

/** GET /history?from=yyyy-MM-dd&to=yyyy-MM-dd: the stored days in the range, and the days missing from it. */
export async function history(url, env) {
  const to = url.searchParams.get('to') ?? dayBefore(Date.now());
  const toMs = parseDay(to);
  const from = url.searchParams.get('from') ?? (toMs === null ? null : dayOf(toMs - (DEFAULT_DAYS - 1) * DAY_MS));
  const fromMs = parseDay(from);
  if (fromMs === null || toMs === null) {
    return errorResponse(400, 'BAD_DATE', 'Give from and to as yyyy-MM-dd dates, e.g. /history?from=2023-06-01&to=2023-06-30.');
  }
  if (fromMs > toMs) return errorResponse(400, 'BAD_DATE', `from (${from}) is after to (${to}).`);
  const dates = daysBetween(fromMs, toMs);
  if (dates.length > MAX_DAYS) {
    return errorResponse(400, 'DATE_OUT_OF_RANGE', `Ask for at most ${MAX_DAYS} days at a time; ${from} to ${to} is ${dates.length}.`);
  }
  const stored = await Promise.all(dates.map((date) => env.HISTORY.get(date, 'json')));
  return json(200, {
    from,
    to,
    days: stored.filter(Boolean),
    missing: dates.filter((_, at) => !stored[at]),
  });
}
