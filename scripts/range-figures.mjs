#!/usr/bin/env node
// The page's range against single days, measured in headless Chromium against the demo API: the time from
// Fetch report to the summary drawn for a 7-day range (days fetched in the page's pool of workers and
// merged), and the sum of the same seven days fetched one at a time. The reports are generated (and
// fetched once) before anything is timed, so both measure fetching and parsing only. Needs `make build`.
// Usage: node scripts/range-figures.mjs [--rows N] [--days N]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../tests/js/chromium.mjs';
import { secondsToSummary } from './summary-timer.mjs';
import { startDemoApi } from '../demo-api/server.mjs';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, days: { type: 'string', default: '7' } } });
const DAY_MS = 86_400_000;
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const days = Array.from({ length: Number(args.days) }, (_, at) => dayOf(Date.now() - (Number(args.days) - at) * DAY_MS));

const cacheDir = await mkdtemp(join(tmpdir(), 'range-figures-'));
const demo = await startDemoApi({ root: 'www', defaultRows: Number(args.rows), cacheDir, generationWaitMs: 600_000 });
const browser = await launchChromium();

// Fetch report with the form as it is; resolves to seconds from the click to the summary drawn.
function timed(page) {
  return secondsToSummary(page, () => page.getByRole('button', { name: 'Fetch report' }).click());
}

async function rangeOnce(page) {
  await page.getByLabel('Date range').selectOption('custom');
  await page.getByLabel('From', { exact: true }).fill(days[0]);
  await page.getByLabel('To', { exact: true }).fill(days.at(-1));
  return timed(page);
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(demo.url);
  await page.waitForFunction(() => document.getElementById('api-name').value !== '');
  console.log(`${days.length} days of ${args.rows} rows, ${days[0]} to ${days.at(-1)}; workers in the pool: ${await page.evaluate(async () => (await import('./js/range.js')).poolSize())}`);
  console.log(`generating and fetching once: ${(await rangeOnce(page)).toFixed(2)} s`);

  let single = 0;
  await page.getByLabel('Date range').selectOption('day');
  for (const day of days) {
    await page.getByLabel('Report date').fill(day);
    const seconds = await timed(page);
    single += seconds;
    console.log(`  ${day} alone: ${seconds.toFixed(2)} s`);
  }
  const range = await rangeOnce(page);
  console.log(`sum of the single days: ${single.toFixed(2)} s; the range: ${range.toFixed(2)} s = ${(range / single).toFixed(2)} x the sum`);
} finally {
  await browser.close();
  await demo.close();
  await rm(cacheDir, { recursive: true, force: true });
}
