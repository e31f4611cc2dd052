// The Summary views, for the page and for any other host (the <openathens-report> element renders them in
// its shadow root). They render into the root they are given, look nothing up in the document, and put
// report text into the DOM only as text.

import { h, uniqueId } from './dom.js';
import { formatCount, formatInstant, formatPercent } from './format.js';
import { renderHeadline } from './headline.js';
import { renderHourlyChart } from './hourly-chart.js';
import { renderTable } from './table.js';
import { saveText } from './download.js';
import { explainError } from '../errors.js';
import { accountTypeWords, actionWords, codeWords, countryName, statusWords } from './words.js';

/** Stylesheets the views need, as absolute URLs: link them into the document or into a shadow root. */
export const summaryStylesheets = [
  new URL('../../vendor/uPlot.min.css', import.meta.url).href,
  new URL('../../css/summary.css', import.meta.url).href,
];

function fileSafe(text) {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
}

function countRows(counts, total) {
  return Object.entries(counts).map(([value, events]) => ({ value, events, share: total > 0 ? (events / total) * 100 : 0 }));
}

const SHARE = {
  key: 'share',
  label: '% of events',
  numeric: true,
  format: (value) => `${value.toFixed(1)}%`,
  exported: (value) => Number(value.toFixed(1)),
};

function countTable(title, valueLabel, counts, total, fileBase, note, words) {
  return renderTable({
    title,
    note,
    columns: [{ key: 'value', label: valueLabel, words }, { key: 'events', label: 'Events', numeric: true, bar: true }, SHARE],
    rows: countRows(counts, total),
    fileName: `${fileBase}-${fileSafe(title.toLowerCase())}.csv`,
  });
}

function failureTable(summary, fileBase) {
  const rows = [];
  for (const [action, statuses] of Object.entries(summary.byActionStatus)) {
    for (const [status, events] of Object.entries(statuses)) {
      if (status === 'SUCCESS') continue;
      rows.push({ action, status, events, share: (events / summary.byAction[action]) * 100 });
    }
  }
  return renderTable({
    title: 'Failure reasons',
    note: 'Every status other than SUCCESS, with its share of that action’s events.',
    // Figures come right after the name so that a phone shows them without scrolling sideways.
    columns: [
      { key: 'status', label: 'Status', words: statusWords },
      { key: 'events', label: 'Events', numeric: true, bar: true },
      { ...SHARE, label: '% of action' },
      { key: 'action', label: 'Action', words: actionWords },
    ],
    rows,
    wide: true,
    fileName: `${fileBase}-failure-reasons.csv`,
  });
}

function resourceTables(summary, fileBase) {
  const all = renderTable({
    title: 'Resources',
    note: 'Every resource users were sent to, with the transfers restrictive mode blocked.',
    columns: [
      { key: 'title', label: 'Resource' },
      { key: 'transfers', label: 'Transfers', numeric: true, bar: true },
      { key: 'blocked', label: 'Blocked', numeric: true },
      { key: 'id', label: 'Entity ID' },
      { key: 'federation', label: 'Federation' },
    ],
    rows: summary.resources,
    searchLabel: 'Search resources',
    pageSize: 15,
    wide: true,
    fileName: `${fileBase}-resources.csv`,
  });
  const blocked = renderTable({
    title: 'Blocked by restrictive mode',
    note: 'Resources with transfers that restrictive mode stopped (status FAILURE_RESTRICTIVE).',
    columns: [
      { key: 'title', label: 'Resource' },
      { key: 'blocked', label: 'Blocked', numeric: true, bar: true },
      { key: 'transfers', label: 'Transfers', numeric: true },
      { key: 'id', label: 'Entity ID' },
    ],
    rows: summary.resources.filter((resource) => resource.blocked > 0),
    fileName: `${fileBase}-blocked-resources.csv`,
  });
  return [all, blocked];
}

function readingNotes(summary) {
  const notes = [];
  if (summary.skippedRows > 0) notes.push(`${formatCount(summary.skippedRows)} rows could not be read (wrong number of fields) and are counted nowhere.`);
  if (summary.undatedRows > 0) notes.push(`${formatCount(summary.undatedRows)} rows had no readable time: they count everywhere except by hour.`);
  return notes.map((note) => h('p', { class: 'oa-note' }, note));
}

