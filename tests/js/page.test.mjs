// The page (www/) end to end in headless Chromium against the demo API: fetching, opening files, every
// error in plain words, Cancel, sub-organisations, the exported JSON, hostile report text, remembering the
// key, the keyboard alone, a phone-sized screen with no table scrolling sideways, axe's contrast check, and
// the Summary views inside a shadow root (codes in words, CSV exports as shown, bars beside the numbers).
// Needs www/pkg (make build) and gen-report (built here unless GEN_REPORT names one).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchChromium } from './chromium.mjs';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { explainError } from '../../www/js/errors.js';
import { loadWasm } from './fetch-harness.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const WWW = join(REPO, 'www');
let genReportPath;
const DAY_MS = 86_400_000;
// Only for files, whose dates no one checks against the clock: a fetch uses the date the page picked.
const daysAgo = (n) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);
const dayAfter = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const FIXTURE = JSON.parse(await readFile(new URL('../fixtures/sample-summary.json', import.meta.url), 'utf8'));

const titleOf = (code) => explainError({ code, message: '' }).title;

let demo;
let browser;
let scratch;
let nonce = 0;
const servers = [];

// A scenario base URL of its own, so the demo's request counters are never shared between tests.
function scenario(switches) {
  nonce += 1;
  return demo.scenarioUrl(`${switches}${switches ? ',' : ''}id=page${nonce}`);
}

