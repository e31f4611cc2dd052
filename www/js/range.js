// A range of days in the page: each day fetched in a pool of workers (its snapshot kept, or read from this
// device's cache when "Remember on this device" is on), then every snapshot merged exactly in a worker.

import { ReportWorker } from './report-worker.js';

const DAY_MS = 86_400_000;
// At most this many days (so API requests, one a day) at once, whatever the machine: kind to the API.
const MAX_WORKERS = 4;

const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const msOf = (day) => Date.parse(`${day}T00:00:00Z`);

/** {from, to} of a preset ('yesterday', '7', '30') inside the report-date window {min, max}. */
export function presetRange(preset, window) {
  const days = preset === 'yesterday' ? 1 : Number(preset);
  return { from: dayOf(Math.max(msOf(window.min), msOf(window.max) - (days - 1) * DAY_MS)), to: window.max };
}

/** Every day from `from` to `to`, both included. */
export function daysOf(from, to) {
  const days = [];
  for (let ms = msOf(from); ms <= msOf(to); ms += DAY_MS) days.push(dayOf(ms));
  return days;
}

/** The figures of the by-day chart and table, from a day's Summary. */
export function headlineOf(summary) {
  return {
    signIns: summary.authentications.total,
    failedSignIns: summary.authentications.failed,
    transfers: summary.transfers.total,
    blocked: summary.transfers.blockedRestrictive,
    accounts: summary.distinctAccounts,
    events: summary.rows,
  };
}

const DB_NAME = 'openathens-rawstats';
// Version 2 binds days to the base URL and key(s); version 1 kept them by API name alone.
const DB_VERSION = 2;
const STORE = 'days';
// This device's HMAC key, made here and never extractable: a day's name is a keyed hash of who fetched it.
const SECRETS = 'device';
const HMAC = { name: 'HMAC', hash: 'SHA-256' };

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

const hex = (buffer) => Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * Fetched days on this device, in IndexedDB, as {snapshot, headline} under a name that binds them to whoever
 * could fetch them again: an HMAC-SHA256, under this device's own key, of the base URL, the API name and
 * the key(s) with their labels (never a key itself, nor a plain hash an attacker could test guesses
 * against), with the date. Every method resolves (to nothing, when the browser refuses storage or Web
 * Crypto): the cache only ever saves requests. `generation` counts the clears: a range reads it when it
 * starts and passes it to `put`, so that a day fetched after Forget is not written back into the database
 * Forget deleted.
 */
export const dayCache = {
  generation: 0,
  /**
   * The name of the days fetched with these options, or null when nothing can be kept.
   * @param {{baseUrl: string, apiName: string, apiKey?: string, keys?: {label: string, key: string}[]}} options
   * @returns {Promise<string | null>}
   */
  async scope({ baseUrl, apiName, apiKey, keys }) {
    try {
      const secret = await this.deviceKey();
      const who = JSON.stringify([baseUrl, apiName, keys ? keys.map(({ label, key }) => [label, key]) : apiKey]);
      return hex(await crypto.subtle.sign(HMAC, secret, new TextEncoder().encode(who)));
    } catch {
      return null;
    }
  },
  key: (scope, date) => JSON.stringify([scope, date]),
  async get(key) {
    try {
      const db = await this.db();
      try {
        return await request(db.transaction(STORE).objectStore(STORE).get(key));
      } finally {
        db.close();
      }
    } catch {
      return undefined;
    }
  },
  async put(key, value, generation) {
    if (generation !== this.generation) return;
    try {
      const db = await this.db();
      try {
        await request(db.transaction(STORE, 'readwrite').objectStore(STORE).put(value, key));
      } finally {
        db.close();
      }
    } catch {
      // Storage refused or full: the day is simply fetched again next time.
    }
  },
  // Deletes the days and the device key with them.
  async clear() {
    this.generation += 1;
    try {
      await request(indexedDB.deleteDatabase(DB_NAME));
    } catch {
      // Nothing was stored.
    }
  },
  // The device's key, made on first use. (Two tabs making one at the same moment: the second's add fails, and
  // its range keeps nothing.)
  async deviceKey() {
    const fresh = await crypto.subtle.generateKey(HMAC, false, ['sign']);
    const db = await this.db();
    try {
      const store = db.transaction(SECRETS, 'readwrite').objectStore(SECRETS);
      const kept = await request(store.get('hmac'));
      if (kept) return kept;
      await request(store.add(fresh, 'hmac'));
      return fresh;
    } finally {
      db.close();
    }
  },
  db() {
    const open = indexedDB.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = () => {
      const db = open.result;
      // Version 1's days were bound to no key: they are dropped, not carried over.
      if (db.objectStoreNames.contains(STORE)) db.deleteObjectStore(STORE);
      db.createObjectStore(STORE);
      if (!db.objectStoreNames.contains(SECRETS)) db.createObjectStore(SECRETS);
    };
    return request(open);
  },
};

/**
 * Workers for ranges: one per core but the page's own, at least 2, at most MAX_WORKERS. (On two cores, two
 * took 0.75-0.83x the sum of the days and one 1.20x: scripts/range-figures.mjs, BENCHMARKS.md.)
 */
export function poolSize(cores = navigator.hardwareConcurrency || 1) {
  return Math.min(MAX_WORKERS, Math.max(2, cores - 1));
}

export class DayPool {
  #workers = [];

  get size() {
    return poolSize();
  }

  #worker(at) {
    this.#workers[at] ??= new ReportWorker();
    return this.#workers[at];
  }

  /**
   * Runs `jobs` (each {type, payload, onProgress}), at most `size` at once; resolves to their outcomes in
   * order, each {result} or {error}. `cancel()` stops every job still running or waiting.
   */
  run(jobs) {
    let next = 0;
    let cancelled = false;
    const running = new Set();
    const outcomes = new Array(jobs.length);
    const lane = async (at) => {
      while (!cancelled && next < jobs.length) {
        const index = next++;
        const { type, payload, onProgress } = jobs[index];
        const job = this.#worker(at).run(type, payload, onProgress ?? (() => {}));
        running.add(job);
        try {
          // A ReportWorker job resolves to {result, report}; a day keeps no report file.
          outcomes[index] = { result: (await job.result).result };
        } catch (error) {
          outcomes[index] = { error };
        } finally {
          running.delete(job);
        }
      }
    };
    const done = Promise.all(Array.from({ length: Math.min(this.size, jobs.length) }, (_, at) => lane(at)));
    return {
      outcomes: done.then(() => {
        if (cancelled) throw { code: 'ABORTED', message: 'Cancelled.' };
        return outcomes;
      }),
      cancel() {
        cancelled = true;
        for (const job of running) job.cancel();
      },
    };
  }
}
