// The page's reading of a report file on several threads (www/js/pipeline.js) against the single worker,
// in headless Chromium through ReportWorker, as the page runs it: ?workers=1, 2 and 3 give the same
// Summary for a report (gzip in one or several members, plain CSV, a slice) and the same error for every
// way a file goes wrong, three threads really share the parsing of a clean report, a file whose quotes
// fool the cutting is read again on one thread, and Cancel stops every thread at once. A report fetched
// from the demo API is counted the same way while it downloads, with the same Summary, the same kept
// report bytes and the same errors (a wrong key, a corrupt or cut download) on every layout.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { openSuitePage } from './chromium.mjs';
import { startDemoApi } from '../../demo-api/server.mjs';
import { REPO, ensureBuilt } from './fetch-harness.mjs';
import { ensureGenReport } from './gen-report.mjs';

ensureBuilt();
let demo;
let browser;
let page;
let report;
/** The generator's own Summary of `report`, which every layout must give. */
let truth;
// The files the page reads, served by the harness from the repository's root.
const FILES = join(REPO, 'target', 'pipeline-test');
let files = 0;

before(async () => {
  await mkdir(FILES, { recursive: true });
  // About 11 MB of CSV: batches of 1 MiB, so three threads share a dozen of them.
  execFileSync(ensureGenReport(), ['--rows', '30000', '--seed', '3', '--date', '2026-01-15', '--out', join(FILES, 'report.csv.gz'), '--truth', join(FILES, 'truth.json')]);
  report = await readFile(join(FILES, 'report.csv.gz'));
  truth = JSON.parse(await readFile(join(FILES, 'truth.json'), 'utf8'));
  // The suite page and the reports API on one origin; 30,000-row reports, as above.
  demo = await startDemoApi({ root: '.', defaultRows: 30_000 });
  browser = await openSuitePage(new URL(demo.url).origin, '/www/js/report-worker.js');
  ({ page } = browser);
  await page.evaluate(() => { globalThis.reportWorker = new globalThis.suite.module.ReportWorker(); });
});

after(async () => {
  await browser?.close();
  await demo?.close();
  await rm(FILES, { recursive: true, force: true });
});

/** Puts `bytes` where the page can fetch them; returns their path. */
async function serve(bytes) {
  const name = `file-${++files}`;
  await writeFile(join(FILES, name), bytes);
  return `/target/pipeline-test/${name}`;
}

/**
 * Reads `path` as a chosen file with `workers` threads: {summary} or {error: {code, message}}, and the
 * threads the last progress report named (undefined: read on one).
 */
function read(path, workers, options = {}) {
  return page.evaluate(async ({ path, workers, options }) => {
    const file = await (await fetch(path)).blob();
    let threads;
    const job = globalThis.reportWorker.run('file', { file, workers, options }, (progress) => { threads = progress.threads; });
    try {
      const { result } = await job.result;
      return { summary: JSON.stringify(result), threads };
    } catch (error) {
      return { error: { code: error.code, message: error.message }, threads };
    }
  }, { path, workers, options });
}

/** The same outcome for `bytes` on one, two and three threads; returns them. */
async function sameOnAll(bytes, options) {
  const path = await serve(bytes);
  const [one, two, three] = [await read(path, 1, options), await read(path, 2, options), await read(path, 3, options)];
  assert.equal(one.threads, undefined);
  for (const other of [two, three]) {
    assert.deepEqual(other.error, one.error);
    assert.ok(other.summary === one.summary, 'the Summaries differ');
  }
  return [one, two, three];
}

test("a report gives the generator's Summary on one, two and three threads, and three share it", async () => {
  const [one, two, three] = await sameOnAll(report);
  assert.deepEqual(JSON.parse(one.summary), truth);
  assert.equal(two.threads, 2);
  assert.equal(three.threads, 3, 'the report was read again on one thread instead of shared');
});

test('gzip in several members, plain CSV and a slice give the same on every layout', async () => {
  const csv = gunzipSync(report);
  const members = Buffer.concat([0, 1, 2].map((k) => gzipSync(csv.subarray((k * csv.length) / 3, ((k + 1) * csv.length) / 3))));
  const [, , three] = await sameOnAll(members);
  assert.equal(three.threads, 3);
  assert.deepEqual(JSON.parse(three.summary), truth);
  const [plain] = await sameOnAll(csv);
  assert.deepEqual(JSON.parse(plain.summary), truth);
  const [slice] = await sameOnAll(report, { filter: { column: 'request.countrycode', value: 'GB' } });
  assert.ok(JSON.parse(slice.summary).rows > 0);
});

test('every broken file gets the same error on every layout', async () => {
  const csv = gunzipSync(report);
  const corrupt = Buffer.from(report);
  corrupt[Math.floor(corrupt.length * 0.6)] ^= 0x55;
  const cases = [
    [corrupt, 'BAD_GZIP'],
    [report.subarray(0, Math.floor(report.length * 0.7)), 'TRUNCATED'],
    [gzipSync(Buffer.from('nothing like a report\n'.repeat(100_000))), 'NOT_A_REPORT'],
    [gzipSync(Buffer.concat([Buffer.from(`${Array(5000).fill('x').join(',')}\n`), csv])), 'TOO_LARGE'],
  ];
  for (const [bytes, code] of cases) {
    const [one] = await sameOnAll(bytes);
    assert.equal(one.error?.code, code, one.error?.message);
  }
  const [badFilter] = await sameOnAll(report, { filter: { column: 'no.such.column', value: 'x' } });
  assert.equal(badFilter.error?.code, 'BAD_FILTER');
});

