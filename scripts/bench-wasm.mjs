// make bench, wasm side: the same report through the wasm module in Node, read in 64 KiB pieces.
// usage: node scripts/bench-wasm.mjs REPORT PLAIN_BYTES
// Linear memory only grows, so each line's figure is the high-water mark of everything the module has done
// so far (the lines after the first include the snapshot read back). Memory per distinct account id and IP
// is measured apart, in a fresh module: scripts/bench-distinct.mjs.
// Then the report's snapshot: its size against the gzipped report (the target: under 5%), and the time to make
// and to read it back.
import fs from 'node:fs';
import { initSync, mergeSnapshots, ReportParser, summarizeStream } from '../www/pkg/openathens_rawstats.js';

const [report, plainArg] = process.argv.slice(2);
const plainBytes = Number(plainArg);
const wasm = initSync({ module: fs.readFileSync(new URL('../www/pkg/openathens_rawstats_bg.wasm', import.meta.url)) });

function line(label, seconds, rows) {
  const linear = wasm.memory.buffer.byteLength / 2 ** 20;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`${label.padEnd(9)} ${seconds.toFixed(3).padStart(7)} s  ${(plainBytes / seconds / 1e6).toFixed(1).padStart(6)} MB/s  ` +
    `wasm linear memory ${linear.toFixed(1)} MiB  (Node peak RSS ${rss.toFixed(0)} MB, ${rows} rows)`);
}

// All of the work in wasm: miniz_oxide inflate, CRC32, csv-core, tallies (what `summarize` does).
{
  const fd = fs.openSync(report, 'r');
  const chunk = new Uint8Array(64 * 1024);
  const started = performance.now();
  const parser = new ReportParser();
  for (let n; (n = fs.readSync(fd, chunk)) > 0;) parser.push(chunk.subarray(0, n));
  const summary = parser.finish();
  line('wasm', (performance.now() - started) / 1000, summary.rows);
  fs.closeSync(fd);

  const made = performance.now();
  const snapshot = parser.snapshot();
  const madeMs = performance.now() - made;
  const read = performance.now();
  const back = mergeSnapshots([snapshot]);
  const readMs = performance.now() - read;
  const gzipped = fs.statSync(report).size;
  if (JSON.stringify(back) !== JSON.stringify(summary)) throw new Error('the snapshot does not give the report\'s Summary back');
  console.log(`snapshot ${(snapshot.length / 1e6).toFixed(2)} MB = ${(100 * snapshot.length / gzipped).toFixed(2)}% of the ${(gzipped / 1e6).toFixed(1)} MB gzipped report ` +
    `(made in ${madeMs.toFixed(0)} ms, read back in ${readMs.toFixed(0)} ms)`);
  // The Worker's archive keeps a day as two KV values (worker/src/history.js); KV takes at most 25 MiB each.
  const record = JSON.stringify({ date: '2026-01-01', storedAt: new Date().toISOString(), summary });
  const kvLimit = 25 * 2 ** 20;
  console.log(`KV values of a day: snapshot ${(snapshot.length / 2 ** 20).toFixed(2)} MiB, record ${(record.length / 2 ** 20).toFixed(2)} MiB ` +
    `(${(100 * Math.max(snapshot.length, record.length) / kvLimit).toFixed(1)}% of KV's 25 MiB at most)`);
  parser.free();
}

// The path the page, fetchReport and the Worker take: a stream into summarizeStream, every chunk copied
// into the wasm module as it arrives.
{
  const blob = await fs.openAsBlob(report);
  const started = performance.now();
  const summary = await summarizeStream(blob);
  line('stream', (performance.now() - started) / 1000, summary.rows);
}
