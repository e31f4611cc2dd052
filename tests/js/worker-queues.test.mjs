// The Worker on Cloudflare Queues, run by Cloudflare's own local runtime (`wrangler dev --local`, whose
// Miniflare runs the DAYS queue, its dead-letter queue and KV from worker/wrangler.toml): a consortium of
// several sub-organisation keys whose cron only enqueues, a consumer that stores every (label, day) once
// although a fifth of the API's answers are 429 or 503, a day that always fails ending under /history's
// `failed`, and Burst/Spraying alerts to a local webhook. QUEUE_KEYS sets the number of keys (default 3)
// for a larger measured run; the figures go to the log, not into assertions.

import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDemoApi } from '../../demo-api/server.mjs';
import { freePort, startWranglerDev } from '../../scripts/wrangler-dev.mjs';
import { alertOf } from '../../worker/src/alerts.js';
import { ensureGenReport } from './gen-report.mjs';
import { daysAgo } from './workerd.mjs';

const API_NAME = 'consortium.openathens.test';
const KEYS = Array.from({ length: Number(process.env.QUEUE_KEYS) || 3 }, (_, at) => {
  const label = `org${String(at + 1).padStart(2, '0')}`;
  return { label, key: `key-${label}` };
});
// The API's window: yesterday back to 30 days ago; the cron asks for every day of it.
const DATES = Array.from({ length: 30 }, (_, at) => daysAgo(30 - at));
// The (key, date) whose rawreport always answers 503: its message must end in the dead-letter queue.
const DOOMED = { label: KEYS[0].label, key: KEYS[0].key, date: DATES[10] };
// Every FAULT_EVERY-th request through the faulty front answers 429 or 503 (20 %), with Retry-After: 1.
const FAULT_EVERY = 5;
// Waiting for the queue: polls of /history, a second apart; far more than a run needs.
const MAX_POLLS = 900;

let demo;
let front;
let hook;
let worker;
let state;
const faults = { 429: 0, 503: 0, passed: 0 };
const alerts = [];

