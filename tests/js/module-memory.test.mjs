// The module in Node gives its memory back: a ReportParser nobody holds any more is freed by the garbage
// collector (wasm-bindgen registers each with a FinalizationRegistry), so parsers dropped without free()
// do not pile up in wasm memory, which can only grow.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const PKG = new URL('../../www/pkg/', import.meta.url);
const wasm = await import(new URL('openathens_rawstats.js', PKG));
const { memory } = wasm.initSync({ module: readFileSync(new URL('openathens_rawstats_bg.wasm', PKG)) });

/** A parser holding about 8 MB of distinct values, then dropped without free(). */
function fillAndDrop(round) {
  const parser = new wasm.ReportParser();
  const lines = ['action,status,account.accountid,request.ipaddress'];
  for (let i = 0; i < 100_000; i++) lines.push(`AUTHENTICATE,SUCCESS,user-${round}-${i}@example.ac.uk,10.${round}.${i >> 8 & 255}.${i & 255}`);
  parser.push(new TextEncoder().encode(`${lines.join('\n')}\n`));
  assert.equal(parser.rows, 100_000);
}

async function collect() {
  for (let i = 0; i < 3; i++) {
    gc();
    // FinalizationRegistry callbacks run in a later task.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('parsers dropped without free() are freed, and their memory is used again', async () => {
  fillAndDrop(0);
  await collect();
  const settled = memory.buffer.byteLength;
  for (let round = 1; round <= 6; round++) {
    fillAndDrop(round);
    await collect();
  }
  const grown = memory.buffer.byteLength - settled;
  // Six more parsers of about 8 MB each: kept alive they would add about 48 MB.
  assert.ok(grown < 12 << 20, `wasm memory grew ${(grown / 2 ** 20).toFixed(1)} MiB over six dropped parsers`);
});
