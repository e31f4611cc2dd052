// <openathens-report archive> in a portal on another origin: the Worker's archive (workerd, filled by a cron
// run from the demo API) read with a view link's token set from script, and no API key anywhere in the
// portal. The element shows the range's merged Summary, equal to the generator's merge of the stored days
// without security; a range outside the link, a token that was altered, and no token at all are refused in
// the element's alert and its reporterror. Needs www/pkg (make build) and gen-report.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { daysAgo, startWorker } from './workerd.mjs';

const READ_TOKEN = 'embed-archive-read-token';
const SHARE_SECRET = 'embed-archive-share-secret';
// What one cron run fetches into an empty archive: yesterday and the 7 oldest days of the API's window.
const STORED = [30, 29, 28, 27, 26].map(daysAgo);
const [FROM, TO] = [daysAgo(30), daysAgo(26)];

let demo;
let worker;
let portal;
let browser;
let token;
// Every request the portal's browser made, to check that no API key left it.
const requests = [];

// The portal: one element per case, the token set from the portal's own script.
function portalPage(elements) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Library portal</title>
<script type="module" src="${new URL('embed.js', demo.url).href}"></script>
<script type="module" src="/portal.js"></script>
</head><body>
${elements.map(({ id, from, to }) => `<openathens-report id="${id}" archive="${worker.url}/" from="${from}" to="${to}"></openathens-report>`).join('\n')}
</body></html>`;
}

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ defaultRows: 2000 });
  let portalOrigin;
  portal = createServer((req, res) => {
    const [elements, script] = portal.files;
    const csp = [
      "default-src 'none'",
      `script-src 'self' ${new URL(demo.url).origin} 'wasm-unsafe-eval'`,
      `worker-src blob: ${new URL(demo.url).origin}`,
      `connect-src ${new URL(demo.url).origin} ${worker.url}`,
      `style-src 'self' ${new URL(demo.url).origin}`,
    ].join('; ');
    if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': csp }).end(portalPage(elements));
    else if (req.url === '/portal.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
    else res.writeHead(404).end();
  });
  await new Promise((done) => portal.listen(0, '127.0.0.1', done));
  portalOrigin = `http://127.0.0.1:${portal.address().port}`;
  worker = await startWorker({
    OPENATHENS_API_NAME: demo.apiName,
    OPENATHENS_BASE_URL: demo.baseUrl,
    OPENATHENS_API_KEY: 'demo-key',
    ALLOWED_ORIGINS: portalOrigin,
    READ_TOKEN,
    SHARE_SECRET,
  });
  const run = await fetch(`${worker.cronUrl}/?scheduledTime=${Date.now()}`, { method: 'POST' });
  assert.equal(run.status, 200, worker.output());
  const shared = await fetch(`${worker.url}/share`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${READ_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ from: FROM, to: TO }),
  });
  assert.equal(shared.status, 201, await shared.clone().text());
  ({ token } = await shared.json());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await worker?.close();
  await demo?.close();
  portal?.close();
});

async function openPortal(elements, script) {
  portal.files = [elements, script];
  const page = await browser.newPage();
  page.on('request', (request) => requests.push({ url: request.url(), headers: request.headers() }));
  // Each element's reporterror, as the portal would hear it.
  await page.addInitScript(() => {
    globalThis.reportErrors = {};
    addEventListener('reporterror', (event) => { globalThis.reportErrors[event.target.id] = event.detail.code; }, true);
  });
  await page.goto(`http://127.0.0.1:${portal.address().port}/`);
  return page;
}

test('a view token shows the archive’s merged range in a portal with no API key', async () => {
  const page = await openPortal([{ id: 'shared', from: FROM, to: TO }], `
document.getElementById('shared').viewToken = ${JSON.stringify(token)};`);
  const report = page.locator('#shared');
  await report.getByRole('heading', { name: `Summary for ${FROM} to ${TO}` }).waitFor({ timeout: 30_000 });
  const { security, ...truth } = await demo.rangeTruth({ dates: STORED });
  assert.ok(security);
  const events = report.locator('.oa-figure', { hasText: 'Events' }).locator('.oa-figure-value');
  assert.equal(await events.textContent(), truth.rows.toLocaleString('en-US'));
  // No account id from the truth's security lists is anywhere in the element.
  const shown = await report.evaluate((host) => host.shadowRoot.innerHTML);
  for (const row of security.byAccount.slice(0, 20)) assert.ok(!shown.includes(row.account), row.account);
  assert.equal(await page.locator('#shared').getAttribute('viewtoken'), null, 'the token is never an attribute');
  // The browser asked the reports API for nothing and sent no key anywhere; the archive got the token.
  assert.deepEqual(requests.filter(({ url }) => url.startsWith(demo.baseUrl)), []);
  assert.deepEqual(requests.filter(({ headers }) => /OAApiKey|demo-key/.test(headers.authorization ?? '')), []);
  assert.ok(requests.some(({ url, headers }) => url.startsWith(`${worker.url}/history`) && headers.authorization === `View ${token}`));
  await page.close();
});

test('dates outside the link, an altered token and no token are refused in words and by reporterror', async () => {
  const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
  const page = await openPortal([
    { id: 'outside', from: daysAgo(30), to: daysAgo(1) },
    { id: 'altered', from: FROM, to: TO },
    { id: 'none', from: FROM, to: TO },
  ], `
document.getElementById('outside').viewToken = ${JSON.stringify(token)};
document.getElementById('altered').viewToken = ${JSON.stringify(altered)};`);
  await page.waitForFunction(() => Object.keys(globalThis.reportErrors).length === 3, null, { timeout: 30_000 });
  assert.deepEqual(await page.evaluate(() => globalThis.reportErrors), { outside: 'OUT_OF_SCOPE', altered: 'AUTH', none: 'AUTH' });
  assert.match(await page.locator('#outside').getByRole('alert').textContent(), /does not cover those dates/);
  await page.close();
});
