// The Summary views, for the page and for any other host (the <openathens-report> element renders them in
// its shadow root). They render into the root they are given, look nothing up in the document, and put
// report text into the DOM only as text.

import { h, uniqueId } from './dom.js';
import { formatCount, formatInstant, formatPercent } from './format.js';
import { renderHeadline } from './headline.js';
import { renderHourlyChart } from './hourly-chart.js';
import { renderTable } from './table.js';
import { renderSecurity } from './security.js';
import { exportedSummary, identifiers, sliceLabel } from './identifiers.js';
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

// `column` is the report column its values slice by (none for values that are not whole fields); `words`
// gives a code's plain words.
/**
 * @param {string} title
 * @param {string} valueLabel
 * @param {Record<string, number>} counts
 * @param {number} total
 * @param {{fileBase: string, onSlice?: (slice: {column: string, value: string, label: string}) => void}} tables
 * @param {{column?: string, note?: string, words?: (value: string) => string | null}} [about]
 */
function countTable(title, valueLabel, counts, total, { fileBase, onSlice }, { column, note, words } = {}) {
  return renderTable({
    title,
    note,
    columns: [
      { key: 'value', label: valueLabel, words, slice: column ? { column } : undefined },
      { key: 'events', label: 'Events', numeric: true, bar: true },
      SHARE,
    ],
    rows: countRows(counts, total),
    onSlice,
    fileName: `${fileBase}-${fileSafe(title.toLowerCase())}.csv`,
  });
}

function failureTable(summary, { fileBase, onSlice }) {
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
      { key: 'status', label: 'Status', words: statusWords, slice: { column: 'status' } },
      { key: 'events', label: 'Events', numeric: true, bar: true },
      { ...SHARE, label: '% of action' },
      { key: 'action', label: 'Action', words: actionWords, slice: { column: 'action' } },
    ],
    rows,
    wide: true,
    onSlice,
    fileName: `${fileBase}-failure-reasons.csv`,
  });
}

// Resources slice by entity ID: the title shown is the last one seen, which not every row carries.
const RESOURCE_SLICE = { column: 'attribute.resourceid', value: (resource) => resource.id };

