// The module worker that fetches or reads a report off the main thread, so the page stays responsive on a
// 1M-row report. Messages in: {type: 'fetch', id, options, keep} | {type: 'file', id, file, options} |
// {type: 'day', id, options} (one day of a range, with its snapshot) | {type: 'merge', id, snapshots} |
// {type: 'report-file', id, options} (the day's report file as a Blob) | {type: 'cancel', id};
// options may hold a `filter` (a slice) and, for a file, its `reportDate`; `workers` (the page's
// ?workers=N) overrides how many threads read a file or a one-key fetch (pipeline.js).
// Messages out: {type: 'ready'} once the engine loaded | {type: 'progress', id, progress} |
// {type: 'done', id, result, report} | {type: 'error', id, error}. `report` is a fetched report's bytes as a
// Blob when `keep` asked for them, so that the page can slice the report without fetching it again; a
// sub-organisation fetch keeps none (its parts are not sliced).

import init, { fetchRange, fetchReport, fetchReportFile, mergeSnapshots } from '../pkg/openathens_rawstats.js';
import { fetchInThreads, summarizeFile, threadsFor } from './pipeline.js';

// Loads the wasm beside the package module once, while the user is still filling in the form.
const ready = init();
// From here on, a failure is the engine's and not a missing file: report-worker.js then starts a fresh worker.
ready.then(() => self.postMessage({ type: 'ready' }), () => {});
const running = new Map();

// The engine already thins progress out to a few reports a second (src/wasm/progress.rs), so each one is
// passed on as it comes; a file read on several threads says how many (`threads`, from pipeline.js).
function progressPoster(id) {
  return ({ phase, percentComplete, bytes, rows, label, threads }) => {
    self.postMessage({ type: 'progress', id, progress: { phase, percentComplete, bytes, rows, label, threads } });
  };
}

// One day of a range as fetchRange gives it, with the snapshot the page caches and merges.
async function fetchDay(options, onProgress, signal) {
  const { days: [day] } = await fetchRange({ ...options, from: options.date, to: options.date, snapshots: true, onProgress, signal });
  return day;
}

/**
 * @param {string} type  as report-worker.js posts it: 'fetch', 'day', 'merge', 'report-file' or 'file'
 * @param {{options?: any, file?: Blob, workers?: number, snapshots?: Uint8Array[]}} payload  `options` are the export's own
 * @param {Uint8Array[] | null} chunks  when given, collects a fetched report's bytes as they arrive
 * @param {(progress: object) => void} onProgress
 * @param {AbortSignal} signal
 */
async function work(type, { options = {}, file, workers, snapshots }, chunks, onProgress, signal) {
  switch (type) {
    // One key's report is counted on several threads while it downloads; several keys' parts are not.
    case 'fetch': return options.keys
      ? fetchReport({ ...options, onProgress, signal })
      : fetchInThreads(options, threadsFor(workers, Infinity), chunks, onProgress, signal);
    case 'day': return fetchDay(options, onProgress, signal);
    case 'merge': return mergeSnapshots(snapshots);
    case 'report-file': return fetchReportFile({ ...options, onProgress, signal });
    default: {
      const blob = /** @type {Blob} */ (file);
      return summarizeFile(blob, threadsFor(workers, blob.size), options, onProgress, signal);
    }
  }
}

/** @param {{id: number, type: string, keep?: boolean, options?: any, file?: Blob, workers?: number, snapshots?: Uint8Array[]}} message */
async function run({ id, type, keep, ...payload }) {
  const controller = new AbortController();
  running.set(id, controller);
  const onProgress = progressPoster(id);
  const chunks = type === 'fetch' && keep && !payload.options?.keys ? [] : null;
  try {
    await ready;
    const result = await work(type, payload, chunks, onProgress, controller.signal);
    const report = chunks ? new Blob(chunks, { type: 'application/gzip' }) : null;
    // A day's snapshot moves to the page rather than being copied.
    const snapshot = /** @type {{snapshot?: Uint8Array}} */ (result).snapshot;
    self.postMessage({ type: 'done', id, result, report }, { transfer: snapshot ? [snapshot.buffer] : [] });
  } catch (error) {
    self.postMessage({ type: 'error', id, error: { code: error?.code, message: String(error?.message ?? error) } });
  } finally {
    running.delete(id);
  }
}

self.addEventListener('message', ({ data }) => {
  if (data.type === 'cancel') running.get(data.id)?.abort();
  else run(data);
});
