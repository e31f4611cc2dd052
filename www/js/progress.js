// fetchReport / summarizeStream progress ({phase, percentComplete, bytes, rows, label?}) in words, with the
// fraction for the progress bar when one is known.

import { formatBytes, formatCount } from './views/format.js';

function words({ phase, percentComplete, bytes, rows }) {
  switch (phase) {
    case 'requesting':
      return 'Waiting for the report…';
    case 'running':
      return `The API is preparing the report: ${percentComplete ?? 0}% done`;
    case 'downloading':
      return `Downloading ${formatBytes(bytes)}, parsing ${formatCount(rows)} rows`;
    default:
      return `Reading ${formatBytes(bytes)}, parsing ${formatCount(rows)} rows`;
  }
}

/**
 * @param {{phase: string, percentComplete: number|null, bytes: number, rows: number, label?: string}} progress
 * @returns {{text: string, fraction: number|null}}  fraction null: not known (the bar shows activity only)
 */
export function describeProgress(progress) {
  const text = words(progress);
  const fraction = progress.percentComplete === null || progress.percentComplete === undefined ? null : progress.percentComplete / 100;
  return { text: progress.label ? `${progress.label}: ${text}` : text, fraction };
}
