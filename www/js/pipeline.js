// A report read on several threads, from a file or while it downloads: this worker reads and inflates it
// (Inflater) while one or more parse-worker.js count it (BatchParser), decoded bytes crossing as
// transferred ~1 MiB batches.
//
// One parsing worker gives the same Summary and the same error as summarizeStream on one thread: the
// batches carry the gzip members' bounds, so the parsing side decides which error wins exactly as
// ReportParser does, and a decoding error is given only once every batch decoded before it has been
// parsed without one.
//
// Several parsing workers share batches cut between records (src/engine/cuts.rs), each reading the
// header first, and their tallies are merged exactly (mergeSnapshots). What cannot be kept exact that way
// sends the file through one thread again instead: a cut that a parser did not find between records, any
// error (the one thread then names the report's), and tables that together grow past a quarter of what
// one parser may hold (so one thread could never have refused the report as TOO_LARGE where the shares
// did not).

import {
  abortedError, fetchReport, fetchReportFile, Inflater, mergeSnapshots, progressEveryMs, summarizeStream, truncatedError,
} from '../pkg/openathens_rawstats.js';

// Batches posted to a parser and not yet acknowledged; the decoding waits beyond this, so only a few
// batches (a few MiB each at most, see src/wasm/pipeline.rs) ever wait in a parser whatever the speeds.
const IN_FLIGHT = 3;
// Below this more threads cannot win back what starting and feeding them costs.
const SMALL_FILE_BYTES = 4 << 20;
// What ?workers=N may ask for: one inflating and at most four parsing workers.
const MAX_THREADS = 5;
// A quarter of src/limits.rs's MAX_TALLY_BYTES (1 GiB), for the parsers' tables together.
const SHARED_TALLY_BYTES = 1 << 28;

/**
 * How many threads read a report: `requested` (the page's ?workers=N) if given; else one for a small file
 * or a one-core machine, two (one inflating, one parsing) on two or three cores, and three (two parsers
 * sharing cut batches) from four cores on. Not more by default: in wasm inflating a report costs about as
 * much as parsing it, so past two parsers the inflating thread sets the pace, and every share adds a merge
 * (make bench, BENCHMARKS.md). On two cores a second parser only takes time from the first.
 * @param {number | undefined} requested
 * @param {number} size  the report's bytes (Infinity while a download's is unknown)
 */
export function threadsFor(requested, size) {
  if (requested) return Math.max(1, Math.min(requested, MAX_THREADS));
  const cores = navigator.hardwareConcurrency || 1;
  if (cores < 2 || size < SMALL_FILE_BYTES) return 1;
  return cores >= 4 ? 3 : 2;
}

// Parsing workers whose engine has loaded, kept between jobs (a slice recounts the same file) so that a job
// does not wait for workers to start and compile the wasm; a job that is cancelled or fails ends its
// workers instead.
/** @type {Worker[]} */
const idle = [];

/**
 * summarizeStream(file) on `threads` threads (see threadsFor).
 * @param {Blob} file
 * @param {number} threads
 * @param {{filter?: object, reportDate?: string}} options  summarizeStream's
 * @param {(progress: object) => void} onProgress
 * @param {AbortSignal} signal
 */
