#!/usr/bin/env node
// `make serve-worker`: the Worker as Cloudflare would run it (wrangler dev --local), serving the page, /summary
// and /history, in front of the demo reports API, with its archive filled from the demo's last 30 days by one
// cron run and the queue it fills. Its KV and queues stay in target/worker-state between runs.

import { fileURLToPath } from 'node:url';
import { startDemoApi } from '../demo-api/server.mjs';
import { startWranglerDev } from './wrangler-dev.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PORT = Number(process.env.PORT ?? 8787);
// wrangler.toml's DAYS queue: one cron run enqueues every day due and the queue's consumer stores them. Past
// this many seconds of polling, the consumer is failing, and wrangler's log above says why.
const MAX_WAIT_SECONDS = 300;

const demo = await startDemoApi({ port: 0 });
const worker = await startWranglerDev({
  port: PORT,
  persistTo: `${REPO}target/worker-state`,
  vars: {
    OPENATHENS_API_NAME: demo.apiName,
    OPENATHENS_BASE_URL: demo.baseUrl,
    // The demo API's published key (demo-api/README.md); a real key belongs in `wrangler secret put`.
    OPENATHENS_API_KEY: 'demo-key',
    PUBLIC_SUMMARY: 'true',
    ALLOWED_ORIGINS: `http://127.0.0.1:${PORT}`,
  },
});
const shutdown = async () => {
  await worker.close();
  await demo.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

await worker.fillArchive({
  maxSeconds: MAX_WAIT_SECONDS,
  onWait: (missing, waited) => {
    if (waited % 10 === 0) console.log(`Filling the archive from the demo API: ${30 - missing.length} of the last 30 days stored...`);
  },
});
console.log(`The Worker, its page and its archive: ${worker.url}/ (the demo API at ${demo.baseUrl}). Ctrl-C ends both.`);
