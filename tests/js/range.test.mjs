// fetchRange in Node and in headless Chromium against the demo API: days in date order, a failing day
// listed with its error and left out of the merge, the merge exact against the generator's own merge of
// those days (Truth::merge via demo.rangeTruth), at most `concurrency` days at once, abort, and snapshots
// of each day that merge to the same Summary.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openSuitePage } from './chromium.mjs';
import { ensureBuilt, loadWasm, startHarness } from './fetch-harness.mjs';
import { rangeDates, runRange } from './range-scenarios.mjs';

ensureBuilt();
let harness;
let browser;
let page;
let runs = 0;

before(async () => {
  harness = await startHarness({ root: '.' });
  browser = await openSuitePage(harness.env.origin, '/tests/js/range-scenarios.mjs');
  ({ page } = browser);
});

after(async () => {
  await browser?.close();
  await harness?.close();
});

const wasm = await loadWasm();
const HOSTS = {
  node: (run) => runRange(wasm, harness.env, run),
  chromium: (run) => page.evaluate(({ env, run }) => globalThis.suite.module.runRange(globalThis.suite.wasm, env, run),
    { env: harness.env, run }),
};

// The most days whose progress had started and not yet ended at any point.
function mostAtOnce(progress) {
  const running = new Set();
  let most = 0;
  for (const p of progress) {
    if (p.phase === 'done' || p.phase === 'failed') running.delete(p.date);
    else running.add(p.date);
    most = Math.max(most, running.size);
  }
  return most;
}

for (const [host, run] of Object.entries(HOSTS)) {
  describe(`fetchRange in ${host}`, () => {
    test('four days, one failing: days in order, the merge exact over the other three', async () => {
      const dates = rangeDates(4, 2);
      const switches = `fail-date=${dates[1]},id=range-${host}-${(runs += 1)}`;
      const outcome = await run({ dates, switches, concurrency: 2, snapshots: true });
      assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
      assert.deepEqual(outcome.days.map((day) => day.date), dates);
      assert.equal(outcome.days[1].error.code, 'SERVER');
      assert.equal(outcome.days[1].summary, undefined);
      const good = dates.filter((_, at) => at !== 1);
      for (const day of outcome.days.filter((d) => !d.error)) {
        assert.deepEqual(day.summary, await harness.demo.truth({ date: day.date }));
        assert.ok(day.snapshotBytes > 0);
      }
      const truth = await harness.demo.rangeTruth({ dates: good });
      assert.deepEqual(outcome.merged, truth);
      assert.deepEqual(outcome.fromSnapshots, truth, 'the days\' snapshots merge to the same Summary');
      const last = outcome.progress.at(-1);
      assert.deepEqual([last.daysDone, last.daysTotal], [4, 4]);
      assert.ok(outcome.progress.every((p) => dates.includes(p.date)));
      assert.ok(mostAtOnce(outcome.progress) <= 2, `at most 2 days at once, saw ${mostAtOnce(outcome.progress)}`);
    });

    test('with keys, each day has its parts and the merge covers every key of every day', async () => {
      const dates = rangeDates(2, 3);
      const keys = [{ label: 'main', key: 'demo-key' }, { label: 'library', key: 'demo-key-library' }];
      const outcome = await run({ dates, switches: `id=range-${host}-${(runs += 1)}`, keys, concurrency: 1 });
      assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
      for (const day of outcome.days) {
        assert.deepEqual(day.parts.map((part) => part.label), ['main', 'library']);
        assert.deepEqual(day.summary, await harness.demo.mergedTruth({ date: day.date, keys: keys.map((k) => k.key) }));
      }
      assert.deepEqual(outcome.merged, await harness.demo.rangeTruth({ dates, keys: keys.map((k) => k.key) }));
      assert.equal(mostAtOnce(outcome.progress), 1);
    });

    test('when every day fails, the range fails with the first day\'s error', async () => {
      const dates = rangeDates(2, 1);
      const outcome = await run({ dates, switches: `fail-date=${dates[0]},fail-date=${dates[1]},id=range-${host}-${(runs += 1)}` });
      assert.equal(outcome.error.code, 'SERVER');
      assert.match(outcome.error.message, new RegExp(dates[0]));
    });

    test('an abort part way is ABORTED', async () => {
      const dates = rangeDates(5, 1);
      const outcome = await run({ dates, switches: `running=2,id=range-${host}-${(runs += 1)}`, concurrency: 1, abortAfterDays: 1 });
      assert.equal(outcome.error?.code, 'ABORTED');
    });

    test('the range is checked before any request', async () => {
      const dates = rangeDates(2, 1);
      const backwards = await run({ from: dates[1], to: dates[0], switches: 'id=x' });
      assert.equal(backwards.error.code, 'BAD_DATE');
      const today = new Date().toISOString().slice(0, 10);
      const future = await run({ from: dates[0], to: today, switches: 'id=x' });
      assert.equal(future.error.code, 'DATE_OUT_OF_RANGE');
      assert.deepEqual([...backwards.progress, ...future.progress], []);
    });
  });
}
