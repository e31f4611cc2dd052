// Number and time formatting shared by the views, in the reader's own locale.

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatCount(n) {
  return integer.format(n);
}

export function formatPercent(part, whole) {
  return whole > 0 ? `${oneDecimal.format((part / whole) * 100)}%` : '–';
}

export function formatBytes(n) {
  if (n < 1e6) return `${oneDecimal.format(n / 1e3)} kB`;
  return `${oneDecimal.format(n / 1e6)} MB`;
}

// "2023-06-06T19:29:16Z" -> the same instant written out in UTC or in the reader's zone.
export function formatInstant(iso, timeZone) {
  return new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: timeZone === 'utc' ? 'UTC' : undefined,
  }).format(new Date(iso));
}