// A plain static server for www/ under a sub-path, or any handler: the page must not assume it owns `/`.
async function startServer(handler) {
  const server = createServer(handler);
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}`;
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

async function serveWwwUnder(prefix) {
  return startServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (!path.startsWith(prefix) || path.includes('..')) return res.writeHead(404).end();
    const file = join(WWW, path.slice(prefix.length) || 'index.html');
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
}

function genReport(name, args) {
  const out = join(scratch, `${name}.csv.gz`);
  const truth = join(scratch, `${name}.truth.json`);
  execFileSync(genReportPath, [...args, '--out', out, '--truth', truth]);
  return { out, truth };
}

async function newPage({ width = 1280, height = 900, timezoneId } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A CSP refusal means the page relies on something its own policy forbids (inline style or script).
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss();
  });
  page.problems = problems;
  return page;
}

// `now`: a fixed time for the page's clock.
async function openPage({ now, ...options } = {}) {
  const page = await newPage(options);
  if (now) await page.clock.setFixedTime(now);
  await page.goto(demo.url);
  // demo-config.json has filled the form once the API name is there.
  await assertValue(page.getByLabel('API name', { exact: true }), demo.apiName);
  return page;
}

async function assertValue(locator, expected) {
  await locator.page().waitForFunction(([el, value]) => el.value === value, [await locator.elementHandle(), expected], { timeout: 5000 });
}

async function downloadJson(page, trigger) {
  const [download] = await Promise.all([page.waitForEvent('download'), trigger()]);
  return { name: download.suggestedFilename(), json: JSON.parse(await readFile(await download.path(), 'utf8')) };
}

async function downloadText(page, trigger) {
  const [download] = await Promise.all([page.waitForEvent('download'), trigger()]);
  return readFile(await download.path(), 'utf8');
}

const summaryButton = (page) => page.getByRole('button', { name: 'Download summary (JSON)' });

async function expectError(page, code) {
  const alert = page.getByRole('alert');
  await alert.getByText(titleOf(code), { exact: true }).waitFor({ timeout: 30_000 });
  assert.match(await alert.textContent(), new RegExp(`\\(${code}\\)`));
  return alert;
}

async function openFile(page, file) {
  await page.getByLabel('Open report file').setInputFiles(file);
}

before(async () => {
  genReportPath = ensureGenReport();
  scratch = await mkdtemp(join(tmpdir(), 'page-test-'));
  demo = await startDemoApi({ root: 'www', defaultRows: 3000 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.close();
  for (const server of servers) server.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('fetching through the demo API', () => {
  test('the page opens ready for the demo, with the date picker held to the engine’s window', async () => {
    const now = new Date();
    const wasm = await loadWasm();
    const inWindow = (day) => {
      try {
        return wasm.validateReportDate(day, now) === day;
      } catch (error) {
        assert.equal(error.code, 'DATE_OUT_OF_RANGE', error.message);
        return false;
      }
    };
    const page = await openPage({ now });
    const date = page.getByLabel('Report date', { exact: true });
    const [min, max] = [await date.getAttribute('min'), await date.getAttribute('max')];
    assert.ok(inWindow(min) && inWindow(max), `${min} .. ${max} are report dates`);
    assert.ok(!inWindow(dayAfter(min, -1)) && !inWindow(dayAfter(max, 1)), `${min} .. ${max} is the whole window`);
    assert.equal(await date.inputValue(), max, 'the newest day is the default');
    assert.equal(await page.getByLabel('API base URL', { exact: true }).inputValue(), demo.baseUrl);
    assert.notEqual(await page.getByLabel('API key', { exact: true }).inputValue(), '');
    await page.context().close();
  });

  test('a fetched day shows its Summary, and the JSON download equals it and the generator truth', async () => {
    const page = await openPage();
    const date = await page.getByLabel('Report date', { exact: true }).inputValue();
    await page.getByRole('button', { name: 'Fetch report' }).click();
    await summaryButton(page).waitFor({ timeout: 60_000 });
    const truth = await demo.truth({ date });
    const { name, json } = await downloadJson(page, () => summaryButton(page).click());
    assert.deepEqual(json, truth);
    assert.equal(name, `openathens-${date}-summary.json`);
    const events = page.locator('.oa-figure', { hasText: 'Events' }).locator('.oa-figure-value');
    assert.equal(await events.textContent(), truth.rows.toLocaleString('en-US'));
    assert.equal(await page.getByRole('progressbar').getAttribute('value'), '1');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('sub-organisation keys give the merged Summary and each label’s own', async () => {
    const page = await openPage();
    const [, library, medicine] = demo.keys;
    for (const { label, key } of [library, medicine]) {
      await page.getByRole('button', { name: 'Add a sub-organisation key' }).click();
      const n = await page.locator('#sub-key-rows li').count();
      await page.getByLabel(`Sub-organisation ${n} label`).fill(label);
      await page.getByLabel(`Sub-organisation ${n} key`).fill(key);
    }
    const date = await page.getByLabel('Report date', { exact: true }).inputValue();
    await page.getByRole('button', { name: 'Fetch report' }).click();
    await summaryButton(page).waitFor({ timeout: 60_000 });
    const parts = page.getByRole('table', { name: 'Sub-organisation labels' });
    for (const label of [demo.apiName, library.label, medicine.label]) await parts.getByRole('cell', { name: label, exact: true }).waitFor();

    const merged = (await downloadJson(page, () => summaryButton(page).click())).json;
    assert.deepEqual(merged, await demo.mergedTruth({ date, keys: demo.keys.map(({ key }) => key) }));

    await page.getByLabel('Show summary for').selectOption({ label: library.label });
    await page.getByRole('heading', { name: `${library.label} for ${date}` }).waitFor();
    const own = await downloadJson(page, () => summaryButton(page).click());
    assert.deepEqual(own.json, await demo.truth({ date, key: library.key }));
    assert.equal(own.name, `openathens-${date}-${library.label}-summary.json`);
    await page.context().close();
  });
});

describe('opening a report file', () => {
  test('a gen-report file gives exactly the generator truth, drawn as charts and tables', async () => {
    const { out, truth } = genReport('opened', ['--rows', '5000', '--seed', '7', '--date', daysAgo(3)]);
    const page = await newPage();
    await page.goto(demo.url);
    await openFile(page, out);
    await summaryButton(page).waitFor({ timeout: 60_000 });
    const { json } = await downloadJson(page, () => summaryButton(page).click());
    assert.deepEqual(json, JSON.parse(await readFile(truth, 'utf8')));
    assert.equal(await page.locator('.oa-chart canvas').count(), 1);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a hostile report runs no script and shows its markup as text', async () => {
    const { out, truth } = genReport('hostile', ['--rows', '4000', '--seed', '11', '--date', daysAgo(2), '--hostile']);
    const expected = JSON.parse(await readFile(truth, 'utf8'));
    const hostile = expected.resources.find((resource) => resource.title.includes('<'));
    assert.ok(hostile, 'the hostile report has a resource title with markup');
    const page = await newPage();
    await page.goto(demo.url);
    await openFile(page, out);
    await summaryButton(page).waitFor({ timeout: 60_000 });
    await page.getByLabel('Search resources').fill(hostile.title);
    await page.getByRole('cell', { name: hostile.title, exact: true }).first().waitFor();
    // Only uPlot's canvas and the page's own elements: nothing a report string could have created.
    assert.equal(await page.locator('#result img, #result svg, #result script, #result iframe').count(), 0);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a plain CSV dropped onto the page opens too', async () => {
    const csv = 'date,action,status,attribute.resourceid\n06/06/2023T10:00:00,FEDERATED_TRANSFER,SUCCESS,https://sp.example/a\n';
    // openPage: the drop listeners exist only once the engine has loaded and the page set itself up.
    const page = await openPage();
    const transfer = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'day.csv', { type: 'text/csv' }));
      return data;
    }, csv);
    await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer });
    await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
    await page.getByRole('heading', { name: 'Summary for 2023-06-06' }).waitFor({ timeout: 30_000 });
    await page.getByRole('cell', { name: 'https://sp.example/a', exact: true }).first().waitFor();
    await page.context().close();
  });

  test('the page works from a sub-path of any static host', async () => {
    const { out } = genReport('subpath', ['--rows', '500', '--seed', '3', '--date', daysAgo(4)]);
    const origin = await serveWwwUnder('/reports/oa/');
    const page = await newPage();
    await page.goto(`${origin}/reports/oa/`);
    // No demo-config.json there: the real API is the default.
    assert.equal(await page.getByLabel('API base URL', { exact: true }).inputValue(), 'https://reports.openathens.net/api/v1');
    await openFile(page, out);
    await summaryButton(page).waitFor({ timeout: 60_000 });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

describe('errors in plain words', () => {
  test('a wrong key', async () => {
    const page = await openPage();
    await page.getByLabel('API key', { exact: true }).fill('not-a-demo-key');
    await page.getByRole('button', { name: 'Fetch report' }).click();
    await expectError(page, 'AUTH');
    await page.context().close();
  });

  test('an unknown API name', async () => {
    const page = await openPage();
    await page.getByLabel('API name', { exact: true }).fill('nobody.openathens.test');
    await page.getByRole('button', { name: 'Fetch report' }).click();
    await expectError(page, 'NOT_FOUND');
    await page.context().close();
  });

  test('a date outside the window', async () => {
    const page = await openPage();
    await page.getByLabel('Report date', { exact: true }).fill(daysAgo(40));
    await page.getByRole('button', { name: 'Fetch report' }).click();
    await expectError(page, 'DATE_OUT_OF_RANGE');
    await page.context().close();
  });

  test('an API that refuses cross-origin requests, with the proxy explained', async () => {
    // Answers like an API would, but sends no CORS headers: the browser must refuse to hand it to the page.
    const noCors = await startServer((req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
    const page = await openPage();
    await page.getByLabel('API base URL', { exact: true }).fill(`${noCors}/api/v1`);
    await page.getByRole('button', { name: 'Fetch report' }).click();
    const alert = await expectError(page, 'NETWORK');
    assert.match(await alert.textContent(), /proxy.*\/api\/v1/);
    await page.context().close();
  });

  test('a truncated file and a corrupt file', async () => {
    const { out } = genReport('broken', ['--rows', '3000', '--seed', '5', '--date', daysAgo(2)]);
    const bytes = await readFile(out);
    const truncated = join(scratch, 'truncated.csv.gz');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0x55, 200, 400);
    const corruptPath = join(scratch, 'corrupt.csv.gz');
    await writeFile(corruptPath, corrupt);

    const page = await newPage();
    await page.goto(demo.url);
    await openFile(page, truncated);
    await expectError(page, 'TRUNCATED');
    await openFile(page, corruptPath);
    await expectError(page, 'BAD_GZIP');
    await openFile(page, { name: 'notes.csv.gz', mimeType: 'application/gzip', buffer: gzipSync('just,some\nwords,here\n') });
    await expectError(page, 'NOT_A_REPORT');
    await page.context().close();
  });

  test('an empty form says which field to fill', async () => {
    const page = await openPage();
    await page.getByLabel('API name', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Fetch report' }).click();
    await page.getByRole('alert').getByText('Enter the API name.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'api-name');
    await page.context().close();
  });
});

test('Cancel stops a report that is still being prepared', async () => {
  const page = await openPage();
  await page.getByLabel('API base URL', { exact: true }).fill(scenario('never-finish'));
  await page.getByRole('button', { name: 'Fetch report' }).click();
  await page.getByText(/preparing the report/).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByText(/^Cancelled\./).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Cancel' }).isVisible(), false);
  assert.equal(await page.getByRole('alert').isVisible(), false);
  assert.equal(await summaryButton(page).count(), 0);
  await page.context().close();
});

// The page's engine worker, for tests that break it the way a failing engine would.
async function engineWorker(page) {
  return page.workers()[0] ?? page.waitForEvent('worker');
}

describe('the engine worker failing', () => {
  test('a failure the engine never reports on purpose restarts the worker; the next file opens', async () => {
    const { out, truth } = genReport('after-trap', ['--rows', '2000', '--seed', '13', '--date', daysAgo(2)]);
    const page = await openPage();
    // As a wasm trap does: the job ends in an error without a code ("unreachable").
    await (await engineWorker(page)).evaluate(() => {
      const post = self.postMessage.bind(self);
      self.postMessage = (message) => post(message.type === 'done' ? { type: 'error', id: message.id, error: { message: 'RuntimeError: unreachable' } } : message);
    });
    await openFile(page, out);
    const alert = await expectError(page, 'ENGINE_RESTARTED');
    assert.match(await alert.textContent(), /The report engine stopped unexpectedly and was restarted/);
    await openFile(page, out);
    await summaryButton(page).waitFor({ timeout: 30_000 });
    assert.deepEqual((await downloadJson(page, () => summaryButton(page).click())).json, JSON.parse(await readFile(truth, 'utf8')));
    await page.context().close();
  });

  test('a worker that dies mid-fetch is replaced; the next file opens', async () => {
    const { out } = genReport('after-death', ['--rows', '2000', '--seed', '17', '--date', daysAgo(2)]);
    const page = await openPage();
    await page.getByLabel('API base URL', { exact: true }).fill(scenario('never-finish'));
    await page.getByRole('button', { name: 'Fetch report' }).click();
    await page.getByText(/preparing the report/).waitFor({ timeout: 30_000 });
    await (await engineWorker(page)).evaluate(() => setTimeout(() => {
      throw new Error('test: the engine died');
    }));
    await expectError(page, 'ENGINE_RESTARTED');
    await openFile(page, out);
    await summaryButton(page).waitFor({ timeout: 30_000 });
    await page.context().close();
  });

  test('Cancel ends a worker stuck in a long synchronous step, and the page is usable at once', async () => {
    const big = genReport('cancel-big', ['--rows', '600000', '--seed', '19', '--date', daysAgo(3)]);
    const small = genReport('cancel-small', ['--rows', '500', '--seed', '23', '--date', daysAgo(3)]);
    const page = await openPage();
    const worker = await engineWorker(page);
    await openFile(page, big.out);
    await page.getByText(/^Read .* rows counted$/).waitFor({ timeout: 30_000 });
    // The engine busy for a minute without yielding, as a long finish() on a huge report could be. It starts
    // as the worker's next task, before Cancel is clicked: the worker mostly waits on its parsing worker,
    // so it would otherwise take the cancel first and be stuck only on the next file.
    await worker.evaluate(() => {
      setTimeout(() => {
        const end = Date.now() + 60_000;
        while (Date.now() < end);
      });
    });
    await page.waitForTimeout(200);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText(/^Cancelled\./).waitFor();
    const started = Date.now();
    await openFile(page, small.out);
    await summaryButton(page).waitFor({ timeout: 10_000 });
    console.log(`Cancel of a stuck worker: the next file's summary after ${Date.now() - started} ms`);
    assert.deepEqual((await downloadJson(page, () => summaryButton(page).click())).json, JSON.parse(await readFile(small.truth, 'utf8')));
    assert.equal(await page.getByRole('alert').isVisible(), false);
    await page.context().close();
  });
});

