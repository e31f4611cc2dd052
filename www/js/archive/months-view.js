// Resources by month, for renewal decisions: each resource's transfers and distinct users in each month
// the archive holds (from /history's `groups`), and over the whole range; exported as CSV with numbers as
// numbers.

import { h, uniqueId } from '../views/dom.js';
import { renderTable } from '../views/table.js';
import { monthsOf } from './days-view.js';
import { periodText } from './periods.js';

/**
 * @param {{from: string, to: string}} period
 * @param {{month: string, summary: object}[]} groups  each month with a stored day, in order
 * @param {object} merged  the range's Summary: its users are distinct over the whole range
 * @returns {HTMLElement}
 */
export function renderResourcesByMonth(period, groups, merged) {
  const byId = new Map(merged.resources.map((resource) => [resource.id, {
    title: resource.title,
    id: resource.id,
    transfers: resource.transfers,
    users: resource.users,
  }]));
  for (const { month, summary } of groups) {
    for (const resource of summary.resources) {
      const row = byId.get(resource.id);
      // Every month's resources are in the range's merge: a row is never missing here.
      row[`transfers ${month}`] = resource.transfers;
      row[`users ${month}`] = resource.users;
    }
  }
  const months = groups.map((group) => group.month);
  const rows = [...byId.values()].map((row) => {
    for (const month of months) {
      row[`transfers ${month}`] ??= 0;
      row[`users ${month}`] ??= 0;
    }
    return row;
  });
  const without = monthsOf(period).filter((month) => !months.includes(month));
  const headingId = uniqueId('oa-by-month');
  return h('section', { class: 'oa-card oa-by-month', 'aria-labelledby': headingId }, [
    h('h2', { id: headingId, tabindex: '-1' }, `Resources by month, ${periodText(period)}`),
    h('p', { class: 'oa-note' }, 'Transfers and distinct users of each resource in each month; a user counts once a month, and once over the whole range.'
      + (without.length > 0 ? ` No stored day in ${without.join(', ')}.` : '')),
    renderTable({
      title: 'Resources by month',
      columns: [
        { key: 'title', label: 'Resource' },
        { key: 'transfers', label: 'Transfers, whole range', numeric: true, bar: true },
        { key: 'users', label: 'Users, whole range', numeric: true },
        ...months.flatMap((month) => [
          { key: `transfers ${month}`, label: `Transfers ${month}`, numeric: true },
          { key: `users ${month}`, label: `Users ${month}`, numeric: true },
        ]),
        { key: 'id', label: 'Entity ID' },
      ],
      rows,
      searchLabel: 'Search resources by month',
      pageSize: 15,
      wide: true,
      fileName: `openathens-${period.from}-to-${period.to}-resources-by-month.csv`,
    }),
  ]);
}
