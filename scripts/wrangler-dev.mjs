// `wrangler dev --local` on worker/ (the pinned wrangler, offline): the Worker as Cloudflare's own local
// runtime runs it, with its static assets, KV, queues and the cron trigger (--test-scheduled). Used by
// `make serve-worker` (scripts/serve-worker.mjs) and the tests that must see what a Cloudflare developer sees.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const WRANGLER = `${REPO}node_modules/.bin/wrangler`;
// wrangler prints this once the Worker answers.
const READY = /Ready on (http:\/\/[^\s]+)/;
// Bundling and starting workerd take a few seconds; a minute means it will not start.
const START_TIMEOUT_MS = 60_000;

/**
 * Starts the Worker with `vars` (vars and secrets alike, as --var NAME:VALUE) on 127.0.0.1:`port` (0: one
 * that is free), its KV kept under `persistTo`; resolves to {url, output(), close()} once it answers.
 */
export async function startWranglerDev({ vars = {}, port = 0, persistTo }) {
  const args = ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port || await freePort()), '--inspector-port', '0', '--test-scheduled'];
  if (persistTo) args.push('--persist-to', persistTo);
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const child = spawn(WRANGLER, args, {
    cwd: `${REPO}worker`,
    // Offline: no metrics, no banner's update check, no download of the Request.cf object.
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        output += stripVTControlCharacters(String(chunk));
        const ready = READY.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1].replace(/\/$/, ''));
        }
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wrangler dev exited (${code}):\n${output}`));
    });
  }).catch((error) => {
    if (child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    throw error;
  });
  return {
    url,
    output: () => output,
    /** Fires the scheduled handler as the cron would at `timeMs`. */
    async cron(timeMs = Date.now()) {
      const response = await fetch(`${url}/__scheduled?cron=${encodeURIComponent('30 3 * * *')}&time=${timeMs}`);
      return { status: response.status, text: await response.text() };
    },
    /**
     * Fills the archive as the deployed Worker does: one cron run enqueues every day due (wrangler.toml's DAYS
     * queue) and the queue's consumer stores them; resolves once `/history?<query>` (asked with `headers`)
     * misses no day, polling a second apart, and rejects after `maxSeconds`. `onWait(missing)` hears each poll.
     */
    async fillArchive({ query = '', headers = {}, maxSeconds = 600, onWait } = {}) {
      const ran = await this.cron();
      if (ran.status !== 200) throw new Error(`the cron run answered ${ran.status}: ${ran.text}`);
      for (let waited = 0; waited < maxSeconds; waited += 1) {
        const response = await fetch(`${url}/history${query ? `?${query}` : ''}`, { headers });
        if (!response.ok) throw new Error(`/history answered ${response.status}: ${await response.text()}`);
        const { missing } = await response.json();
        if (missing.length === 0) return;
        onWait?.(missing, waited);
        await new Promise((done) => setTimeout(done, 1000));
      }
      throw new Error(`the queue did not store the archive's days within ${maxSeconds} s:\n${output.slice(-4000)}`);
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      // wrangler starts workerd as a child of its own: end the whole group.
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on now. */
export async function freePort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}
