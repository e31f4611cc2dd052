// The Summary of every day the cron (or a /summary of a settled day) fetched, in the HISTORY KV namespace
// under its date, so the history outlives the API's 30-day window; beside it, under `<date>.headline`, the
// day's headline figures, so that /history over a year reads a few hundred bytes a day instead of whole
// Summaries (about 130 MB for a year of the demo's days, more than a Worker's 128 MB); and, for the days
// the cron fetched, under `<date>.snapshot`, the day's snapshot (docs/snapshot.md), from which /history
// merges any range exactly.

import { SnapshotMerge } from '../../www/pkg/openathens_rawstats.js';
import { answer, outOfScope } from './access.js';
import { credentials } from './config.js';
import { DAY_MS, dayBefore, dayOf, daysBetween, parseDay } from './dates.js';
import { describeFailure, fetchDay, fetchDayForArchive, mergeSnapshotsOf } from './engine.js';
import { errorResponse } from './http.js';
import { sendAlert } from './alerts.js';
import { MonthMerges } from './months.js';

// One KV read per day asked for: a year stays well within a Worker's per-request operation limits.
const MAX_DAYS = 366;
// Without from/to: the 30 days up to yesterday.
const DEFAULT_DAYS = 30;
// The API gives reports for yesterday back to this many days ago.
const API_WINDOW_DAYS = 30;
// /history?full=1 answers whole Summaries for at most this many days at a time.
const FULL_PAGE_DAYS = 7;
// A day's report is complete from 03:30 UTC the day after (when the cron fetches it); until then it may
// still grow, and is never stored.
const SETTLED_AFTER_MS = 3.5 * 60 * 60 * 1000;

// Days one cron run fetches at most (runDaily says which), so that an empty archive fills in four runs
// without one day leaving the window unfetched, and a run of 1M-row days stays within a scheduled Worker's
// time.
const MAX_FETCHES_PER_RUN = 8;

const headlineKey = (date) => `${date}.headline`;
const snapshotKey = (date) => `${date}.snapshot`;
/** A sub-organisation's part of a day (queue.js describes the layout). */
export const partKey = (date, label) => `${date}/${label}`;
/** The KV key of the (date, label)s the dead-letter queue received (queue.js). */
export const FAILED_KEY = 'failed';

/** The figures /history gives for each day: sums that add up across days. */
function headlineOf(result) {
  const summary = result.merged ?? result;
  return {
    events: summary.rows,
    signIns: summary.authentications.total,
    failedSignIns: summary.authentications.failed,
    transfers: summary.transfers.total,
    blocked: summary.transfers.blockedRestrictive,
    distinctAccounts: summary.distinctAccounts,
    distinctIps: summary.distinctIps,
  };
}

function failedPartsOf(result) {
  return (result.parts ?? []).filter((part) => part.error).map(({ label, error }) => ({ label, code: error.code }));
}

/**
 * Stores a day's result (the Summary, or a sub-organisation result), its headline and, when given, its
 * snapshot (first, so a record naming `snapshotBytes` always has it); resolves to failedParts. `labels`:
 * the sub-organisations whose parts a day the queue stored holds (queue.js).
 * @param {string[]} [labels]
 */
export async function storeDay(env, date, result, snapshot, labels) {
  const failedParts = failedPartsOf(result);
  if (snapshot) await env.HISTORY.put(snapshotKey(date), snapshot);
  const record = { date, storedAt: new Date().toISOString(), summary: result };
  const partial = {
    ...(failedParts.length > 0 ? { failedParts } : {}),
    ...(snapshot ? { snapshotBytes: snapshot.length } : {}),
    ...(labels ? { labels } : {}),
  };
  await env.HISTORY.put(date, JSON.stringify({ ...record, ...partial }));
  await env.HISTORY.put(headlineKey(date), JSON.stringify({ date, storedAt: record.storedAt, headline: headlineOf(result), ...partial }));
  return failedParts;
}

/**
 * Stores one sub-organisation's part of a day: its snapshot first, then its record {date, label, storedAt,
 * summary} and headline (so /history?org= over a year reads headlines, not whole Summaries).
 */
export async function storePart(env, date, label, fetched) {
  const storedAt = new Date().toISOString();
  await env.HISTORY.put(snapshotKey(partKey(date, label)), fetched.snapshot);
  await env.HISTORY.put(partKey(date, label), JSON.stringify({ date, label, storedAt, summary: fetched.result }));
  await env.HISTORY.put(headlineKey(partKey(date, label)), JSON.stringify({ date, storedAt, headline: headlineOf(fetched.result), snapshotBytes: fetched.snapshot.length }));
}