function resourceTables(summary, { fileBase, onSlice }) {
  const all = renderTable({
    title: 'Resources',
    note: 'Every resource users were sent to, with the transfers restrictive mode blocked.',
    columns: [
      { key: 'title', label: 'Resource', slice: RESOURCE_SLICE },
      { key: 'transfers', label: 'Transfers', numeric: true, bar: true },
      { key: 'users', label: 'Users', numeric: true },
      { key: 'blocked', label: 'Blocked', numeric: true },
      { key: 'id', label: 'Entity ID' },
      { key: 'federation', label: 'Federation', slice: { column: 'attribute.federationctx' } },
    ],
    rows: summary.resources,
    searchLabel: 'Search resources',
    pageSize: 15,
    wide: true,
    onSlice,
    fileName: `${fileBase}-resources.csv`,
  });
  const blocked = renderTable({
    title: 'Blocked by restrictive mode',
    note: 'Resources with transfers that restrictive mode stopped (status FAILURE_RESTRICTIVE).',
    columns: [
      { key: 'title', label: 'Resource', slice: RESOURCE_SLICE },
      { key: 'blocked', label: 'Blocked', numeric: true, bar: true },
      { key: 'transfers', label: 'Transfers', numeric: true },
      { key: 'users', label: 'Users', numeric: true },
      { key: 'id', label: 'Entity ID' },
    ],
    rows: summary.resources.filter((resource) => resource.blocked > 0),
    onSlice,
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

// The active slices as removable chips, named as this view shows their values.
function sliceChips(slices, onRemoveSlice, ids) {
  if (!slices?.length) return null;
  return h('div', { class: 'oa-slices', role: 'group', 'aria-label': 'Active slices' }, [
    h('span', { class: 'oa-note' }, 'Only rows with '),
    ...slices.map((slice, index) => {
      const label = sliceLabel(slice, ids);
      return h('span', { class: 'oa-chip' }, [
        label,
        h('button', { type: 'button', 'aria-label': `Remove slice ${label}`, onclick: () => onRemoveSlice(index) }, '×'),
      ]);
    }),
  ]);
}

/**
 * Renders one Summary into `root`, replacing what was there.
 * @param {Element|ShadowRoot} root
 * @param {object} summary   a Summary (docs/summary.md)
 * @param {object} [options]
 * @param {string} [options.reportDate]  yyyy-MM-dd of a fetched report; otherwise the first event's day is used
 * @param {{from: string, to: string, storedAt?: string}} [options.period]  the days a merged Summary covers
 *   (named in the heading and file names), and when an archived day was stored
 * @param {string} [options.label]       a sub-organisation label, shown in the heading and file names
 * @param {'utc'|'local'} [options.timeZone]  how times are shown at first (default UTC, as the report)
 * @param {(zone: 'utc'|'local') => void} [options.onTimeZoneChange]
 * @param {boolean} [options.security]   show the Security section (default true)
 * @param {boolean} [options.hideIds]    show account ids and IP addresses masked, here and in every export
 * @param {(hidden: boolean) => void} [options.onHideIds]  offers the `Hide account identifiers` switch
 * @param {(slice: {column, value, label}) => void} [options.onSlice]  offers `Only this value` in the tables
 * @param {Array<{column: string, value: string, heading: string, label: string}>} [options.slices]  the active
 *   slices, shown as chips
 * @param {(index: number) => void} [options.onRemoveSlice]
 * @returns {{element: HTMLElement, destroy(): void, sliceLabel(slice: object): string}}  `sliceLabel`: a
 *   slice named as this view shows its value
 */
function renderSummary(root, summary, options = {}) {
  const { reportDate, period, label, timeZone = 'utc', onTimeZoneChange, security = true, hideIds = false, onHideIds, onSlice, slices, onRemoveSlice } = options;
  const day = reportDate ?? period?.from ?? summary.firstEvent?.slice(0, 10) ?? null;
  // A range is named by both its ends, so neither a heading nor a file passes it off as one day.
  const spanned = period && period.to !== period.from ? `${period.from} to ${period.to}` : day;
  const fileBase = `openathens-${spanned ? spanned.replaceAll(' ', '-') : 'report'}${label ? `-${fileSafe(label)}` : ''}`;
  const tables = { fileBase, onSlice };
  const ids = identifiers(summary, hideIds);
  const times = renderTimes(summary, day, timeZone, onTimeZoneChange);
  const headingId = uniqueId('oa-summary');
  const heading = [label ?? 'Summary', spanned ? ` for ${spanned}` : '', period?.storedAt ? `, archived ${formatInstant(period.storedAt, 'utc')} UTC` : ''].join('');
  const switchId = uniqueId('oa-hide-ids');

  const attributeTables = Object.entries(summary.customAttributes).map(([name, counts]) =>
    countTable(`Attribute ${name}`, name, counts, summary.rows, tables, { column: `attribute.${name}` }),
  );
  const actions = countTable('Actions', 'Action', summary.byAction, summary.rows, tables, { column: 'action', words: actionWords });

  const element = h('article', { class: 'oa-summary', 'aria-labelledby': headingId }, [
    h('div', { class: 'oa-summary-head' }, [
      h('h2', { id: headingId, tabindex: '-1' }, heading),
      h('button', {
        type: 'button',
        class: 'oa-download',
        onclick: () => saveText(`${fileBase}-summary.json`, 'application/json', JSON.stringify(exportedSummary(summary, ids), null, 2)),
      }, 'Download summary (JSON)'),
      onHideIds
        ? h('div', { class: 'oa-switch' }, [
          h('input', { id: switchId, type: 'checkbox', role: 'switch', checked: hideIds, onchange: (event) => onHideIds(event.target.checked) }),
          h('label', { for: switchId }, 'Hide account identifiers'),
        ])
        : null,
    ]),
    sliceChips(slices, onRemoveSlice, ids),
    renderHeadline(summary),
    readingNotes(summary),
    times.element,
    h('div', { class: 'oa-grid' }, [
      failureTable(summary, tables),
      ...resourceTables(summary, tables),
      security ? renderSecurity(summary, { ids, fileBase, onSlice }) : null,
      actions,
      countTable('Countries', 'Country', summary.byCountry, summary.rows, tables, { column: 'request.countrycode', words: countryName }),
      countTable('ISPs', 'ISP', summary.byIsp, summary.rows, tables, { column: 'location.isp' }),
      countTable('Connectors', 'Connector', summary.byAuthSystem, summary.rows, tables, { column: 'account.authsystemname', note: 'The sign-in system (account.authsystemname) of each event.' }),
      countTable('Permission sets', 'Permission set', summary.byPermissionSet, summary.rows, tables, { note: 'An event counts once for each permission set of its account.' }),
      countTable('Account types', 'Account type', summary.byAccountType, summary.rows, tables, { column: 'account.type', words: accountTypeWords }),
      countTable('Account statuses', 'Account status', summary.byAccountStatus, summary.rows, tables, { column: 'account.status', words: codeWords }),
      countTable('Organisations', 'Organisation ID', summary.byOrganisation, summary.rows, tables, { column: 'account.organisation', note: 'The report names each account’s parent organisation by its OpenAthens ID only.' }),
      ...attributeTables,
    ]),
    h('details', { class: 'oa-columns' }, [
      h('summary', {}, `Columns in this report (${summary.columns.length})`),
      h('ul', {}, summary.columns.map((column) => h('li', {}, column))),
    ]),
  ]);
  root.replaceChildren(element);
  return { element, destroy: times.destroy, sliceLabel: (slice) => sliceLabel(slice, ids) };
}

/**
 * Renders what a fetch or a file gave: a Summary, or the sub-organisation result
 * `{merged, parts: [{label, summary} | {label, error}]}`, with a choice between the merged Summary and each
 * label's own.
 * @param {Element|ShadowRoot} root
 * @param {object} result
 * @param {object} [options]  as for renderSummary (`label` names a single Summary); the `Hide account identifiers` switch
 *   starts as `hideIds` says and holds for every part, and `onHideIds` hears when it changes
 * @returns {{element: HTMLElement, destroy(): void, sliceLabel(slice: object): string}}  `sliceLabel`: a
 *   slice named as the part shown now shows its value
 */
export function renderResult(root, result, options = {}) {
  let timeZone = options.timeZone ?? 'utc';
  let hideIds = options.hideIds ?? false;
  const viewRoot = h('div', { class: 'oa-part-view' });
  const succeeded = result.merged ? result.parts.filter((part) => part.summary) : [];
  const failed = result.merged ? result.parts.filter((part) => part.error) : [];
  let view = null;
  let shown = -1;

  function show(index) {
    view?.destroy();
    shown = index;
    const part = succeeded[index];
    view = renderSummary(viewRoot, part ? part.summary : (result.merged ?? result), {
      ...options,
      label: part ? part.label : (result.merged ? 'All sub-organisations' : options.label),
      timeZone,
      onTimeZoneChange: (zone) => { timeZone = zone; options.onTimeZoneChange?.(zone); },
      hideIds,
      onHideIds: (hidden) => {
        hideIds = hidden;
        options.onHideIds?.(hidden);
        show(shown);
        /** @type {HTMLInputElement} */ (viewRoot.querySelector('input[role="switch"]')).focus();
      },
    });
  }

  if (!result.merged) {
    root.replaceChildren(viewRoot);
    show(-1);
    return { element: viewRoot, destroy: () => view?.destroy(), sliceLabel: (slice) => view.sliceLabel(slice) };
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
  return { element, destroy: () => view?.destroy(), sliceLabel: (slice) => view.sliceLabel(slice) };
}
