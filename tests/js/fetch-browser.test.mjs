// The scenarios of fetch-scenarios.mjs again, inside headless Chromium: the page is served by the demo
// API's server (repo root, so it can import www/pkg and tests/js) and calls the API, the proxy and the dead
// port cross-origin, as a page on another origin would.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openSuitePage } from './chromium.mjs';
import { FETCH_SCENARIOS, STREAM_SCENARIOS } from './fetch-scenarios.mjs';
import { ensureBuilt, startHarness } from './fetch-harness.mjs';
import { HOSTILE_API_NAME, HOSTILE_REPORT, startHostileApi } from './hostile-api.mjs';

ensureBuilt();
let harness;
let browser;
let page;
let runs = 0;

before(async () => {
  harness = await startHarness({ root: '.' });
  browser = await openSuitePage(harness.env.origin, '/tests/js/fetch-scenarios.mjs');
  ({ page } = browser);
});

after(async () => {
  await browser?.close();
  await harness?.close();
});

// Runs `runner` (an export of fetch-scenarios.mjs) on the scenario named `name`, in the page.
function inPage(runner, list, name, nonce, env) {
  return page.evaluate(
    ({ runner, list, name, nonce, env }) => {
      const { wasm, module: scenarios } = globalThis.suite;
      const scenario = scenarios[list].find((s) => s.name === name);
      return scenarios[runner](wasm, env, scenario, nonce);
    },
    { runner, list, name, nonce, env },
  );
}

describe('fetchReport in Chromium', () => {
  for (const scenario of FETCH_SCENARIOS) {
    test(scenario.name, async () => {
      const nonce = `chromium-${(runs += 1)}`;
      harness.setClockDays(scenario.serverClockDays ?? 0);
      const outcome = await inPage('runFetchScenario', 'FETCH_SCENARIOS', scenario.name, nonce, harness.env);
      await harness.check(scenario, outcome, nonce);
    });
  }
});

describe('summarizeStream in Chromium', () => {
  for (const scenario of STREAM_SCENARIOS) {
    test(scenario.name, async () => {
      const nonce = `chromium-${(runs += 1)}`;
      harness.setClockDays(0);
      const outcome = await inPage('runStreamScenario', 'STREAM_SCENARIOS', scenario.name, nonce, harness.env);
      await harness.check(scenario, outcome, nonce);
    });
  }
});

// fetchReport asks for redirects by hand (redirect: 'manual'); a browser hides them (an opaque redirect),
// so there the browser follows, dropping the key itself on the way to another origin.
describe('redirects in Chromium', () => {
  let api;

  before(async () => {
    api = await startHostileApi();
  });

  after(async () => {
    await api?.close();
  });

  for (const mode of ['task-redirect', 'download-redirect']) {
    test(`${mode}: a 302 to another origin is followed, without the key`, async () => {
      api.elsewhereHits.length = 0;
      const options = { apiName: HOSTILE_API_NAME, apiKey: 'chromium-key', date: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10), baseUrl: api.baseUrl(mode) };
      const outcome = await page.evaluate(async ({ options, report }) => {
        const { wasm } = globalThis.suite;
        const summary = await wasm.fetchReport(options).catch((error) => ({ code: error.code, message: error.message }));
        return { summary, truth: wasm.summarize(new Uint8Array(report)) };
      }, { options, report: [...HOSTILE_REPORT] });
      assert.deepEqual(outcome.summary, outcome.truth);
      assert.ok(api.elsewhereHits.length > 0, 'the redirect was followed');
      assert.deepEqual(api.elsewhereHits.filter((hit) => hit.authorization !== undefined), []);
    });
  }
});
