// RFC 4180 CSV for the table exports. Text cells that a spreadsheet would run as a formula get a leading
// apostrophe, the usual guard against CSV injection from report data: = + - @ first, their full-width forms
// (＝ ＋ － ＠, which spreadsheets read as the ASCII ones), or a tab, CR, LF, no-break space or BOM that a
// spreadsheet skips before looking for one.

const FORMULA_START = /^[=+\-@\uff1d\uff0b\uff0d\uff20\t\r\n\u00a0\ufeff]/;

function cell(value) {
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header, rows) {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
