// The Worker's keys in workerd against a reports API that echoes the key it was sent (hostile-api.mjs): a
// secret pasted with spaces and a line break is trimmed where the Worker reads it, and no form of a key
// (bare, JSON-escaped, percent-encoded) reaches a /summary 502, the cron log or an answer of the proxy.
// Needs www/pkg (make build).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HOSTILE_API_NAME, leakedPiece, startHostileApi } from './hostile-api.mjs';
import { daysAgo, startWorker } from './workerd.mjs';

const ALLOWED = 'https://library.example.edu';
const PADDED = '  key/with;odd chars\r\n';
const KEY = PADDED.trim();
// The day a /summary asks for picks how the API echoes the key; yesterday is what the cron asks first.
const MODES = { 1: 'echo-escaped', 2: 'echo', 3: 'echo-escaped', 4: 'echo-percent' };

let api;
const workers = {};

before(async () => {
  api = await startHostileApi({ modesByDate: Object.fromEntries(Object.entries(MODES).map(([days, mode]) => [daysAgo(days), mode])) });
  const common = { OPENATHENS_API_NAME: HOSTILE_API_NAME, OPENATHENS_BASE_URL: api.baseUrl('by-date'), ALLOWED_ORIGINS: ALLOWED, PUBLIC_SUMMARY: 'true' };
  [workers.OPENATHENS_API_KEY, workers.OPENATHENS_API_KEYS] = await Promise.all([
    startWorker({ ...common, OPENATHENS_API_KEY: PADDED }),
    startWorker({ ...common, OPENATHENS_API_KEYS: JSON.stringify([{ label: 'main', key: PADDED }]) }),
  ]);
});

after(async () => {
  await Promise.all(Object.values(workers).map((worker) => worker?.close()));
  await api?.close();
});

for (const secret of ['OPENATHENS_API_KEY', 'OPENATHENS_API_KEYS']) {
  describe(`a padded key in ${secret}`, () => {
    for (const [days, mode] of Object.entries(MODES).slice(1)) {
      test(`/summary's 502 for an API that echoes it (${mode}) holds no form of it`, async () => {
        const response = await fetch(`${workers[secret].url}/summary?date=${daysAgo(days)}`);
        const text = await response.text();
        assert.equal(response.status, 502, text);
        assert.equal(JSON.parse(text).error.code, 'SERVER');
        assert.equal(leakedPiece(text, KEY), undefined, text);
      });
    }

    test('the cron log holds no form of it', async () => {
      const run = await fetch(`${workers[secret].cronUrl}/?scheduledTime=${Date.now()}`, { method: 'POST' });
      assert.equal(run.status, 500);
      const output = workers[secret].output();
      // Yesterday's API escapes the key; the oldest days the run goes on to echo it bare.
      assert.match(output, new RegExp(`${daysAgo(1)} could not be fetched \\(SERVER\\)`));
      assert.equal(leakedPiece(output, KEY), undefined, output);
    });
  });
}

test("the proxy takes the caller's key out of an echo whole, in every form, however short", async () => {
  for (const callerKey of [KEY, "k3y 5ab1,e7c2'<98f3>", 'k;7']) {
    for (const days of [2, 3, 4]) {
      const response = await fetch(`${workers.OPENATHENS_API_KEY.url}/api/v1/${HOSTILE_API_NAME}/rawreport?date=${daysAgo(days)}`, {
        headers: { Authorization: `OAApiKey ${callerKey}`, Origin: ALLOWED },
      });
      const text = await response.text();
      assert.equal(response.status, 500, text);
      assert.equal(leakedPiece(text, callerKey), undefined, `${MODES[days]}: ${text}`);
    }
  }
});
