// The scenarios of fetch-scenarios.mjs again, inside headless Chromium: the page is served by the demo
// API's server (repo root, so it can import www/pkg and tests/js) and calls the API, the proxy and the dead
// port cross-origin, as a page on another origin would.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchChromiumWithProfile } from './chromium.mjs';
import { FETCH_SCENARIOS, STREAM_SCENARIOS } from './fetch-scenarios.mjs';
import { ensureBuilt, startHarness } from './fetch-harness.mjs';
import { HOSTILE_API_NAME, HOSTILE_REPORT, startHostileApi } from './hostile-api.mjs';

ensureBuilt();
let harness;
let profile;
let context;
let page;
let runs = 0;

before(async () => {
  harness = await startHarness({ root: '.' });
  profile = await mkdtemp(join(tmpdir(), 'fetch-chromium-'));
  context = await launchChromiumWithProfile(profile);
  page = await context.newPage();
  // Any document of the demo's origin will do; the scenario module itself is one.
  await page.goto(`${harness.env.origin}/tests/js/fetch-scenarios.mjs`);
  await page.evaluate(async () => {
    const wasm = await import('/www/pkg/openathens_rawstats.js');
    await wasm.default();
    globalThis.fetchSuite = { wasm, scenarios: await import('/tests/js/fetch-scenarios.mjs') };
  });
});

after(async () => {
  await context?.close();
  await harness?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

// Runs `runner` (an export of fetch-scenarios.mjs) on the scenario named `name`, in the page.
function inPage(runner, list, name, nonce, env) {
  return page.evaluate(
    ({ runner, list, name, nonce, env }) => {
      const { wasm, scenarios } = globalThis.fetchSuite;
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
        const { wasm } = globalThis.fetchSuite;
        const summary = await wasm.fetchReport(options).catch((error) => ({ code: error.code, message: error.message }));
        return { summary, truth: wasm.summarize(new Uint8Array(report)) };
      }, { options, report: [...HOSTILE_REPORT] });
      assert.deepEqual(outcome.summary, outcome.truth);
      assert.ok(api.elsewhereHits.length > 0, 'the redirect was followed');
      assert.deepEqual(api.elsewhereHits.filter((hit) => hit.authorization !== undefined), []);
    });
  }
});
