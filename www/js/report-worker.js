// The main thread's side of worker.js: one job at a time as a promise, with progress and cancelling, and a
// fresh worker whenever the one running cannot be trusted any more: the engine failed in a way it never
// reports on purpose (a trap such as "unreachable", an error without a code, the worker dying), or a
// cancelled job did not stop promptly (the worker is busy in a long synchronous step).

// Not written as new URL('./worker.js', import.meta.url): bundlers rewrite that pattern into an asset URL
// (Vite inlines a small one as a data: URL, from which the worker's own imports cannot load). This URL is
// only for an unbundled host that starts the worker itself; the default below keeps the literal pattern,
// which bundlers recognise as a worker and bundle with its imports and the wasm.
const WORKER_FILE = './worker.js';

/** The worker script's URL, for a host that must start the worker itself (the embed, on another origin). */
export const workerScriptUrl = new URL(WORKER_FILE, import.meta.url).href;

// How long a cancelled job may take to stop before its worker is ended. The engine checks its signal
// between chunks, which come every few milliseconds.
const CANCEL_GRACE_MS = 1000;

// Page-side codes (next to the engine's error codes of docs/api.md): the engine stopped and a fresh worker
// now runs; the engine could not start at all (worker.js or the wasm did not load), and no job will run
// until a reload.
const ENGINE_RESTARTED = 'ENGINE_RESTARTED';
const ENGINE_UNAVAILABLE = 'ENGINE_UNAVAILABLE';

const stopped = (detail) => ({ code: ENGINE_RESTARTED, message: detail });

export class ReportWorker {
  #start;
  #worker;
  // Until worker.js says its engine loaded, any failure means it cannot start at all, and retrying is futile.
  #ready = false;
  #nextId = 0;
  #jobs = new Map();
  #failure = null;

  /** @param {() => Worker} [start]  starts one worker.js; by default the one beside this module */
  constructor(start = () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })) {
    this.#start = start;
    this.#launch();
  }

  #launch() {
    const worker = this.#start();
    this.#worker = worker;
    this.#ready = false;
    worker.addEventListener('message', ({ data }) => {
      if (data.type === 'ready') {
        this.#ready = true;
        return;
      }
      const job = this.#jobs.get(data.id);
      if (!job) return;
      if (data.type === 'progress') {
        job.onProgress(data.progress);
        return;
      }
      if (data.type === 'done' || data.error.code) {
        this.#settle(data.id);
        if (data.type === 'done') job.resolve(data.result);
        else job.reject(data.error);
      } else if (!this.#ready) {
        this.#cannotStart(data.error.message);
      } else {
        this.#restart([data.id], stopped(data.error.message));
      }
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (!this.#ready) this.#cannotStart(event.message || 'worker.js or pkg/ failed to load');
      // Which job it was is unknown: none of them can be trusted to finish.
      else this.#restart([...this.#jobs.keys()], stopped(event.message || 'the worker stopped'));
    });
    for (const [id, job] of this.#jobs) worker.postMessage({ id, ...job.message });
  }

  #cannotStart(detail) {
    this.#worker.terminate();
    this.#failure = {
      code: ENGINE_UNAVAILABLE,
      message: `The report engine could not start (${detail}). If you host this page, run make build so that pkg/ is there; in a bundled app, see the package README (optimizeDeps.exclude).`,
    };
    this.#fail([...this.#jobs.keys()], this.#failure);
  }

  /** Ends the worker, fails the jobs named with `error`, and runs the others again on a fresh worker. */
  #restart(ids, error) {
    this.#worker.terminate();
    this.#fail(ids, error);
    this.#launch();
  }

  #fail(ids, error) {
    for (const id of ids) {
      const job = this.#jobs.get(id);
      this.#settle(id);
      job?.reject(error);
    }
  }

  #settle(id) {
    clearTimeout(this.#jobs.get(id)?.cancelTimer);
    this.#jobs.delete(id);
  }

  /**
   * @param {'fetch'|'file'} type
   * @param {object} payload  {options} for a fetch (fetchReport's, without onProgress and signal), {file} for a file
   * @param {(progress: object) => void} onProgress
   * @returns {{result: Promise<object>, cancel(): void}}  result rejects with {code?, message}
   */
  run(type, payload, onProgress) {
    const id = ++this.#nextId;
    const message = { type, ...payload };
    const result = new Promise((resolve, reject) => {
      if (this.#failure) reject(this.#failure);
      else this.#jobs.set(id, { message, resolve, reject, onProgress });
    });
    if (!this.#failure) this.#worker.postMessage({ id, ...message });
    const cancel = () => {
      const job = this.#jobs.get(id);
      if (!job || job.cancelTimer !== undefined) return;
      this.#worker.postMessage({ type: 'cancel', id });
      job.cancelTimer = setTimeout(() => {
        this.#restart([id], { code: 'ABORTED', message: 'Cancelled: the report engine was stopped.' });
      }, CANCEL_GRACE_MS);
    };
    return { result, cancel };
  }
}
