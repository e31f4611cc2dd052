// A view link's whole journey, in Chromium, on the Worker as `wrangler dev --local` runs it (page, archive
// and /share on one origin) in front of the demo API: a colleague signed in by Cloudflare Access (a JWT
// from a local key server, as Access would add it) makes the link with Share view; a fresh browser profile
// with no key and no sign-in opens it and sees the link's range, sending no API key anywhere; a date outside
// the link is refused; an expired and an altered link are refused in plain words.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { freePort, startWranglerDev } from '../../scripts/wrangler-dev.mjs';
import { accessClaims, jwt, keyPair, signViewToken, startKeyServer } from './access-keys.mjs';
import { launchChromiumWithProfile } from './chromium.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { REPO, daysAgo } from './workerd.mjs';

const TEAM = 'share-test.cloudflareaccess.com';
const AUD = 'share-test-aud';
const SHARE_SECRET = 'share-view-test-secret';
const COLLEAGUE = 'colleague@example.edu';
const TEAM_KEY = keyPair('share-team-key');
// The range shared: days the archive holds after the first cron run (the oldest of the API's window).
const [FROM, TO] = [daysAgo(30), daysAgo(26)];

let demo;
let keys;
let worker;
let scratch;
const profiles = [];

const signedIn = () => ({ 'Cf-Access-Jwt-Assertion': jwt(accessClaims({ team: TEAM, aud: AUD, email: COLLEAGUE }), { key: TEAM_KEY }) });

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ defaultRows: 1500 });
  keys = await startKeyServer([TEAM_KEY.jwk]);
  scratch = await mkdtemp(join(tmpdir(), 'share-view-'));
  const port = await freePort();
  worker = await startWranglerDev({
    port,
    persistTo: join(scratch, 'state'),
    vars: {
      OPENATHENS_API_NAME: demo.apiName,
      OPENATHENS_BASE_URL: demo.baseUrl,
      OPENATHENS_API_KEY: 'demo-key',
      ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
      ACCESS_TEAM_DOMAIN: TEAM,
      ACCESS_AUD: AUD,
      ACCESS_CERTS_URL: keys.certsUrl,
      SHARE_SECRET,
    },
  });
  await worker.fillArchive({ query: `from=${FROM}&to=${TO}`, headers: signedIn() });
});