/**
 * The day's record, headline and snapshot merged again from the parts of `labels` stored, so a part stored
 * later never loses one stored before. A label without a part is among the day's failedParts, with the
 * error `errors` gives it (this try's) or PENDING. Resolves to the day's result.
 * @param {Map<string, {code: string, message: string}>} [errors]
 */
export async function mergeDay(env, date, labels, errors = new Map()) {
  const merge = new SnapshotMerge();
  try {
    const parts = [];
    const present = [];
    for (const label of labels) {
      const [part, snapshot] = await Promise.all([
        env.HISTORY.get(partKey(date, label), 'json'),
        env.HISTORY.get(snapshotKey(partKey(date, label)), 'arrayBuffer'),
      ]);
      if (!part || !snapshot) {
        const pending = { code: 'PENDING', message: 'This sub-organisation\'s report is not stored yet: its queue message is waiting or failed.' };
        parts.push({ label, error: errors.get(label) ?? pending });
        continue;
      }
      merge.add(new Uint8Array(snapshot));
      parts.push({ label, summary: part.summary });
      present.push(label);
    }
    const result = { merged: merge.finish(), parts };
    await storeDay(env, date, result, merge.snapshot(), present);
    return result;
  } finally {
    merge.free();
  }
}

// Results already on their way into KV: callers sharing one fetch (engine.js) store it once.
const storing = new WeakSet();

/**
 * GET /summary's answer for `date`: the archived result when the day is stored whole, else a fetch, stored
 * when the day is settled and every part succeeded. Resolves to {result, archived: storedAt | null}.
 */
export async function summaryOf(env, date, signal, now = Date.now()) {
  // Only a real date is ever a KV key.
  if (parseDay(date) !== null) {
    const record = await env.HISTORY.get(date, 'json');
    if (record && !record.failedParts) return { result: record.summary, archived: record.storedAt };
  }
  const result = await fetchDay(env, date, signal);
  if (date <= dayBefore(now - SETTLED_AFTER_MS) && failedPartsOf(result).length === 0 && !storing.has(result)) {
    storing.add(result);
    await storeDay(env, date, result);
  }
  return { result, archived: null };
}

/**
 * The scheduled run: yesterday, the partial days still inside the API's window (a sub-organisation's key
 * failed), then the days inside it that are missing or stored without a snapshot (by /summary), oldest
 * first: at most MAX_FETCHES_PER_RUN days in all, fetched into KV with their snapshots, while `budget`
 * (budget.js) allows. Resolves to {stored: [date], problems: [text], left: [text], why}: a day that could
 * not be fetched at all is not stored (one stored before stays as it was), a partial day is stored with the
 * parts that failed, and either is a problem, so that the run shows as failed until the day is whole. `left`
 * names the days due that this run did not fetch (a partial one with the labels it lacks), and `why` says
 * why: the budget, a rate limit (the API asked to wait, so no further day is asked for), or the cap on days.
 */
export async function runDaily(env, scheduledTime, budget) {
  const { yesterday, earlier, records } = await windowOf(env, scheduledTime);
  const partial = earlier.filter((_, at) => records[at]?.failedParts);
  const lacking = earlier.filter((_, at) => !records[at] || (!records[at].failedParts && !records[at].snapshotBytes));
  const lacks = new Map(earlier.map((date, at) => [date, records[at]?.failedParts?.map(({ label }) => label)]));
  const due = [yesterday, ...partial, ...lacking];
  const stored = [];
  const problems = [];
  const left = [];
  let rateLimited = false;
  for (const date of due.slice(0, MAX_FETCHES_PER_RUN)) {
    if (rateLimited || !budget.allows()) {
      left.push(date);
      continue;
    }
    let fetched;
    try {
      fetched = await budget.day((limits) => fetchDayForArchive(env, date, limits));
    } catch (error) {
      // Cut short by the budget: the next run fetches it, and this one shows as failed, since a day did
      // not fit (a slow or rate-limiting API, or a budget too small for a day).
      if (budget.stopped) {
        left.push(date);
        problems.push(`the report for ${date} was cut short, as ${budget.stopped}`);
        continue;
      }
      const { code, message } = describeFailure(error);
      problems.push(`the report for ${date} could not be fetched (${code}): ${message}`);
      rateLimited = code === 'RATE_LIMITED';
      continue;
    }
    const failedParts = await storeDay(env, date, fetched.result, fetched.snapshot);
    stored.push(date);
    await sendAlert(env, date, env.OPENATHENS_API_NAME, fetched.result.merged ?? fetched.result);
    if (failedParts.length > 0) {
      const which = failedParts.map(({ label, code }) => `${label} (${code})`).join(', ');
      problems.push(`${date} is stored partial, without ${which}; the next run fetches it again while the API still has it`);
      rateLimited = failedParts.some(({ code }) => code === 'RATE_LIMITED');
    }
  }
  const why = budget.stopped ? `the run stopped early: ${budget.stopped}`
    : rateLimited ? 'the API rate-limited the run (429), so it asked for no further day'
      : `a run fetches at most ${MAX_FETCHES_PER_RUN} days`;
  left.push(...due.slice(MAX_FETCHES_PER_RUN));
  const named = left.map((date) => (lacks.get(date) ? `${date} (lacking ${lacks.get(date).join(', ')})` : date));
  return { stored, problems, left: named, why };
}

