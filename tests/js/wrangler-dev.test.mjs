// `wrangler dev`, the first command a Cloudflare developer runs, with the wrangler package.json pins, on
// worker/wrangler.toml as it is (its compatibility_date no later than the pinned runtime supports), offline
// (scripts/wrangler-dev.mjs): it answers /summary from the demo API, serves the page with the page's
// Content-Security-Policy as a header on every HTML page and worker script (frame-ancestors from
// FRAME_ANCESTORS), keeps files only tsc reads unserved, and in Chromium the page from the Worker fetches a
// day through the Worker's proxy, to the demo API's truth, with nothing refused by its policy.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { freePort, startWranglerDev } from '../../scripts/wrangler-dev.mjs';
import { PAGE_POLICY } from '../../worker/src/site.js';
import { launchChromium } from './chromium.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { REPO, daysAgo } from './workerd.mjs';

const READ_TOKEN = 'wrangler-dev-read-token';
const PORTAL = 'https://portal.example.edu';

let demo;
let scratch;
let worker;
let browser;

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ defaultRows: 2000 });
  scratch = await mkdtemp(join(tmpdir(), 'wrangler-dev-'));
  const port = await freePort();
  worker = await startWranglerDev({
    port,
    persistTo: join(scratch, 'state'),
    vars: {
      OPENATHENS_API_NAME: demo.apiName,
      OPENATHENS_BASE_URL: demo.baseUrl,
      OPENATHENS_API_KEY: 'demo-key',
      READ_TOKEN,
      ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
      FRAME_ANCESTORS: PORTAL,
    },
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await worker?.close();
  await demo?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('workerd.capnp takes its compatibility date from wrangler.toml, so the two cannot drift', () => {
  const capnp = readFileSync(join(REPO, 'worker/workerd.capnp'), 'utf8');
  assert.doesNotMatch(capnp, /compatibilityDate\s*=\s*"/);
  assert.match(capnp, /compatibilityDate = Modules\.compatibilityDate/);
});

test('wrangler dev starts on wrangler.toml and answers /summary from the demo API', async () => {
  const date = daysAgo(1);
  const response = await fetch(`${worker.url}/summary?date=${date}`, { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
  assert.equal(response.status, 200, await response.clone().text());
  assert.deepEqual(await response.json(), await demo.truth({ date }));
});

/** Every script the page or the element starts as a Worker, found in www/'s sources. */
function workerScripts() {
  const scripts = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && !['www/pkg', 'www/vendor'].includes(path)) walk(path);
      else if (entry.name.endsWith('.js')) {
        for (const [, file] of readFileSync(join(REPO, path), 'utf8').matchAll(/new URL\('\.\/([\w-]+\.js)', import\.meta\.url\)/g)) {
          scripts.add(`${dir.slice('www'.length)}/${file}`);
        }
      }
    }
  };
  walk('www');
  return [...scripts];
}

test('the Worker serves the page with the page’s own policy as a header, and frame-ancestors from FRAME_ANCESTORS', async () => {
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(readFileSync(join(REPO, 'www/index.html'), 'utf8'))[1];
  assert.equal(meta, PAGE_POLICY, 'worker/src/site.js holds the policy of www/index.html');
  const scripts = workerScripts();
  assert.ok(scripts.includes('/js/parse-worker.js') && scripts.includes('/js/worker.js'), scripts.join(', '));
  for (const path of ['/', '/index.html', ...scripts, '/embed.js']) {
    const response = await fetch(`${worker.url}${path}`);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('Content-Security-Policy'), `${PAGE_POLICY}; frame-ancestors ${PORTAL}`, path);
    assert.equal(response.headers.get('X-Content-Type-Options'), 'nosniff', path);
  }
  const wasm = await fetch(`${worker.url}/pkg/openathens_rawstats_bg.wasm`);
  assert.equal(wasm.headers.get('Content-Type'), 'application/wasm');
  for (const path of ['/tsconfig.json', '/vendor/uPlot.esm.d.ts', '/.assetsignore']) {
    assert.equal((await fetch(`${worker.url}${path}`)).status, 404, `${path} is for tsc only`);
  }
});

test('the API routes stay the Worker’s own beside the page', async () => {
  const response = await fetch(`${worker.url}/history`);
  assert.equal(response.status, 401);
  assert.equal((await response.json()).error.code, 'AUTH');
});

test('in Chromium, the page from the Worker fetches a day through the Worker’s proxy, to the truth', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  const elsewhere = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(worker.url)) elsewhere.push(request.url());
  });
  await page.goto(`${worker.url}/`);
  // The page has set up its form (the engine's default base URL) before the test types into it.
  const baseUrl = page.getByLabel('API base URL', { exact: true });
  await page.waitForFunction((field) => field.value !== '', await baseUrl.elementHandle());
  await page.getByLabel('API name', { exact: true }).fill(demo.apiName);
  await page.getByLabel('API key', { exact: true }).fill('demo-key');
  await baseUrl.fill(`${worker.url}/api/v1`);
  const date = await page.getByLabel('Report date', { exact: true }).inputValue();
  await page.getByRole('button', { name: 'Fetch report' }).click();
  const download = page.getByRole('button', { name: 'Download summary (JSON)' });
  await download.waitFor({ timeout: 60_000 });
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  const summary = JSON.parse(readFileSync(await file.path(), 'utf8'));
  assert.deepEqual(summary, await demo.truth({ date }));
  assert.deepEqual(problems, []);
  assert.deepEqual(elsewhere, [], 'the page asked only its own origin');
  await context.close();
});