test('a stray quote that fools the cutting sends the file through one thread, with the same Summary', async () => {
  // A quote inside a bare field is a plain character to csv-core, but counting quotes from it on takes
  // the line feed inside each later quoted field for one outside quotes: a cut there falls inside a
  // record, which its parser sees.
  const lines = gunzipSync(report).toString('latin1').split('\n');
  const fooled = lines.map((line, at) => {
    if (at === 5) return line.replace(/,([^,"]*)$/, ',a"b');
    return at > 5 ? line.replace(/,([^,"]*)$/, ',"$1\nx"') : line;
  });
  assert.notEqual(fooled[5], lines[5]);
  const [one, , three] = await sameOnAll(gzipSync(Buffer.from(fooled.join('\n'), 'latin1')));
  assert.equal(JSON.parse(one.summary).rows, 30000);
  assert.equal(three.threads, undefined, 'the shares were kept');
});

test('Cancel stops all three threads at once, and the next file is read on three again', async () => {
  const big = await serve(Buffer.concat(Array(6).fill(report)));
  const outcome = await page.evaluate(async (path) => {
    const file = await (await fetch(path)).blob();
    let job;
    let lastBytes = 0;
    const started = new Promise((resolve) => {
      job = globalThis.reportWorker.run('file', { file, workers: 3 }, (progress) => {
        lastBytes = progress.bytes ?? lastBytes;
        if (progress.threads === 3 && progress.bytes > 0) resolve(undefined);
      });
    });
    await started;
    const cancelled = performance.now();
    job.cancel();
    try {
      await job.result;
      return { code: 'none' };
    } catch (error) {
      return { code: error.code, ms: performance.now() - cancelled, lastBytes, size: file.size };
    }
  }, big);
  assert.equal(outcome.code, 'ABORTED');
  // Stopped, not run to the end: the last progress seen stands short of the file. (The time is for make bench.)
  assert.ok(outcome.lastBytes < outcome.size, `progress reached ${outcome.lastBytes} of ${outcome.size} bytes`);
  console.log(`Cancel of three threads: ABORTED after ${outcome.ms.toFixed(0)} ms`);
  const again = await read(await serve(report), 3);
  assert.equal(again.threads, 3);
  assert.equal(JSON.parse(again.summary).rows, 30000);
});

// A day the API reports on: the one before yesterday.
const DAY = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);

/** A fetch through the demo API's scenario `switches` with `workers` threads, as the page runs it. */
function fetched(workers, switches, apiKey = demo.keys[0].key) {
  const options = { apiName: demo.apiName, apiKey, baseUrl: demo.scenarioUrl(`${switches}${switches ? ',' : ''}id=pipeline${++files}`), date: DAY, pollIntervalMs: 10 };
  return page.evaluate(async ({ options, workers }) => {
    let threads;
    const job = globalThis.reportWorker.run('fetch', { options, keep: true, workers }, (progress) => { threads = progress.threads; });
    try {
      const { result, report } = await job.result;
      return { summary: JSON.stringify(result), kept: report.size, threads };
    } catch (error) {
      return { error: { code: error.code, message: error.message }, threads };
    }
  }, { options, workers });
}

test('a fetched report is counted while it downloads: the same Summary and kept bytes on every layout', async () => {
  for (const switches of ['', 'members=3', 'plain']) {
    const [one, two, three] = [await fetched(1, switches), await fetched(2, switches), await fetched(3, switches)];
    assert.equal(one.error, undefined, one.error?.message);
    assert.equal(JSON.parse(one.summary).rows, 30000);
    for (const other of [two, three]) {
      assert.deepEqual(other.error, undefined);
      assert.ok(other.summary === one.summary, `the Summaries differ (${switches})`);
      assert.equal(other.kept, one.kept);
    }
    assert.deepEqual([one.threads, two.threads, three.threads], [undefined, 2, 3]);
  }
});

test('a wrong key, a corrupt and a cut download give the same error on every layout', async () => {
  // Where a cut download breaks off, and so its message, varies from run to run even on one thread.
  const cases = [['', 'wrong-key', 'AUTH', true], ['corrupt', undefined, 'BAD_GZIP', true], ['cut=60', undefined, 'TRUNCATED', false]];
  for (const [switches, key, code, sameMessage] of cases) {
    const [one, two, three] = [await fetched(1, switches, key), await fetched(2, switches, key), await fetched(3, switches, key)];
    assert.equal(one.error?.code, code, one.error?.message);
    for (const other of [two, three]) {
      assert.equal(other.error?.code, code);
      if (sameMessage) assert.equal(other.error.message, one.error.message);
    }
  }
});
