// What /history and /summary give away, and how /history copes with its archive, in workerd against the
// demo API: without the read token no answer names an account or an IP address, whatever the route or
// page; only access.js takes `security` out; a damaged day snapshot costs that day, not the range; a
// full=1 page merges its own days only. Needs www/pkg (make build) and gen-report (built here unless
// GEN_REPORT names one).

import assert from 'node:assert/strict';
import { readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { REPO, daysAgo, startWorker } from './workerd.mjs';

const READ_TOKEN = 'history-read-token';
const AUTHORIZED = { Authorization: `Bearer ${READ_TOKEN}` };
// What one cron run fetches into an empty archive: yesterday and the 7 oldest days of the API's window.
const FETCHED = [30, 29, 28, 27, 26, 25, 24, 1].map(daysAgo);

let demo;
let open;
let trusted;

async function cronRun(worker) {
  const run = await fetch(`${worker.cronUrl}/?scheduledTime=${Date.now()}`, { method: 'POST' });
  assert.equal(run.status, 200, worker.output());
}

before(async () => {
  ensureGenReport();
  // No wait while a report is generated: the runs below fetch 8 days each.
  demo = await startDemoApi({ generationWaitMs: 0 });
  const common = { OPENATHENS_API_NAME: demo.apiName, OPENATHENS_BASE_URL: demo.baseUrl, OPENATHENS_API_KEY: 'demo-key', ALLOWED_ORIGINS: 'http://127.0.0.1:1' };
  [open, trusted] = await Promise.all([
    startWorker({ ...common, PUBLIC_SUMMARY: 'true' }),
    startWorker({ ...common, READ_TOKEN }),
  ]);
  await cronRun(open);
  await cronRun(trusted);
});

after(async () => {
  await Promise.all([open?.close(), trusted?.close()]);
  await demo?.close();
});

async function text(worker, path, headers = {}) {
  const response = await fetch(`${worker.url}${path}`, { headers });
  const body = await response.text();
  assert.equal(response.status, 200, `${path}: ${body}`);
  return body;
}

// Every page of /history?full=1 from `from` to `to`, as their JSON texts.
async function fullPages(worker, from, to, headers) {
  const pages = [];
  for (let next = from; next !== null;) {
    pages.push(await text(worker, `/history?from=${next}&to=${to}&full=1`, headers));
    next = JSON.parse(pages.at(-1)).next;
  }
  return pages;
}

// The account ids and IP addresses the truth's `security` names for `dates`.
async function identifiersOf(dates) {
  const found = new Set();
  for (const date of dates) {
    const { security } = await demo.truth({ date });
    for (const entry of [...security.byAccount, ...security.spread]) found.add(entry.account);
    for (const entry of security.byIp) found.add(entry.ip);
  }
  found.delete('');
  return [...found];
}

describe('security goes only to holders of the read token', () => {
  // Every answer with the org's figures: the whole range, each full=1 page, a stored and a fetched day.
  const answers = async (worker, headers) => [
    await text(worker, `/history?from=${daysAgo(30)}&to=${daysAgo(1)}`, headers),
    await text(worker, '/history', headers),
    ...(await fullPages(worker, daysAgo(30), daysAgo(1), headers)),
    await text(worker, `/summary?date=${daysAgo(1)}`, headers),
    await text(worker, `/summary?date=${daysAgo(3)}`, headers),
  ];

  test('with PUBLIC_SUMMARY and no READ_TOKEN, no answer names an account or an IP address', async () => {
    const identifiers = await identifiersOf([...FETCHED, daysAgo(3)]);
    assert.ok(identifiers.length > 20, `the truth names accounts and IPs: ${identifiers.length}`);
    for (const body of await answers(open)) {
      const named = identifiers.filter((identifier) => body.includes(JSON.stringify(identifier)));
      assert.deepEqual(named, [], body.slice(0, 200));
      // The one `security` left is /history's word to the reader about itself (`reader.security: false`).
      assert.ok(!/"security"/.test(body.replace('"reader":{"kind":"public","security":false,"mayShare":false}', '')), body.slice(0, 200));
    }
  });

  test('with the READ_TOKEN, every answer carries security, equal to the truth', async () => {
    const identifiers = await identifiersOf([...FETCHED, daysAgo(3)]);
    for (const body of await answers(trusted, AUTHORIZED)) {
      // A page of days never stored has no figures to carry.
      if (JSON.parse(body).days?.length === 0) continue;
      assert.ok(identifiers.some((identifier) => body.includes(JSON.stringify(identifier))), body.slice(0, 200));
    }
    const range = JSON.parse(await text(trusted, `/history?from=${daysAgo(30)}&to=${daysAgo(1)}`, AUTHORIZED));
    assert.deepEqual(range.merged, await demo.rangeTruth({ dates: FETCHED }));
  });

  test('no module of the Worker but the gate (access.js) takes security out by itself', () => {
    const sources = readdirSync(join(REPO, 'worker/src')).filter((file) => file.endsWith('.js') && file !== 'access.js');
    assert.ok(sources.includes('history.js'), sources.join(' '));
    for (const file of sources) {
      // Comments may speak of it; code that names `security` is a second gate, or a leak.
      const code = readFileSync(join(REPO, 'worker/src', file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      assert.ok(!/\bsecurity\b/.test(code), `worker/src/${file} names security: only access.js decides who sees it`);
    }
  });
});

// The truth a reader without the read token gets: without `security`.
async function publicRangeTruth(dates) {
  const { security, ...open } = await demo.rangeTruth({ dates });
  return open;
}

describe('/history?full=1', () => {
  test('a page merges its own days only, not the whole range again', async () => {
    const range = `to=${daysAgo(1)}&full=1`;
    const first = JSON.parse(await text(trusted, `/history?from=${daysAgo(30)}&${range}`, AUTHORIZED));
    assert.deepEqual([first.from, first.to], [daysAgo(30), daysAgo(24)]);
    assert.deepEqual(first.merged, await demo.rangeTruth({ dates: [30, 29, 28, 27, 26, 25, 24].map(daysAgo) }));
    // Days 23 to 17 were never stored: the page has nothing to merge, whatever the range holds after it.
    const empty = JSON.parse(await text(trusted, `/history?from=${daysAgo(23)}&${range}`, AUTHORIZED));
    assert.deepEqual([empty.merged, empty.days, empty.missing.length], [null, [], 7]);
    const last = JSON.parse(await text(trusted, `/history?from=${daysAgo(2)}&${range}`, AUTHORIZED));
    assert.deepEqual(last.merged, await demo.truth({ date: daysAgo(1) }));
  });
});

describe('a damaged archive', () => {
  test('a truncated day snapshot is listed as unreadable; /history answers the rest, merged without it', async () => {
    const damaged = daysAgo(27);
    const path = join(open.historyDir, `${damaged}.snapshot`);
    const whole = readFileSync(path);
    truncateSync(path, Math.floor(whole.length / 2));
    try {
      const body = JSON.parse(await text(open, `/history?from=${daysAgo(30)}&to=${daysAgo(1)}`));
      assert.deepEqual(body.unreadable.map(({ date, error }) => [date, error.code]), [[damaged, 'BAD_SNAPSHOT']]);
      assert.ok(body.unreadable[0].error.message.length > 0);
      assert.ok(body.days.some((day) => day.date === damaged), 'the day is still listed with its headline');
      assert.ok(!body.unmerged.includes(damaged), 'it has a snapshot, only not a whole one');
      assert.deepEqual(body.merged, await publicRangeTruth(FETCHED.filter((date) => date !== damaged)));

      const page = JSON.parse(await text(open, `/history?from=${daysAgo(30)}&to=${daysAgo(1)}&full=1`));
      assert.deepEqual(page.unreadable.map(({ date }) => date), [damaged]);
      assert.equal(page.days.length, 7);

      const alone = JSON.parse(await text(open, `/history?from=${damaged}&to=${damaged}`));
      assert.equal(alone.merged, null, 'nothing merged is no Summary');
      assert.deepEqual(alone.unreadable.map(({ date }) => date), [damaged]);
    } finally {
      writeFileSync(path, whole);
    }
  });
});
