// RFC 4180 CSV for the table exports. Text cells that a spreadsheet would run as a formula (= + - @, tab or
// CR first) get a leading apostrophe, the usual guard against CSV injection from report data.

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value) {
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header, rows) {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