/**
 * The days a scheduled run at `scheduledTime` looks at: yesterday, and the `earlier` days of the API's
 * window with their headline `records` (null: not stored).
 */
export async function windowOf(env, scheduledTime) {
  const yesterday = dayBefore(scheduledTime);
  const yesterdayMs = parseDay(yesterday);
  const earlier = daysBetween(yesterdayMs - (API_WINDOW_DAYS - 1) * DAY_MS, yesterdayMs - DAY_MS);
  return { yesterday, earlier, records: await inBatches(earlier, (date) => headlineRecord(env, date)) };
}

// At most this many KV reads at once: a day without its headline yet is read whole (a few hundred kB).
const READ_BATCH = 8;

async function inBatches(items, read) {
  const results = [];
  for (let at = 0; at < items.length; at += READ_BATCH) results.push(...(await Promise.all(items.slice(at, at + READ_BATCH).map(read))));
  return results;
}

// A day's headline record (or, under `key`, a sub-organisation's part's); a day stored before headlines
// were kept is read whole, once, and given one.
async function headlineRecord(env, date, key = date) {
  const headline = await env.HISTORY.get(headlineKey(key), 'json');
  if (headline) return headline;
  const record = await env.HISTORY.get(key, 'json');
  if (!record) return null;
  const { storedAt, summary, failedParts, snapshotBytes } = record;
  const made = {
    date,
    storedAt,
    headline: headlineOf(summary),
    ...(failedParts ? { failedParts } : {}),
    ...(snapshotBytes ? { snapshotBytes } : {}),
  };
  await env.HISTORY.put(headlineKey(key), JSON.stringify(made));
  return made;
}

/** The labels of the Worker's sub-organisation keys (OPENATHENS_API_KEYS); [] for one key or none. */
function orgsOf(env) {
  try {
    const keyed = credentials(env);
    return 'keys' in keyed ? keyed.keys.map(({ label }) => label) : [];
  } catch {
    // A Worker without keys still serves what its archive holds.
    return [];
  }
}

/**
 * GET /history?from=yyyy-MM-dd&to=yyyy-MM-dd: each stored day's headline figures and their sums
 * (`totals`), `merged`: the exact Summary of every stored day from `from` to `to` merged from their
 * snapshots (null when none has a readable one; `unmerged` lists the stored days without one, `unreadable` those whose
 * snapshot is damaged, with its error, both left out of `merged`), the days missing, and
 * the stored days that are partial (each names its failedParts), and `failed`: each {date, label, code, message,
 * tries} the dead-letter queue gave up on (queue.js) and no later fetch stored. With full=1, each stored day's whole
 * Summary too, for at most FULL_PAGE_DAYS days from `from`: `next` is then the `from` of the next page, or
 * null; every figure of such a page (`merged`, `totals`, `unmerged`, `unreadable`, `missing`, `partial`) is
 * of the page's days only, from `from` to its `to`. The answer goes to `reader` (access.js) through `answer`,
 * which adds `reader`, what the asker is; a view link's holder asks inside its range (403 OUT_OF_SCOPE).
 * `orgs`: the labels of the sub-organisation keys ([] with one key). With org=<label> (one of `orgs`, else
 * 400 BAD_REQUEST naming them), every figure is of that sub-organisation's parts of the days instead of the
 * merged days (`org` says which): a day without its part is missing, `failed` lists only its label.
 */
