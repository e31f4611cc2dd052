// Account ids and IP addresses, and the one function that decides how a view shows one: as it is, or,
// while `Hide account identifiers` is on, as "Account 1", "Address 1", … Tables, slice chips, aria-labels,
// the status line and every export take an identifier's text from here, so none can show it raw.

// The report columns that hold identifiers, with the word a hidden one is numbered under.
const HIDDEN_AS = { 'account.accountid': 'Account', 'request.ipaddress': 'Address' };

/**
 * How one view shows identifiers: `text(column, value)` is the value itself, or (hidden) its number, by
 * first appearance in the Summary's Security lists, so the same account reads the same in every list of
 * one view; a value no list holds (a slice's, after a recount) gets the next number.
 * @returns {{hidden: boolean, text(column: string, value: string): string, account(id: string): string, ip(id: string): string}}
 */
export function identifiers(summary, hidden) {
  const numbers = new Map(Object.keys(HIDDEN_AS).map((column) => [column, new Map()]));
  const text = (column, value) => {
    const numbered = numbers.get(column);
    if (!hidden || !numbered) return value;
    if (!numbered.has(value)) numbered.set(value, `${HIDDEN_AS[column]} ${numbered.size + 1}`);
    return numbered.get(value);
  };
  const account = (id) => text('account.accountid', id);
  const ip = (id) => text('request.ipaddress', id);
  const { byAccount = [], byIp = [], spread = [] } = summary.security ?? {};
  for (const row of [...byAccount, ...spread]) account(row.account);
  for (const row of byIp) ip(row.ip);
  return { hidden, text, account, ip };
}

/**
 * A slice as a view names it ("Account: Account 1"): an identifier's text is decided now, by this view,
 * so a slice made before `Hide account identifiers` was ticked loses its raw value once it is.
 * @param {{column: string, value: string, heading: string, label: string}} slice
 * @param {ReturnType<typeof identifiers>} ids
 */
export function sliceLabel({ column, value, heading, label }, ids) {
  if (!Object.hasOwn(HIDDEN_AS, column)) return label;
  return `${heading}: ${value === '' ? '(empty)' : ids.text(column, value)}`;
}

/** The Summary as saved by `Download summary (JSON)`: identifiers masked when they are hidden. */
export function exportedSummary(summary, ids) {
  if (!ids.hidden || !summary.security) return summary;
  const { byAccount, byIp, spread } = summary.security;
  return {
    ...summary,
    security: {
      ...summary.security,
      byAccount: byAccount.map((row) => ({ ...row, account: ids.account(row.account) })),
      byIp: byIp.map((row) => ({ ...row, ip: ids.ip(row.ip) })),
      spread: spread.map((row) => ({ ...row, account: ids.account(row.account) })),
    },
  };
}
