// The day at a glance: events, sign-ins and their failure rate, transfers and restrictive-mode blocks,
// distinct accounts and IP addresses.

import { h } from './dom.js';
import { formatCount, formatPercent } from './format.js';

function figure(label, value, detail) {
  return h('div', { class: 'oa-figure' }, [
    h('dt', {}, label),
    h('dd', { class: 'oa-figure-value' }, formatCount(value)),
    detail ? h('dd', { class: 'oa-figure-detail' }, detail) : null,
  ]);
}

/** @param {object} summary  @returns {HTMLElement} */
export function renderHeadline(summary) {
  const { authentications: signIns, transfers } = summary;
  return h('dl', { class: 'oa-headline' }, [
    figure('Events', summary.rows),
    figure('Sign-ins', signIns.total, `${formatCount(signIns.failed)} failed (${formatPercent(signIns.failed, signIns.total)})`),
    figure('Transfers', transfers.total, `${formatCount(transfers.blockedRestrictive)} blocked by restrictive mode`),
    figure('Distinct accounts', summary.distinctAccounts),
    figure('Distinct IP addresses', summary.distinctIps),
  ]);
}