test('the production page names no local host; the demo server sends its policy as a header, which governs the worker', async () => {
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(await (await fetch(demo.url)).text())[1];
  assert.match(meta, /connect-src 'self' https:;/);
  assert.doesNotMatch(meta, /localhost|127\.0\.0\.1/);
  for (const path of ['', 'js/worker.js']) {
    const header = (await fetch(new URL(path, demo.url))).headers.get('content-security-policy') ?? '';
    assert.match(header, /connect-src 'self' https: http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*;/, path);
    assert.match(header, /frame-ancestors 'none'/, path);
  }
  const page = await openPage();
  assert.equal(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'), meta);
  // In the browser the worker is under the header's policy: a fetch to a host it does not allow is refused.
  const blocked = await (await engineWorker(page)).evaluate(() => new Promise((resolve) => {
    self.addEventListener('securitypolicyviolation', (event) => resolve(event.blockedURI), { once: true });
    fetch('http://example.invalid/').catch(() => {});
    setTimeout(() => resolve('not refused by a policy'), 5000);
  }));
  assert.equal(blocked, 'http://example.invalid/');
  await page.context().close();
});

test('the key is remembered only when asked, until Forget', async () => {
  const page = await openPage();
  const key = page.getByLabel('API key', { exact: true });
  await key.fill('demo-key');
  await page.getByRole('button', { name: 'Fetch report' }).click();
  await summaryButton(page).waitFor({ timeout: 60_000 });
  const stored = () => page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
  assert.equal(Object.values(await stored()).includes('demo-key'), false, 'no key kept unless asked');

  await page.getByLabel('Remember on this device').check();
  assert.equal(Object.values(await stored()).includes('demo-key'), true);
  await page.reload();
  // The form is filled once the page's module has run.
  await assertValue(key, 'demo-key');
  assert.equal(await page.getByLabel('Remember on this device').isChecked(), true);

  await page.getByRole('button', { name: 'Forget' }).click();
  assert.deepEqual(await stored(), {});
  assert.equal(await key.inputValue(), '');
  await page.context().close();
});

test('the whole form works by keyboard alone', async () => {
  const page = await openPage({ timezoneId: 'Asia/Tokyo' });
  await page.locator('body').focus();
  const focused = () => page.evaluate(() => document.activeElement.id || document.activeElement.textContent);
  const kb = page.keyboard;

  await kb.press('Tab');
  assert.equal(await focused(), 'api-name');
  await kb.press('ControlOrMeta+A');
  await kb.type(demo.apiName);
  await kb.press('Tab');
  assert.equal(await focused(), 'api-key');
  await kb.press('ControlOrMeta+A');
  await kb.type(demo.keys[0].key);
  await kb.press('Tab');
  assert.equal(await focused(), 'report-date');
  // The date field's own parts (month, day, year) take the next tabs; leave yesterday as it is.
  for (let presses = 0; presses < 6 && (await focused()) !== 'base-url'; presses += 1) await kb.press('Tab');
  assert.equal(await focused(), 'base-url');
  await kb.press('Tab');
  assert.equal(await focused(), 'add-sub-key');
  await kb.press('Tab');
  assert.equal(await focused(), 'remember');
  await kb.press('Tab');
  assert.equal(await focused(), 'forget');
  await kb.press('Tab');
  assert.equal(await focused(), 'fetch-button');
  await kb.press('Enter');

  await summaryButton(page).waitFor({ timeout: 60_000 });
  // Focus moves to the new summary's heading; the next stop is its download.
  assert.match(await focused(), /^oa-summary-/);
  await kb.press('Tab');
  assert.equal(await focused(), 'Download summary (JSON)');
  const { json } = await downloadJson(page, () => kb.press('Enter'));
  assert.deepEqual(json, await demo.truth({ date: await page.getByLabel('Report date', { exact: true }).inputValue() }));

  // The time switch: arrow keys move between UTC and local time (Tokyo is UTC+9).
  await page.getByRole('radio', { name: 'UTC' }).focus();
  await kb.press('ArrowRight');
  assert.equal(await page.getByRole('radio', { name: 'Local time' }).isChecked(), true);
  await page.getByText('Show the hours as a table').press('Enter');
  await page.getByRole('cell', { name: '09:00–10:00', exact: true }).waitFor();

  // Sorting a table from the keyboard.
  const countries = page.getByRole('table', { name: 'Countries', exact: true });
  await countries.getByRole('button', { name: 'Country' }).press('Enter');
  assert.equal(await countries.getByRole('columnheader', { name: 'Country' }).getAttribute('aria-sort'), 'ascending');
  await page.context().close();
});

test('at 390 px wide nothing scrolls sideways, tables included, and progress ends on the real figures', async () => {
  const page = await openPage({ width: 390, height: 844 });
  const lines = [];
  await page.exposeFunction('progressLine', (text) => lines.push(text));
  await page.evaluate(() => {
    const text = document.getElementById('progress-text');
    new MutationObserver(() => window.progressLine(text.textContent)).observe(text, { childList: true, characterData: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Fetch report' }).click();
  await summaryButton(page).waitFor({ timeout: 60_000 });
  const done = lines.findIndex((line) => line.startsWith('Done'));
  assert.match(lines[done - 1], /^Downloaded [\d.,]+ (kB|MB), 3,000 rows counted$/, lines.join(' / '));
  assert.ok(!lines.some((line) => /\b0\.0 kB|\b0 rows/.test(line)), lines.join(' / '));

  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'the page is no wider than the phone');
  const tables = await page.locator('.oa-table-scroll').evaluateAll((boxes) => boxes.map((box) => ({
    title: box.closest('section').querySelector('h3').textContent,
    overflow: box.scrollWidth - box.clientWidth,
  })));
  assert.ok(tables.length >= 12, `${tables.length} tables`);
  assert.deepEqual(tables.filter((table) => table.overflow > 0), [], 'no table scrolls sideways');
  // Stacked rows still read as a table, each value named by its column.
  const resources = page.getByRole('table', { name: 'Resources', exact: true });
  const firstRow = resources.getByRole('row').nth(1);
  assert.equal(await firstRow.getByRole('cell').count(), 6);
  assert.equal(await firstRow.getByRole('cell').nth(4).getAttribute('data-label'), 'Entity ID');
  const chartWidth = await page.locator('.oa-chart canvas').evaluate((canvas) => canvas.getBoundingClientRect().width);
  assert.ok(chartWidth > 250 && chartWidth <= 370, `chart fits the phone (${chartWidth} px)`);
  await page.context().close();
});

test('every text of a summary passes axe’s contrast check, with none left for review', async () => {
  const page = await openPage();
  await page.getByRole('button', { name: 'Fetch report' }).click();
  await summaryButton(page).waitFor({ timeout: 60_000 });
  // Evaluated, not added as a script tag, which the page's CSP would refuse.
  await page.evaluate(await readFile(join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(async () => {
    const { violations, incomplete, passes } = await window.axe.run(document.getElementById('result'), { runOnly: ['color-contrast'] });
    const nodes = (rules) => rules.flatMap((rule) => rule.nodes.map((node) => `${node.target}: ${node.any[0]?.message}`));
    return { violations: nodes(violations), incomplete: nodes(incomplete), passed: passes.reduce((sum, rule) => sum + rule.nodes.length, 0) };
  });
  assert.deepEqual(result.violations, []);
  assert.deepEqual(result.incomplete, []);
  assert.ok(result.passed > 100, `${result.passed} texts checked`);
  await page.context().close();
});

describe('the Summary views on their own', () => {
  test('render into a shadow root, as text, with sorting, search and CSV export', async () => {
    const page = await newPage();
    await page.goto(demo.url);
    await page.evaluate(async (summary) => {
      const { renderResult, summaryStylesheets } = await import('./js/views/summary-view.js');
      const host = document.createElement('div');
      host.id = 'host';
      document.body.append(host);
      const shadow = host.attachShadow({ mode: 'open' });
      for (const href of summaryStylesheets) shadow.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href }));
      const root = document.createElement('div');
      shadow.append(root);
      renderResult(root, summary, {});
    }, FIXTURE);
    const host = page.locator('#host');
    await host.getByRole('heading', { name: 'Summary for 2023-06-06' }).waitFor();
    // The fixture's markup in a title and an attribute value is text, and made no element.
    const markupTitle = FIXTURE.resources[2].title;
    await host.getByRole('cell', { name: markupTitle, exact: true }).first().waitFor();
    await host.getByRole('cell', { name: "<script>alert('dept')</script>", exact: true }).waitFor();
    await host.getByRole('cell', { name: 'Burst <b>mallory</b>@example.org', exact: true }).waitFor();
    assert.equal(await host.locator('img, b, script').count(), 0);
    assert.equal(await page.locator('#result').textContent(), '');

    const resources = host.getByRole('table', { name: 'Resources', exact: true });
    await host.getByLabel('Search resources').fill('physics');
    assert.equal(await resources.locator('tbody tr').count(), 1);
    await host.getByLabel('Search resources').fill('');
    await resources.getByRole('button', { name: 'Blocked' }).click();
    assert.equal(await resources.locator('tbody tr').first().locator('td').first().textContent(), 'Science Database, Physics & Chemistry');

    const csv = await downloadText(page, () => host.getByRole('button', { name: 'Download Resources as CSV' }).click());
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'Resource,Transfers,Users,Blocked,Entity ID,Federation');
    assert.equal(lines[1], '"Science Database, Physics & Chemistry",220,95,30,https://idp.sciencedb.example.org/sp,OpenAthens');
    assert.equal(lines.length, 1 + FIXTURE.resources.length);

    // Codes read as words with the code beside them, and sort by the words.
    const countries = host.getByRole('table', { name: 'Countries', exact: true });
    await countries.getByRole('cell', { name: 'United Kingdom GB', exact: true }).waitFor();
    await countries.getByRole('cell', { name: 'Germany DE', exact: true }).waitFor();
    const failures = host.getByRole('table', { name: 'Failure reasons', exact: true });
    await failures.getByRole('cell', { name: 'Wrong password ACCOUNT_ERROR_BAD_PASSWORD', exact: true }).first().waitFor();
    await failures.getByRole('cell', { name: 'Sign-in, OpenAthens account AUTHENTICATE', exact: true }).first().waitFor();
    await countries.getByRole('button', { name: 'Country' }).click();
    assert.deepEqual(await countries.locator('tbody tr td:first-child').allTextContents(),
      ['(empty)', 'Germany DE', 'Ireland IE', 'United Kingdom GB', 'United States US']);

    // A share exports as the page shows it, beside the raw count; a code exports with its words.
    const countryCsv = (await downloadText(page, () => host.getByRole('button', { name: 'Download Countries as CSV' }).click())).trimEnd().split('\r\n');
    assert.deepEqual(countryCsv.slice(0, 3), ['Country,Country code,Events,% of events', ',,40,3.2', 'Germany,DE,80,6.5']);
    await countries.getByRole('cell', { name: '6.5%', exact: true }).waitFor();

    // Each bar is beside its number, never under a digit.
    const overlaps = await host.locator('.oa-bar-cell').evaluateAll((cells) => cells.filter((cell) => {
      const number = cell.querySelector('.oa-bar-value').getBoundingClientRect();
      const bar = cell.querySelector('.oa-bar-track').getBoundingClientRect();
      return bar.left < number.right && number.left < bar.right;
    }).length);
    assert.equal(overlaps, 0);

    const { json } = await downloadJson(page, () => host.getByRole('button', { name: 'Download summary (JSON)' }).click());
    assert.deepEqual(json, FIXTURE);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

describe('security, slicing and hidden identifiers', () => {
  // 20,000 rows of one seed: bursts, spraying and travelling accounts all occur (tools/gen's own test says so).
  const attacked = () => genReport('attacked', ['--rows', '20000', '--seed', '1', '--date', daysAgo(3)]);
  const table = (page, name) => page.getByRole('table', { name, exact: true });

  async function openAttacked(page) {
    const report = attacked();
    await page.goto(demo.url);
    await openFile(page, report.out);
    await summaryButton(page).waitFor({ timeout: 60_000 });
    return { ...report, expected: JSON.parse(await readFile(report.truth, 'utf8')) };
  }

  // A value's button reads as the value, after its plain words where it has them ("Sign-in AUTHENTICATE").
  async function sliceBy(page, tableName, value) {
    const name = new RegExp(`(^| )${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    await table(page, tableName).getByRole('button', { name }).first().click();
    await page.getByRole('button', { name: 'Only this value', exact: true }).click();
  }

  test('the Security section lists bursts, spraying and spread, marked in words, with CSV exports', async () => {
    const page = await newPage();
    const { expected } = await openAttacked(page);
    const security = page.getByRole('region', { name: 'Security' });
    await security.getByText('Password spraying is', { exact: false }).waitFor();
    const byAccount = table(page, 'Failed sign-ins by account');
    const bursts = expected.security.byAccount.filter((row) => row.maxFailedIn10Min >= 10);
    assert.ok(bursts.length > 0);
    assert.equal(await byAccount.locator('tbody tr', { hasText: 'Burst' }).count(), Math.min(bursts.length, 10));
    assert.equal(await byAccount.locator('tbody tr').first().locator('td').first().textContent(), `Burst ${expected.security.byAccount[0].account}`);
    assert.ok(await table(page, 'Failed sign-ins by IP address').locator('tbody tr', { hasText: 'Spraying' }).count() > 0);

    const csv = await downloadText(page, () => page.getByRole('button', { name: 'Download Accounts seen from several countries as CSV' }).click());
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'Account,Countries,IP addresses,Sign-ins,Transfers');
    const top = expected.security.spread[0];
    assert.equal(lines[1], [top.account, top.countries, top.ips, top.signIns, top.transfers].join(','));
    assert.equal(lines.length, 1 + expected.security.spread.length);
    const users = await downloadText(page, () => page.getByRole('button', { name: 'Download Resources as CSV' }).click());
    assert.equal(users.split('\r\n')[0], 'Resource,Transfers,Users,Blocked,Entity ID,Federation');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('Hide account identifiers leaves no account id or IP address in the page or in any export', async () => {
    const page = await newPage();
    const { expected } = await openAttacked(page);
    const { byAccount, byIp, spread } = expected.security;
    const identifiers = [...byAccount.map((row) => row.account), ...spread.map((row) => row.account), ...byIp.map((row) => row.ip)];
    const leaked = (text) => identifiers.filter((id) => text.includes(id));
    assert.ok(leaked(await page.content()).length > 0, 'shown while the switch is off');

    await page.getByRole('switch', { name: 'Hide account identifiers' }).check();
    await table(page, 'Failed sign-ins by account').getByRole('button', { name: 'Account 1', exact: true }).waitFor();
    assert.deepEqual(leaked(await page.content()), []);
    const { json } = await downloadJson(page, () => summaryButton(page).click());
    assert.deepEqual(leaked(JSON.stringify(json)), []);
    assert.equal(json.security.byAccount[0].failed, byAccount[0].failed);
    for (const name of ['Failed sign-ins by account', 'Failed sign-ins by IP address', 'Accounts seen from several countries']) {
      const csv = await downloadText(page, () => page.getByRole('button', { name: `Download ${name} as CSV` }).click());
      assert.deepEqual(leaked(csv), [], name);
    }
    // A slice by a hidden account shows it hidden in its chip too, and keeps the switch on.
    await sliceBy(page, 'Failed sign-ins by account', 'Account 1');
    await page.getByRole('button', { name: 'Remove slice Account: Account 1' }).waitFor({ timeout: 30_000 });
    assert.ok(await page.getByRole('switch', { name: 'Hide account identifiers' }).isChecked());
    assert.deepEqual(leaked(await page.content()), []);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a slice made before Hide account identifiers loses its raw id, in its chip and its aria-label', async () => {
    const page = await newPage();
    const { expected } = await openAttacked(page);
    const { byAccount, byIp, spread } = expected.security;
    const identifiers = [...byAccount.map((row) => row.account), ...spread.map((row) => row.account), ...byIp.map((row) => row.ip)];
    const leaked = (text) => identifiers.filter((id) => text.includes(id));
    const account = byAccount[0].account;
    await sliceBy(page, 'Failed sign-ins by account', account);
    await page.getByRole('button', { name: `Remove slice Account: ${account}` }).waitFor({ timeout: 30_000 });

    await page.getByRole('switch', { name: 'Hide account identifiers' }).check();
    await page.getByRole('button', { name: 'Remove slice Account: Account 1' }).waitFor();
    const chips = await page.getByRole('group', { name: 'Active slices' }).evaluate((group) => group.outerHTML);
    assert.deepEqual(leaked(chips), []);
    assert.deepEqual(leaked(await page.content()), []);
    // A second slice names the first as the page shows it while it is counted.
    await sliceBy(page, 'Actions', 'AUTHENTICATE');
    await page.locator('#progress-text', { hasText: 'Counting only' }).or(page.getByRole('button', { name: 'Remove slice Action: AUTHENTICATE' })).first().waitFor({ timeout: 30_000 });
    assert.deepEqual(leaked(await page.locator('#progress-text').textContent()), []);
    await page.getByRole('button', { name: 'Remove slice Action: AUTHENTICATE' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(leaked(await page.content()), []);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('Only this value recounts the whole report for that value; slices stack and their chips remove them', async () => {
    const wasm = await loadWasm();
    const page = await newPage();
    const { out, expected } = await openAttacked(page);
    const bytes = await readFile(out);
    const summaryOf = async () => (await downloadJson(page, () => summaryButton(page).click())).json;

    await sliceBy(page, 'Actions', 'AUTHENTICATE');
    await page.getByRole('button', { name: 'Remove slice Action: AUTHENTICATE' }).waitFor({ timeout: 30_000 });
    const signIns = await summaryOf();
    assert.equal(signIns.rows, expected.byAction.AUTHENTICATE);
    assert.deepEqual(signIns, wasm.summarize(bytes, { filter: { column: 'action', value: 'AUTHENTICATE' } }));

    await sliceBy(page, 'Countries', 'GB');
    await page.getByRole('button', { name: 'Remove slice Country: GB' }).waitFor({ timeout: 30_000 });
    const both = [{ column: 'action', value: 'AUTHENTICATE' }, { column: 'request.countrycode', value: 'GB' }];
    assert.deepEqual(await summaryOf(), wasm.summarize(bytes, { filter: both }));

    await page.getByRole('button', { name: 'Remove slice Action: AUTHENTICATE' }).click();
    await page.getByRole('button', { name: 'Remove slice Action: AUTHENTICATE' }).waitFor({ state: 'detached', timeout: 30_000 });
    assert.deepEqual(await summaryOf(), wasm.summarize(bytes, { filter: both[1] }));
    await page.getByRole('button', { name: 'Remove slice Country: GB' }).click();
    await page.getByRole('button', { name: 'Remove slice Country: GB' }).waitFor({ state: 'detached', timeout: 30_000 });
    assert.deepEqual(await summaryOf(), expected);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a fetched report is kept, so a slice needs no second fetch', async () => {
    const page = await openPage();
    const date = await page.getByLabel('Report date', { exact: true }).inputValue();
    await page.getByRole('button', { name: 'Fetch report' }).click();
    await summaryButton(page).waitFor({ timeout: 60_000 });
    const truth = await demo.truth({ date });
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    await sliceBy(page, 'Actions', 'FEDERATED_TRANSFER');
    await page.getByRole('button', { name: 'Remove slice Action: FEDERATED_TRANSFER' }).waitFor({ timeout: 30_000 });
    const { json } = await downloadJson(page, () => summaryButton(page).click());
    assert.equal(json.rows, truth.byAction.FEDERATED_TRANSFER);
    const users = new Map(truth.resources.map((resource) => [resource.id, resource.users]));
    assert.ok(json.resources.every((resource) => resource.users <= users.get(resource.id)));
    assert.deepEqual(requests.filter((url) => url.startsWith(demo.baseUrl)), []);
    await page.context().close();
  });
});
