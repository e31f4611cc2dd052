// The report-date window of the reference: yyyy-MM-dd, from yesterday back to 30 days ago, in UTC.

const DAY_MS = 86_400_000;
const OLDEST_DAYS_AGO = 30;

export class ReportDateError extends Error {}

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

// The oldest and newest dates a report may be asked for at `now`.
export function reportDateWindow(now) {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return { earliest: isoDay(today - OLDEST_DAYS_AGO * DAY_MS), latest: isoDay(today - DAY_MS) };
}

// Returns `text` when it is a real calendar date inside the window at `now`; throws ReportDateError otherwise.
export function checkReportDate(text, now) {
  if (text === null || text === '') throw new ReportDateError('the date parameter is missing: add ?date=yyyy-MM-dd');
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || isoDay(ms) !== text) {
    throw new ReportDateError(`the date "${text}" is not a real date in the format yyyy-MM-dd`);
  }
  const { earliest, latest } = reportDateWindow(now);
  if (text < earliest || text > latest) {
    throw new ReportDateError(`the date ${text} is outside the reporting window: choose a date from ${earliest} to ${latest} (UTC)`);
  }
  return text;
}
