// /history?group=month in workerd, against the demo reports API: each month's Summary of the stored days
// inside the range, exactly the generator's merge of those days, in month order; the security section only
// for a reader with the right; group of another value refused.

import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { daysAgo, startWorker } from './workerd.mjs';

const READ_TOKEN = 'months-read-token';
// The cron fetches yesterday and 7 more days a run: five runs fill the API's 30-day window.
const CRON_RUNS = 5;

let demo;
let open;
let trusted;

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ defaultRows: 1500 });
  const common = { OPENATHENS_API_NAME: demo.apiName, OPENATHENS_BASE_URL: demo.baseUrl, OPENATHENS_API_KEY: 'demo-key', ALLOWED_ORIGINS: 'https://library.example.edu' };
  [open, trusted] = await Promise.all([
    startWorker({ ...common, PUBLIC_SUMMARY: 'true' }),
    startWorker({ ...common, READ_TOKEN }),
  ]);
  for (const worker of [open, trusted]) {
    for (let run = 0; run < CRON_RUNS; run += 1) {
      const response = await fetch(`${worker.cronUrl}/?scheduledTime=${Date.now()}`, { method: 'POST' });
      assert.equal(response.status, 200, worker.output());
    }
  }
});

after(async () => {
  await Promise.all([open?.close(), trusted?.close()]);
  await demo?.close();
});

const authorised = { headers: { Authorization: `Bearer ${READ_TOKEN}` } };

/** The stored days of `body`, by month, in order. */
function monthsOf(body) {
  const months = new Map();
  for (const { date } of body.days) months.set(date.slice(0, 7), [...(months.get(date.slice(0, 7)) ?? []), date]);
  return months;
}

test('group=month gives each month’s exact Summary of the stored days in the range, in month order', async () => {
  // From the middle of the window, so the first month is cut by `from`.
  const [from, to] = [daysAgo(25), daysAgo(1)];
  const body = await (await fetch(`${trusted.url}/history?from=${from}&to=${to}&group=month`, authorised)).json();
  assert.equal(body.days.length, 25, 'the cron filled the window');
  const months = monthsOf(body);
  assert.deepEqual(body.groups.map((group) => group.month), [...months.keys()]);
  for (const group of body.groups) {
    const dates = months.get(group.month);
    const truth = await demo.rangeTruth({ dates });
    assert.deepEqual(group.summary, truth, `${group.month}: the merge of ${dates.join(', ')}`);
    assert.ok(group.summary.security, 'a reader with the token sees security');
    assert.deepEqual(group.headline, {
      events: truth.rows,
      signIns: truth.authentications.total,
      failedSignIns: truth.authentications.failed,
      transfers: truth.transfers.total,
      blocked: truth.transfers.blockedRestrictive,
      distinctAccounts: truth.distinctAccounts,
      distinctIps: truth.distinctIps,
    });
  }
  assert.deepEqual(body.merged, await demo.rangeTruth({ dates: body.days.map((day) => day.date) }), 'the range’s own merge is unchanged');
});

test('without the security right, no month’s Summary carries the security section', async () => {
  const body = await (await fetch(`${open.url}/history?from=${daysAgo(30)}&to=${daysAgo(1)}&group=month`)).json();
  const months = monthsOf(body);
  assert.ok(body.groups.length >= 1);
  for (const group of body.groups) {
    assert.equal(group.summary.security, undefined, group.month);
    const { security, ...readable } = await demo.rangeTruth({ dates: months.get(group.month) });
    assert.deepEqual(group.summary, readable);
  }
});

test('a month with no stored day has no group; without group, no groups; another group is refused', async () => {
  const none = await (await fetch(`${trusted.url}/history?from=${daysAgo(200)}&to=${daysAgo(150)}&group=month`, authorised)).json();
  assert.deepEqual(none.groups, []);
  assert.equal(none.merged, null);
  const plain = await (await fetch(`${trusted.url}/history?from=${daysAgo(3)}&to=${daysAgo(1)}`, authorised)).json();
  assert.equal(plain.groups, undefined);
  const refused = await fetch(`${trusted.url}/history?group=week`, authorised);
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).error.code, 'BAD_REQUEST');
});

test('a damaged day is left out of its month as out of the range’s merge; a month of only that day has no group', async () => {
  const damaged = daysAgo(5);
  const path = join(trusted.historyDir, `${damaged}.snapshot`);
  const whole = readFileSync(path);
  truncateSync(path, Math.floor(whole.length / 2));
  try {
    const body = await (await fetch(`${trusted.url}/history?from=${daysAgo(12)}&to=${daysAgo(1)}&group=month`, authorised)).json();
    assert.deepEqual(body.unreadable.map(({ date }) => date), [damaged]);
    const months = monthsOf(body);
    for (const group of body.groups) {
      const dates = months.get(group.month).filter((date) => date !== damaged);
      assert.deepEqual(group.summary, await demo.rangeTruth({ dates }), group.month);
    }
    const alone = await (await fetch(`${trusted.url}/history?from=${damaged}&to=${damaged}&group=month`, authorised)).json();
    assert.deepEqual(alone.groups, []);
  } finally {
    writeFileSync(path, whole);
  }
});
