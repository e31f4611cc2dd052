#!/usr/bin/env node
// The archive page's figures, measured rather than tested: the Worker under `wrangler dev --local` in front
// of the demo API (the default demo organisation, 20,000 rows a day), its archive filled by the cron, and
// in headless Chromium the time from choosing Last 12 months to the summary drawn, with the bytes the page
// downloaded for it; then the screenshots docs/archive-12-months-{desktop,phone}.png,
// docs/archive-compare-{desktop,phone}.png and docs/archive-by-month-{desktop,phone}.png (1280 and 390 px
// wide). Needs `make build` and gen-report.
// Usage: node scripts/archive-figures.mjs [--runs N] [--no-screenshots]

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startDemoApi } from '../demo-api/server.mjs';
import { launchChromium } from '../tests/js/chromium.mjs';
import { ensureGenReport } from '../tests/js/gen-report.mjs';
import { archivePreset } from '../www/js/archive/periods.js';
import { freePort, startWranglerDev } from './wrangler-dev.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'no-screenshots': { type: 'boolean', default: false } } });

ensureGenReport();
// Kept between runs (as make serve-worker keeps target/worker-state), so a second run need not fill it again.
const state = join(REPO, 'target/archive-figures-state');
const demo = await startDemoApi();
const port = await freePort();
const worker = await startWranglerDev({
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
const browser = await launchChromium();

async function openPage(width) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${worker.url}/`);
  await page.getByRole('radio', { name: 'Archive' }).waitFor();
  return page;
}

async function show(page, { preset, compare = 'none' }) {
  const archive = page.locator('.archive-fields');
  await archive.getByLabel('Compare with', { exact: true }).selectOption(compare);
  await archive.getByLabel('Date range', { exact: true }).selectOption(preset);
  await page.getByRole('button', { name: 'Show archive' }).click();
  await page.getByRole('button', { name: 'Download summary (JSON)' }).waitFor({ timeout: 120_000 });
}

try {
  await worker.fillArchive({ maxSeconds: 900 });
  const { from, to } = archivePreset('last-12-months');
  for (const query of ['', '&group=month']) {
    const started = performance.now();
    const text = await (await fetch(`${worker.url}/history?from=${from}&to=${to}${query}`)).text();
    console.log(`/history?from=${from}&to=${to}${query}: ${((performance.now() - started) / 1000).toFixed(2)} s, ${(text.length / 1024).toFixed(0)} KiB`);
  }
  for (let run = 1; run <= Number(args.runs); run += 1) {
    const page = await openPage(1280);
    await page.evaluate(() => performance.clearResourceTimings());
    const started = performance.now();
    await show(page, { preset: 'last-12-months' });
    const ms = performance.now() - started;
    const bytes = await page.evaluate(() => performance.getEntriesByType('resource').reduce((sum, entry) => sum + entry.transferSize, 0));
    console.log(`Last 12 months, run ${run}: summary drawn ${(ms / 1000).toFixed(2)} s after choosing it; the page downloaded ${(bytes / 1024).toFixed(0)} KiB`);
    await page.close();
  }
  if (!args['no-screenshots']) {
    for (const [width, name] of [[1280, 'desktop'], [390, 'phone']]) {
      const page = await openPage(width);
      await show(page, { preset: 'last-12-months' });
      await page.screenshot({ path: join(REPO, `docs/archive-12-months-${name}.png`), fullPage: true, clip: await clipFrom(page, '.oa-archive', 1300) });
      await page.screenshot({ path: join(REPO, `docs/archive-by-month-${name}.png`), fullPage: true, clip: await clipFrom(page, '.oa-by-month', 1100) });
      // The last 14 days against the 14 before: both inside the demo API's 30 days, so both stored.
      const archive = page.locator('.archive-fields');
      await archive.getByLabel('Date range', { exact: true }).selectOption('custom');
      await archive.getByLabel('From', { exact: true }).fill(daysAgo(14));
      await archive.getByLabel('To', { exact: true }).fill(daysAgo(1));
      await archive.getByLabel('Compare with', { exact: true }).selectOption('previous');
      await page.getByRole('button', { name: 'Show archive' }).click();
      await page.locator('.oa-compare').waitFor({ timeout: 120_000 });
      await page.screenshot({ path: join(REPO, `docs/archive-compare-${name}.png`), fullPage: true, clip: await clipFrom(page, '.oa-compare', 1300) });
      await page.close();
    }
  }
} finally {
  await browser.close();
  await worker.close();
  await demo.close();
}

function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** The page from the top of `selector`, `height` px of it, in page coordinates. */
async function clipFrom(page, selector, height) {
  const box = await page.locator(selector).boundingBox();
  const scroll = await page.evaluate(() => window.scrollY);
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  return { x: 0, y: box.y + scroll - 8, width, height };
}
