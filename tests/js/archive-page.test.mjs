// The page from the archive, in Chromium, as the Worker serves it under `wrangler dev --local` in front of the
// demo reports API, its archive filled by the cron: Source offered with Archive chosen, the presets' merged
// summaries equal to the generator's truth of the days stored, a comparison with its Change column and
// CSV, Resources by month as numbers, a saved summary reopened as it was, and axe on the new views.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { archivePreset, comparedPeriod } from '../../www/js/archive/periods.js';
import { freePort, startWranglerDev } from '../../scripts/wrangler-dev.mjs';
import { launchChromium } from './chromium.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { REPO } from './workerd.mjs';

let demo;
let worker;
let browser;
let state;

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ defaultRows: 1500 });
  state = await mkdtemp(join(tmpdir(), 'archive-page-'));
  const port = await freePort();
  worker = await startWranglerDev({
    port,
    persistTo: state,
    vars: {
      OPENATHENS_API_NAME: demo.apiName,
      OPENATHENS_BASE_URL: demo.baseUrl,
      OPENATHENS_API_KEY: 'demo-key',
      PUBLIC_SUMMARY: 'true',
      ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
    },
  });
  await worker.fillArchive();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await worker?.close();
  await demo?.close();
  if (state) await rm(state, { recursive: true, force: true });
});

/** The days of `period` the archive holds. */
async function storedDays({ from, to }) {
  const body = await (await fetch(`${worker.url}/history?from=${from}&to=${to}`)).json();
  return body.days.map((day) => day.date);
}

/** The truth of `dates` merged, as a reader without the security right sees it. */
async function readableTruth(dates) {
  const { security, ...readable } = await demo.rangeTruth({ dates });
  return readable;
}

