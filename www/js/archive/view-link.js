// View links: the page opened with `#view=<token>` reads the archive with that token (Authorization: View),
// and a reader who may share (a READ_TOKEN or Cloudflare Access reader: /history's `reader.mayShare`) makes
// one for the range shown with Share view (POST /share). The token sits in the URL's fragment, so the link
// itself never reaches a server's log; the Worker alone decides what a token may read.

import { h, uniqueId } from '../views/dom.js';
import { explainArchiveError } from './words.js';

// The Worker's bounds on a link's life (worker/src/share.js): refused outside them, so the input holds to them.
const MAX_DAYS = 90;
const DEFAULT_DAYS = 7;

/** The view token in a location's fragment (`#view=<token>`), or null. */
export function viewTokenFrom(hash) {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('view');
  return token && /^v1\.[\w-]+\.[\w-]+$/.test(token) ? token : null;
}

/**
 * The dates a token names, read without checking its signature: only to set the form's From and To. The
 * Worker checks it on every request; null when the payload cannot be read.
 * @returns {{from: string, to: string} | null}
 */
export function linkPeriod(token) {
  try {
    const payload = token.split('.')[1].replaceAll('-', '+').replaceAll('_', '/');
    const { from, to } = JSON.parse(atob(payload));
    return typeof from === 'string' && typeof to === 'string' ? { from, to } : null;
  } catch {
    return null;
  }
}

/**
 * POST /share for `period`; resolves to {url, token, expires} or rejects with the Worker's {code, message}.
 * @param {{from: string, to: string}} period
 * @param {{security: boolean, expiresInDays: number}} options
 */
export async function makeViewLink({ from, to }, { security, expiresInDays }) {
  let response;
  try {
    response = await fetch('share', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from, to, security, expiresInDays }),
    });
  } catch (error) {
    throw { code: 'NETWORK', message: `The archive could not be reached: ${error.message}` };
  }
  const body = await response.json().catch(() => null);
  if (response.status !== 201 || !body?.url) throw body?.error ?? { code: 'SERVER', message: `The archive answered ${response.status}.` };
  return body;
}

/**
 * Share view, for a reader who may share: how long the link lasts, whether it carries the Security section
 * (only offered to a reader who sees it), and the link once made, with a Copy button.
 * @param {{from: string, to: string}} period
 * @param {{security: boolean}} reader
 */
export function renderShareView(period, reader) {
  const headingId = uniqueId('oa-share');
  const daysId = uniqueId('oa-share-days');
  const linkId = uniqueId('oa-share-link');
  const days = h('input', { id: daysId, type: 'number', min: '1', max: String(MAX_DAYS), value: String(DEFAULT_DAYS), required: true });
  const security = h('input', { type: 'checkbox' });
  const link = h('input', { id: linkId, type: 'text', readonly: true });
  const copy = h('button', { type: 'button', onclick: () => copyLink() }, 'Copy link');
  const made = h('div', { class: 'oa-share-made', hidden: true }, [
    h('label', { for: linkId }, 'View link'),
    link,
    copy,
    h('p', { class: 'oa-note', role: 'status' }),
  ]);
  const problem = h('p', { class: 'oa-share-problem', role: 'alert', hidden: true });
  const button = h('button', { type: 'button', onclick: () => share() }, 'Share view');
  const element = h('section', { class: 'oa-card oa-share', 'aria-labelledby': headingId }, [
    h('h2', { id: headingId, tabindex: '-1' }, 'Share view'),
    h('p', { class: 'oa-note' }, `A link anyone can open, without a key, to see ${period.from} to ${period.to} from the archive, and no other dates, until it expires.`),
    h('div', { class: 'oa-share-options' }, [
      h('label', { for: daysId }, 'Link lasts (days)'),
      days,
      reader.security ? h('label', { class: 'oa-choice' }, [security, ' Include the Security section (account ids and IP addresses)']) : null,
    ]),
    button,
    problem,
    made,
  ]);

  async function share() {
    const expiresInDays = Number(days.value);
    problem.hidden = true;
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_DAYS) {
      problem.textContent = `A link lasts from 1 to ${MAX_DAYS} days.`;
      problem.hidden = false;
      days.focus();
      return;
    }
    button.disabled = true;
    try {
      const { url, expires } = await makeViewLink(period, { security: reader.security && security.checked, expiresInDays });
      link.value = url;
      made.querySelector('p').textContent = `It works until ${expires}.`;
      made.hidden = false;
      link.focus();
      link.select();
    } catch (error) {
      const words = explainArchiveError(error);
      problem.textContent = `${words.title} ${words.next} (${error.code})`;
      problem.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async function copyLink() {
    try {
      await navigator.clipboard.writeText(link.value);
      made.querySelector('p').textContent = 'Copied.';
    } catch {
      // No clipboard permission: the link is selected for the reader to copy.
      link.select();
    }
  }

  return element;
}
