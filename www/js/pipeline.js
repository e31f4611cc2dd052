// A report file read on two threads: this worker reads and inflates it (Inflater) while parse-worker.js
// counts it (BatchParser), decoded bytes crossing as transferred ~1 MiB batches. Same Summary and same error
// as summarizeStream on one thread: the batches carry the gzip members' bounds, so the parsing side
// decides which error wins exactly as ReportParser does, and a decoding error is given only once every
// batch decoded before it has been parsed without one.

import { Inflater, summarizeStream } from '../pkg/openathens_rawstats.js';

// Batches posted and not yet acknowledged; the decoding waits beyond this, so at most a few batches (a
// few MiB, see src/wasm/pipeline.rs) wait in the parsing worker whatever the two speeds.
const IN_FLIGHT = 4;
// summarizeStream's progress pace (src/wasm/progress.rs).
const PROGRESS_EVERY_MS = 250;
// Below this a second thread cannot win back the time its worker takes to start.
const SMALL_FILE_BYTES = 4 << 20;

/**
 * How many threads read a report file: `requested` (the page's ?workers=N) if given, else two when the
 * machine has two cores or more and the file is not small.
 * @param {number | undefined} requested
 * @param {number} size  the file's bytes
 */
export function threadsFor(requested, size) {
  if (requested) return Math.min(requested, 2);
  return (navigator.hardwareConcurrency || 1) >= 2 && size >= SMALL_FILE_BYTES ? 2 : 1;
}

/**
 * summarizeStream(file) on two threads when `threads` is 2 and a parsing worker starts, else on this one.
 * @param {Blob} file
 * @param {number} threads
 * @param {{filter?: object, reportDate?: string}} options  summarizeStream's
 * @param {(progress: object) => void} onProgress
 * @param {AbortSignal} signal
 */
export async function summarizeFile(file, threads, options, onProgress, signal) {
  const parsing = threads >= 2 ? await startParseWorker() : null;
  if (!parsing) return summarizeStream(file, { ...options, onProgress, signal });
  try {
    return await inTwo(parsing, file, options, onProgress, signal);
  } finally {
    // Also stops a batch being parsed when the job is cancelled.
    parsing.terminate();
  }
}

/** A parsing worker once its engine has loaded; null when it cannot start (e.g. an embed on another origin). */
function startParseWorker() {
  return new Promise((resolve) => {
    /** @type {Worker} */
    let worker;
    try {
      worker = new Worker(new URL('./parse-worker.js', import.meta.url), { type: 'module' });
    } catch {
      resolve(null);
      return;
    }
    const settle = (/** @type {boolean} */ started) => {
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      if (!started) worker.terminate();
      resolve(started ? worker : null);
    };
    const onMessage = ({ data }) => settle(data.type === 'ready');
    const onError = (/** @type {Event} */ event) => {
      event.preventDefault();
      settle(false);
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
  });
}

const aborted = () => ({ code: 'ABORTED', message: 'The report was cancelled (the AbortSignal fired). Start again when you are ready.' });

/**
 * @param {Worker} parsing
 * @param {Blob} file
 * @param {object} options
 * @param {(progress: object) => void} onProgress
 * @param {AbortSignal} signal
 */
async function inTwo(parsing, file, options, onProgress, signal) {
  let rows = 0;
  let inFlight = 0;
  /** @type {{code?: string, message: string} | null} the parsing side's error: the report's */
  let failure = null;
  /** @type {object | null} */
  let summary = null;
  let wake = () => {};
  parsing.addEventListener('message', ({ data }) => {
    if (data.type === 'ack') {
      inFlight -= 1;
      rows = data.rows;
    } else if (data.type === 'error') {
      failure ??= data.error;
    } else if (data.type === 'done') {
      summary = data.summary;
    }
    wake();
  });
  // No code: report-worker.js then starts a fresh worker, as for any failure of the engine itself.
  parsing.addEventListener('error', (event) => {
    event.preventDefault();
    failure ??= { message: event.message || 'the parsing worker stopped' };
    wake();
  });
  signal.addEventListener('abort', () => wake());
  const until = (/** @type {() => boolean} */ test) => new Promise((resolve, reject) => {
    wake = () => {
      if (signal.aborted) reject(aborted());
      else if (failure || test()) resolve(undefined);
    };
    wake();
  });

  parsing.postMessage({ type: 'start', options });
  const inflater = new Inflater((bytes, marks) => {
    inFlight += 1;
    parsing.postMessage({ type: 'batch', bytes, marks }, [bytes.buffer, marks.buffer]);
  });
  const total = file.size;
  let read = 0;
  let shown = 0;
  const progress = () => {
    onProgress({ phase: 'parsing', percentComplete: total > 0 ? Math.min(100, (read / total) * 100) : null, bytes: read, rows });
    shown = performance.now();
  };
  progress();
  const reader = file.stream().getReader();
  /** @type {unknown} the decoding side's error: the report's unless the parsing side fails first */
  let decodeError = null;
  try {
    for (;;) {
      if (signal.aborted) throw aborted();
      /** @type {ReadableStreamReadResult<Uint8Array>} */
      let chunk;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw { code: 'TRUNCATED', message: `Reading the report stopped after ${read} bytes (${error?.message ?? error}). Open or download the report again.` };
      }
      if (chunk.done) {
        inflater.finish();
        break;
      }
      read += chunk.value.byteLength;
      inflater.push(chunk.value);
      if (performance.now() - shown >= PROGRESS_EVERY_MS) progress();
      await until(() => inFlight < IN_FLIGHT);
      if (failure) break;
    }
  } catch (error) {
    if (signal.aborted) throw aborted();
    decodeError = error;
  } finally {
    inflater.free();
    reader.cancel().catch(() => {});
  }
  if (!failure && !decodeError) parsing.postMessage({ type: 'end' });
  await until(() => (decodeError ? inFlight === 0 : summary !== null));
  if (failure) throw failure;
  if (decodeError) throw decodeError;
  progress();
  return summary;
}
