// fetchRange runs shared by the Node and Chromium tests (range.test.mjs): plain data in, plain data out
// (snapshots are merged where they were made), so the same code runs in Node and inside a page.

import { isoDaysAgo } from './fetch-scenarios.mjs';

// Oldest first: `days` consecutive days ending `endDaysAgo` days ago.
export function rangeDates(days, endDaysAgo = 1) {
  return Array.from({ length: days }, (_, at) => isoDaysAgo(endDaysAgo + days - 1 - at));
}

// env: { origin, apiName, key }. run: { dates, switches, keys, concurrency, snapshots, abortAfterDays }.
export async function runRange(wasm, env, run) {
  const progress = [];
  const controller = new AbortController();
  const options = {
    apiName: env.apiName,
    from: run.from ?? run.dates[0],
    to: run.to ?? run.dates.at(-1),
    baseUrl: `${env.origin}/scenario/${run.switches}/api/v1`,
    pollIntervalMs: 20,
    concurrency: run.concurrency,
    snapshots: run.snapshots,
    signal: controller.signal,
    onProgress: (p) => {
      progress.push({ ...p });
      if (run.abortAfterDays !== undefined && p.daysDone >= run.abortAfterDays) controller.abort();
    },
  };
  if (run.keys) options.keys = run.keys;
  else options.apiKey = env.key;
  try {
    const result = await wasm.fetchRange(options);
    const snapshots = result.days.filter((day) => day.snapshot).map((day) => day.snapshot);
    return {
      merged: result.merged,
      days: result.days.map(({ snapshot, ...day }) => ({ ...day, snapshotBytes: snapshot?.length })),
      fromSnapshots: run.snapshots ? wasm.mergeSnapshots(snapshots) : undefined,
      progress,
    };
  } catch (error) {
    return { error: { code: error.code, message: error.message }, progress };
  }
}
