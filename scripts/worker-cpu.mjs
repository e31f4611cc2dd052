#!/usr/bin/env node
// CPU time the Worker spends on one /summary, as workerd accounts it to its process (user + system time
// from /proc, 10 ms ticks), for a 20,000-row and a 1,000,000-row day of the demo API; the demo runs in this
// process, so its own work is not counted. Each request asks for a day not yet stored, so every one
// downloads, parses and stores. The figures decide wrangler.toml's [limits] cpu_ms and which Workers plan a
// day of a given size needs (docs/worker.md). Needs `make build` and gen-report.
// Usage: node scripts/worker-cpu.mjs [--sizes 20000,1000000] [--runs 3]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDemoApi } from '../demo-api/server.mjs';
import { cpuMs, startWorkerd } from './workerd-process.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '20000,1000000' }, runs: { type: 'string', default: '3' } } });

const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

for (const rows of args.sizes.split(',').map(Number)) {
  const history = await mkdtemp(join(tmpdir(), 'worker-cpu-'));
  const demo = await startDemoApi({ defaultRows: rows, generationWaitMs: 0 });
  const { child, url } = await startWorkerd('worker/workerd.capnp', {
    cwd: REPO,
    env: { PATH: process.env.PATH, OPENATHENS_API_NAME: demo.apiName, OPENATHENS_API_KEY: demo.keys[0].key, OPENATHENS_BASE_URL: demo.baseUrl, ALLOWED_ORIGINS: 'http://127.0.0.1:1', PUBLIC_SUMMARY: 'true' },
    serveArgs: ['--socket-addr', 'cron=127.0.0.1:0', '--directory-path', `history=${history}`],
  });
  try {
    // Loads the Worker and compiles the wasm: a cold start, not a request's work.
    await fetch(`${url}/nothing`);
    for (let run = 0; run < Number(args.runs); run += 1) {
      const date = daysAgo(2 + run);
      // The demo generates the report first, so the timed request only downloads it.
      await demo.truth({ date });
      const before = cpuMs(child.pid);
      const started = performance.now();
      const response = await fetch(`${url}/summary?date=${date}`);
      const body = await response.text();
      const wall = performance.now() - started;
      const cpu = cpuMs(child.pid) - before;
      if (response.status !== 200) throw new Error(`${response.status}: ${body}`);
      console.log(`${rows.toLocaleString('en-US')} rows (${date}): workerd CPU ${cpu} ms, wall ${wall.toFixed(0)} ms, answer ${(body.length / 1024).toFixed(0)} KiB`);
    }
  } finally {
    child.kill();
    await demo.close();
    await rm(history, { recursive: true, force: true });
  }
}
