// An archive range in #result: what it covers, its days, its comparison, its resources by month, and its
// merged Summary in the page's own views.

import { h, uniqueId } from '../views/dom.js';
import { formatCount } from '../views/format.js';
import { renderResult } from '../views/summary-view.js';
import { renderComparison } from './compare-view.js';
import { renderArchiveDays } from './days-view.js';
import { renderResourcesByMonth } from './months-view.js';
import { periodText } from './periods.js';
import { renderShareView } from './view-link.js';

/**
 * @param {Element} root
 * @param {{period: {from: string, to: string}, body: object, compare?: {period: {from: string, to: string}, body: object}}} shown
 * @param {object} options  for renderResult (hideIds, onHideIds)
 * @returns {{element: HTMLElement, destroy(): void, status: string}}
 */
export function renderArchive(root, { period, body, compare }, options) {
  const days = renderArchiveDays(period, body);
  const summaryRoot = h('div');
  const headingId = uniqueId('oa-archive');
  const title = compare ? `Archive, ${periodText(period)} compared with ${periodText(compare.period)}` : `Archive, ${periodText(period)}`;
  const notes = [];
  if (!body.merged) notes.push(`No day from ${periodText(period)} is in the archive with its figures.`);
  if (compare && !compare.body.merged) notes.push(`No day from ${periodText(compare.period)} is in the archive with its figures: there is nothing to compare with.`);
  const element = h('div', { class: 'oa-result oa-archive' }, [
    h('section', { class: 'oa-card', 'aria-labelledby': headingId }, [
      h('h2', { id: headingId, tabindex: '-1' }, title),
      h('p', { class: 'oa-note' }, 'From the days this site’s Worker stored: each figure is exact over the stored days, which the table of days lists.'),
      notes.map((note) => h('p', { class: 'oa-note' }, note)),
    ]),
    days.element,
    compare && body.merged && compare.body.merged ? renderComparison(period, compare.period, body.merged, compare.body.merged) : null,
    body.merged ? renderResourcesByMonth(period, body.groups ?? [{ month: period.from.slice(0, 7), summary: body.merged }], body.merged) : null,
    summaryRoot,
    // Readers who may share (a READ_TOKEN or Cloudflare Access reader) can hand this range to others.
    body.reader?.mayShare ? renderShareView(period, body.reader) : null,
  ]);
  root.replaceChildren(element);
  // A one-day range names when its day was stored.
  const storedAt = period.from === period.to ? body.days[0]?.storedAt : undefined;
  const summary = body.merged ? renderResult(summaryRoot, body.merged, { ...options, period: { ...period, storedAt } }) : null;
  const rows = body.merged ? `, ${formatCount(body.merged.rows)} rows` : '';
  return {
    element,
    status: `Done: ${days.counts.stored + days.counts.partial} of ${formatCount(spanDays(days.counts))} days stored${rows}.`,
    destroy() {
      days.destroy();
      summary?.destroy();
    },
  };
}

const spanDays = (counts) => Object.values(counts).reduce((sum, count) => sum + count, 0);
