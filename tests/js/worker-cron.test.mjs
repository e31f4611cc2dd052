// The cron run's budget (worker/src/budget.js) in workerd: an API that answers 429 or 503 for every day
// and key makes a run stop within CRON_MAX_SUBREQUESTS and CRON_MAX_SECONDS, log what it left (no key), and
// the next run fetch what was left. Asserts on the log and on the requests the API received, not on time.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DAY_MS, startWorker } from './workerd.mjs';

const API_NAME = 'budget.openathens.test';
const KEYS = [
  { label: 'north', key: 'cron-key-north-0123456789' },
  { label: 'south', key: 'cron-key-south-0123456789' },
  { label: 'east', key: 'cron-key-east-0123456789' },
];

// A reports API whose answer to every task request is `api.fault` ({status, retryAfter}) while one is
// set, and otherwise a finished task and a one-row report of the day asked for; it counts what it received.
async function startApi() {
  const api = { fault: null, requests: 0, close: null };
  const server = createServer((req, res) => {
    api.requests += 1;
    const url = new URL(req.url, 'http://api');
    const download = /\/rawreport\/(\d{4})-(\d{2})-(\d{2})$/.exec(url.pathname);
    if (download) {
      const [, year, month, day] = download;
      const csv = `date,action,status,account.accountid\n${day}/${month}/${year}T10:00:00,AUTHENTICATE,SUCCESS,a1\n`;
      return res.writeHead(200, { 'Content-Type': 'application/gzip' }).end(gzipSync(csv));
    }
    if (api.fault) return res.writeHead(api.fault.status, { 'Retry-After': String(api.fault.retryAfter) }).end('{"message": "busy"}');
    const href = `http://127.0.0.1:${server.address().port}/api/v1/${API_NAME}/rawreport/${url.searchParams.get('date')}`;
    res.writeHead(200, { 'Content-Type': 'application/vnd.eduserv.iam.reports.task-v1+json' });
    return res.end(JSON.stringify({ status: 'FINISHED', percentComplete: 100, links: [{ rel: 'DOWN', href }] }));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  api.baseUrl = `http://127.0.0.1:${server.address().port}/api/v1`;
  api.close = () => {
    server.closeAllConnections();
    return new Promise((done) => server.close(done));
  };
  return api;
}

let api;
before(async () => {
  api = await startApi();
});
after(() => api.close());

// The 03:30 UTC run of today: yesterday and the 29 days before it are due, 8 of them a run.
const scheduledTime = Math.floor(Date.now() / DAY_MS) * DAY_MS + 3.5 * 3_600_000;
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const yesterday = dayOf(scheduledTime - DAY_MS);

// The run's log, once its last line (made N subrequests, or failed) has come: workerd's log may trail the
// answer; and whether the run counted as failed.
async function runCron(worker) {
  const before = worker.output().length;
  const answer = await fetch(`${worker.cronUrl}/?scheduledTime=${scheduledTime}`, { method: 'POST' });
  const { outcome } = await answer.json();
  const log = () => worker.output().slice(before);
  for (let polls = 0; polls < 100 && !/History: the run (made \d+ subrequests|failed)/.test(log()); polls += 1) {
    await new Promise((done) => setTimeout(done, 20));
  }
  return { log: log(), failed: outcome !== 'ok' };
}

function leftIn(log) {
  const line = /left for the next run: (.*)\.$/m.exec(log);
  assert.ok(line, `the run names what it left:\n${log}`);
  return line[1].split(', ');
}

const storedIn = (log) => [...log.matchAll(/stored the summary for (\S+)\./g)].map((match) => match[1]);

function workerFor(settings = {}) {
  return startWorker({
    OPENATHENS_API_NAME: API_NAME,
    OPENATHENS_API_KEYS: JSON.stringify(KEYS),
    OPENATHENS_BASE_URL: api.baseUrl,
    ALLOWED_ORIGINS: 'http://127.0.0.1',
    PUBLIC_SUMMARY: 'true',
    ...settings,
  });
}

function assertNoKey(log) {
  for (const { key } of KEYS) assert.ok(!log.includes(key), 'no key in the log');
}

test('a run through 503s stops within CRON_MAX_SUBREQUESTS (default 45), names the days left, and the next run fetches them', { timeout: 120_000 }, async () => {
  const worker = await workerFor();
  try {
    // Every task request fails, retried at once: 5 tries per key and day, 120 requests for 8 days of 3 keys.
    api.fault = { status: 503, retryAfter: 0 };
    api.requests = 0;
    const { log: first } = await runCron(worker);
    assert.ok(api.requests <= 45, `${api.requests} requests in one run`);
    assert.match(first, /stopped early: .*CRON_MAX_SUBREQUESTS/);
    const left = leftIn(first);
    assert.equal(storedIn(first).length, 0);
    assertNoKey(first);

    api.fault = null;
    api.requests = 0;
    const { log: second } = await runCron(worker);
    // A day of 3 keys costs 6 requests (task and download each): 7 days fit in 45.
    const stored = storedIn(second);
    assert.equal(stored.length, 7, second);
    assert.equal(api.requests, 42);
    assert.ok(stored.includes(yesterday));
    // The days the first run left are fetched in the order it named them, after the ones it tried.
    const reached = left.filter((date) => stored.includes(date));
    assert.ok(reached.length > 0, `${left} against ${stored}`);
    assert.deepEqual(reached, left.slice(0, reached.length));
    assert.deepEqual(leftIn(second), left.slice(reached.length));
  } finally {
    await worker.close();
  }
});

test('a 429 whose Retry-After ends past CRON_MAX_SECONDS is not waited out, and the run asks for no further day', { timeout: 60_000 }, async () => {
  const worker = await workerFor({ CRON_MAX_SECONDS: '60' });
  try {
    // The API: 429 with Retry-After: 120 (within the engine's 2 minutes, but past the run's 60 s).
    api.fault = { status: 429, retryAfter: 120 };
    api.requests = 0;
    const { log } = await runCron(worker);
    // Yesterday's three keys, once each.
    assert.equal(api.requests, KEYS.length, log);
    assert.match(log, new RegExp(`the report for ${yesterday} could not be fetched \\(RATE_LIMITED\\)`));
    assert.match(log, /rate-limited the run \(429\)/);
    const left = leftIn(log);
    assert.equal(left.length, 29, 'every other day of the window is left');
    assert.ok(!left.includes(yesterday));
    assertNoKey(log);
  } finally {
    api.fault = null;
    await worker.close();
  }
});

test('a day the budget cuts short is left for the next run and fails this one', async () => {
  const worker = await workerFor({ CRON_MAX_SUBREQUESTS: '4' });
  try {
    api.fault = { status: 503, retryAfter: 0 };
    api.requests = 0;
    const { log, failed } = await runCron(worker);
    assert.ok(failed);
    // The request that would have been the fifth is never sent; one in flight beside it may be aborted unsent.
    assert.ok(api.requests >= 3 && api.requests <= 4, `${api.requests} requests`);
    assert.match(log, new RegExp(`the report for ${yesterday} was cut short, as it used its 4 subrequests`));
    assert.equal(leftIn(log)[0], yesterday);
  } finally {
    api.fault = null;
    await worker.close();
  }
});

test('CRON_MAX_SUBREQUESTS that is not a whole number fails the run with CONFIG, before any request', async () => {
  const worker = await workerFor({ CRON_MAX_SUBREQUESTS: '4.5' });
  try {
    api.requests = 0;
    const { log } = await runCron(worker);
    assert.match(log, /CRON_MAX_SUBREQUESTS must be a whole number/);
    assert.equal(api.requests, 0);
  } finally {
    await worker.close();
  }
});