async function openPage() {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${worker.url}/`);
  await page.getByRole('radio', { name: 'Archive' }).waitFor();
  return { page, problems, archive: page.locator('.archive-fields') };
}

async function download(page, trigger) {
  const [file] = await Promise.all([page.waitForEvent('download'), trigger()]);
  return { path: await file.path(), text: await readFile(await file.path(), 'utf8') };
}

/** RFC 4180 rows, each cell a string. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (quoted) {
      if (char === '"' && text[at + 1] === '"') { cell += '"'; at += 1; } else if (char === '"') quoted = false; else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') { row.push(cell); cell = ''; } else if (char === '\r') { /* the \n ends the row */ } else if (char === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += char;
  }
  return rows;
}

async function show(page, archive, preset) {
  await archive.getByLabel('Date range', { exact: true }).selectOption(preset);
  await page.getByRole('button', { name: 'Show archive' }).click();
}

test('served by the Worker, the page offers Source with Archive chosen; This month and Last month are the truth of their stored days', async () => {
  const { page, problems, archive } = await openPage();
  assert.equal(await page.getByRole('radio', { name: 'Archive' }).isChecked(), true);
  assert.equal(await page.getByLabel('API key', { exact: true }).isVisible(), false, 'no key asked for');
  for (const preset of ['this-month', 'last-month']) {
    const period = archivePreset(preset);
    const dates = await storedDays(period);
    await show(page, archive, preset);
    const heading = page.getByRole('heading', { name: `Archive, ${period.from === period.to ? period.from : `${period.from} to ${period.to}`}`, exact: true });
    await heading.waitFor({ timeout: 60_000 });
    if (dates.length === 0) {
      await page.getByText(`No day from ${period.from} to ${period.to} is in the archive`).waitFor();
      continue;
    }
    await page.getByRole('heading', { name: `Summary for ${period.from} to ${period.to}`, exact: true }).waitFor();
    const { text } = await download(page, () => page.getByRole('button', { name: 'Download summary (JSON)' }).click());
    // A public reader: the exact merge of the stored days, without the security section.
    assert.deepEqual(JSON.parse(text), await readableTruth(dates), `${preset}: ${dates.join(', ')}`);
    const counts = await page.locator('.oa-days .oa-note').first().textContent();
    assert.match(counts, new RegExp(`${dates.length} stored`));
  }
  // One archived day says when it was stored.
  const day = archivePreset('this-month').to;
  const [stored] = (await (await fetch(`${worker.url}/history?from=${day}&to=${day}`)).json()).days;
  await archive.getByLabel('Date range', { exact: true }).selectOption('custom');
  await archive.getByLabel('From', { exact: true }).fill(day);
  await archive.getByLabel('To', { exact: true }).fill(day);
  await page.getByRole('button', { name: 'Show archive' }).click();
  const when = await page.evaluate((iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso)), stored.storedAt);
  await page.getByRole('heading', { name: `Summary for ${day}, archived ${when} UTC`, exact: true }).waitFor({ timeout: 60_000 });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('Compare with: both periods side by side with a Change column, and in the CSV as numbers', async () => {
  const { page, problems, archive } = await openPage();
  await archive.getByLabel('Date range', { exact: true }).selectOption('custom');
  const yesterday = archivePreset('this-month').to;
  const period = { from: new Date(Date.parse(yesterday) - 9 * 86_400_000).toISOString().slice(0, 10), to: yesterday };
  await archive.getByLabel('From', { exact: true }).fill(period.from);
  await archive.getByLabel('To', { exact: true }).fill(period.to);
  await archive.getByLabel('Compare with', { exact: true }).selectOption('previous');
  await page.getByRole('button', { name: 'Show archive' }).click();
  const compared = comparedPeriod('previous', period);
  await page.getByRole('heading', { name: `${period.from} to ${period.to} compared with ${compared.from} to ${compared.to}`, exact: true }).waitFor({ timeout: 60_000 });
  await page.getByRole('heading', { name: `Archive, ${period.from} to ${period.to} compared with ${compared.from} to ${compared.to}`, exact: true }).waitFor();
  const [now, before] = await Promise.all([storedDays(period), storedDays(compared)]);
  const [truthNow, truthBefore] = await Promise.all([readableTruth(now), readableTruth(before)]);
  const headline = parseCsv((await download(page, () => page.getByRole('button', { name: 'Download Headline figures compared as CSV' }).click())).text);
  assert.deepEqual(headline[0], ['Figure', 'This period', 'Compared period', 'Change']);
  assert.deepEqual(headline.find((row) => row[0] === 'Events'), ['Events', String(truthNow.rows), String(truthBefore.rows), String(truthNow.rows - truthBefore.rows)]);
  assert.deepEqual(headline.find((row) => row[0] === 'Distinct accounts').slice(1).map(Number),
    [truthNow.distinctAccounts, truthBefore.distinctAccounts, truthNow.distinctAccounts - truthBefore.distinctAccounts]);
  const resources = parseCsv((await download(page, () => page.getByRole('button', { name: 'Download Resources compared as CSV' }).click())).text);
  assert.deepEqual(resources[0].slice(1, 4), ['Transfers, this period', 'Transfers, compared period', 'Transfers, change']);
  const top = truthNow.resources.toSorted((a, b) => b.transfers - a.transfers)[0];
  const row = resources.find((cells) => cells.at(-1) === top.id);
  const earlier = truthBefore.resources.find((resource) => resource.id === top.id);
  assert.deepEqual(row.slice(1, 10).map(Number), [
    top.transfers, earlier?.transfers ?? 0, top.transfers - (earlier?.transfers ?? 0),
    top.users, earlier?.users ?? 0, top.users - (earlier?.users ?? 0),
    top.blocked, earlier?.blocked ?? 0, top.blocked - (earlier?.blocked ?? 0),
  ]);
  const failures = parseCsv((await download(page, () => page.getByRole('button', { name: 'Download Failure reasons compared as CSV' }).click())).text);
  assert.ok(failures.length > 1 && failures.slice(1).every((cells) => cells.slice(2, 5).every((cell) => /^-?\d+$/.test(cell))), 'figures are plain numbers');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('Last 12 months: by month, Resources by month as numbers adding up to each resource’s transfers; the new views pass axe', async () => {
  const { page, problems, archive } = await openPage();
  const period = archivePreset('last-12-months');
  const started = Date.now();
  await show(page, archive, 'last-12-months');
  await page.getByRole('heading', { name: `Summary for ${period.from} to ${period.to}`, exact: true }).waitFor({ timeout: 60_000 });
  const drawnMs = Date.now() - started;
  const bytes = await page.evaluate(() => performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/history?') && entry.name.includes('group=month'))
    .reduce((sum, entry) => sum + entry.encodedBodySize, 0));
  console.log(`Last 12 months: summary drawn ${drawnMs} ms after choosing it; /history answered ${bytes} bytes`);
  await page.getByRole('heading', { name: `By month, ${period.from} to ${period.to}`, exact: true }).waitFor();
  const dates = await storedDays(period);
  const months = [...new Set(dates.map((date) => date.slice(0, 7)))];
  const csv = parseCsv((await download(page, () => page.getByRole('button', { name: 'Download Resources by month as CSV' }).click())).text);
  const header = csv[0];
  assert.deepEqual(header.filter((name) => name.startsWith('Transfers ')), months.map((month) => `Transfers ${month}`));
  const truth = await readableTruth(dates);
  assert.equal(csv.length - 1, truth.resources.length);
  for (const cells of csv.slice(1)) {
    const byName = Object.fromEntries(header.map((name, at) => [name, cells[at]]));
    for (const name of header.filter((column) => /^(Transfers|Users)/.test(column))) assert.match(byName[name], /^\d+$/, `${name} is a number`);
    const resource = truth.resources.find((each) => each.id === byName['Entity ID']);
    assert.equal(Number(byName['Transfers, whole range']), resource.transfers);
    assert.equal(Number(byName['Users, whole range']), resource.users);
    assert.equal(months.reduce((sum, month) => sum + Number(byName[`Transfers ${month}`]), 0), resource.transfers, 'the months add up');
  }
  // Evaluated, not added as a script tag, which the page's CSP would refuse.
  await page.evaluate(await readFile(join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  await archive.getByLabel('Compare with', { exact: true }).selectOption('previous');
  await archive.getByLabel('Date range', { exact: true }).selectOption('last-month');
  await page.getByRole('button', { name: 'Show archive' }).click();
  await page.getByRole('heading', { name: /compared with/ }).first().waitFor({ timeout: 60_000 });
  const violations = await page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] });
    return violations.flatMap((rule) => rule.nodes.map((node) => `${rule.id} ${node.target}: ${node.failureSummary}`));
  });
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a saved summary JSON reopens as it was, with no key and no report; any other JSON is refused in words', async () => {
  const { page, problems, archive } = await openPage();
  await archive.getByLabel('Date range', { exact: true }).selectOption('last-12-months');
  await page.getByRole('button', { name: 'Show archive' }).click();
  const saved = await download(page, () => page.getByRole('button', { name: 'Download summary (JSON)' }).click());
  const summary = JSON.parse(saved.text);
  await page.getByLabel('Open report file').setInputFiles(saved.path);
  const first = summary.firstEvent.slice(0, 10);
  const last = summary.lastEvent.slice(0, 10);
  await page.getByRole('heading', { name: `Saved summary for ${first} to ${last}`, exact: true }).waitFor();
  const again = await download(page, () => page.getByRole('button', { name: 'Download summary (JSON)' }).click());
  assert.deepEqual(JSON.parse(again.text), summary, 'shown as it was saved');
  await page.getByLabel('Open report file').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"rows": "<img src=x onerror=alert(1)>"}') });
  await page.getByRole('alert').getByText('This JSON file is not a summary this page saved.').waitFor();
  assert.equal(await page.locator('img').count(), 0);
  assert.deepEqual(problems, []);
  await page.context().close();
});
