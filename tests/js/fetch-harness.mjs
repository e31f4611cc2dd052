// Node side of the fetch suites: the demo API (with a clock that scenarios can move), a proxy in front of
// it, a trap origin that the proxy names in the API's links (the client must never call it), and the
// checks of each scenario's `expect` (fetch-scenarios.mjs).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { switchesOf } from './fetch-scenarios.mjs';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PKG = `${REPO}www/pkg/`;
const ROWS = 2000;
const DAY_MS = 86_400_000;

// gen-report feeds the demo API; www/pkg comes from `make build`, which `make test-js` runs first.
export function ensureBuilt() {
  ensureGenReport();
  assert.ok(existsSync(`${PKG}openathens_rawstats_bg.wasm`), 'www/pkg is missing: run `make build` first');
}

export async function loadWasm() {
  const wasm = await import(`${PKG}openathens_rawstats.js`);
  wasm.initSync({ module: readFileSync(`${PKG}openathens_rawstats_bg.wasm`) });
  return wasm;
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function close(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

function originOf(server) {
  return `http://127.0.0.1:${server.address().port}`;
}

// root: what the demo serves besides the API ('.' lets a page import tests/js and www/pkg).
export async function startHarness({ root = 'www' } = {}) {
  let clockDays = 0;
  const log = [];
  const demo = await startDemoApi({
    root,
    defaultRows: ROWS,
    now: () => new Date(Date.now() + clockDays * DAY_MS),
    log: (line) => log.push(line),
  });
  const demoPort = Number(new URL(demo.url).port);

  const trapHits = [];
  const trap = await listen(createServer((req, res) => {
    trapHits.push(req.url);
    res.writeHead(418).end();
  }));

  // A reverse proxy at /proxy: it tells the demo it is the trap's host, so the task links name the trap.
  const proxied = [];
  const proxy = await listen(createServer((req, res) => {
    proxied.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    if (!req.url.startsWith('/proxy/')) return res.writeHead(404).end();
    const upstream = request(
      { host: '127.0.0.1', port: demoPort, method: req.method, path: req.url.slice('/proxy'.length),
        headers: { ...req.headers, host: `127.0.0.1:${trap.address().port}` } },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }));

  // A port with nothing listening.
  const dead = await listen(createServer());
  const deadOrigin = originOf(dead);
  await close(dead);

  const env = {
    origin: new URL(demo.url).origin,
    proxyOrigin: originOf(proxy),
    deadOrigin,
    apiName: demo.apiName,
    key: 'demo-key',
  };

  const requestsOf = (nonce) => log.filter((line) => line.includes(`id=${nonce}/`)).length;

  async function check(scenario, outcome, nonce) {
    const { expect } = scenario;
    const { date } = outcome;
    if (expect.code) {
      assert.equal(outcome.error?.code, expect.code, `expected ${expect.code}, got ${JSON.stringify(outcome.error ?? 'a result')}`);
      assert.equal(outcome.error.name, 'RawStatsError');
      assert.ok(outcome.error.message.length > 40 && !/unreachable|panicked/i.test(outcome.error.message), outcome.error.message);
    } else {
      assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
    }
    if (expect.truth) {
      const truth = await demo.truth({ date, switches: switchesOf(scenario, nonce) });
      assert.deepEqual(outcome.value, truth);
      const last = outcome.progress.at(-1);
      assert.equal(last.rows, truth.rows, 'the last progress report has every row');
      assert.ok(last.bytes > 0);
    }
    if (expect.runningPercents) {
      const running = outcome.progress.filter((p) => p.phase === 'running').map((p) => p.percentComplete);
      assert.deepEqual(running, expect.runningPercents);
      assert.equal(outcome.progress[0].phase, 'requesting');
    }
    if (expect.requests !== undefined) assert.equal(requestsOf(nonce), expect.requests, 'requests the demo API saw');
    if (expect.minMs) assert.ok(outcome.ms >= expect.minMs, `took ${outcome.ms} ms`);
    if (expect.viaProxyOnly) {
      assert.deepEqual(trapHits, [], 'nothing went to the origin named in the links');
      const mine = proxied.filter((hit) => hit.method === 'GET' && hit.url.includes(`id=${nonce}/`));
      assert.equal(mine.length, 4, 'the first request, two polls and the download all went through the proxy');
      for (const hit of mine) assert.equal(hit.authorization, `OAApiKey ${env.key}`);
    }
    if (expect.merged) {
      const { merged, parts } = outcome.value;
      const keyOf = Object.fromEntries(scenario.keys);
      assert.deepEqual(parts.map((part) => part.label), scenario.keys.map(([label]) => label), 'parts in the order given');
      for (const part of parts) {
        if (expect.failed[part.label]) {
          assert.equal(part.error.code, expect.failed[part.label]);
          assert.equal(part.summary, undefined);
        } else {
          assert.deepEqual(part.summary, await demo.truth({ date, key: keyOf[part.label] }));
        }
      }
      assert.deepEqual(merged, await demo.mergedTruth({ date, keys: expect.merged.map((label) => keyOf[label]) }));
      const labels = new Set(outcome.progress.map((p) => p.label));
      assert.deepEqual([...labels].sort(), scenario.keys.map(([label]) => label).sort(), 'progress names each key');
    }
  }

  return {
    env,
    demo,
    setClockDays(days) {
      clockDays = days;
    },
    check,
    async close() {
      await Promise.all([demo.close(), close(proxy), close(trap)]);
    },
  };
}