// The time section: a UTC/local switch, the first and last event, and the chart by hour.
function renderTimes(summary, day, initialZone, onTimeZoneChange) {
  const body = h('div');
  let chart = null;
  const name = uniqueId('oa-zone');
  const choice = (value, label) =>
    h('label', { class: 'oa-choice' }, [
      h('input', { type: 'radio', name, value, checked: value === initialZone, onchange: () => { draw(value); onTimeZoneChange?.(value); } }),
      label,
    ]);

  function draw(timeZone) {
    chart?.destroy();
    chart = null;
    if (summary.firstEvent === null) {
      body.replaceChildren(h('p', { class: 'oa-note' }, 'No row in this report has a readable time.'));
      return;
    }
    const zoneName = timeZone === 'utc' ? 'UTC' : 'local time';
    chart = renderHourlyChart(summary, day, timeZone);
    body.replaceChildren(
      h('p', { class: 'oa-span' }, `First event ${formatInstant(summary.firstEvent, timeZone)}, last ${formatInstant(summary.lastEvent, timeZone)} (${zoneName}).`),
      chart.element,
    );
  }

  draw(initialZone);
  const headingId = uniqueId('oa-times');
  return {
    element: h('section', { class: 'oa-card oa-times', 'aria-labelledby': headingId }, [
      h('div', { class: 'oa-times-head' }, [
        h('h3', { id: headingId }, 'Sign-ins and transfers by hour'),
        h('fieldset', { class: 'oa-zone' }, [h('legend', {}, 'Times in'), choice('utc', 'UTC'), choice('local', 'Local time')]),
      ]),
      body,
    ]),
    destroy: () => chart?.destroy(),
  };
}

/**
 * Renders one Summary into `root`, replacing what was there.
 * @param {Element|ShadowRoot} root
 * @param {object} summary   a Summary (docs/summary.md)
 * @param {object} [options]
 * @param {string} [options.reportDate]  yyyy-MM-dd of a fetched report; otherwise the first event's day is used
 * @param {string} [options.label]       a sub-organisation label, shown in the heading and file names
 * @param {'utc'|'local'} [options.timeZone]  how times are shown at first (default UTC, as the report)
 * @param {(zone: 'utc'|'local') => void} [options.onTimeZoneChange]
 * @returns {{element: HTMLElement, destroy(): void}}
 */
export function renderSummary(root, summary, { reportDate, label, timeZone = 'utc', onTimeZoneChange } = {}) {
  const day = reportDate ?? summary.firstEvent?.slice(0, 10) ?? null;
  const fileBase = `openathens-${day ?? 'report'}${label ? `-${fileSafe(label)}` : ''}`;
  const times = renderTimes(summary, day, timeZone, onTimeZoneChange);
  const headingId = uniqueId('oa-summary');
  const heading = [label ?? 'Summary', day ? ` for ${day}` : ''].join('');

  const attributeTables = Object.entries(summary.customAttributes).map(([name, counts]) =>
    countTable(`Attribute ${name}`, name, counts, summary.rows, fileBase),
  );
  const actions = countTable('Actions', 'Action', summary.byAction, summary.rows, fileBase, null, actionWords);

  const element = h('article', { class: 'oa-summary', 'aria-labelledby': headingId }, [
    h('div', { class: 'oa-summary-head' }, [
      h('h2', { id: headingId, tabindex: '-1' }, heading),
      h('button', {
        type: 'button',
        class: 'oa-download',
        onclick: () => saveText(`${fileBase}-summary.json`, 'application/json', JSON.stringify(summary, null, 2)),
      }, 'Download summary (JSON)'),
    ]),
    renderHeadline(summary),
    readingNotes(summary),
    times.element,
    h('div', { class: 'oa-grid' }, [
      failureTable(summary, fileBase),
      ...resourceTables(summary, fileBase),
      actions,
      countTable('Countries', 'Country', summary.byCountry, summary.rows, fileBase, null, countryName),
      countTable('ISPs', 'ISP', summary.byIsp, summary.rows, fileBase),
      countTable('Connectors', 'Connector', summary.byAuthSystem, summary.rows, fileBase, 'The sign-in system (account.authsystemname) of each event.'),
      countTable('Permission sets', 'Permission set', summary.byPermissionSet, summary.rows, fileBase, 'An event counts once for each permission set of its account.'),
      countTable('Account types', 'Account type', summary.byAccountType, summary.rows, fileBase, null, accountTypeWords),
      countTable('Account statuses', 'Account status', summary.byAccountStatus, summary.rows, fileBase, null, codeWords),
      countTable('Organisations', 'Organisation ID', summary.byOrganisation, summary.rows, fileBase, 'The report names each account’s parent organisation by its OpenAthens ID only.'),
      ...attributeTables,
    ]),
    h('details', { class: 'oa-columns' }, [
      h('summary', {}, `Columns in this report (${summary.columns.length})`),
      h('ul', {}, summary.columns.map((column) => h('li', {}, column))),
    ]),
  ]);
  root.replaceChildren(element);
  return { element, destroy: times.destroy };
}

