// `wrangler dev`, the first command a Cloudflare developer runs, with the wrangler package.json pins: it
// must start on worker/wrangler.toml as it is (its compatibility_date no later than the pinned runtime
// supports) and answer /summary from the demo API. Offline: no metrics, no update check, no Request.cf
// download, local KV in a temporary directory, listening on 127.0.0.1 only.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { after, before, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { REPO, daysAgo } from './workerd.mjs';

const READ_TOKEN = 'wrangler-dev-read-token';

let demo;
let scratch;
before(async () => {
  ensureGenReport();
  demo = await startDemoApi();
  scratch = await mkdtemp(join(tmpdir(), 'wrangler-dev-'));
});
after(async () => {
  await demo?.close();
  await rm(scratch, { recursive: true, force: true });
});

test('workerd.capnp takes its compatibility date from wrangler.toml, so the two cannot drift', () => {
  const capnp = readFileSync(join(REPO, 'worker/workerd.capnp'), 'utf8');
  assert.doesNotMatch(capnp, /compatibilityDate\s*=\s*"/);
  assert.match(capnp, /compatibilityDate = Modules\.compatibilityDate/);
});

/** Starts `wrangler dev` in worker/ with `vars`; resolves to {url, output(), stop()} once it is ready. */
async function startWranglerDev(vars) {
  const child = spawn(join(REPO, 'node_modules/.bin/wrangler'), [
    'dev', '--local', '--ip', '127.0.0.1', '--port', '0', '--inspector-port', '0',
    '--persist-to', join(scratch, 'state'), '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ], {
    cwd: join(REPO, 'worker'),
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_LOG_PATH: join(scratch, 'logs'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: wrangler runs workerd as a child, and both are stopped together.
    detached: true,
  });
  let output = '';
  const exited = new Promise((done) => child.once('exit', done));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  };
  const url = await new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        output += chunk;
        const ready = /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(stripVTControlCharacters(output));
        if (ready) resolve(ready[1]);
      });
    }
    exited.then((code) => reject(new Error(`wrangler dev exited (${code}) before it was ready:\n${stripVTControlCharacters(output)}`)));
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { url, output: () => stripVTControlCharacters(output), stop };
}

test('wrangler dev starts on wrangler.toml and answers /summary from the demo API', { timeout: 180_000 }, async () => {
  const date = daysAgo(1);
  const dev = await startWranglerDev({
    OPENATHENS_API_NAME: demo.apiName,
    OPENATHENS_BASE_URL: demo.baseUrl,
    OPENATHENS_API_KEY: 'demo-key',
    READ_TOKEN,
  });
  try {
    const response = await fetch(`${dev.url}/summary?date=${date}`, { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), await demo.truth({ date }));
  } finally {
    await dev.stop();
  }
});
