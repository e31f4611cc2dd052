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
 * then end before it starts (This month on the 1st: the 1st alone). Last 12 months is yesterday's month and
 * the eleven before it, whole, so that Resources by month compares like with like.
 */
export function archivePreset(preset, now = Date.now()) {
  const today = new Date(now);
  const [year, month] = [today.getUTCFullYear(), today.getUTCMonth()];
  const yesterday = dayOf(Date.UTC(year, month, today.getUTCDate()) - DAY_MS);
  const upToYesterday = (from) => ({ from, to: yesterday < from ? from : yesterday });
  switch (preset) {
    case 'this-month': return upToYesterday(monthStart(year, month));
    case 'last-month': return { from: monthStart(year, month - 1), to: dayOf(Date.UTC(year, month, 0)) };
    case 'last-12-months': return upToYesterday(`${monthsBefore(yesterday, 11).slice(0, 7)}-01`);
    case 'this-year': return upToYesterday(monthStart(year, 0));
    default: throw new Error(`no archive preset ${preset}`);
  }
}

/** The same day of the month `months` months earlier; a day the month lacks becomes its last. */
function monthsBefore(day, months) {
  const [year, month, date] = day.split('-').map(Number);
  const last = new Date(Date.UTC(year, month - months, 0)).getUTCDate();
  return dayOf(Date.UTC(year, month - 1 - months, Math.min(date, last)));
}

const isMonthEnd = (day) => dayOf(msOf(day) + DAY_MS).endsWith('-01');

/** The ways to compare, as the Compare with select offers them. */
export const COMPARISONS = [
  { value: 'none', label: 'Nothing' },
  { value: 'previous', label: 'Previous period' },
  { value: 'last-year', label: 'Same period last year' },
  { value: 'custom', label: 'From and to' },
];

/**
 * {from, to} that `{from, to}` is compared with. Same period last year: the same days a year earlier.
 * Previous period: for a range from a 1st, the same days of the months just before (November 1-3 for
 * December 1-3, October for November, and a month's last day stays its last); otherwise as many days
 * just before.
 */
export function comparedPeriod(kind, { from, to }) {
  if (kind === 'last-year') return { from: monthsBefore(from, 12), to: monthsBefore(to, 12) };
  if (from.endsWith('-01')) {
    const [fromYear, fromMonth] = from.split('-').map(Number);
    const [toYear, toMonth] = to.split('-').map(Number);
    const months = (toYear - fromYear) * 12 + toMonth - fromMonth + 1;
    const end = isMonthEnd(to) ? dayOf(Date.UTC(toYear, toMonth - months, 0)) : monthsBefore(to, months);
    return { from: monthsBefore(from, months), to: end };
  }
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
