// Calendar days as "yyyy-MM-dd" strings, in UTC as the reports API counts them.

export const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The date, or null when it is not a real "yyyy-MM-dd" day. */
export function parseDay(text) {
  if (typeof text !== 'string' || !ISO_DATE.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text ? null : ms;
}

export function dayOf(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC day before the one `ms` falls in. */
export function dayBefore(ms) {
  return dayOf(ms - DAY_MS);
}

/** Every day from `fromMs` to `toMs` (both day starts), in order. */
export function daysBetween(fromMs, toMs) {
  const days = [];
  for (let ms = fromMs; ms <= toMs; ms += DAY_MS) days.push(dayOf(ms));
  return days;
}
