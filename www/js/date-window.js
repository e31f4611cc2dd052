// The report-date window for the date picker: yesterday back to 30 days ago, UTC. The worker's fetchReport
// checks the date itself (validateReportDate); this only keeps the picker to days that can succeed.

const DAY_MS = 86_400_000;

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** @returns {{min: string, max: string}} yyyy-MM-dd bounds, max being yesterday */
export function reportDateWindow(now = new Date()) {
  const todayUtc = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { min: isoDay(todayUtc - 30 * DAY_MS), max: isoDay(todayUtc - DAY_MS) };
}
