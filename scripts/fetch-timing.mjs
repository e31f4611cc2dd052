// Time to a Summary with fetchReport against the plain download time of the same report, from the demo
// API throttled with `slow=K` (KiB/s): streaming should hide most of the parsing behind the download.
// Usage: node scripts/fetch-timing.mjs [rows=1000000] [KiB/s ...]   (needs `make build` and gen-report)

import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoApi } from '../demo-api/server.mjs';
import { downloadReport, isoDaysAgo } from '../tests/js/fetch-scenarios.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const wasm = await import(`${REPO}www/pkg/openathens_rawstats.js`);
wasm.initSync({ module: readFileSync(`${REPO}www/pkg/openathens_rawstats_bg.wasm`) });

const rows = Number(process.argv[2] ?? 1_000_000);
const speeds = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [0, 32_768, 16_384];
const cacheDir = await mkdtemp(join(tmpdir(), 'fetch-timing-'));
const demo = await startDemoApi({ defaultRows: rows, cacheDir });
const env = { origin: new URL(demo.url).origin, apiName: demo.apiName, key: 'demo-key' };
let run = 0;
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

try {
  let started = performance.now();
  const bytes = await downloadReport(env, 'id=warm');
  console.log(`${rows} rows: ${(bytes.length / 2 ** 20).toFixed(1)} MiB gzip, generated and downloaded in ${seconds(performance.now() - started)}`);

  started = performance.now();
  wasm.summarize(bytes);
  console.log(`summarize() on the bytes in memory (wasm inflate): ${seconds(performance.now() - started)}`);
  started = performance.now();
  await wasm.summarizeStream(new Blob([bytes]));
  console.log(`summarizeStream(Blob): ${seconds(performance.now() - started)}`);

  for (const speed of speeds) {
    const switches = (id) => [speed ? `slow=${speed}` : '', `id=${id}`].filter(Boolean).join(',');
    started = performance.now();
    await downloadReport(env, switches(`plain-${(run += 1)}`));
    const download = performance.now() - started;
    started = performance.now();
    const summary = await wasm.fetchReport({
      apiName: env.apiName, apiKey: env.key, date: isoDaysAgo(2),
      baseUrl: `${env.origin}/scenario/${switches(`fetch-${(run += 1)}`)}/api/v1`,
    });
    const toSummary = performance.now() - started;
    const label = speed ? `${speed} KiB/s` : 'unthrottled';
    console.log(`${label}: download ${seconds(download)}, fetchReport to Summary ${seconds(toSummary)} ` +
      `(+${seconds(toSummary - download)}, ${summary.rows} rows)`);
  }
} finally {
  await demo.close();
  await rm(cacheDir, { recursive: true, force: true });
}
