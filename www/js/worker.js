// The module worker that fetches or reads a report off the main thread, so the page stays responsive on a
// 1M-row report. Messages in: {type: 'fetch', id, options, keep} | {type: 'file', id, file, options} |
// {type: 'cancel', id}; options may hold a `filter` (a slice) and, for a file, its `reportDate`.
// Messages out: {type: 'ready'} once the engine loaded | {type: 'progress', id, progress} |
// {type: 'done', id, result, report} | {type: 'error', id, error}. `report` is a fetched report's bytes as a
// Blob when `keep` asked for them, so that the page can slice the report without fetching it again; a
// sub-organisation fetch keeps none (its parts are not sliced).

import init, { fetchReport, summarizeStream } from '../pkg/openathens_rawstats.js';

// Loads the wasm beside the package module once, while the user is still filling in the form.
const ready = init();
// From here on, a failure is the engine's and not a missing file: report-worker.js then starts a fresh worker.
ready.then(() => self.postMessage({ type: 'ready' }), () => {});
const running = new Map();

// The engine already thins progress out to a few reports a second (src/wasm/progress.rs), so each one is
// passed on as it comes.
function progressPoster(id) {
  return ({ phase, percentComplete, bytes, rows, label }) => {
    self.postMessage({ type: 'progress', id, progress: { phase, percentComplete, bytes, rows, label } });
  };
}

/**
 * @param {{id: number, type: 'fetch' | 'file', options?: any, file?: Blob, keep?: boolean}} message  as
 *   report-worker.js posts it; `options` are fetchReport's for a fetch, summarizeStream's for a file
 */
async function run({ id, type, options = {}, file, keep }) {
  const controller = new AbortController();
  running.set(id, controller);
  const onProgress = progressPoster(id);
  const chunks = type === 'fetch' && keep && !options.keys ? [] : null;
  try {
    await ready;
    const result = type === 'fetch'
      ? await fetchReport({ ...options, onProgress, signal: controller.signal, onChunk: chunks ? (chunk) => chunks.push(chunk) : undefined })
      : await summarizeStream(file, { ...options, onProgress, signal: controller.signal });
    const report = chunks ? new Blob(chunks, { type: 'application/gzip' }) : null;
    self.postMessage({ type: 'done', id, result, report });
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
