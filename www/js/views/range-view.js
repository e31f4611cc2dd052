// A range of days: its figures by day as a uPlot chart (like the hourly chart) and a table of the days,
// each fetched, read from this device's cache, or failed with its reason and a Retry button.

import uPlot from '../../vendor/uPlot.esm.js';
import { h, uniqueId } from './dom.js';
import { formatCount } from './format.js';
import { sizedToContainer } from './hourly-chart.js';

const CHART_HEIGHT = 240;
export const SERIES = [
  { key: 'signIns', label: 'Sign-ins', colour: '#2f6db5' },
  { key: 'failedSignIns', label: 'Failed sign-ins', colour: '#b8322a' },
  { key: 'transfers', label: 'Transfers', colour: '#e08a1e' },
  { key: 'blocked', label: 'Blocked transfers', colour: '#7a4fb0' },
  { key: 'accounts', label: 'Distinct accounts', colour: '#2a8a5a' },
];
const HOW = { fetched: 'Fetched', cached: 'From this device' };

/**
 * @param {{date: string, how: 'fetched'|'cached'|'failed', headline?: object, error?: {title: string}}[]} days
 * @param {{onRetry: (date: string) => void, onSave?: (date: string) => void}} actions  onSave: when the
 *   days' report files can be fetched again (one API key)
 * @returns {{element: HTMLElement, destroy(): void}}
 */
export function renderDays(days, { onRetry, onSave }) {
  const headingId = uniqueId('oa-days');
  const chart = renderHeadlineChart(days.map((day) => ({ day: day.date, headline: day.headline })), 'day');
  const rows = days.map((day) => h('tr', {}, [
    h('th', { scope: 'row' }, day.date),
    h('td', {}, day.how === 'failed'
      ? [`Failed: ${day.error.title} `, h('button', { type: 'button', class: 'secondary', onclick: () => onRetry(day.date) }, 'Retry')]
      : [`${HOW[day.how]} `, onSave && h('button', { type: 'button', class: 'secondary', 'aria-label': `Save report file of ${day.date}`, onclick: () => onSave(day.date) }, 'Save report file')]),
    ...SERIES.map(({ key }) => h('td', { class: 'oa-num' }, day.headline ? formatCount(day.headline[key]) : '–')),
  ]));
  const table = h('table', { class: 'oa-days-table' }, [
    h('caption', {}, 'Days of the range'),
    h('thead', {}, h('tr', {}, [h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Report'),
      ...SERIES.map(({ label }) => h('th', { scope: 'col', class: 'oa-num' }, label))])),
    h('tbody', {}, rows),
  ]);
  const element = h('section', { class: 'oa-card oa-days', 'aria-labelledby': headingId }, [
    h('h2', { id: headingId, tabindex: '-1' }, `By day, ${days[0].date} to ${days.at(-1).date}`),
    ...chart.elements,
    h('div', { class: 'oa-table-scroll' }, table),
  ]);
  return { element, destroy: chart.destroy };
}

/**
 * The line chart of the range's figures, a point a day or a month (`per`): `points` are {day: its first
 * yyyy-MM-dd, headline: {signIns, failedSignIns, transfers, blocked, accounts} | undefined}; a point without
 * a headline (a failed or missing day) is a gap in each line, not a zero.
 * @param {{day: string, headline?: object}[]} points
 * @param {'day' | 'month'} per
 * @returns {{elements: HTMLElement[], destroy(): void}}
 */
export function renderHeadlineChart(points, per) {
  const plotRoot = h('div', { class: 'oa-chart', role: 'img', 'aria-label': `Line chart of sign-ins, failed sign-ins, transfers, blocked transfers and distinct accounts by ${per}; the figures are in the table below` });
  const legend = h('p', { class: 'oa-legend' }, SERIES.map(({ label }) => `${label} `));
  const starts = points.map((point) => Date.parse(`${point.day}T00:00:00Z`) / 1000);
  const values = SERIES.map(({ key }) => points.map((point) => (point.headline ? point.headline[key] : null)));
  const plot = new uPlot(
    {
      width: 320,
      height: CHART_HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { y: { range: (_, min, max) => [0, Math.max(1, max) * 1.05] } },
      axes: [{ stroke: '#444', grid: { show: false } }, { stroke: '#444', grid: { stroke: '#e4e4e4' }, size: 64 }],
      series: [{}, ...SERIES.map(({ label, colour }) => ({ label, stroke: colour, width: 2, points: { show: true, size: 5 } }))],
    },
    [starts, ...values],
    plotRoot,
  );
  return { elements: [legend, plotRoot], destroy: sizedToContainer(plot, plotRoot, CHART_HEIGHT) };
}
