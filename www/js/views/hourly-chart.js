// Sign-ins and transfers by hour as a uPlot bar chart (two bars an hour), in UTC or the reader's local time,
// with the same figures and all events as a table under it (for screen readers, and for the CSV export).

import uPlot from '../../vendor/uPlot.esm.js';
import { h } from './dom.js';
import { renderTable } from './table.js';

const HOUR = 3600;
const CHART_HEIGHT = 220;
const SIGN_IN_COLOUR = '#2f6db5';
const TRANSFER_COLOUR = '#e08a1e';

function hourLabel(seconds, timeZone) {
  return new Intl.DateTimeFormat(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: timeZone === 'utc' ? 'UTC' : undefined,
  }).format(new Date(seconds * 1000));
}

/**
 * @param {{byHour: number[], signInsByHour: number[], transfersByHour: number[]}} summary  counts by UTC hour
 * @param {string} day        the report's day, yyyy-MM-dd, to place the hours in time
 * @param {'utc'|'local'} timeZone
 * @returns {{element: HTMLElement, destroy(): void}}
 */
export function renderHourlyChart({ byHour, signInsByHour, transfersByHour }, day, timeZone) {
  const dayStart = Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10)) / 1000;
  const starts = byHour.map((_, hour) => dayStart + hour * HOUR);
  const zoneName = timeZone === 'utc' ? 'UTC' : 'local time';

  const plotRoot = h('div', { class: 'oa-chart', role: 'img', 'aria-label': `Bar chart of sign-ins and transfers by hour, ${zoneName}; the figures are in the table below` });
  const legend = h('p', { class: 'oa-legend' }, [
    h('span', { class: 'oa-key oa-key-sign-ins' }), 'Sign-ins ',
    h('span', { class: 'oa-key oa-key-transfers' }), 'Transfers',
  ]);
  const rows = byHour.map((events, hour) => ({
    hour: `${hourLabel(starts[hour], timeZone)}–${hourLabel(starts[hour] + HOUR, timeZone)}`,
    signIns: signInsByHour[hour],
    transfers: transfersByHour[hour],
    events,
  }));
  const table = renderTable({
    title: `Events by hour (${zoneName})`,
    columns: [
      { key: 'hour', label: `Hour (${zoneName})` },
      { key: 'signIns', label: 'Sign-ins', numeric: true },
      { key: 'transfers', label: 'Transfers', numeric: true },
      { key: 'events', label: 'All events', numeric: true, bar: true },
    ],
    rows,
    fileName: `events-by-hour-${timeZone}.csv`,
    pageSize: 24,
    keepOrder: true,
  });
  const element = h('div', { class: 'oa-hourly' }, [
    legend,
    plotRoot,
    h('details', { class: 'oa-hours-table' }, [h('summary', {}, 'Show the hours as a table'), table]),
  ]);

  const plot = new uPlot(
    {
      width: 320,
      height: CHART_HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      tzDate: timeZone === 'utc' ? (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') : (ts) => new Date(ts * 1000),
      scales: { x: { time: true, range: [dayStart - HOUR / 2, dayStart + 23.5 * HOUR] }, y: { range: (_, min, max) => [0, Math.max(1, max) * 1.05] } },
      axes: [
        { stroke: '#444', grid: { show: false }, space: 40, values: (_, ticks) => ticks.map((tick) => hourLabel(tick, timeZone)) },
        { stroke: '#444', grid: { stroke: '#e4e4e4' }, size: 56 },
      ],
      series: [
        {},
        { label: 'Sign-ins', fill: SIGN_IN_COLOUR, stroke: SIGN_IN_COLOUR, width: 0, paths: uPlot.paths.bars({ size: [0.4, 20], align: -1 }), points: { show: false } },
        { label: 'Transfers', fill: TRANSFER_COLOUR, stroke: TRANSFER_COLOUR, width: 0, paths: uPlot.paths.bars({ size: [0.4, 20], align: 1 }), points: { show: false } },
      ],
    },
    [starts, signInsByHour, transfersByHour],
    plotRoot,
  );

  return { element, destroy: sizedToContainer(plot, plotRoot, CHART_HEIGHT) };
}

/**
 * uPlot draws at a fixed size: keeps `plot` as wide as `root` (so a chart fits a phone and a desktop alike)
 * and returns what ends the chart.
 * @param {uPlot} plot  @param {HTMLElement} root  @param {number} height
 */
export function sizedToContainer(plot, root, height) {
  const resize = new ResizeObserver(([entry]) => {
    const width = Math.floor(entry.contentRect.width);
    if (width > 0 && width !== plot.width) plot.setSize({ width, height });
  });
  resize.observe(root);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}
