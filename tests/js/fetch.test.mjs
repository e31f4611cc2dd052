// fetchReport, summarizeStream and validateReportDate in Node 20 against the demo API on 127.0.0.1:
// the scenarios of fetch-scenarios.mjs (the Chromium suite runs the same ones), plus what only Node shows.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FETCH_SCENARIOS, STREAM_SCENARIOS, runFetchScenario, runStreamScenario } from './fetch-scenarios.mjs';
import { ensureBuilt, loadWasm, startHarness } from './fetch-harness.mjs';

ensureBuilt();
const wasm = await loadWasm();
let harness;
let runs = 0;

before(async () => {
  harness = await startHarness();
});

after(async () => {
  await harness?.close();
});

describe('fetchReport in Node', () => {
  for (const scenario of FETCH_SCENARIOS) {
    test(scenario.name, async () => {
      const nonce = `node-${(runs += 1)}`;
      harness.setClockDays(scenario.serverClockDays ?? 0);
      const outcome = await runFetchScenario(wasm, harness.env, scenario, nonce);
      await harness.check(scenario, outcome, nonce);
    });
  }
});

describe('summarizeStream in Node', () => {
  for (const scenario of STREAM_SCENARIOS) {
    test(scenario.name, async () => {
      const nonce = `node-${(runs += 1)}`;
      harness.setClockDays(0);
      const outcome = await runStreamScenario(wasm, harness.env, scenario, nonce);
      await harness.check(scenario, outcome, nonce);
    });
  }

  test('something that is not a stream is refused with a code', async () => {
    await assert.rejects(wasm.summarizeStream(42), { code: 'NOT_A_REPORT' });
    await assert.rejects(wasm.summarizeStream(() => 'text'), { code: 'NOT_A_REPORT' });
  });
});

describe('fetchReport slices', () => {
  test('a filter counts only its rows; onChunk sees the very bytes that were counted', async () => {
    harness.setClockDays(0);
    const { env } = harness;
    const chunks = [];
    const filter = [{ column: 'action', value: 'AUTHENTICATE' }, { column: 'status', value: 'SUCCESS' }];
    const date = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const sliced = await wasm.fetchReport({
      apiName: env.apiName,
      apiKey: env.key,
      date,
      baseUrl: `${env.origin}/scenario/members=3,id=node-slice/api/v1`,
      filter,
      onChunk: (chunk) => chunks.push(chunk),
    });
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    assert.deepEqual(sliced, wasm.summarize(bytes, { filter }));
    assert.equal(sliced.rows, wasm.summarize(bytes).byActionStatus.AUTHENTICATE.SUCCESS);
    await assert.rejects(
      wasm.fetchReport({ apiName: env.apiName, apiKey: env.key, date, filter: { column: 'action' } }),
      { code: 'BAD_FILTER' },
    );
  });
});

describe('fetchReport where nothing answers', () => {
  test('a closed port is reported at once, not after a full backoff', async () => {
    const { deadOrigin, apiName, key } = harness.env;
    const date = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const started = performance.now();
    // Default poll interval: the full backoff for no answer used to take about 17 s here. Retrying would end
    // in TIMEOUT at timeoutMs; NETWORK says the closed port was reported without waiting out a backoff.
    await assert.rejects(
      wasm.fetchReport({ apiName, apiKey: key, date, baseUrl: `${deadOrigin}/api/v1`, timeoutMs: 10_000 }),
      { code: 'NETWORK', message: /^Nothing answers at http:\/\/127\.0\.0\.1/ },
    );
    console.log(`closed port: NETWORK after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});

describe('validateReportDate', () => {
  const now = Date.UTC(2023, 5, 21, 23, 59);

  test('yesterday and 30 days ago are the edges, in UTC', () => {
    assert.equal(wasm.validateReportDate('2023-06-20', now), '2023-06-20');
    assert.equal(wasm.validateReportDate('2023-05-22', new Date(now)), '2023-05-22');
    assert.throws(() => wasm.validateReportDate('2023-06-21', now), { code: 'DATE_OUT_OF_RANGE', message: /2023-05-22 to 2023-06-20/ });
    assert.throws(() => wasm.validateReportDate('2023-05-21', now), { code: 'DATE_OUT_OF_RANGE' });
  });

  test('only yyyy-MM-dd is read', () => {
    assert.throws(() => wasm.validateReportDate('21/06/2023', now), { code: 'BAD_DATE', message: /yyyy-MM-dd/ });
    assert.throws(() => wasm.validateReportDate(undefined, now), { code: 'BAD_DATE' });
    assert.throws(() => wasm.validateReportDate('2023-06-20', 'not a time'), { code: 'BAD_DATE' });
  });

  test('now defaults to the current time', () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    assert.equal(wasm.validateReportDate(yesterday), yesterday);
  });
});
