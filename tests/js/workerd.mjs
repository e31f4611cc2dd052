// workerd running worker/ on 127.0.0.1, shared by the Worker's test files: one way to start it, with the
// Worker's vars and secrets as its environment and a fresh HISTORY directory per instance.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWorkerdModules } from '../../scripts/workerd-modules.mjs';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const WORKERD = join(REPO, 'node_modules/.bin/workerd');
export const DAY_MS = 86_400_000;

// worker/workerd.capnp imports the module list, written from worker/src as it is now.
export const WORKER_MODULES = writeWorkerdModules();

export function daysAgo(n) {
  return new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Starts workerd on worker/workerd.capnp with `settings` as its environment (the Worker's vars and
 * secrets) and a fresh HISTORY directory; resolves to {url, cronUrl, historyDir (the HISTORY namespace on
 * disk, for tests that damage what it stores), startMs, close()}.
 */
export async function startWorker(settings) {
  const history = await mkdtemp(join(tmpdir(), 'worker-history-'));
  const started = performance.now();
  const child = spawn(WORKERD, [
    'serve', 'worker/workerd.capnp', '--experimental', '--control-fd', '3',
    '--socket-addr', 'http=127.0.0.1:0', '--socket-addr', 'cron=127.0.0.1:0', '--directory-path', `history=${history}`,
  ], { cwd: REPO, env: { PATH: process.env.PATH, ...settings }, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  // What the Worker logs (console.log, uncaught errors), checked for the keys it must never contain.
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => { output += chunk; });
  const ports = await new Promise((resolve, reject) => {
    const found = {};
    let buffered = '';
    child.stdio[3].on('data', (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n').slice(0, -1)) {
        const event = JSON.parse(line);
        if (event.event === 'listen') found[event.socket] = event.port;
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      if (found.http && found.cron) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`workerd exited (${code}): ${output}`)));
  });
  const url = `http://127.0.0.1:${ports.http}`;
  // The first request loads the Worker and its wasm: that is the cold start.
  await fetch(`${url}/nothing`);
  return {
    url,
    cronUrl: `http://127.0.0.1:${ports.cron}`,
    historyDir: history,
    startMs: performance.now() - started,
    output: () => output,
    async close() {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill();
      await exited;
      await rm(history, { recursive: true, force: true });
    },
  };
}

/** One request with exactly the Host header and path given (fetch() would not send the first or would
 *  normalise the second). */
export function rawGet(url, headers) {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject).end();
  });
}
