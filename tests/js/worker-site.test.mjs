// The Worker serving the page, as a Cloudflare developer first runs it: `wrangler dev --local` with the
// pinned wrangler (its own runtime, static assets and KV), in front of the demo reports API. Every HTML page
// and worker script carries the page's Content-Security-Policy as a header with FRAME_ANCESTORS; files only
// tsc reads are not served; and in Chromium the page from the Worker fetches a day through the Worker's
// proxy, to the demo API's truth, with nothing refused by its policy.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { freePort, startWranglerDev } from '../../scripts/wrangler-dev.mjs';
import { PAGE_POLICY } from '../../worker/src/site.js';
import { launchChromium } from './chromium.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { REPO } from './workerd.mjs';

const PORTAL = 'https://portal.example.edu';

let demo;
let worker;
let browser;

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ defaultRows: 2000 });
  const port = await freePort();
  worker = await startWranglerDev({
    port,
    vars: {
      OPENATHENS_API_NAME: demo.apiName,
      OPENATHENS_BASE_URL: demo.baseUrl,
      OPENATHENS_API_KEY: 'demo-key',
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
  assert.equal(response.status, 403);
  assert.equal((await response.json()).error.code, 'NOT_PUBLIC');
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
