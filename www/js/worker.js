// The module worker that fetches or reads a report off the main thread, so the page stays responsive on a
// 1M-row report. Messages in: {type: 'fetch', id, options} | {type: 'file', id, file} | {type: 'cancel', id}.
// Messages out: {type: 'ready'} once the engine loaded | {type: 'progress', id, progress} |
// {type: 'done', id, result} | {type: 'error', id, error}.

import init, { fetchReport, summarizeStream } from '../pkg/openathens_rawstats.js';

// Loads the wasm beside the package module once, while the user is still filling in the form.
const ready = init();
// From here on, a failure is the engine's and not a missing file: report-worker.js then starts a fresh worker.
ready.then(() => self.postMessage({ type: 'ready' }), () => {});
const running = new Map();
// Progress arrives per chunk; the page only needs a few updates a second.
const PROGRESS_INTERVAL_MS = 100;

// Thinned to a few updates a second, but the latest one is always delivered (after the interval, and before
// the result), so the last line a user reads has the final bytes and rows, not the first chunk's zeros.
function progressPoster(id) {
  let lastStep = null;
  let lastTime = 0;
  let pending = null;
  let timer = null;
  const post = () => {
    clearTimeout(timer);
    timer = null;
    if (!pending) return;
    self.postMessage({ type: 'progress', id, progress: pending });
    lastTime = performance.now();
    pending = null;
  };
  let last = null;
  const onProgress = ({ phase, percentComplete, bytes, rows, label }) => {
    // The engine repeats its final figures when a phase ends; the page needs them once.
    const same = last && last.phase === phase && last.bytes === bytes && last.rows === rows && last.percentComplete === percentComplete && last.label === label;
    last = { phase, percentComplete, bytes, rows, label };
    if (same) return;
    pending = last;
    // A new phase (or another key's) is always shown at once.
    const step = `${label}/${phase}`;
    const wait = PROGRESS_INTERVAL_MS - (performance.now() - lastTime);
    if (step !== lastStep || wait <= 0) {
      lastStep = step;
      post();
    } else {
      timer ??= setTimeout(post, wait);
    }
  };
  return { onProgress, flush: post };
}

async function run({ id, type, options, file }) {
  const controller = new AbortController();
  running.set(id, controller);
  const { onProgress, flush } = progressPoster(id);
  try {
    await ready;
    const result = type === 'fetch'
      ? await fetchReport({ ...options, onProgress, signal: controller.signal })
      : await summarizeStream(file, { onProgress, signal: controller.signal });
    flush();
    self.postMessage({ type: 'done', id, result });
  } catch (error) {
    flush();
    self.postMessage({ type: 'error', id, error: { code: error?.code, message: String(error?.message ?? error) } });
  } finally {
    running.delete(id);
  }
}

self.addEventListener('message', ({ data }) => {
  if (data.type === 'cancel') running.get(data.id)?.abort();
  else run(data);
});
