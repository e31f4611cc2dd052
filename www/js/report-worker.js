// The main thread's side of worker.js: one job at a time as a promise, with progress and cancelling.

/** The worker script's URL, for a host that must start the worker itself (the embed, on another origin). */
export const workerScriptUrl = new URL('./worker.js', import.meta.url).href;

export class ReportWorker {
  #worker;
  #nextId = 0;
  #jobs = new Map();
  #failure = null;

  /** @param {Worker} [worker]  one running worker.js; by default started here */
  constructor(worker = new Worker(workerScriptUrl, { type: 'module' })) {
    this.#worker = worker;
    this.#worker.addEventListener('message', ({ data }) => {
      const job = this.#jobs.get(data.id);
      if (!job) return;
      if (data.type === 'progress') {
        job.onProgress(data.progress);
        return;
      }
      this.#jobs.delete(data.id);
      if (data.type === 'done') job.resolve(data.result);
      else job.reject(data.error);
    });
    // The worker script or the wasm package failed to load (often before any job): no job can ever finish.
    this.#worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.#failure = { message: `The report engine could not start (${event.message || 'worker.js or pkg/ failed to load'}). If you host this page, run make build so that pkg/ is there.` };
      for (const job of this.#jobs.values()) job.reject(this.#failure);
      this.#jobs.clear();
    });
  }

  /**
   * @param {'fetch'|'file'} type
   * @param {object} payload  {options} for a fetch (fetchReport's, without onProgress and signal), {file} for a file
   * @param {(progress: object) => void} onProgress
   * @returns {{result: Promise<object>, cancel(): void}}  result rejects with {code?, message}
   */
  run(type, payload, onProgress) {
    const id = ++this.#nextId;
    const result = new Promise((resolve, reject) => {
      if (this.#failure) reject(this.#failure);
      else this.#jobs.set(id, { resolve, reject, onProgress });
    });
    this.#worker.postMessage({ type, id, ...payload });
    return { result, cancel: () => this.#worker.postMessage({ type: 'cancel', id }) };
  }
}