/** The demo API behind a front that answers 429/503 to every fifth request and always 503 to DOOMED. */
function startFront(target) {
  let seen = 0;
  const server = createServer((req, res) => {
    seen += 1;
    const url = new URL(req.url, 'http://front');
    const doomed = req.headers.authorization === `OAApiKey ${DOOMED.key}` && url.searchParams.get('date') === DOOMED.date;
    if (doomed || seen % FAULT_EVERY === 0) {
      const status = doomed || seen % (2 * FAULT_EVERY) === 0 ? 503 : 429;
      faults[status] += 1;
      return res.writeHead(status, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end(JSON.stringify({ status, message: 'busy' }));
    }
    faults.passed += 1;
    const forward = httpRequest(new URL(req.url, target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ defaultRows: 300, tenants: [{ apiName: API_NAME, keys: KEYS }] });
  // The front keeps the Host header, so the demo's task links lead back through it.
  front = await startFront(demo.url);
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      alerts.push({ path: req.url, body: JSON.parse(body) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((done) => hook.listen(0, '127.0.0.1', done));
  state = await mkdtemp(join(tmpdir(), 'worker-queues-'));
  const port = await freePort();
  worker = await startWranglerDev({
    port,
    persistTo: state,
    vars: {
      OPENATHENS_API_NAME: API_NAME,
      OPENATHENS_BASE_URL: `http://127.0.0.1:${front.address().port}/api/v1`,
      OPENATHENS_API_KEYS: JSON.stringify(KEYS),
      READ_TOKEN: 'queues-read-token',
      ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${hook.address().port}/services/SECRET-PATH`,
    },
  });
});

after(async () => {
  // QUEUE_LOG=<file> keeps wrangler's output (the Worker's log lines) of a measured run.
  if (process.env.QUEUE_LOG && worker) writeFileSync(process.env.QUEUE_LOG, worker.output());
  await worker?.close();
  for (const server of [front, hook]) await new Promise((done) => (server ? server.close(done) : done()));
  await demo?.close();
  if (state) await rm(state, { recursive: true, force: true });
});

async function history(from, to) {
  const response = await fetch(`${worker.url}/history?from=${from}&to=${to}`, { headers: { Authorization: 'Bearer queues-read-token' } });
  assert.equal(response.status, 200);
  return response.json();
}

test('one cron run enqueues one message per (label, day); every day is stored despite 20 % 429/503; the doomed one is failed', { timeout: 1_800_000 }, async () => {
  const started = Date.now();
  const cron = await worker.cron(Date.parse(`${DATES.at(-1)}T03:30:00Z`) + 86_400_000);
  assert.equal(cron.status, 200, cron.text);
  // The Worker's log reaches wrangler's output a moment after the answer.
  const ENQUEUED = /History: enqueued (\d+) \(label, day\) messages/;
  for (let poll = 0; poll < MAX_POLLS && !ENQUEUED.test(worker.output()); poll += 1) await sleep(100);
  const enqueued = ENQUEUED.exec(worker.output());
  assert.equal(Number(enqueued?.[1]), KEYS.length * DATES.length, worker.output().slice(-3000));
  let body;
  for (let poll = 0; poll < MAX_POLLS; poll += 1) {
    body = await history(DATES[0], DATES.at(-1));
    if (body.failed.length > 0 && body.days.length === DATES.length && body.partial.length === 1) break;
    await sleep(1000);
  }
  const seconds = (Date.now() - started) / 1000;
  const output = worker.output();
  const batches = [...output.matchAll(/Queue: the batch of (\d+) made (\d+) subrequests/g)].map((match) => Number(match[2]));
  console.log(`${KEYS.length} keys x ${DATES.length} days: every day stored after ${seconds.toFixed(1)} s; ${batches.length} batches, at most ${Math.max(...batches)} subrequests in one; the front answered ${faults[429]} x 429, ${faults[503]} x 503 and passed ${faults.passed}`);

  assert.equal(body.days.length, DATES.length, JSON.stringify(body.missing));
  assert.deepEqual(body.partial, [DOOMED.date]);
  assert.deepEqual(body.failed.map(({ date, label, code, tries }) => ({ date, label, code, tries })), [{ date: DOOMED.date, label: DOOMED.label, code: 'SERVER', tries: 10 }]);
  assert.match(body.failed[0].message, /HTTP 503/);
  assert.ok(faults[429] > 0 && faults[503] > 0);
  // Each (label, day) stored exactly once: the queue delivered none twice and lost none.
  const stored = [...output.matchAll(/Queue: stored (\S+) for (\S+)\./g)].map((match) => `${match[1]}/${match[2]}`);
  assert.equal(new Set(stored).size, stored.length, 'a (label, day) was stored twice');
  assert.equal(stored.length, KEYS.length * DATES.length - 1);

  // A whole day's record is the exact merge of its keys' reports.
  const date = DATES[3];
  const day = await history(date, date);
  const truth = await demo.mergedTruth({ date, keys: KEYS.map(({ key }) => key) });
  assert.equal(day.merged.rows, truth.rows);
  assert.equal(day.merged.distinctAccounts, truth.distinctAccounts);
  assert.equal(day.days[0].headline.events, truth.rows);
});

test('/history?org=<label> answers one sub-organisation\'s parts: exactly its key\'s days; an unknown label is 400', async () => {
  const get = async (query) => {
    const response = await fetch(`${worker.url}/history?${query}`, { headers: { Authorization: 'Bearer queues-read-token' } });
    return { status: response.status, body: await response.json() };
  };
  const range = `from=${DATES[0]}&to=${DATES.at(-1)}`;
  const all = await get(range);
  assert.deepEqual(all.body.orgs, KEYS.map(({ label }) => label));
  const { label, key } = KEYS.find(({ label: which }) => which !== DOOMED.label);
  const one = await get(`${range}&org=${label}`);
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.equal(one.body.org, label);
  assert.deepEqual(one.body.days.map(({ date }) => date), DATES);
  const truth = await demo.rangeTruth({ dates: DATES, keys: [key] });
  assert.equal(one.body.merged.rows, truth.rows);
  assert.equal(one.body.merged.distinctAccounts, truth.distinctAccounts);
  assert.equal(one.body.totals.events, truth.rows);
  assert.deepEqual(one.body.failed, []);
  // The doomed label lacks its doomed day, which is listed under its failed, not another label's.
  const doomed = await get(`${range}&org=${DOOMED.label}&group=month`);
  assert.deepEqual(doomed.body.missing, [DOOMED.date]);
  assert.deepEqual(doomed.body.failed.map(({ date, label: which }) => `${date}/${which}`), [`${DOOMED.date}/${DOOMED.label}`]);
  assert.equal(doomed.body.groups.reduce((sum, group) => sum + group.headline.events, 0), doomed.body.totals.events);
  const unknown = await get(`${range}&org=nobody`);
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.code, 'BAD_REQUEST');
  assert.match(unknown.body.error.message, new RegExp(`"${KEYS[0].label}"`));
});

test('the webhook gets one alert per stored (label, day) with flagged rows, without ids, its secret path never logged', async () => {
  const expected = [];
  for (const date of DATES) {
    for (const { label, key } of KEYS) {
      if (label === DOOMED.label && date === DOOMED.date) continue;
      const alert = alertOf({}, date, label, await demo.truth({ date, key }));
      if (alert) expected.push(`${date}/${label}`);
    }
  }
  assert.ok(expected.length > 0, 'the demo days have no Burst or Spraying rows to alert on');
  assert.deepEqual(alerts.map(({ body }) => `${body.date}/${body.org}`).sort(), expected.sort());
  for (const { body } of alerts) {
    assert.deepEqual(Object.keys(body).sort(), ['bursts', 'date', 'link', 'org', 'spraying', 'text']);
    for (const row of [...body.bursts, ...body.spraying]) assert.ok(!('account' in row) && !('ip' in row), JSON.stringify(row));
  }
  assert.doesNotMatch(worker.output(), /SECRET-PATH/);
});

test('alerts carry account ids and IP addresses only with ALERT_INCLUDE_IDS = "true"', async () => {
  const summary = await demo.truth({ date: DATES[0], key: KEYS[0].key });
  const flagged = {
    ...summary,
    security: {
      ...summary.security,
      byAccount: [{ account: 'alice@example.org', failed: 12, succeeded: 0, ips: 1, countries: 1, maxFailedIn10Min: 12, firstFailure: null, lastFailure: null }],
      byIp: [{ ip: '203.0.113.9', failed: 9, succeeded: 0, accounts: 7, maxFailedIn10Min: 3, firstFailure: null, lastFailure: null }],
    },
  };
  const without = alertOf({}, DATES[0], 'org01', flagged);
  assert.doesNotMatch(JSON.stringify(without), /alice|203\.0\.113/);
  assert.equal(without.bursts.length, 1);
  assert.equal(without.spraying.length, 1);
  assert.match(without.text, /^OpenAthens org01, \d{4}-\d{2}-\d{2}: 1 burst of failed sign-ins and 1 address password spraying\.$/);
  const withIds = alertOf({ ALERT_INCLUDE_IDS: 'true' }, DATES[0], 'org01', flagged);
  assert.equal(withIds.bursts[0].account, 'alice@example.org');
  assert.equal(withIds.spraying[0].ip, '203.0.113.9');
});
