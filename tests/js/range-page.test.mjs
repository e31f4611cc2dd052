// The page's Date range in headless Chromium against the demo API: the presets, a range fetched in the pool
// with its by-day chart and days table and an exact merge, the same range again from this device's cache
// with no API request at all, and Forget emptying the cache, even of a range still being fetched; a cached day
// is served only for the base URL and key that fetched it, and unticking Remember empties the cache.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { loadWasm } from './fetch-harness.mjs';

const DAY_MS = 86_400_000;
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);

let demo;
let browser;
const apiRequests = [];

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ root: 'www', defaultRows: 2000, log: (line) => { if (line.includes('/api/v1/')) apiRequests.push(line); } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

async function openPage(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.problems = problems;
  await page.goto(demo.url);
  await page.waitForFunction(() => document.getElementById('api-name').value !== '');
  return page;
}

const digits = (text) => Number(text.replace(/\D/g, ''));

async function fetchRange(page, from, to) {
  await page.getByLabel('Date range').selectOption('custom');
  await page.getByLabel('From', { exact: true }).fill(from);
  await page.getByLabel('To', { exact: true }).fill(to);
  await page.getByRole('button', { name: 'Fetch report' }).click();
  const done = page.locator('#progress-text', { hasText: /^Done: / });
  await done.waitFor({ timeout: 60_000 });
  return done.textContent();
}

// Every record of the page's IndexedDB database, read without creating it (an open of a missing database
// would make an empty one the page could not upgrade); Uint8Arrays and CryptoKeys become text.
function storedRecords(page) {
  return page.evaluate(async () => {
    if (!(await indexedDB.databases()).some((db) => db.name === 'openathens-rawstats')) return [];
    const request = (req) => new Promise((resolve, reject) => { req.onsuccess = () => resolve(req.result); req.onerror = () => reject(req.error); });
    const db = await request(indexedDB.open('openathens-rawstats'));
    const text = (value) => JSON.stringify(value, (_, item) => {
      if (item instanceof Uint8Array) return Array.from(item, (byte) => byte.toString(16).padStart(2, '0')).join('');
      if (item instanceof CryptoKey) return `CryptoKey ${item.type} ${item.algorithm.name} extractable=${item.extractable}`;
      return item;
    });
    try {
      const records = [];
      for (const store of db.objectStoreNames) {
        const keys = await request(db.transaction(store).objectStore(store).getAllKeys());
        const values = await request(db.transaction(store).objectStore(store).getAll());
        keys.forEach((key, at) => records.push({ store, key: text(key), value: text(values[at]) }));
      }
      return records;
    } finally {
      db.close();
    }
  });
}

const storedDays = async (page) => (await storedRecords(page)).filter((record) => record.store === 'days');

