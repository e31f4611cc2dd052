// The Security section: who signs in wrongly (by account and by address) and which accounts are seen from
// several countries, each list with what its pattern looks like and what to do. Its account ids and IP
// addresses are shown as identifiers.js decides.

import { h, uniqueId } from './dom.js';
import { formatCount } from './format.js';
import { renderTable } from './table.js';
import { BURST_THRESHOLD, SPRAY_THRESHOLD, burstFlag, ipFlag } from '../security-flags.js';
/** @typedef {ReturnType<typeof import('./identifiers.js').identifiers>} Identifiers */

const when = (instant) => (instant === null ? '' : instant.replace('T', ' ').replace('Z', ' UTC'));

function explanation(paragraphs) {
  return h('div', { class: 'oa-explain' }, paragraphs.map((text) => h('p', {}, text)));
}

/**
 * @param {object} summary
 * @param {{ids: Identifiers, fileBase: string, onSlice?: (slice: {column: string, value: string, heading: string, label: string}) => void}} options
 * @returns {HTMLElement}
 */
export function renderSecurity(summary, { ids, fileBase, onSlice }) {
  const security = summary.security;
  if (!security) return null;
  const headingId = uniqueId('oa-security');
  const accountSlice = { column: 'account.accountid', value: (row) => row.id };
  const ipSlice = { column: 'request.ipaddress', value: (row) => row.id };
  const times = [
    { key: 'maxFailedIn10Min', label: 'Most in 10 min', numeric: true },
    { key: 'firstFailure', label: 'First failure' },
    { key: 'lastFailure', label: 'Last failure' },
  ];
  const timed = (row) => ({ ...row, firstFailure: when(row.firstFailure), lastFailure: when(row.lastFailure) });

  const byAccount = renderTable({
    title: 'Failed sign-ins by account',
    columns: [
      { key: 'account', label: 'Account', slice: accountSlice },
      { key: 'failed', label: 'Failed', numeric: true, bar: true },
      { key: 'succeeded', label: 'Succeeded', numeric: true },
      ...times,
      { key: 'ips', label: 'IP addresses', numeric: true },
      { key: 'countries', label: 'Countries', numeric: true },
    ],
    rows: security.byAccount.map((row) => ({ ...timed(row), id: row.account, account: ids.account(row.account) })),
    keepOrder: true,
    wide: true,
    flag: burstFlag,
    onSlice,
    fileName: `${fileBase}-failed-sign-ins-by-account.csv`,
  });
  const byIp = renderTable({
    title: 'Failed sign-ins by IP address',
    columns: [
      { key: 'ip', label: 'IP address', slice: ipSlice },
      { key: 'failed', label: 'Failed', numeric: true, bar: true },
      { key: 'accounts', label: 'Accounts failing', numeric: true },
      { key: 'succeeded', label: 'Succeeded', numeric: true },
      ...times,
    ],
    rows: security.byIp.map((row) => ({ ...timed(row), id: row.ip, ip: ids.ip(row.ip) })),
    keepOrder: true,
    wide: true,
    flag: ipFlag,
    onSlice,
    fileName: `${fileBase}-failed-sign-ins-by-ip.csv`,
  });
  const spread = renderTable({
    title: 'Accounts seen from several countries',
    columns: [
      { key: 'account', label: 'Account', slice: accountSlice },
      { key: 'countries', label: 'Countries', numeric: true, bar: true },
      { key: 'ips', label: 'IP addresses', numeric: true },
      { key: 'signIns', label: 'Sign-ins', numeric: true },
      { key: 'transfers', label: 'Transfers', numeric: true },
    ],
    rows: security.spread.map((row) => ({ ...row, id: row.account, account: ids.account(row.account) })),
    keepOrder: true,
    wide: true,
    onSlice,
    fileName: `${fileBase}-accounts-in-several-countries.csv`,
  });

  return h('section', { class: 'oa-card oa-security oa-wide', 'aria-labelledby': headingId }, [
    h('h3', { id: headingId }, 'Security'),
    h('p', { class: 'oa-note' }, `${formatCount(security.accountsWithFailedSignIns)} accounts and ${formatCount(security.ipsWithFailedSignIns)} IP addresses had at least one failed sign-in. Each list shows the first 100.`),
    explanation([
      `A burst is many failed sign-ins on one account in a few minutes: someone is guessing its password, or a person is locked out and trying again. Rows with ${BURST_THRESHOLD} or more failures within 10 minutes are marked Burst. If the account then signs in successfully from an address you do not recognise, reset its password and check its sessions.`,
      `Password spraying is one address failing for many different accounts, each only a few times, so that no single account looks alarming. Addresses failing for ${SPRAY_THRESHOLD} or more accounts are marked Spraying. Look the address up, block it if it is not your own network (a campus proxy or VPN can look like this too), and tell the owners of any account it then signed in to.`,
      'Spread is one account used from several countries on one day. Travel explains two; many countries and addresses usually mean a shared or stolen login. Ask the account holder, and reset the password if they did not share it.',
    ]),
    byAccount,
    byIp,
    spread,
  ]);
}
