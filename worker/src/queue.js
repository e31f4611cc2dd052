// The daily work on Cloudflare Queues, when the Worker has the DAYS binding (wrangler.toml): the cron only
// enqueues one message {label, date} per key and day due, and queue() fetches one (label, date) per
// message, so an invocation spends a batch of organisation-days' subrequests and CPU, not the whole run's.
// Without DAYS, runDaily (history.js) does it all inside the cron run, within its RunBudget.
//
// KV layout, beside history.js's `<date>`, `<date>.headline` and `<date>.snapshot`, which stay the whole
// day's record for every reader. With sub-organisation keys (OPENATHENS_API_KEYS):
// - `<date>/<label>`: {date, label, storedAt, summary}, one sub-organisation's part of the day,
//   `<date>/<label>.snapshot`, its snapshot, and `<date>/<label>.headline`, its headline (/history?org=). After a part is stored, the day's record, headline and snapshot
//   are merged again from every part present (its `labels`), so a part stored later never loses one stored
//   before; a label not stored yet is among the day's failedParts with code PENDING.
// - `<date>/<label>.failure`: {code, message, tries} of the label's last failed try, for the dead-letter
//   consumer; deleted once the part is stored.
// - `failed` (FAILED_KEY): {"<date>/<label>": {date, label, code, message, tries}}, every message the
//   dead-letter queue received; /history lists those whose label is still not stored.
// With one key (OPENATHENS_API_KEY) the label is null and a message stores the day as runDaily does.
// Only one consumer invocation runs at a time (max_concurrency = 1): KV has no transactions, and merging a
// day again is a read-modify-write.

import { sendAlert } from './alerts.js';
import { ConfigError, credentials } from './config.js';
import { describeFailure, fetchDayForArchive } from './engine.js';
import { FAILED_KEY, mergeDay, partKey, storeDay, storePart, windowOf } from './history.js';

/** The dead-letter queue's name (wrangler.toml), to tell its batches from the DAYS queue's. */
export const DEAD_LETTER_QUEUE = 'openathens-days-dlq';
// Messages per sendBatch call: the most Queues takes at once.
const SEND_BATCH = 100;
// The wait before retrying a try that failed without Retry-After: doubling from this, up to MAX_RETRY_DELAY.
const FIRST_RETRY_DELAY_S = 30;
// Queues delays a message at most 12 hours.
const MAX_RETRY_DELAY_S = 12 * 60 * 60;

const failureKey = (date, label) => `${date}/${label ?? ''}.failure`;

/** The labels of the Worker's keys: its sub-organisations', or [null] for its one key. */
function labelsOf(env) {
  const keyed = credentials(env);
  return 'keys' in keyed ? keyed.keys.map(({ label }) => label) : [null];
}

/** The labels of `labels` a day's headline `record` (null: not stored) lacks. */
function lacking(labels, record) {
  if (record?.labels) return labels.filter((label) => !record.labels.includes(label));
  // Stored whole by runDaily, or never: a day runDaily stored partial holds its parts in one record that a
  // part cannot be merged into, so it is fetched again label by label.
  return record && !record.failedParts && record.snapshotBytes ? [] : labels;
}

/**
 * The cron's work with a DAYS queue: one message {label, date} for each label yesterday lacks and each
 * label a day inside the API's window lacks (missing, partial, or stored without a snapshot); sent at most
 * SEND_BATCH at a time. Resolves to the messages sent.
 */
export async function enqueueDays(env, scheduledTime) {
  const labels = labelsOf(env);
  const { yesterday, earlier, records } = await windowOf(env, scheduledTime);
  const due = [yesterday, ...earlier];
  const all = [null, ...records];
  const messages = due.flatMap((date, at) => lacking(labels, all[at]).map((label) => ({ body: { label, date } })));
  for (let at = 0; at < messages.length; at += SEND_BATCH) await env.DAYS.sendBatch(messages.slice(at, at + SEND_BATCH));
  return messages.map(({ body }) => body);
}

