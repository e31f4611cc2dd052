// fetchReport in Node against a hostile reports API (hostile-api.mjs): redirects are followed by the
// task-link rule, never with the key to another origin; an answer that stalls fails with TIMEOUT after
// idleTimeoutMs; a task document or error body past 1 MiB is TOO_LARGE without reading the rest; and no
// message ever quotes the key.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { HOSTILE_API_NAME, HOSTILE_REPORT, HUGE_BYTES, leakedPiece, startHostileApi } from './hostile-api.mjs';
import { REPO, ensureBuilt, loadWasm } from './fetch-harness.mjs';
import { isoDaysAgo } from './fetch-scenarios.mjs';

ensureBuilt();
const wasm = await loadWasm();
// Already initialised: this hands back the instance's exports, for its memory.
const { memory } = wasm.initSync({ module: readFileSync(`${REPO}www/pkg/openathens_rawstats_bg.wasm`) });
const KEY = 'k-5ab1e7c2-98f3-4d0e-b1a6-0c3f7e2d9a41';
let api;

before(async () => {
  api = await startHostileApi();
});

after(async () => {
  await api?.close();
});

async function fetchFrom(mode, options = {}) {
  const started = performance.now();
  const result = await wasm.fetchReport({
    apiName: HOSTILE_API_NAME, apiKey: KEY, date: isoDaysAgo(2), baseUrl: api.baseUrl(mode), pollIntervalMs: 5, ...options,
  }).catch((error) => error);
  return { result, ms: performance.now() - started };
}

// Whether any 8 characters in a row of the key appear in `text`.
function leaksKey(text) {
  for (let at = 0; at + 8 <= KEY.length; at += 1) if (text.includes(KEY.slice(at, at + 8))) return true;
  return false;
}

describe('redirects', () => {
  for (const mode of ['task-redirect', 'download-redirect']) {
    test(`${mode}: a 302 to another origin is followed without the key`, async () => {
      api.elsewhereHits.length = 0;
      const { result } = await fetchFrom(mode);
      assert.deepEqual(result, wasm.summarize(HOSTILE_REPORT));
      assert.ok(api.elsewhereHits.length > 0, 'the redirect was followed');
      assert.deepEqual(api.elsewhereHits.filter((hit) => hit.authorization !== undefined), []);
    });
  }

  test('a redirect loop is BAD_RESPONSE after 5', async () => {
    const { result } = await fetchFrom('loop');
    assert.equal(result.code, 'BAD_RESPONSE', result.message);
    assert.match(result.message, /more than 5 times/);
  });
});

describe('idleTimeoutMs', () => {
  const cases = [
    ['stall-headers', /task request stalled: no bytes came for 300 ms before it began/],
    ['stall-task', /task request stalled: no bytes came for 300 ms after 11 bytes/],
    ['stall-download-headers', /download stalled: no bytes came for 300 ms before it began/],
    ['stall-download', /download stalled: no bytes came for 300 ms after \d+ bytes/],
  ];
  for (const [mode, message] of cases) {
    test(`${mode} is TIMEOUT after idleTimeoutMs, well before timeoutMs`, { timeout: 20_000 }, async () => {
      const { result, ms } = await fetchFrom(mode, { idleTimeoutMs: 300, timeoutMs: 15_000 });
      assert.equal(result.code, 'TIMEOUT', result.message);
      assert.match(result.message, message);
      // The message names the idle wait, so timeoutMs (15 s) did not end it; the time is for make bench.
      assert.ok(ms >= 290, `took ${ms} ms`);
      console.log(`${mode}: TIMEOUT after ${ms.toFixed(0)} ms`);
    });
  }
});

describe('task documents and error bodies past 1 MiB', () => {
  for (const mode of ['huge-task', 'huge-error']) {
    test(`${mode}: TOO_LARGE at once, the rest unread, wasm memory unmoved`, async () => {
      api.hugeSent.bytes = 0;
      const before = memory.buffer.byteLength;
      const { result, ms } = await fetchFrom(mode);
      const after = memory.buffer.byteLength;
      assert.equal(result.code, 'TOO_LARGE', result.message);
      assert.ok(api.hugeSent.bytes < HUGE_BYTES / 4, `the server sent ${api.hugeSent.bytes} bytes`);
      assert.ok(after - before <= 4 << 20, `wasm memory grew from ${before} to ${after} bytes`);
      console.log(`${mode}: TOO_LARGE after ${ms.toFixed(0)} ms, ${(api.hugeSent.bytes / 2 ** 20).toFixed(1)} MiB sent of ${HUGE_BYTES / 2 ** 20}; wasm memory ${before} -> ${after} bytes`);
    });
  }
});

describe('the key in answers', () => {
  test('a 500 that quotes the Authorization header and the key: SERVER, without the key', async () => {
    const { result } = await fetchFrom('echo');
    assert.equal(result.code, 'SERVER', result.message);
    assert.match(result.message, /not valid/);
    assert.ok(!leaksKey(result.message), result.message);
  });

  test('a task status that quotes them: BAD_RESPONSE, without the key', async () => {
    const { result } = await fetchFrom('echo-status');
    assert.equal(result.code, 'BAD_RESPONSE', result.message);
    assert.match(result.message, /UNKNOWN OAApiKey \[redacted\]/);
    assert.ok(!leaksKey(result.message), result.message);
  });

  test('a key pasted as the API name is not quoted back in NOT_FOUND', async () => {
    const { result } = await fetchFrom('unknown', { apiName: KEY });
    assert.equal(result.code, 'NOT_FOUND', result.message);
    assert.match(result.message, /API name "\[redacted\]"/);
  });

  // A pasted key brings spaces or a line break; HTTP trims the header, so the API echoes the key without them.
  const PADDED = "  k3y/5ab1;e7c2 98f3,4d0e'<b1a6>\r\n";
  for (const mode of ['echo', 'echo-escaped', 'echo-percent']) {
    test(`${mode}: a padded key with / ; , ' < > and a space is in no form in the message`, async () => {
      for (const options of [{ apiKey: PADDED }, { keys: [{ label: 'a', key: PADDED }] }, { apiKey: 'k;7' }]) {
        const { result } = await fetchFrom(mode, options);
        assert.equal(result.code, 'SERVER', result.message);
        const key = (options.apiKey ?? PADDED).trim();
        assert.equal(leakedPiece(result.message, key), undefined, result.message);
      }
    });
  }

  test('sub-organisation parts and their merged error do not carry the keys either', async () => {
    const result = await wasm.fetchReport({
      apiName: HOSTILE_API_NAME, keys: [{ label: 'a', key: KEY }, { label: 'b', key: KEY }], date: isoDaysAgo(2), baseUrl: api.baseUrl('echo'),
    }).catch((error) => error);
    assert.equal(result.code, 'SERVER');
    assert.ok(!leaksKey(result.message), result.message);
  });
});
