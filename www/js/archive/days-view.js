// The days of an archive range: its figures as a chart (a point a day, or a month past MAX_DAILY_POINTS
// days) and a table saying of each day whether the Worker stored it whole, partial, not at all, or
// unreadably; a run of missing days is one row.

import { h, uniqueId } from '../views/dom.js';
import { formatCount, formatInstant } from '../views/format.js';
import { SERIES, renderHeadlineChart } from '../views/range-view.js';
import { spanOf } from './periods.js';

// Past this many days, a point a day is too dense to read: the chart goes by month.
const MAX_DAILY_POINTS = 90;

const DAY_MS = 86_400_000;
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The chart's figures from /history's headline. */
function chartHeadline(headline) {
  return headline && { ...headline, accounts: headline.distinctAccounts };
}

/** Every day of the period with what the archive holds of it. */
function daysOf(period, body) {
  const stored = new Map(body.days.map((day) => [day.date, day]));
  const partial = new Set(body.partial);
  // Each {date, error}: a day whose stored snapshot is damaged.
  const unreadable = new Set(body.unreadable.map((day) => day.date));
  const unmerged = new Set(body.unmerged);
  const days = [];
  for (let ms = Date.parse(`${period.from}T00:00:00Z`); dayOf(ms) <= period.to; ms += DAY_MS) {
    const date = dayOf(ms);
    const day = stored.get(date);
    let state = 'missing';
    if (unreadable.has(date)) state = 'unreadable';
    else if (partial.has(date)) state = 'partial';
    else if (day) state = 'stored';
    days.push({ date, state, day, unmerged: unmerged.has(date) });
  }
  return days;
}

function stateText({ state, day, unmerged }) {
  if (state === 'missing') return 'Missing';
  if (state === 'unreadable') return 'Unreadable: stored damaged, left out of every figure';
  const when = `stored ${formatInstant(day.storedAt, 'utc')} UTC`;
  const note = unmerged ? '; not in the merged summary (no snapshot)' : '';
  if (state === 'partial') return `Partial, ${when}, without ${day.failedParts.map((part) => part.label).join(', ')}${note}`;
  return `Stored ${when.slice('stored '.length)}${note}`;
}

/** Rows of the table: each day, and each run of missing days as one. */
function tableRows(days) {
  const rows = [];
  for (const day of days) {
    const last = rows.at(-1);
    if (day.state === 'missing' && last?.state === 'missing') {
      last.to = day.date;
      last.count += 1;
    } else {
      rows.push({ ...day, to: day.date, count: 1 });
    }
  }
  return rows.map((row) => h('tr', {}, [
    h('th', { scope: 'row' }, row.count > 1 ? `${row.date} to ${row.to}` : row.date),
    h('td', {}, row.count > 1 ? `Missing (${formatCount(row.count)} days)` : stateText(row)),
    ...SERIES.map(({ key }) => h('td', { class: 'oa-num' }, row.day ? formatCount(chartHeadline(row.day.headline)[key]) : '–')),
  ]));
}

/** The months from `from`'s to `to`'s, as yyyy-MM. */
export function monthsOf({ from, to }) {
  const months = [];
  const [year, month] = from.split('-').map(Number);
  for (let at = 0; ; at += 1) {
    const next = dayOf(Date.UTC(year, month - 1 + at, 1)).slice(0, 7);
    if (next > to.slice(0, 7)) return months;
    months.push(next);
  }
}

/**
 * @param {{from: string, to: string}} period
 * @param {object} body  /history's answer with `groups`
 * @returns {{element: HTMLElement, destroy(): void, counts: Record<string, number>}}
 */
export function renderArchiveDays(period, body) {
  const days = daysOf(period, body);
  const counts = Object.fromEntries(['stored', 'partial', 'missing', 'unreadable'].map((state) => [state, days.filter((day) => day.state === state).length]));
  const byMonth = spanOf(period) > MAX_DAILY_POINTS;
  const groups = new Map((body.groups ?? []).map((group) => [group.month, group]));
  const points = byMonth
    ? monthsOf(period).map((month) => ({ day: `${month}-01`, headline: chartHeadline(groups.get(month)?.headline) }))
    : days.map((day) => ({ day: day.date, headline: chartHeadline(day.day?.headline) }));
  const chart = renderHeadlineChart(points, byMonth ? 'month' : 'day');
  const headingId = uniqueId('oa-archive-days');
  const element = h('section', { class: 'oa-card oa-days', 'aria-labelledby': headingId }, [
    h('h2', { id: headingId, tabindex: '-1' }, `${byMonth ? 'By month' : 'By day'}, ${period.from} to ${period.to}`),
    h('p', { class: 'oa-note' }, `Of ${formatCount(days.length)} days: ${formatCount(counts.stored)} stored, ${formatCount(counts.partial)} partial, ${formatCount(counts.missing)} missing, ${formatCount(counts.unreadable)} unreadable.`),
    ...chart.elements,
    h('div', { class: 'oa-table-scroll' }, h('table', { class: 'oa-days-table' }, [
      h('caption', {}, 'Days in the archive'),
      h('thead', {}, h('tr', {}, [h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Archive'),
        ...SERIES.map(({ label }) => h('th', { scope: 'col', class: 'oa-num' }, label))])),
      h('tbody', {}, tableRows(days)),
    ])),
  ]);
  return { element, destroy: chart.destroy, counts };
}
