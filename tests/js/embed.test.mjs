// <openathens-report> (www/embed.js) in a foreign page: a portal on another origin, with a strict CSP and
// hostile global CSS, adds it with one script tag and sets the key from script. The summary renders inside
// the element's shadow root, untouched by the portal's CSS. Needs www/pkg (make build) and gen-report
// (built here unless GEN_REPORT names one).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromiumWithProfile } from './chromium.mjs';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { HOSTILE_API_NAME, leakedPiece, startHostileApi } from './hostile-api.mjs';

const DATE = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
// A sub-organisation key pasted with spaces and a line break, for an API that echoes the key it was sent.
const PADDED = '  key/with;odd chars\r\n';

// Everything a careless portal stylesheet might do to an embedded widget.
const HOSTILE_CSS = `
html { font-size: 7px !important; }
* { color: rgb(255, 0, 0) !important; font-family: "Comic Sans MS", cursive !important; letter-spacing: 4px !important;
    text-transform: uppercase !important; line-height: 4 !important; box-sizing: content-box !important; }
h2, h3 { display: inline !important; font-size: 60px !important; }
div, section, article, dl { padding: 50px !important; background: yellow !important; border: 6px dashed lime !important; }
table, td, th, tr { display: block !important; }
openathens-report { display: inline !important; visibility: hidden !important; font-size: 40px !important; direction: rtl !important; }
:root { --oa-ink: red; --oa-rem: 3px; --oa-accent: lime; }
`;

function portalFiles(demo, hostile) {
  const embed = new URL('embed.js', demo.url).href;
  const element = (id, key) => `<openathens-report id="${id}" api-name="${demo.apiName}" date="${DATE}" api-base-url="${demo.baseUrl}"></openathens-report>`;
  return {
    '/': ['text/html', `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Library portal</title>
<link rel="stylesheet" href="/portal.css">
<script type="module" src="/portal.js"></script>
<script type="module" src="${embed}"></script>
</head><body>
<h2 id="portal-heading">Portal news</h2>
<div id="widget">${element('report')}</div>
<div>${element('refused')}</div>
</body></html>`],
    '/portal.css': ['text/css', HOSTILE_CSS],
    // The portal's own script sets the keys, possibly before embed.js has defined the element.
    '/portal.js': ['text/javascript', `
document.getElementById('report').apiKey = ${JSON.stringify(demo.keys[0].key)};
document.getElementById('refused').apiKey = 'not-a-key';`],
    '/echo': ['text/html', `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Library portal</title>
<script type="module" src="/echo.js"></script>
<script type="module" src="${embed}"></script>
</head><body>
<openathens-report id="echoed" api-name="${HOSTILE_API_NAME}" date="${DATE}" api-base-url="${hostile.baseUrl('echo-escaped')}"></openathens-report>
</body></html>`],
    '/echo.js': ['text/javascript', `
const element = document.getElementById('echoed');
element.addEventListener('reporterror', (event) => { window.reportError = event.detail; });
element.keys = [{ label: 'main', key: ${JSON.stringify(PADDED)} }];`],
  };
}

let demo;
let hostile;
let portal;
let browser;
let profile;

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ defaultRows: 3000 });
  hostile = await startHostileApi();
  const demoOrigin = new URL(demo.url).origin;
  const files = portalFiles(demo, hostile);
  // The CSP docs/embedding.md asks a portal for: the element's host for scripts, styles, the wasm and the API.
  const csp = [
    "default-src 'none'",
    `script-src 'self' ${demoOrigin} 'wasm-unsafe-eval'`,
    `worker-src blob: ${demoOrigin}`,
    `connect-src ${demoOrigin} ${new URL(hostile.baseUrl('echo')).origin}`,
    `style-src 'self' ${demoOrigin}`,
    'img-src data: blob:',
  ].join('; ');
  portal = createServer((req, res) => {
    const file = files[req.url];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': `${file[0]}; charset=utf-8`, 'Content-Security-Policy': csp });
    res.end(file[1]);
  });
  await new Promise((done) => portal.listen(0, '127.0.0.1', done));
  profile = await mkdtemp(join(tmpdir(), 'embed-test-'));
  browser = await launchChromiumWithProfile(profile, {
    viewport: { width: 1100, height: 900 },
  });
});

