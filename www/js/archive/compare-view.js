// A range beside the one it is compared with: headline figures, resources (transfers, users, blocked) and
// failure reasons, each figure for both periods and its Change; the tables' CSV exports carry all three.

import { h, uniqueId } from '../views/dom.js';
import { formatCount } from '../views/format.js';
import { renderTable } from '../views/table.js';
import { actionWords, statusWords } from '../views/words.js';
import { periodText } from './periods.js';

/** "+12 (+5.0%)": the difference, and its share of the compared figure when there is one. */
function changeText(change, row, key) {
  const before = row[`${key}Before`];
  const sign = change > 0 ? '+' : change < 0 ? '−' : '';
  const share = before > 0 ? ` (${sign}${Math.abs((change / before) * 100).toFixed(1)}%)` : '';
  return `${sign}${formatCount(Math.abs(change))}${share}`;
}

/** The three columns of one figure (`label`, or the row's own when empty): this period, the compared one, and the change. */
function figureColumns(key, label, { bar = false } = {}) {
  const named = (text) => (label ? `${label}, ${text.toLowerCase()}` : text);
  return [
    { key: `${key}Now`, label: named('This period'), numeric: true, bar },
    { key: `${key}Before`, label: named('Compared period'), numeric: true },
    { key: `${key}Change`, label: named('Change'), numeric: true, format: (change, row) => changeText(change, row, key) },
  ];
}

/** Each row's figures for both periods and their changes. */
function withChanges(row, keys, now, before) {
  const figures = {};
  for (const key of keys) {
    figures[`${key}Now`] = now?.[key] ?? 0;
    figures[`${key}Before`] = before?.[key] ?? 0;
    figures[`${key}Change`] = figures[`${key}Now`] - figures[`${key}Before`];
  }
  return { ...row, ...figures };
}

/** @type {[string, (summary: any) => number][]} */
const HEADLINE = [
  ['Events', (summary) => summary.rows],
  ['Sign-ins', (summary) => summary.authentications.total],
  ['Failed sign-ins', (summary) => summary.authentications.failed],
  ['Transfers', (summary) => summary.transfers.total],
  ['Blocked transfers', (summary) => summary.transfers.blockedRestrictive],
  ['Distinct accounts', (summary) => summary.distinctAccounts],
  ['Distinct IP addresses', (summary) => summary.distinctIps],
];

function failures(summary) {
  const rows = new Map();
  for (const [action, statuses] of Object.entries(summary.byActionStatus)) {
    for (const [status, events] of Object.entries(statuses)) {
      if (status !== 'SUCCESS') rows.set(JSON.stringify([action, status]), { action, status, events });
    }
  }
  return rows;
}

/** Rows of both periods by key, in this period's order then the compared period's own. */
function joined(now, before) {
  const keys = [...new Set([...now.keys(), ...before.keys()])];
  return keys.map((key) => [now.get(key), before.get(key)]);
}

/**
 * @param {{from: string, to: string}} period   the range shown
 * @param {{from: string, to: string}} compared the range it is compared with
 * @param {object} now     the range's Summary
 * @param {object} before  the compared range's Summary
 * @returns {HTMLElement}
 */
export function renderComparison(period, compared, now, before) {
  const fileBase = `openathens-${period.from}-to-${period.to}-vs-${compared.from}-to-${compared.to}`;
  const headlineRows = HEADLINE.map(([figure, of]) => withChanges({ figure }, ['value'], { value: of(now) }, { value: of(before) }));
  const resources = joined(new Map(now.resources.map((r) => [r.id, r])), new Map(before.resources.map((r) => [r.id, r])));
  const resourceRows = resources.map(([a, b]) => withChanges({ title: (a ?? b).title, id: (a ?? b).id }, ['transfers', 'users', 'blocked'], a, b));
  const failureRows = joined(failures(now), failures(before)).map(([a, b]) => withChanges({ status: (a ?? b).status, action: (a ?? b).action }, ['events'], a, b));
  const headingId = uniqueId('oa-compare');
  return h('section', { class: 'oa-card oa-compare', 'aria-labelledby': headingId }, [
    h('h2', { id: headingId, tabindex: '-1' }, `${periodText(period)} compared with ${periodText(compared)}`),
    h('p', { class: 'oa-note' }, 'Change is this period’s figure less the compared period’s, with its share of the compared figure.'),
    h('div', { class: 'oa-grid' }, [
      renderTable({
        title: 'Headline figures compared',
        columns: [{ key: 'figure', label: 'Figure' }, ...figureColumns('value', '')],
        rows: headlineRows,
        keepOrder: true,
        wide: true,
        fileName: `${fileBase}-headline.csv`,
      }),
      renderTable({
        title: 'Resources compared',
        columns: [
          { key: 'title', label: 'Resource' },
          ...figureColumns('transfers', 'Transfers', { bar: true }),
          ...figureColumns('users', 'Users'),
          ...figureColumns('blocked', 'Blocked'),
          { key: 'id', label: 'Entity ID' },
        ],
        rows: resourceRows,
        searchLabel: 'Search resources compared',
        pageSize: 15,
        wide: true,
        fileName: `${fileBase}-resources.csv`,
      }),
      renderTable({
        title: 'Failure reasons compared',
        columns: [
          { key: 'status', label: 'Status', words: statusWords },
          ...figureColumns('events', 'Events', { bar: true }),
          { key: 'action', label: 'Action', words: actionWords },
        ],
        rows: failureRows,
        wide: true,
        fileName: `${fileBase}-failure-reasons.csv`,
      }),
    ]),
  ]);
}
