// The archive's date ranges, in UTC days as the Worker stores them: the presets of its Date range and the
// periods a range can be compared with.

const DAY_MS = 86_400_000;
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const msOf = (day) => Date.parse(`${day}T00:00:00Z`);
const monthStart = (year, month) => dayOf(Date.UTC(year, month, 1));

/** The archive's presets, as the Date range select offers them. */
export const ARCHIVE_PRESETS = [
  { value: 'this-month', label: 'This month' },
  { value: 'last-month', label: 'Last month' },
  { value: 'last-12-months', label: 'Last 12 months' },
  { value: 'this-year', label: 'This year' },
  { value: 'custom', label: 'From and to' },
];

/**
 * {from, to} of a preset at `now`. A range ends yesterday (today is never stored) except where it would
 * then end before it starts (This month on the 1st: the 1st alone). Last 12 months is this month and the
 * eleven before it, whole, so that Resources by month compares like with like.
 */
export function archivePreset(preset, now = Date.now()) {
  const today = new Date(now);
  const [year, month] = [today.getUTCFullYear(), today.getUTCMonth()];
  const yesterday = dayOf(Date.UTC(year, month, today.getUTCDate()) - DAY_MS);
  const upToYesterday = (from) => ({ from, to: yesterday < from ? from : yesterday });
  switch (preset) {
    case 'this-month': return upToYesterday(monthStart(year, month));
    case 'last-month': return { from: monthStart(year, month - 1), to: dayOf(Date.UTC(year, month, 0)) };
    case 'last-12-months': return upToYesterday(monthStart(year, month - 11));
    case 'this-year': return upToYesterday(monthStart(year, 0));
    default: throw new Error(`no archive preset ${preset}`);
  }
}

/** The same calendar day a year earlier; 29 February becomes the 28th. */
function yearBefore(day) {
  const [year, month, date] = day.split('-').map(Number);
  const last = new Date(Date.UTC(year - 1, month, 0)).getUTCDate();
  return dayOf(Date.UTC(year - 1, month - 1, Math.min(date, last)));
}

/** The ways to compare, as the Compare with select offers them. */
export const COMPARISONS = [
  { value: 'none', label: 'Nothing' },
  { value: 'previous', label: 'Previous period' },
  { value: 'last-year', label: 'Same period last year' },
  { value: 'custom', label: 'From and to' },
];

/** {from, to} that `{from, to}` is compared with: the as many days just before it, or a year earlier. */
export function comparedPeriod(kind, { from, to }) {
  if (kind === 'last-year') return { from: yearBefore(from), to: yearBefore(to) };
  const days = (msOf(to) - msOf(from)) / DAY_MS + 1;
  return { from: dayOf(msOf(from) - days * DAY_MS), to: dayOf(msOf(from) - DAY_MS) };
}

/** The number of days from `from` to `to`, both included. */
export function spanOf({ from, to }) {
  return (msOf(to) - msOf(from)) / DAY_MS + 1;
}

/** "2026-11-01 to 2026-11-30", or the one day. */
export function periodText({ from, to }) {
  return from === to ? from : `${from} to ${to}`;
}