/** Seconds to wait for a `Retry-After` value (delay-seconds or an HTTP-date), or null when it is neither. */
function retryAfterSeconds(value, now = Date.now()) {
  if (value === null) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Fetches one (label, date): its result and snapshot, or {failure: {code, message}, delaySeconds}. A 429 or
 * 503 ends the try at once (the engine would wait for it inside the invocation): the queue retries the
 * message after the answer's Retry-After instead. `count` is called once per subrequest.
 */
async function fetchOne(env, { label, date }, attempts, count) {
  const keyed = credentials(env);
  const key = label === null ? null : 'keys' in keyed ? keyed.keys.find((entry) => entry.label === label) : undefined;
  if (key === undefined) throw new ConfigError(`The Worker has no key labelled ${JSON.stringify(label)} (OPENATHENS_API_KEYS).`);
  const controller = new AbortController();
  /** @type {{status: number, retryAfter: number | null} | null} */
  let limited = null;
  const fetchCounted = async (url, init) => {
    count();
    const response = await fetch(url, init);
    if (response.status === 429 || response.status === 503) {
      limited = { status: response.status, retryAfter: retryAfterSeconds(response.headers.get('Retry-After')) };
      controller.abort();
    }
    return response;
  };
  const credentialsOf = key ? { apiName: keyed.apiName, apiKey: key.key } : keyed;
  try {
    return await fetchDayForArchive(env, date, { fetch: fetchCounted, signal: controller.signal }, credentialsOf);
  } catch (error) {
    const backoff = Math.min(MAX_RETRY_DELAY_S, FIRST_RETRY_DELAY_S * 2 ** (attempts - 1));
    if (limited) {
      const code = limited.status === 429 ? 'RATE_LIMITED' : 'SERVER';
      const delaySeconds = Math.min(MAX_RETRY_DELAY_S, limited.retryAfter ?? backoff);
      return { failure: { code, message: `The API answered HTTP ${limited.status} (try ${attempts}).` }, delaySeconds };
    }
    const { code, message } = describeFailure(error);
    return { failure: { code, message }, delaySeconds: backoff };
  }
}

/**
 * Stores a label's part and merges the day again from every part present. Resolves to the summary the
 * alert is about: the label's own (or the day's, with one key).
 */
async function storeFetched(env, date, label, fetched) {
  if (label === null) await storeDay(env, date, fetched.result, fetched.snapshot);
  else {
    await storePart(env, date, label, fetched);
    await mergeDay(env, date, labelsOf(env));
  }
  return fetched.result;
}

/**
 * queue() for DAYS: every message's day fetched at once, then each stored in turn (merging a day is not
 * safe to run twice at once), its failure noted and the message retried after the delay it called for.
 */
export async function consumeDays(batch, env) {
  let subrequests = 0;
  const count = () => {
    subrequests += 1;
  };
  const labelled = (label) => (label === null ? env.OPENATHENS_API_NAME : label);
  const fetched = await Promise.all(batch.messages.map(async (message) => {
    try {
      return await fetchOne(env, message.body, message.attempts, count);
    } catch (error) {
      return { config: error };
    }
  }));
  for (const [at, message] of batch.messages.entries()) {
    const { label, date } = message.body;
    const got = fetched[at];
    if (got.config) {
      // A label no longer configured (or a Worker without keys): retrying changes nothing.
      console.error(`Queue: ${date} for ${labelled(label)} is dropped: ${got.config.message}`);
      message.ack();
    } else if (got.failure) {
      await env.HISTORY.put(failureKey(date, label), JSON.stringify({ ...got.failure, tries: message.attempts }));
      console.error(`Queue: ${date} for ${labelled(label)} failed (${got.failure.code}), try ${message.attempts}; retried in ${got.delaySeconds} s: ${got.failure.message}`);
      message.retry({ delaySeconds: got.delaySeconds });
    } else {
      const summary = await storeFetched(env, date, label, got);
      await env.HISTORY.delete(failureKey(date, label));
      console.log(`Queue: stored ${date} for ${labelled(label)}.`);
      message.ack();
      await sendAlert(env, date, labelled(label), summary);
    }
  }
  console.log(`Queue: the batch of ${batch.messages.length} made ${subrequests} subrequests to the API.`);
}

/**
 * queue() for the dead-letter queue: each message's (date, label) is recorded under FAILED_KEY with the
 * reason of its last try, so /history lists it as failed.
 */
export async function recordDeadLetters(batch, env) {
  const failed = (await env.HISTORY.get(FAILED_KEY, 'json')) ?? {};
  for (const message of batch.messages) {
    const { label, date } = message.body;
    const last = await env.HISTORY.get(failureKey(date, label), 'json');
    const reason = last ?? { code: 'SERVER', message: 'The queue gave up on this day; no try recorded why.', tries: null };
    failed[partKey(date, label ?? '')] = { date, label, code: reason.code, message: reason.message, tries: reason.tries };
    console.error(`Queue: gave up on ${date} for ${label ?? env.OPENATHENS_API_NAME} after ${reason.tries} tries (${reason.code}): ${reason.message}`);
  }
  await env.HISTORY.put(FAILED_KEY, JSON.stringify(failed));
  batch.ackAll();
}