export async function history(url, env, reader) {
  // A view link's holder is given its range by default, up to yesterday.
  const { scope } = reader;
  const yesterday = dayBefore(Date.now());
  const to = url.searchParams.get('to') ?? (scope ? (scope.to < yesterday ? scope.to : yesterday) : yesterday);
  const toMs = parseDay(to);
  const from = url.searchParams.get('from') ?? scope?.from ?? (toMs === null ? null : dayOf(toMs - (DEFAULT_DAYS - 1) * DAY_MS));
  const fromMs = parseDay(from);
  const full = url.searchParams.get('full');
  if (full !== null && full !== '1') return errorResponse(400, 'BAD_REQUEST', 'full takes the value 1 (whole Summaries, a page at a time), or is left out.');
  const group = url.searchParams.get('group');
  if (group !== null && group !== 'month') return errorResponse(400, 'BAD_REQUEST', 'group takes the value month (each month\'s Summary), or is left out.');
  const orgs = orgsOf(env);
  const org = url.searchParams.get('org');
  if (org !== null && !orgs.includes(org)) {
    const known = orgs.length > 0 ? `one of ${orgs.map((label) => JSON.stringify(label)).join(', ')}` : 'left out: the Worker has one key, no sub-organisations';
    return errorResponse(400, 'BAD_REQUEST', `org takes a sub-organisation's label (OPENATHENS_API_KEYS), ${known}.`);
  }
  // Where the asked-for archive keeps a day: the merged day, or the sub-organisation's part of it.
  const keyOf = org === null ? (date) => date : (date) => partKey(date, org);
  if (fromMs === null || toMs === null) {
    return errorResponse(400, 'BAD_DATE', 'Give from and to as yyyy-MM-dd dates, e.g. /history?from=2023-06-01&to=2023-06-30.');
  }
  if (fromMs > toMs) return errorResponse(400, 'BAD_DATE', `from (${from}) is after to (${to}).`);
  const outside = outOfScope(reader, from, to);
  if (outside) return outside;
  // Checked by arithmetic before any list is built: 0000-01-01 to 9999-12-31 would be 3.6 million days.
  const today = dayOf(Date.now());
  if (to > today) return errorResponse(400, 'DATE_OUT_OF_RANGE', `${to} is in the future (today is ${today}, UTC): no day after yesterday is ever stored.`);
  const span = (toMs - fromMs) / DAY_MS + 1;
  if (span > MAX_DAYS) {
    return errorResponse(400, 'DATE_OUT_OF_RANGE', `Ask for at most ${MAX_DAYS} days at a time; ${from} to ${to} is ${span}.`);
  }
  const pageEndMs = full ? Math.min(toMs, fromMs + (FULL_PAGE_DAYS - 1) * DAY_MS) : toMs;
  const dates = daysBetween(fromMs, pageEndMs);
  const records = await inBatches(dates, (date) => (full ? env.HISTORY.get(keyOf(date), 'json') : headlineRecord(env, date, keyOf(date))));
  const stored = records.filter(Boolean);
  const days = stored.map((record) => {
    const { date, storedAt, failedParts } = record;
    const headline = record.headline ?? headlineOf(record.summary);
    return { date, storedAt, headline, ...(failedParts ? { failedParts } : {}), ...(full ? { summary: record.summary } : {}) };
  });
  const totals = { days: days.length };
  for (const name of ['events', 'signIns', 'failedSignIns', 'transfers', 'blocked']) {
    totals[name] = days.reduce((sum, day) => sum + day.headline[name], 0);
  }
  let snapshots;
  const months = group ? new MonthMerges() : null;
  const readSnapshot = (date) => env.HISTORY.get(snapshotKey(keyOf(date)), 'arrayBuffer');
  try {
    // A page merges its own days only: merging the whole range again would cost every page of a year the
    // CPU of the year's merge (170 ms a 1M-row day, a minute in all), 53 times over.
    snapshots = await mergeSnapshotsOf(dates, months ? months.tap(readSnapshot) : readSnapshot);
  } catch (error) {
    months?.free();
    const { status, code, message } = describeFailure(error);
    return errorResponse(status, code, `The stored snapshots could not be merged: ${message}`);
  }
  const { merged, without, unreadable } = snapshots;
  const listed = new Set(stored.map((record) => record.date));
  // Dead-lettered (queue.js), until a later fetch stores the label: one KV read, whatever the span.
  const failed = Object.values((await env.HISTORY.get(FAILED_KEY, 'json')) ?? {}).filter(({ date, label }) => {
    const record = records[dates.indexOf(date)];
    if (org !== null) return label === org && dates.includes(date) && !record;
    return dates.includes(date) && !(label === null ? record && !record.failedParts : record?.labels?.includes(label));
  }).map(({ date, label, code, message, tries }) => ({ date, label, code, message, tries }))
    .sort((a, b) => a.date.localeCompare(b.date) || String(a.label).localeCompare(String(b.label)));
  return answer(reader, {
    from,
    to: dayOf(pageEndMs),
    ...(full ? { next: pageEndMs < toMs ? dayOf(pageEndMs + DAY_MS) : null } : {}),
    totals,
    merged,
    unmerged: without.filter((date) => listed.has(date)),
    unreadable,
    days,
    missing: dates.filter((_, at) => !records[at]),
    partial: dates.filter((_, at) => records[at]?.failedParts),
    failed,
    orgs,
    ...(org !== null ? { org } : {}),
    ...(months ? { groups: months.finish((summary) => ({ headline: headlineOf(summary), summary })) } : {}),
  }, {}, { tellReader: true });
}