after(async () => {
  for (const profile of profiles) await profile.context.close();
  await worker?.close();
  await keys?.close();
  await demo?.close();
  for (const profile of profiles) await rm(profile.dir, { recursive: true, force: true });
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A browser with a profile of its own; `headers` go with every request (Access's, for a signed-in person). */
async function freshBrowser(headers = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'share-view-profile-'));
  const context = await launchChromiumWithProfile(dir, { extraHTTPHeaders: headers });
  profiles.push({ dir, context });
  const page = context.pages()[0] ?? await context.newPage();
  const requests = [];
  page.on('request', (request) => requests.push({ url: request.url(), authorization: request.headers().authorization }));
  return { page, requests };
}

test('a signed-in colleague makes a view link; a fresh browser with no key opens it, and only its dates', async () => {
  const maker = await freshBrowser(signedIn());
  await maker.page.goto(`${worker.url}/`, { timeout: 60_000 });
  const archive = maker.page.locator('.archive-fields');
  await maker.page.getByRole('radio', { name: 'Archive' }).waitFor();
  await archive.getByLabel('Date range', { exact: true }).selectOption('custom');
  await archive.getByLabel('From', { exact: true }).fill(FROM);
  await archive.getByLabel('To', { exact: true }).fill(TO);
  await maker.page.getByRole('button', { name: 'Show archive' }).click();
  await maker.page.getByRole('heading', { name: 'Share view' }).waitFor({ timeout: 30_000 });
  // Access's reader sees no Security section, so the link cannot carry one.
  assert.equal(await maker.page.getByLabel(/Include the Security section/).count(), 0);
  await maker.page.getByRole('button', { name: 'Share view' }).click();
  // The link shows once the Worker has made it.
  await maker.page.getByLabel('View link').waitFor({ timeout: 30_000 });
  const link = await maker.page.getByLabel('View link').inputValue();
  assert.match(link, new RegExp(`^${worker.url}/#view=v1\\.[\\w-]+\\.[\\w-]+$`));
  // Share view and the link it made pass axe (evaluated, not added as a script tag, which the CSP refuses).
  await maker.page.evaluate(await readFile(join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const violations = await maker.page.evaluate(async () => {
    const { violations } = await window.axe.run(document.querySelector('.oa-share'), { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] });
    return violations.flatMap((rule) => rule.nodes.map((node) => `${rule.id} ${node.target}: ${node.failureSummary}`));
  });
  assert.deepEqual(violations, []);

  const viewer = await freshBrowser();
  await viewer.page.goto(link, { timeout: 60_000 });
  await viewer.page.getByRole('heading', { name: `Archive, ${FROM} to ${TO}` }).waitFor({ timeout: 30_000 });
  const { security, ...truth } = await demo.rangeTruth({ dates: [30, 29, 28, 27, 26].map(daysAgo) });
  assert.ok(security);
  const events = viewer.page.locator('.oa-figure', { hasText: 'Events' }).first().locator('.oa-figure-value');
  assert.equal(await events.textContent(), truth.rows.toLocaleString('en-US'));
  assert.equal(await viewer.page.getByRole('radio', { name: 'OpenAthens API' }).isVisible(), false, 'a link reads the archive only');
  assert.equal(await viewer.page.getByRole('heading', { name: 'Share view' }).count(), 0, 'a link cannot make links');
  const token = new URL(link).hash.slice('#view='.length);
  const reads = viewer.requests.filter(({ url }) => new URL(url).pathname === '/history');
  assert.ok(reads.length > 0 && reads.every(({ authorization }) => authorization === `View ${token}`), JSON.stringify(reads));
  assert.deepEqual(viewer.requests.filter(({ url }) => url.startsWith(demo.baseUrl) || url.includes('/api/v1/')), []);
  assert.deepEqual(viewer.requests.filter(({ authorization }) => /OAApiKey|demo-key/.test(authorization ?? '')), []);

  // A date outside the link's range.
  const fields = viewer.page.locator('.archive-fields');
  await fields.getByLabel('From', { exact: true }).fill(daysAgo(20));
  await fields.getByLabel('To', { exact: true }).fill(daysAgo(1));
  await viewer.page.getByRole('button', { name: 'Show archive' }).click();
  const alert = viewer.page.getByRole('alert');
  await alert.getByText('This view link does not cover those dates.').waitFor({ timeout: 30_000 });
  assert.match(await alert.textContent(), /OUT_OF_SCOPE/);
});

test('an expired link and an altered one are refused in plain words', async () => {
  const expired = signViewToken({ from: FROM, to: TO, security: false, exp: Math.floor(Date.now() / 1000) - 60 }, SHARE_SECRET);
  const good = signViewToken({ from: FROM, to: TO, security: false, exp: Math.floor(Date.now() / 1000) + 3600 }, SHARE_SECRET);
  // The payload widened to yesterday, the signature kept: what someone editing a link would try.
  const [version, , signature] = good.split('.');
  const altered = `${version}.${Buffer.from(JSON.stringify({ from: FROM, to: daysAgo(1), security: false, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')}.${signature}`;
  const { page } = await freshBrowser();
  for (const [token, title, code] of [[expired, 'This view link has expired.', 'EXPIRED'], [altered, 'This view link is not valid.', 'AUTH']]) {
    // Each link opened as a new document: from one fragment to another would not load the page again.
    await page.goto('about:blank');
    await page.goto(`${worker.url}/#view=${token}`, { timeout: 60_000 });
    const alert = page.getByRole('alert');
    await alert.getByText(title).waitFor({ timeout: 30_000 });
    assert.match(await alert.textContent(), new RegExp(code));
    assert.equal(await page.locator('.oa-figure').count(), 0, 'nothing of the archive is shown');
  }
});