/**
 * Renders what a fetch or a file gave: a Summary, or the sub-organisation result
 * `{merged, parts: [{label, summary} | {label, error}]}`, with a choice between the merged Summary and each
 * label's own.
 * @param {Element|ShadowRoot} root
 * @param {object} result
 * @param {object} [options]  as for renderSummary (label excepted)
 * @returns {{element: HTMLElement, destroy(): void}}
 */
export function renderResult(root, result, options = {}) {
  if (!result.merged) {
    return renderSummary(root, result, options);
  }
  let timeZone = options.timeZone ?? 'utc';
  const viewRoot = h('div', { class: 'oa-part-view' });
  const succeeded = result.parts.filter((part) => part.summary);
  const failed = result.parts.filter((part) => part.error);
  let view = null;

  function show(index) {
    view?.destroy();
    const part = succeeded[index];
    view = renderSummary(viewRoot, part ? part.summary : result.merged, {
      ...options,
      label: part ? part.label : 'All sub-organisations',
      timeZone,
      onTimeZoneChange: (zone) => { timeZone = zone; options.onTimeZoneChange?.(zone); },
    });
  }

  const pickerId = uniqueId('oa-part');
  const headingId = uniqueId('oa-parts');
  const element = h('div', { class: 'oa-result' }, [
    h('section', { class: 'oa-card oa-parts', 'aria-labelledby': headingId }, [
      h('h2', { id: headingId, tabindex: '-1' }, 'Sub-organisations'),
      renderTable({
        title: 'Sub-organisation labels',
        columns: [
          { key: 'label', label: 'Label' },
          { key: 'events', label: 'Events', numeric: true, bar: true },
          { key: 'signIns', label: 'Sign-ins', numeric: true },
          { key: 'failed', label: 'Failed sign-ins', numeric: true },
          { key: 'transfers', label: 'Transfers', numeric: true },
          { key: 'blocked', label: 'Blocked', numeric: true },
        ],
        rows: succeeded.map(({ label, summary }) => ({
          label,
          events: summary.rows,
          signIns: summary.authentications.total,
          failed: summary.authentications.failed,
          transfers: summary.transfers.total,
          blocked: summary.transfers.blockedRestrictive,
        })),
        keepOrder: true,
        fileName: 'openathens-sub-organisations.csv',
      }),
      failed.length > 0
        ? h('ul', { class: 'oa-part-errors' }, failed.map(({ label, error }) => {
          const words = explainError(error);
          return h('li', {}, [h('strong', {}, label), `: ${words.title} ${words.next}`, h('span', { class: 'oa-detail' }, ` ${words.detail}`)]);
        }))
        : null,
      h('p', { class: 'oa-note' }, `All sub-organisations together: ${formatCount(result.merged.rows)} events, ${formatCount(result.merged.distinctAccounts)} distinct accounts (${formatPercent(result.merged.authentications.failed, result.merged.authentications.total)} of sign-ins failed).`),
      h('div', { class: 'oa-picker' }, [
        h('label', { for: pickerId }, 'Show summary for'),
        h('select', { id: pickerId, onchange: (event) => show(Number(event.target.value)) }, [
          h('option', { value: '-1' }, 'All sub-organisations'),
          ...succeeded.map((part, index) => h('option', { value: String(index) }, part.label)),
        ]),
      ]),
    ]),
    viewRoot,
  ]);
  root.replaceChildren(element);
  show(-1);
  return { element, destroy: () => view?.destroy() };
}
