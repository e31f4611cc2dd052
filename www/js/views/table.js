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
 * @param {Array<{key: string, label: string, numeric?: boolean, bar?: boolean, format?: (value, row) => string, exported?: (value) => number, words?: (value: string) => string|null,
 *   slice?: {column: string, value?: (row) => string}}>} spec.columns
 *   `words` gives a code's plain words (shown with the code beside them, and exported as a column of
 *   their own); `exported` is the number a CSV gets when it is not the raw value (a share rounded as shown);
 *   `slice`: the report column (header name) a value of this column slices by, and the field value a row
 *   stands for when it is not the text shown
 * @param {object[]} spec.rows      plain objects keyed by column key
 * @param {string} spec.fileName    CSV file name
 * @param {string} [spec.searchLabel]  when given, a search box over the text columns
 * @param {number} [spec.pageSize]  rows shown before "Show more"
 * @param {string} [spec.note]      a line under the heading
 * @param {boolean} [spec.keepOrder] start in the order given instead of by the first numeric column, largest first
 * @param {boolean} [spec.wide]     take the full width of the summary's grid
 * @param {(slice: {column: string, value: string, heading: string, label: string}) => void} [spec.onSlice]  offers `Only this value`;
 *   `heading` is the column's label, `label` the slice as this table names it
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
  const wordsOf = (column, value) => (column.words && value !== '' ? column.words(value) : null);
  const shownText = Object.fromEntries(columns.filter((column) => !column.numeric).map((column) => [
    column.key,
    rows.map((row) => wordsOf(column, row[column.key]) ?? row[column.key]),
  ]));
  // Lower-cased once, so typing in the search box over thousands of resources stays instant.
  const haystacks = rows.map((row, index) =>
    textKeys.map((key) => `${row[key]}\u0000${shownText[key][index]}`.toLowerCase()).join('\u0000'));
  const order = rows.map((_, index) => index);

  const headerCells = columns.map((column) => {
    const button = h('button', { type: 'button', class: 'oa-sort', onclick: () => sortBy(column) }, column.label);
    return h('th', { scope: 'col', role: 'columnheader', class: column.numeric ? 'oa-num' : null }, button);
  });
  const body = h('tbody', { role: 'rowgroup' });
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
    // Tables of more than three columns become stacked rows on a narrow screen (css/summary.css); the
    // explicit roles keep them tables to assistive technology once they no longer display as one.
    h('div', { class: 'oa-table-scroll' }, h('table', { role: 'table', class: columns.length > 3 ? 'oa-stack' : null }, [
      h('caption', { class: 'oa-visually-hidden' }, title),
      h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, headerCells)),
      body,
    ])),
    h('div', { class: 'oa-table-foot' }, [status, more]),
  ]);

  function sortBy(column) {
    sort = sort?.key === column.key ? { key: column.key, descending: !sort.descending } : { key: column.key, descending: Boolean(column.numeric) };
    draw();
  }

  function visible() {
    const matching = query ? order.filter((index) => haystacks[index].includes(query)) : order.slice();
    if (!sort) return matching;
    const { numeric } = columns.find((column) => column.key === sort.key);
    const direction = sort.descending ? -1 : 1;
    // Ties keep the Summary's own order, so the result never depends on the sort algorithm.
    matching.sort((a, b) => {
      const byValue = numeric ? rows[a][sort.key] - rows[b][sort.key] : shownText[sort.key][a].localeCompare(shownText[sort.key][b]);
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
  function sliceable(column, row, shown) {
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
            onclick: () => onSlice({ column: column.slice.column, value: column.slice.value ? column.slice.value(row) : value, heading: column.label, label }),
          }, 'Only this value');
          toggle.after(offer);
          offer.focus();
        }
        toggle.setAttribute('aria-expanded', String(offer !== null));
      },
    }, shown);
    return toggle;
  }

  function renderRow(row) {
    const marked = flag?.(row);
    return h('tr', { role: 'row', class: marked ? 'oa-flagged' : null }, columns.map((column, at) => {
      const value = row[column.key];
      const cell = (attrs, content) => h('td', { role: 'cell', 'data-label': column.label, ...attrs }, content);
      if (!column.numeric) {
        const words = wordsOf(column, value);
        const shown = words ? [words, ' ', h('span', { class: 'oa-code' }, valueText(value))] : valueText(value);
        const mark = at === 0 && marked ? h('strong', { class: 'oa-flag' }, `${marked} `) : null;
        // One piece (a span, or the value's button), so that a stacked row lays it out beside its label.
        return cell({}, column.slice && onSlice ? [mark, sliceable(column, row, shown)] : h('span', {}, [mark, shown]));
      }
      const text = column.format ? column.format(value, row) : formatCount(value);
      if (!column.bar) return cell({ class: 'oa-num' }, text);
      const bar = h('span', { class: 'oa-bar' });
      // CSSOM, not a style attribute: allowed by the page's CSP.
      bar.style.width = `${maxima[column.key] > 0 ? (value / maxima[column.key]) * 100 : 0}%`;
      // Beside the number, never behind it, so no digit sits on the bar's colour.
      return cell({ class: 'oa-num oa-bar-cell' }, h('span', { class: 'oa-bar-box' }, [
        h('span', { class: 'oa-bar-value' }, text),
        h('span', { class: 'oa-bar-track', 'aria-hidden': 'true' }, bar),
      ]));
    }));
  }

  // A column with words exports them and then the code; a share exports the figure the page shows.
  function exportCsv() {
    const header = columns.flatMap((column) => (column.words ? [column.label, `${column.label} code`] : [column.label]));
    const csvRows = visible().map((index) => columns.flatMap((column) => {
      const value = rows[index][column.key];
      if (column.words) return [shownText[column.key][index], value];
      return [column.exported ? column.exported(value) : value];
    }));
    saveText(fileName, 'text/csv;charset=utf-8', toCsv(header, csvRows));
  }

  draw();
  return section;
}