export function summarizeFile(file, threads, options, onProgress, signal) {
  /** @type {Pour} */
  const pour = async (feed, note) => {
    const reader = file.stream().getReader();
    let bytes = 0;
    note({ phase: 'parsing', percentComplete: file.size > 0 ? 0 : null, bytes });
    try {
      for (;;) {
        /** @type {ReadableStreamReadResult<Uint8Array>} */
        let chunk;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw truncatedError(bytes, error);
        }
        if (chunk.done) return;
        bytes += chunk.value.byteLength;
        note({ phase: 'parsing', percentComplete: file.size > 0 ? Math.min(100, (bytes / file.size) * 100) : null, bytes });
        await feed(chunk.value);
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  };
  return inThreads(threads, pour, () => summarizeStream(file, { ...options, onProgress, signal }), options, onProgress, signal);
}

/**
 * fetchReport(options) for one key, counted on `threads` threads while it downloads.
 * @param {object} options  fetchReport's, with `apiKey` (not `keys`)
 * @param {number} threads
 * @param {Uint8Array[] | null} chunks  when given, collects the download's bytes (to keep the report)
 * @param {(progress: object) => void} onProgress
 * @param {AbortSignal} signal
 */
export function fetchInThreads(options, threads, chunks, onProgress, signal) {
  /** @type {Pour} */
  const pour = (feed, note) => fetchReportFile({
    ...options,
    signal,
    onProgress: note,
    onChunk: (/** @type {Uint8Array} */ chunk) => {
      chunks?.push(chunk);
      return feed(chunk);
    },
  }).then(() => {});
  // Downloads the report again: what the first reading kept is dropped.
  const alone = () => {
    chunks?.splice(0);
    return fetchReport({ ...options, onProgress, signal, onChunk: chunks ? (chunk) => chunks.push(chunk) : undefined });
  };
  return inThreads(threads, pour, alone, { filter: options.filter, reportDate: options.date }, onProgress, signal);
}

/**
 * Reads a report's bytes: awaits `feed(chunk)` for each (so a slow count holds the reading back) and calls
 * `note` with its progress ({phase, percentComplete, bytes}); rejects with the reading's error.
 * @typedef {(feed: (chunk: Uint8Array) => Promise<void>, note: (progress: object) => void) => Promise<void>} Pour
 */

/**
 * The report `pour` reads, on `threads` threads; `alone()` reads it on this one instead, when parsing
 * workers cannot start (e.g. an embed whose scripts come from another origin) or when shares could not be
 * kept exact.
 * @param {number} threads
 * @param {Pour} pour
 * @param {() => Promise<object>} alone
 * @param {{filter?: object, reportDate?: string}} options  BatchParser's
 * @param {(progress: object) => void} onProgress
 * @param {AbortSignal} signal
 */
async function inThreads(threads, pour, alone, options, onProgress, signal) {
  const count = threads - 1;
  const workers = idle.splice(0, count);
  if (workers.length < count) workers.push(...(await startParsers(count - workers.length)));
  if (workers.length === count && count > 0) {
    let reusable = false;
    try {
      const summary = await inPipeline(workers, pour, options, onProgress, signal);
      // Only a job that ended cleanly leaves nothing of its own queued in the workers.
      reusable = summary !== null;
      if (summary) return summary;
    } finally {
      // Ending a worker also stops a batch it is parsing when the job is cancelled.
      if (reusable) idle.push(...workers);
      else for (const worker of workers) worker.terminate();
    }
  } else {
    for (const worker of workers) worker.terminate();
  }
  return alone();
}

/** @param {number} count  @returns {Promise<Worker[]>} all of them once their engines loaded, or none */
async function startParsers(count) {
  const started = await Promise.all(Array.from({ length: count }, startParser));
  if (started.every(Boolean)) return /** @type {Worker[]} */ (started);
  for (const worker of started) worker?.terminate();
  return [];
}

/** @returns {Promise<Worker | null>} */
function startParser() {
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

/**
 * One parsing worker and what this side knows of it.
 * @typedef {{worker: Worker, fed: boolean, inFlight: number, rows: number, heldBytes: number,
 *   cleanAfter: boolean[], result: unknown}} Parser
 */

/**
 * @param {Worker[]} workers
 * @param {Pour} pour
 * @param {object} options
 * @param {(progress: object) => void} onProgress
 * @param {AbortSignal} signal
 * @returns {Promise<object | null>} the Summary; null when shares could not be kept exact
 */
async function inPipeline(workers, pour, options, onProgress, signal) {
  const sharing = workers.length > 1;
  /** @type {{code?: string, message: string} | null} a parser's error */
  let failure = null;
  let uncut = false;
  let wake = () => {};
  // Removes this job's listeners at the end, so that the workers can serve the next job.
  const listening = new AbortController();
  /** @type {Parser[]} */
  const parsers = workers.map((worker) => ({ worker, fed: false, inFlight: 0, rows: 0, heldBytes: 0, cleanAfter: [], result: null }));
  for (const parser of parsers) {
    parser.worker.addEventListener('message', ({ data }) => {
      if (data.type === 'ack') {
        parser.inFlight -= 1;
        parser.rows = data.rows;
        parser.heldBytes = data.heldBytes;
        if (parser.cleanAfter.shift() && !data.clean) uncut = true;
      } else if (data.type === 'error') {
        failure ??= data.error;
      } else if (data.type === 'done') {
        parser.result = data.result;
      }
      wake();
    }, { signal: listening.signal });
    // No code: report-worker.js then starts a fresh worker, as for any failure of the engine itself.
    parser.worker.addEventListener('error', (event) => {
      event.preventDefault();
      failure ??= { message: event.message || 'a parsing worker stopped' };
      wake();
    }, { signal: listening.signal });
    parser.worker.postMessage({ type: 'start', options });
  }
  signal.addEventListener('abort', () => wake(), { signal: listening.signal });
  const inFlight = () => parsers.reduce((sum, parser) => sum + parser.inFlight, 0);
  const shareLost = () => sharing && (failure !== null || uncut || parsers.reduce((sum, p) => sum + p.heldBytes, 0) > SHARED_TALLY_BYTES);
  const until = (/** @type {() => boolean} */ test) => new Promise((resolve, reject) => {
    wake = () => {
      if (signal.aborted) reject(abortedError());
      else if (failure || shareLost() || test()) resolve(undefined);
    };
    wake();
  });

  // Batches are numbered in the report's order, so that the shares merge into the report's exact Summary.
  let place = 0;
  const post = (/** @type {Parser} */ parser, /** @type {Uint8Array} */ bytes, /** @type {Uint32Array} */ marks, /** @type {boolean} */ clean) => {
    parser.inFlight += 1;
    parser.cleanAfter.push(clean);
    parser.worker.postMessage({ type: 'batch', bytes, marks, place: ++place }, [bytes.buffer, marks.buffer]);
  };
  let next = 0;
  /** @type {Parser | null} the parser every later batch goes to, once a batch could not be cut */
  let sticky = null;
  /** @type {Uint8Array | undefined} */
  let header;
  const inflater = new Inflater((bytes, marks, cut, firstHeader) => {
    header ??= firstHeader;
    const parser = sticky ?? parsers[next++ % parsers.length];
    if (!cut) sticky = parser;
    if (!parser.fed && parser !== parsers[0] && header) post(parser, header.slice(), new Uint32Array(0), true);
    parser.fed = true;
    post(parser, bytes, marks, cut);
  }, sharing);

  let reading = {};
  let shown = 0;
  // summarizeStream's pace, so a report reads alike on one thread or several.
  const every = progressEveryMs();
  const progress = () => {
    const rows = parsers.reduce((sum, parser) => sum + parser.rows, 0);
    onProgress({ ...reading, rows, threads: parsers.length + 1 });
    shown = performance.now();
  };
  // Thrown into the reading when the count has failed or cannot stay exact: its error is not the report's.
  const stopped = new Error('the count stopped reading');
  /** @type {unknown} */
  let inflateError = null;
  const feed = async (/** @type {Uint8Array} */ chunk) => {
    if (failure || shareLost()) throw stopped;
    try {
      inflater.push(chunk);
    } catch (error) {
      inflateError = error;
      throw stopped;
    }
    if (performance.now() - shown >= every) progress();
    await until(() => inFlight() < IN_FLIGHT * parsers.length);
    if (failure || shareLost()) throw stopped;
  };
  /** @type {unknown} the reading's or decoding's error: the report's unless a parser fails first */
  let decodeError = null;
  try {
    await pour(feed, (/** @type {object} */ note) => {
      reading = note;
      if (performance.now() - shown >= every) progress();
    });
    inflater.finish();
  } catch (error) {
    if (signal.aborted) throw abortedError();
    // A download's reader wraps what `feed` threw in an error of its own.
    decodeError = inflateError ?? (failure || shareLost() ? null : error);
  } finally {
    inflater.free();
  }
  try {
    // An error before any data (a wrong key, no such day, no gzip) is the report's on any layout.
    if (decodeError && place === 0) throw decodeError;
    if (sharing && (decodeError || shareLost())) return null;
    const fed = parsers.filter((parser) => parser.fed);
    if (!failure && !decodeError) for (const parser of fed) parser.worker.postMessage({ type: 'end', snapshot: sharing });
    await until(() => (decodeError ? inFlight() === 0 : fed.every((parser) => parser.result !== null)));
    if (shareLost()) return null;
    if (failure) throw failure;
    if (decodeError) throw decodeError;
    progress();
    return sharing ? mergeSnapshots(fed.map((parser) => /** @type {Uint8Array} */ (parser.result))) : fed[0].result;
  } finally {
    listening.abort();
  }
}
