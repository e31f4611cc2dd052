// Progress reports from fetchReport / summarizeStream in words, with a fraction for the bar when one is known.

import { formatBytes, formatCount } from './views/format.js';

/**
 * @param {{phase: string, percentComplete?: number, bytes?: number, rows?: number}} progress
 * @param {number} [totalBytes]  the size of an opened file, so reading it can show a fraction
 * @returns {{text: string, fraction: number|null}}
 */
export function describeProgress({ phase, percentComplete, bytes = 0, rows = 0 }, totalBytes) {
  switch (phase) {
    case 'requesting':
      return { text: 'Waiting for the report…', fraction: null };
    case 'running':
      return { text: `The API is preparing the report: ${percentComplete ?? 0}% done`, fraction: (percentComplete ?? 0) / 100 };
    default: {
      // Downloading (a fetch) or reading (a file): the bytes so far and the rows parsed from them.
      const parsed = `parsing ${formatCount(rows)} rows`;
      if (totalBytes) return { text: `Reading ${formatBytes(bytes)} of ${formatBytes(totalBytes)}, ${parsed}`, fraction: Math.min(1, bytes / totalBytes) };
      return { text: `Downloading ${formatBytes(bytes)}, ${parsed}`, fraction: null };
    }
  }
}
