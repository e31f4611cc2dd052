// Hostile input to the engine in Node. Snapshots: a few hundred kilobytes claiming millions of items are
// refused with BAD_SNAPSHOT before the items are allocated (wasm memory, which never shrinks, barely grows),
// and a SnapshotMerge that refused one is as it was and takes the next (issue 18, finding 2: a 1.2 MB
// snapshot of 200M empty column names grew memory to 3.2 GB and trapped, leaving the merge unusable).
// Filters: a list past the cap is refused before its entries are read (finding 9: 1M took 56 s, 350 MB).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';

const PKG = new URL('../../www/pkg/', import.meta.url);
const wasm = await import(new URL('openathens_rawstats.js', PKG));
const { memory } = wasm.initSync({ module: readFileSync(new URL('openathens_rawstats_bg.wasm', PKG)) });

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A well-sealed envelope (docs/snapshot.md) around any payload. */
function sealed(payload) {
  const head = Buffer.alloc(9);
  head.write('OARS');
  head[4] = 1;
  head.writeUInt32LE(payload.length, 5);
  const body = Buffer.concat([head, deflateRawSync(payload)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(body));
  return new Uint8Array(Buffer.concat([body, crc]));
}

/** `names` empty column names (a zero byte each, packed a thousand to one), then enough incompressible
 * bytes to keep the stream within the 256:1 ratio a reader accepts, as the red team's was. */
function emptyNames(names) {
  const count = [];
  for (let n = names; ; n = Math.floor(n / 128)) {
    count.push(n >= 128 ? (n % 128) | 0x80 : n);
    if (n < 128) break;
  }
  let state = 0x2545f491;
  const padding = Buffer.alloc(Math.ceil(names / 200), 0).map(() => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state & 0xff;
  });
  return sealed(Buffer.concat([Buffer.from(count), Buffer.alloc(names), padding]));
}

function goodSnapshot(rows) {
  const parser = new wasm.ReportParser();
  parser.push(new TextEncoder().encode(`action,status\n${'AUTHENTICATE,SUCCESS\n'.repeat(rows)}`));
  parser.finish();
  return parser.snapshot();
}

test('millions of empty names are refused before they are allocated, and the merge stays usable', () => {
  // 20M names: 20 MB inflated, 480 MB as strings. The red team's had 200M.
  const hostile = emptyNames(20_000_000);
  assert.ok(hostile.length < 200_000, `the snapshot is ${hostile.length} bytes`);
  const merge = new wasm.SnapshotMerge();
  merge.add(goodSnapshot(3));
  const before = memory.buffer.byteLength;
  assert.throws(() => merge.add(hostile), (error) => error.code === 'BAD_SNAPSHOT');
  assert.throws(() => wasm.mergeSnapshots([hostile]), (error) => error.code === 'BAD_SNAPSHOT');
  const grown = memory.buffer.byteLength - before;
  // The inflated payload (its buffer doubling as it grows) and little more.
  assert.ok(grown < 64 << 20, `wasm memory grew ${(grown / 2 ** 20).toFixed(0)} MiB`);

  merge.add(goodSnapshot(2));
  const summary = merge.finish();
  assert.equal(summary.rows, 5);
  assert.deepEqual(summary.columns, ['action', 'status']);
  merge.free();
});

test('a filter list past the cap is refused with BAD_FILTER before it is read', () => {
  const filter = Array.from({ length: 1_000_000 }, () => ({ column: 'action', value: 'AUTHENTICATE' }));
  assert.throws(() => new wasm.ReportParser({ filter }), (error) => error.code === 'BAD_FILTER' && /at most 256/.test(error.message));
  const parser = new wasm.ReportParser({ filter: filter.slice(0, 256) });
  parser.push(new TextEncoder().encode('action,status\nAUTHENTICATE,SUCCESS\nLOGOUT,SUCCESS\n'));
  assert.equal(parser.finish().rows, 1);
});
