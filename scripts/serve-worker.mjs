#!/usr/bin/env node
// `make serve-worker`: the Worker as Cloudflare would run it (wrangler dev --local), serving the page, /summary
// and /history, in front of the demo reports API, with its archive filled from the demo's last 30 days by
// running the cron until nothing is missing. Its KV stays in target/worker-state between runs.

import { fileURLToPath } from 'node:url';
import { startDemoApi } from '../demo-api/server.mjs';
import { startWranglerDev } from './wrangler-dev.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PORT = Number(process.env.PORT ?? 8787);
// The cron fetches a bounded number of days a run; an empty archive fills in a few runs. More than this
// means the runs are failing, and the log says why.
const MAX_CRON_RUNS = 8;

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

for (let run = 1; run <= MAX_CRON_RUNS; run += 1) {
  const { missing } = await (await fetch(`${worker.url}/history`)).json();
  if (missing.length === 0) break;
  console.log(`Filling the archive: ${missing.length} of the last 30 days missing, cron run ${run}...`);
  await worker.cron();
}
console.log(`The Worker, its page and its archive: ${worker.url}/ (the demo API at ${demo.baseUrl}). Ctrl-C ends both.`);
