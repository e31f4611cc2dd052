// /history?group=month: each month's exact Summary of the stored days inside the range, merged from the
// same snapshot reads as the range's own `merged` (one read a day, whatever is asked), so a year answers
// with twelve Summaries for the price of one pass.

import { SnapshotMerge } from '../../www/pkg/openathens_rawstats.js';

/**
 * Merges, month by month, the snapshots that pass through `tap(read)`, which must be read in date order.
 * `finish(describe)` gives [{month: "yyyy-MM", ...describe(summary)}] for each month that had a snapshot;
 * `free()` lets go of a merge left open by an error.
 */
export class MonthMerges {
  #groups = [];
  #month = null;
  #merge = null;
  #added = 0;

  tap(read) {
    return async (date) => {
      const bytes = await read(date);
      if (bytes) this.#add(date.slice(0, 7), new Uint8Array(bytes));
      return bytes;
    };
  }

  #add(month, bytes) {
    if (month !== this.#month) this.#close();
    this.#month = month;
    this.#merge ??= new SnapshotMerge();
    try {
      this.#merge.add(bytes);
      this.#added += 1;
    } catch (error) {
      // A damaged day leaves the month's merge as it was; the range's own merge lists it under `unreadable`.
      if (error?.code !== 'BAD_SNAPSHOT') throw error;
    }
  }

  #close() {
    if (!this.#merge) return;
    // A month's Summary is kept until the answer is built: at most 13 in a span of 366 days.
    if (this.#added > 0) this.#groups.push({ month: this.#month, summary: this.#merge.finish() });
    this.free();
  }

  /** @param {(summary: object) => object} describe  what each month's group holds beside its month */
  finish(describe) {
    this.#close();
    return this.#groups.map(({ month, summary }) => ({ month, ...describe(summary) }));
  }

  free() {
    this.#merge?.free();
    this.#merge = null;
    this.#added = 0;
  }
}