after(async () => {
  await browser?.close();
  await demo?.close();
  await hostile?.close();
  portal?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

test('the element renders the summary in a foreign page, unaffected by its hostile CSS', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('worker', (worker) => worker.on('console', (message) => { if (message.type() === 'error') problems.push(`worker: ${message.text()}`); }));
  await page.goto(`http://127.0.0.1:${portal.address().port}/`);

  const report = page.locator('#report');
  const heading = report.getByRole('heading', { name: `Summary for ${DATE}` });
  await heading.waitFor({ timeout: 30_000 }).catch(async (error) => {
    const shown = await report.evaluate((host) => host.shadowRoot.textContent).catch(() => '(no shadow root)');
    throw new Error(`${error.message}\nThe element shows: ${shown}\nConsole: ${problems.join('\n')}`);
  });
  const truth = await demo.truth({ date: DATE });
  const events = report.locator('.oa-figure', { hasText: 'Events' }).locator('.oa-figure-value');
  assert.equal(await events.textContent(), truth.rows.toLocaleString('en-US'));
  assert.ok(await report.getByRole('table').first().isVisible());

  // The portal's CSS is live on the portal's own heading...
  const portalHeading = await page.locator('#portal-heading').evaluate((el) => getComputedStyle(el).color);
  assert.equal(portalHeading, 'rgb(255, 0, 0)');
  // ...and stops at the element's edge.
  const styles = await page.locator('#report').evaluate((host) => {
    const style = (el) => {
      const s = getComputedStyle(el);
      return { display: s.display, color: s.color, fontSize: s.fontSize, letterSpacing: s.letterSpacing, textTransform: s.textTransform, fontFamily: s.fontFamily, visibility: s.visibility, background: s.backgroundColor, direction: s.direction };
    };
    const root = host.shadowRoot;
    const parent = getComputedStyle(host.parentElement);
    const parentContentWidth = host.parentElement.clientWidth - parseFloat(parent.paddingLeft) - parseFloat(parent.paddingRight);
    return {
      host: { ...style(host), width: host.getBoundingClientRect().width, parentContentWidth },
      h2: style(root.querySelector('h2')),
      table: style(root.querySelector('table')),
      cell: style(root.querySelector('td')),
      card: style(root.querySelector('.oa-card')),
    };
  });
  assert.equal(styles.host.display, 'block');
  assert.equal(styles.host.visibility, 'visible');
  assert.equal(styles.host.direction, 'ltr');
  // A block as wide as its container, whatever the portal says.
  assert.ok(Math.abs(styles.host.width - styles.host.parentContentWidth) < 1, JSON.stringify(styles.host));
  // None of the hostile values reaches the inside: not its colour, font, sizes (60px, nor 3px rems through
  // --oa-rem), spacing, case, display, background or direction.
  const h2 = styles.h2;
  assert.notEqual(h2.color, 'rgb(255, 0, 0)', 'colour');
  assert.ok(!h2.fontFamily.includes('Comic'), h2.fontFamily);
  assert.ok(h2.fontSize !== '60px' && parseFloat(h2.fontSize) >= 12, `font size ${h2.fontSize}`);
  assert.notEqual(h2.letterSpacing, '4px');
  assert.notEqual(h2.textTransform, 'uppercase');
  assert.notEqual(h2.display, 'inline');
  assert.equal(h2.visibility, 'visible');
  assert.equal(h2.direction, 'ltr');
  assert.equal(styles.table.display, 'table');
  assert.equal(styles.cell.display, 'table-cell');
  for (const [what, style] of Object.entries(styles)) assert.notEqual(style.background, 'rgb(255, 255, 0)', `${what} background`);

  // A key the API refuses is explained inside that element.
  const alert = page.locator('#refused').getByRole('alert');
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.textContent(), /did not accept the API key.*\(AUTH\)/s);

  // The Security section (account ids and addresses) shows only while the portal asks for it, without a new fetch.
  const security = report.getByRole('heading', { name: 'Security', exact: true });
  assert.equal(await security.count(), 0);
  await report.evaluate((host) => host.setAttribute('security', ''));
  await security.waitFor({ timeout: 5000 });
  await report.evaluate((host) => host.removeAttribute('security'));
  await security.waitFor({ state: 'detached', timeout: 5000 });

  // The key never appears in the page, the element's attributes or its shadow root.
  const markup = await page.evaluate(() => document.documentElement.outerHTML
    + [...document.querySelectorAll('openathens-report')].map((el) => el.shadowRoot.innerHTML).join(''));
  assert.ok(!markup.includes(demo.keys[0].key) && !markup.includes('not-a-key'));
  // The refused key's 401 is the only console error; nothing else (no CSP refusal, no script error).
  assert.deepEqual(problems.filter((text) => !/401/.test(text)), []);
  await page.close();
});

test("a padded key set through .keys is in no form in the element's alert or its reporterror", async () => {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${portal.address().port}/echo`);
  const alert = page.locator('#echoed').getByRole('alert');
  await alert.waitFor({ timeout: 30_000 });
  const detail = await page.waitForFunction(() => window.reportError).then((handle) => handle.jsonValue());
  assert.equal(detail.code, 'SERVER', detail.message);
  const key = PADDED.trim();
  for (const text of [detail.message, await alert.textContent()]) assert.equal(leakedPiece(text, key), undefined, text);
  await page.close();
});
