// What one cron run may spend. Cloudflare ends a scheduled invocation after 15 minutes and refuses its
// subrequests past 50 (Workers Free) or 1,000 (Paid); a day costs several requests per key (the task, its
// polls, retries and the download) and a rate-limited API can ask for minutes between them. So every
// request of the run goes through the budget's `fetch` (fetchRange's `fetch` option) and is counted, the
// run's signal fires when either bound is reached, and a day starts only while what is left covers the
// costliest day of the run so far. KV reads and writes are not subrequests (KV has its own 1,000 a run).

import { ConfigError } from './config.js';

/** vars CRON_MAX_SUBREQUESTS when unset: fits Workers Free's 50 with room to spare. */
export const DEFAULT_MAX_SUBREQUESTS = 45;
/** vars CRON_MAX_SECONDS when unset: well inside the 15 minutes, with time left to store what was fetched. */
export const DEFAULT_MAX_SECONDS = 600;
// The least a day can cost: one key's task request and its download.
const CHEAPEST_DAY = 2;

function setting(env, name, fallback) {
  const text = env[name];
  if (text == null || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a whole number of at least 1 (default ${fallback}).`);
  return value;
}

/** The budget of one cron run, from CRON_MAX_SUBREQUESTS and CRON_MAX_SECONDS. */
export class RunBudget {
  #controller = new AbortController();
  #timer;
  #used = 0;
  #costliest = CHEAPEST_DAY;
  #longestMs = 0;
  /** Why the run stopped starting days, once it has: a text for the log. */
  stopped = null;

  constructor(env, now = Date.now()) {
    this.maxSubrequests = setting(env, 'CRON_MAX_SUBREQUESTS', DEFAULT_MAX_SUBREQUESTS);
    const seconds = setting(env, 'CRON_MAX_SECONDS', DEFAULT_MAX_SECONDS);
    this.deadlineMs = now + seconds * 1000;
    this.#timer = setTimeout(() => this.#stop(`it reached its ${seconds} s (CRON_MAX_SECONDS)`), this.deadlineMs - now);
    // Counted before it is made: a request past the budget is never sent; the day it belongs to is aborted.
    this.fetch = (url, init) => {
      if (this.#used >= this.maxSubrequests) {
        this.#stop(`it used its ${this.maxSubrequests} subrequests (CRON_MAX_SUBREQUESTS)`);
        return Promise.reject(new Error('The run has no subrequests left.'));
      }
      this.#used += 1;
      return fetch(url, init);
    };
  }

  #stop(why) {
    this.stopped ??= why;
    this.#controller.abort();
  }

  /** Subrequests made so far. */
  get used() {
    return this.#used;
  }

  /** fetchRange's options for one day of the run: its fetch, its signal, and no wait past the deadline. */
  options() {
    return { fetch: this.fetch, signal: this.#controller.signal, timeoutMs: Math.max(0, this.deadlineMs - Date.now()) };
  }

  /** Whether another day may start; when not, `stopped` says why. */
  allows() {
    if (this.stopped) return false;
    if (this.maxSubrequests - this.#used < this.#costliest) {
      this.stopped = `${this.maxSubrequests - this.#used} of its ${this.maxSubrequests} subrequests (CRON_MAX_SUBREQUESTS) are left, and a day has cost ${this.#costliest}`;
    } else if (this.deadlineMs - Date.now() < this.#longestMs) {
      this.stopped = `too little of its time (CRON_MAX_SECONDS) is left for another day`;
    }
    return !this.stopped;
  }

  /** Runs one day's `work`, noting what it cost for allows(). */
  async day(work) {
    const [before, startMs] = [this.#used, Date.now()];
    try {
      return await work(this.options());
    } finally {
      this.#costliest = Math.max(this.#costliest, this.#used - before);
      this.#longestMs = Math.max(this.#longestMs, Date.now() - startMs);
    }
  }

  end() {
    clearTimeout(this.#timer);
  }
}
