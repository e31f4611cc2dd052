// make bench, page side: the report chosen in the page's Open report file, in headless Chromium, timed from
// the file chosen to its summary drawn (summary-timer.mjs), with the page's pipeline of N workers
// (`?workers=N`: 1 the single worker, 2 an inflate and a parse worker, 3 inflate and two parse workers).
// Each line is the best of --runs, each run in a fresh page.
// usage: node scripts/bench-page.mjs REPORT PLAIN_BYTES [--workers 1,2,3] [--runs 2]
import { parseArgs } from 'node:util';
import { startDemoApi } from '../demo-api/server.mjs';
import { launchChromium } from '../tests/js/chromium.mjs';
import { secondsFromFileToSummary } from './summary-timer.mjs';

const { values: args, positionals: [report, plainArg] } = parseArgs({
  allowPositionals: true,
  options: { workers: { type: 'string', default: '1,2,3' }, runs: { type: 'string', default: '2' } },
});
const plainBytes = Number(plainArg);

const demo = await startDemoApi({ root: 'www' });
const browser = await launchChromium();
try {
  for (const workers of args.workers.split(',')) {
    const url = new URL(`?workers=${workers}`, demo.url).href;
    const runs = [];
    for (let run = 0; run < Number(args.runs); run += 1) runs.push(await secondsFromFileToSummary(browser, url, report));
    const best = Math.min(...runs);
    console.log(`${`page-${workers}w`.padEnd(9)} ${best.toFixed(3).padStart(7)} s  ${(plainBytes / best / 1e6).toFixed(1).padStart(6)} MB/s  ` +
      `(best of ${runs.map((s) => s.toFixed(3)).join(', ')} s; ?workers=${workers})`);
  }
} finally {
  await browser.close();
  await demo.close();
}
