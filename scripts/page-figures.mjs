#!/usr/bin/env node
// The page's figures, measured rather than tested: the time from a 1M-row report file chosen to its summary
// drawn in headless Chromium, the gzipped size of www/ as served, and docs/page.md's screenshots
// (docs/page-desktop.png, docs/page-phone.png, docs/tables-desktop.png, docs/tables-phone.png, and a
// 30-day range in docs/range-desktop.png). Needs
// `make build` and gen-report.
// Usage: node scripts/page-figures.mjs [--rows N | --report FILE] [--runs N] [--no-screenshots]
// (--report: time an existing report, e.g. make bench's, instead of generating one)

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../tests/js/chromium.mjs';
import { secondsFromFileToSummary } from './summary-timer.mjs';
import { gzippedSizes } from './www-sizes.mjs';
import { startDemoApi } from '../demo-api/server.mjs';
import { ensureGenReport } from '../tests/js/gen-report.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, report: { type: 'string' }, runs: { type: 'string', default: '3' }, 'no-screenshots': { type: 'boolean', default: false } },
});
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

const scratch = await mkdtemp(join(tmpdir(), 'page-figures-'));
const demo = await startDemoApi({ root: 'www', defaultRows: 20_000 });
const browser = await launchChromium();
try {
  const report = args.report ?? join(scratch, 'report.csv.gz');
  if (!args.report) {
    execFileSync(ensureGenReport(), ['--rows', args.rows, '--seed', '1', '--date', yesterday, '--out', report]);
  }
  const { size } = await stat(report);
  console.log(`report: ${report}, ${(size / 1e6).toFixed(1)} MB gzipped`);

  for (let run = 1; run <= Number(args.runs); run += 1) {
    const seconds = await secondsFromFileToSummary(browser, demo.url, report);
    console.log(`run ${run}: file chosen to summary drawn in ${seconds.toFixed(2)} s`);
  }

  const { own, vendor } = await gzippedSizes();
  console.log(`www gzipped (-9, per file): own HTML+JS+CSS+wasm ${(own / 1024).toFixed(1)} KiB, uPlot ${(vendor / 1024).toFixed(1)} KiB, together ${((own + vendor) / 1024).toFixed(1)} KiB`);

  if (!args['no-screenshots']) {
    // The top of the summary, and its tables (codes in plain words; stacked rows on the phone).
    const shots = [
      [1280, 1500, 'page-desktop.png', '#result', 'day'],
      [390, 1700, 'page-phone.png', '#result', 'day'],
      [1280, 1300, 'tables-desktop.png', '.oa-grid', 'day'],
      [390, 2200, 'tables-phone.png', '.oa-grid', 'day'],
      [1280, 1500, 'range-desktop.png', '#result', '30'],
    ];
    for (const [width, height, name, from, range] of shots) {
      const page = await browser.newPage({ viewport: { width, height } });
      await page.goto(demo.url);
      // demo-config.json fills the form once it has loaded.
      await page.waitForFunction((name) => document.getElementById('api-name').value === name, demo.apiName);
      await page.getByLabel('Date range').selectOption(range);
      await page.getByRole('button', { name: 'Fetch report' }).click();
      await page.getByRole('button', { name: 'Download summary (JSON)' }).waitFor({ timeout: 300_000 });
      const top = await page.locator(from).evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
      await page.screenshot({ path: join(REPO, 'docs', name), fullPage: true, clip: { x: 0, y: top - 8, width, height } });
      console.log(`wrote docs/${name}`);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await demo.close();
  await rm(scratch, { recursive: true, force: true });
}
