// The table exports' CSV (www/js/views/csv.js) in Node: quoting, and every cell a spreadsheet could run as a
// formula neutralised with a leading apostrophe.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCsv } from '../../www/js/views/csv.js';

const line = (value) => toCsv(['h'], [[value]]).split('\r\n')[1];

test('cells that start a formula, in ASCII or full-width, or behind a character a spreadsheet skips, get an apostrophe', () => {
  const starters = ['=', '+', '-', '@', '\t', '\r', '\n', '\u00a0', '\ufeff', '\uff1d', '\uff0b', '\uff0d', '\uff20'];
  for (const start of starters) {
    const value = `${start}HYPERLINK("https://evil.example","x")`;
    const cell = toCsv(['h'], [[value]]).slice('h\r\n'.length, -2);
    assert.equal(cell, `"'${value.replaceAll('"', '""')}"`, JSON.stringify(start));
  }
  assert.equal(line('\u00a0=1+1'), "'\u00a0=1+1");
  assert.equal(line('\uff1dSUM(A1:A9)'), "'\uff1dSUM(A1:A9)");
});

test('other text and numbers are left as they are, quoted only when RFC 4180 needs it', () => {
  assert.equal(line('Science Database'), 'Science Database');
  assert.equal(line('a, b'), '"a, b"');
  assert.equal(line('say "hi"'), '"say ""hi"""');
  assert.equal(line('x=1'), 'x=1');
  assert.equal(line('　full-width space'), '　full-width space');
  assert.equal(toCsv(['n'], [[-5]]), 'n\r\n-5\r\n');
});
