// A table of report rows with sorting by any column, an optional search, paging for long lists, a CSV
// export of the rows the search matches, in the order shown, and, for a column the report can be sliced by,
// each value a button that offers `Only this value`.

import { h, uniqueId, valueText } from './dom.js';
import { formatCount } from './format.js';
import { toCsv } from './csv.js';
import { saveText } from './download.js';

/**
 * @param {object} spec
 * @param {string} spec.title       heading and caption
 * @param {Array<{key: string, label: string, numeric?: boolean, bar?: boolean, format?: (value) => string,
 *   slice?: {column: string, value?: (row) => string}}>} spec.columns  `slice`: the report column (header
 *   name) a value of this column slices by, and the field value a row stands for when it is not the text shown
 * @param {object[]} spec.rows      plain objects keyed by column key
 * @param {string} spec.fileName    CSV file name
 * @param {string} [spec.searchLabel]  when given, a search box over the text columns
 * @param {number} [spec.pageSize]  rows shown before "Show more"
 * @param {string} [spec.note]      a line under the heading
 * @param {boolean} [spec.keepOrder] start in the order given instead of by the first numeric column, largest first
 * @param {boolean} [spec.wide]     take the full width of the summary's grid
 * @param {(slice: {column: string, value: string, label: string}) => void} [spec.onSlice]  offers `Only this value`
 * @param {(row) => string|null} [spec.flag]  a word that marks a row (shown in its first cell, not by colour alone)
 * @returns {HTMLElement}
 */
export function renderTable({ title, columns, rows, fileName, searchLabel, pageSize = 10, note, keepOrder = false, wide = false, onSlice, flag }) {
  const firstNumeric = columns.find((column) => column.numeric);
  let sort = keepOrder || !firstNumeric ? null : { key: firstNumeric.key, descending: true };
  let query = '';
  let shown = pageSize;

  const maxima = Object.fromEntries(
    columns.filter((column) => column.bar).map((column) => [column.key, Math.max(0, ...rows.map((row) => row[column.key]))]),
  );
  const textKeys = columns.filter((column) => !column.numeric).map((column) => column.key);
  // Lower-cased once, so typing in the search box over thousands of resources stays instant.
  const haystacks = rows.map((row) => textKeys.map((key) => row[key].toLowerCase()).join('\u0000'));
  const order = rows.map((_, index) => index);

  const headerCells = columns.map((column) => {
    const button = h('button', { type: 'button', class: 'oa-sort', onclick: () => sortBy(column) }, column.label);
    return h('th', { scope: 'col', class: column.numeric ? 'oa-num' : null }, button);
  });
  const body = h('tbody');
  const status = h('p', { class: 'oa-table-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'oa-more', onclick: () => { shown += pageSize * 5; draw(); } }, 'Show more');
  const headingId = uniqueId('oa-table');

  const tools = [];
  if (searchLabel) {
    const searchId = uniqueId('oa-search');
    tools.push(
      h('label', { for: searchId }, searchLabel),
      h('input', {
        id: searchId,
        type: 'search',
        autocomplete: 'off',
        spellcheck: 'false',
        oninput: (event) => { query = event.target.value.trim().toLowerCase(); shown = pageSize; draw(); },
      }),
    );
  }
  tools.push(h('button', { type: 'button', class: 'oa-csv', 'aria-label': `Download ${title} as CSV`, onclick: exportCsv }, 'CSV'));

  const section = h('section', { class: `oa-card oa-table-card${wide ? ' oa-wide' : ''}`, 'aria-labelledby': headingId }, [
    h('h3', { id: headingId }, title),
    note ? h('p', { class: 'oa-note' }, note) : null,
    h('div', { class: 'oa-table-tools' }, tools),
    h('div', { class: 'oa-table-scroll' }, h('table', {}, [h('caption', { class: 'oa-visually-hidden' }, title), h('thead', {}, h('tr', {}, headerCells)), body])),
    h('div', { class: 'oa-table-foot' }, [status, more]),
  ]);

  function sortBy(column) {
    sort = sort?.key === column.key ? { key: column.key, descending: !sort.descending } : { key: column.key, descending: Boolean(column.numeric) };
    draw();
  }

  function visible() {
    const matching = query ? order.filter((index) => haystacks[index].includes(query)) : order.slice();
    if (!sort) return matching;
    const numeric = columns.find((column) => column.key === sort.key).numeric;
    const direction = sort.descending ? -1 : 1;
    // Ties keep the Summary's own order, so the result never depends on the sort algorithm.
    matching.sort((a, b) => {
      const x = rows[a][sort.key];
      const y = rows[b][sort.key];
      const byValue = numeric ? x - y : x.localeCompare(y);
      return byValue * direction || a - b;
    });
    return matching;
  }

  function draw() {
    headerCells.forEach((cell, index) => {
      const key = columns[index].key;
      if (key === sort?.key) cell.setAttribute('aria-sort', sort.descending ? 'descending' : 'ascending');
      else cell.removeAttribute('aria-sort');
    });
    const matching = visible();
    body.replaceChildren(...matching.slice(0, shown).map((index) => renderRow(rows[index])));
    if (rows.length === 0) status.textContent = 'Nothing in this report.';
    else if (matching.length === 0) status.textContent = 'No rows match the search.';
    else status.textContent = `Showing ${formatCount(Math.min(shown, matching.length))} of ${formatCount(matching.length)}`;
    more.hidden = matching.length <= shown;
  }

  // The value as a button that offers `Only this value` beside it; the offer exists only while open, so the
  // cell reads as its value alone.
  function sliceable(column, row) {
    const value = row[column.key];
    const label = `${column.label}: ${value === '' ? '(empty)' : value}`;
    let offer = null;
    const toggle = h('button', {
      type: 'button',
      class: 'oa-value',
      'aria-expanded': 'false',
      onclick: () => {
        if (offer) {
          offer.remove();
          offer = null;
        } else {
          offer = h('button', {
            type: 'button',
            class: 'oa-slice',
            onclick: () => onSlice({ column: column.slice.column, value: column.slice.value ? column.slice.value(row) : value, label }),
          }, 'Only this value');
          toggle.after(offer);
          offer.focus();
        }
        toggle.setAttribute('aria-expanded', String(offer !== null));
      },
    }, valueText(value));
    return toggle;
  }

  function renderRow(row) {
    const marked = flag?.(row);
    return h('tr', { class: marked ? 'oa-flagged' : null }, columns.map((column, at) => {
      const value = row[column.key];
      const mark = at === 0 && marked ? h('strong', { class: 'oa-flag' }, `${marked} `) : null;
      if (!column.numeric) return h('td', {}, [mark, column.slice && onSlice ? sliceable(column, row) : valueText(value)]);
      const text = column.format ? column.format(value) : formatCount(value);
      if (!column.bar) return h('td', { class: 'oa-num' }, text);
      const bar = h('span', { class: 'oa-bar', 'aria-hidden': 'true' });
      // CSSOM, not a style attribute: allowed by the page's CSP.
      bar.style.width = `${maxima[column.key] > 0 ? (value / maxima[column.key]) * 100 : 0}%`;
      return h('td', { class: 'oa-num oa-bar-cell' }, [bar, h('span', { class: 'oa-bar-value' }, text)]);
    }));
  }

  function exportCsv() {
    const csvRows = visible().map((index) => columns.map((column) => rows[index][column.key]));
    saveText(fileName, 'text/csv;charset=utf-8', toCsv(columns.map((column) => column.label), csvRows));
  }

  draw();
  return section;
}
