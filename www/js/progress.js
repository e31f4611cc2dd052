// fetchReport / summarizeStream progress ({phase, percentComplete, bytes, rows, label?}) in words, with the
// fraction for the progress bar when one is known.

import { formatBytes, formatCount } from './views/format.js';

function words({ phase, percentComplete, bytes, rows }) {
  switch (phase) {
    case 'requesting':
      return 'Waiting for the report…';
    case 'running':
      return `The API is preparing the report: ${percentComplete ?? 0}% done`;
    // The first chunk has not arrived yet: "0.0 kB, 0 rows" would read as an empty report.
    case 'downloading':
      return bytes === 0 ? 'Starting the download…' : `Downloaded ${formatBytes(bytes)}, ${formatCount(rows)} rows counted`;
    default:
      return bytes === 0 ? 'Opening the file…' : `Read ${formatBytes(bytes)}, ${formatCount(rows)} rows counted`;
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