test('the presets set From and To inside the window the engine gives', async () => {
  const context = await browser.newContext();
  const page = await openPage(context);
  const { reportDateWindow } = await loadWasm();
  const window = reportDateWindow();
  const value = (label) => page.getByLabel(label, { exact: true }).inputValue();
  for (const [preset, from] of [['yesterday', window.max], ['7', dayOf(Date.parse(window.max) - 6 * DAY_MS)], ['30', window.min]]) {
    await page.getByLabel('Date range').selectOption(preset);
    assert.deepEqual([await value('From'), await value('To')], [from, window.max], preset);
  }
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a range: chart and days table, merged exactly; again from the cache with no request; Forget empties it', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await openPage(context);
  const { reportDateWindow } = await loadWasm();
  const to = reportDateWindow().max;
  const dates = [2, 1, 0].map((n) => dayOf(Date.parse(to) - n * DAY_MS));
  await page.getByLabel('Remember on this device').check();

  const before = apiRequests.length;
  const first = await fetchRange(page, dates[0], dates[2]);
  const truth = await demo.rangeTruth({ dates });
  assert.match(first, /3 days \(3 fetched, 0 from this device, 0 failed\)/);
  assert.equal(digits(first.split('),')[1]), truth.rows, 'the merged Summary has every row of the three days');
  assert.ok(apiRequests.length > before, 'the first time asks the API');
  const days = page.locator('.oa-days');
  assert.equal(await days.locator('tbody tr').count(), 3);
  assert.equal(await days.locator('canvas').count(), 1, 'the by-day chart is drawn');
  // The merged summary's heading names the range, not its last day.
  await page.getByRole('heading', { name: `Summary for ${dates[0]} to ${dates[2]}`, exact: true }).waitFor();
  // A day's report file, fetched again and saved as the API serves it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Save report file of ${dates[1]}` }).click()]);
  assert.equal(download.suggestedFilename(), `${demo.apiName}-${dates[1]}.csv.gz`);
  const file = await readFile(await download.path());
  assert.equal(file[0], 0x1f, 'gzip, as the API serves it');
  const { summarize } = await loadWasm();
  assert.deepEqual(summarize(file), await demo.truth({ date: dates[1] }));

  // Reloaded: the key is remembered, and every day comes from this device.
  await page.reload();
  await page.waitForFunction(() => document.getElementById('api-key').value !== '');
  const cachedBefore = apiRequests.length;
  const again = await fetchRange(page, dates[0], dates[2]);
  assert.match(again, /3 days \(0 fetched, 3 from this device, 0 failed\)/);
  assert.equal(digits(again.split('),')[1]), truth.rows);
  assert.equal(apiRequests.length, cachedBefore, 'no API request for cached days');

  await page.getByRole('button', { name: 'Forget' }).click();
  await page.locator('#remember-status', { hasText: 'Forgotten' }).waitFor();
  await page.getByLabel('API key', { exact: true }).fill('demo-key');
  const forgotten = await fetchRange(page, dates[0], dates[2]);
  assert.match(forgotten, /3 days \(3 fetched, 0 from this device, 0 failed\)/);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a day that fails is listed with its reason, the others merged; Retry fetches it and merges again', async () => {
  const context = await browser.newContext();
  const page = await openPage(context);
  const { reportDateWindow } = await loadWasm();
  const to = reportDateWindow().max;
  const dates = [1, 0].map((n) => dayOf(Date.parse(to) - n * DAY_MS));
  // The scenario's first API request answers 500 (SERVER, not retried): one day fails, once.
  await page.getByLabel('API base URL').fill(demo.scenarioUrl('status=500x1,id=range-retry'));
  const first = await fetchRange(page, dates[0], dates[1]);
  assert.match(first, /2 days \(1 fetched, 0 from this device, 1 failed\)/);
  const failed = page.locator('.oa-days tbody tr', { hasText: 'Failed' });
  assert.equal(await failed.count(), 1);
  const failedDate = await failed.locator('th').textContent();
  const good = dates.find((date) => date !== failedDate);
  assert.equal(digits(first.split('),')[1]), (await demo.truth({ date: good })).rows, 'the merge is the day that worked');

  await failed.getByRole('button', { name: 'Retry' }).click();
  await page.locator('#progress-text', { hasText: /2 days \(2 fetched, 0 from this device, 0 failed\)/ }).waitFor({ timeout: 60_000 });
  const done = await page.locator('#progress-text').textContent();
  assert.equal(digits(done.split('),')[1]), (await demo.rangeTruth({ dates })).rows);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('Forget during a range: the days fetched after it are not kept', async () => {
  const context = await browser.newContext();
  const page = await openPage(context);
  await page.getByLabel('Remember on this device').check();
  // Paced downloads, so that the range is still fetching when Forget is pressed.
  await page.getByLabel('API base URL').fill(demo.scenarioUrl('rows=300,slow=40,id=range-forget'));
  await page.getByLabel('Date range').selectOption('30');
  const before = apiRequests.length;
  await page.getByRole('button', { name: 'Fetch report' }).click();
  await page.waitForFunction(() => /days ready/.test(document.getElementById('progress-text').textContent));
  while (apiRequests.length === before) await new Promise((resolve) => setTimeout(resolve, 20));
  await page.getByRole('button', { name: 'Forget' }).click();
  await page.locator('#remember-status', { hasText: 'Forgotten' }).waitFor();
  assert.doesNotMatch(await page.locator('#progress-text').textContent(), /^Done/, 'Forget came while the range was fetching');
  const done = await page.locator('#progress-text', { hasText: /^Done: / }).textContent({ timeout: 120_000 });
  assert.match(done, /30 days \(30 fetched, 0 from this device, 0 failed\)/);
  assert.equal((await storedDays(page)).length, 0, 'no day is kept after Forget');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('Hide account identifiers holds for a range: no account id or IP address in its page or its JSON', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await openPage(context);
  const { reportDateWindow } = await loadWasm();
  const to = reportDateWindow().max;
  const dates = [1, 0].map((n) => dayOf(Date.parse(to) - n * DAY_MS));
  const { security } = await demo.rangeTruth({ dates });
  const identifiers = [...security.byAccount.map((row) => row.account), ...security.spread.map((row) => row.account), ...security.byIp.map((row) => row.ip)];
  assert.ok(identifiers.length > 0, 'the range has accounts and addresses to hide');
  const leaked = (text) => identifiers.filter((id) => text.includes(id));

  // The switch is ticked on a day's Summary, then a range is fetched.
  await page.getByRole('button', { name: 'Fetch report' }).click();
  const hide = page.getByRole('switch', { name: 'Hide account identifiers' });
  await hide.check({ timeout: 60_000 });
  await fetchRange(page, dates[0], dates[1]);
  assert.ok(await hide.isChecked(), 'the range view shows the switch as it was left');
  const shown = await page.evaluate(() => [document.body.innerHTML, ...[...document.querySelectorAll('[aria-label]')].map((el) => el.getAttribute('aria-label'))].join('\n'));
  assert.deepEqual(leaked(shown), []);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download summary (JSON)' }).click()]);
  const json = await readFile(await download.path(), 'utf8');
  assert.deepEqual(leaked(json), []);
  assert.equal(JSON.parse(json).security.byAccount.length, security.byAccount.length);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a cached day is served only for the base URL and key that fetched it; unticking Remember deletes it', async () => {
  const context = await browser.newContext();
  const page = await openPage(context);
  const { reportDateWindow } = await loadWasm();
  const to = reportDateWindow().max;
  const dates = [1, 0].map((n) => dayOf(Date.parse(to) - n * DAY_MS));
  await page.getByLabel('Remember on this device').check();
  const key = await page.getByLabel('API key', { exact: true }).inputValue();
  assert.equal(key, demo.keys[0].key);
  assert.match(await fetchRange(page, dates[0], dates[1]), /2 days \(2 fetched, 0 from this device, 0 failed\)/);

  // Neither the key nor its plain SHA-256 is kept; the device's HMAC key cannot be read out.
  const records = await storedRecords(page);
  assert.equal(records.filter((record) => record.store === 'days').length, 2);
  const sha = createHash('sha256').update(key).digest();
  const forms = [key, Buffer.from(key).toString('hex'), sha.toString('hex'), sha.toString('base64'), sha.toString('base64url')];
  const text = JSON.stringify(records);
  assert.deepEqual(forms.filter((form) => text.toLowerCase().includes(form.toLowerCase())), []);
  const secrets = records.filter((record) => record.store !== 'days').map((record) => record.value);
  assert.deepEqual(secrets, ['"CryptoKey secret HMAC extractable=false"']);
  assert.match(await fetchRange(page, dates[0], dates[1]), /2 days \(0 fetched, 2 from this device, 0 failed\)/);

  // The same API name at another base URL: asked again.
  await page.getByLabel('API base URL').fill(demo.scenarioUrl('id=range-other-base'));
  const before = apiRequests.length;
  assert.match(await fetchRange(page, dates[0], dates[1]), /2 days \(2 fetched, 0 from this device, 0 failed\)/);
  assert.ok(apiRequests.length > before, 'another base URL asks the API');

  // The first base URL with a wrong key: asked, and refused.
  await page.getByLabel('API base URL').fill(demo.baseUrl);
  await page.getByLabel('API key', { exact: true }).fill('not-a-demo-key');
  const wrong = apiRequests.length;
  await page.getByRole('button', { name: 'Fetch report' }).click();
  await page.getByRole('alert').filter({ hasText: '(AUTH)' }).waitFor({ timeout: 60_000 });
  assert.ok(apiRequests.length > wrong, 'a wrong key asks the API');

  await page.getByLabel('Remember on this device').uncheck();
  await page.waitForFunction(() => /no longer kept/.test(document.getElementById('remember-status').textContent));
  assert.deepEqual(await storedRecords(page), [], 'unticking Remember deletes what was kept');
  assert.deepEqual(page.problems, []);
  await context.close();
});
