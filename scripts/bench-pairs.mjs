// make bench, the Summary's own cost: ReportParser.finish() for reports of 125k, 250k and 500k rows that
// each name a new action (so as many action × status pairs), in wasm in Node, against the bound that it
// grows no faster than n log n: doubling the pairs may at most about double finish (≤ 2.5×). Once it was
// quadratic (2.5 / 11.1 / 45.3 s), the Summary crossing to JS a property at a time (issue 18, finding 10).
// usage: node scripts/bench-pairs.mjs [N ...]
import fs from 'node:fs';
import { initSync, ReportParser } from '../www/pkg/openathens_rawstats.js';

initSync({ module: fs.readFileSync(new URL('../www/pkg/openathens_rawstats_bg.wasm', import.meta.url)) });

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [125_000, 250_000, 500_000];
const HEADER = 'date,action,status,account.accountid,request.ipaddress';

function report(n) {
  const lines = [HEADER];
  for (let i = 0; i < n; i += 1) lines.push(`01/11/2026T12:00:00,ACTION_${i},SUCCESS,acc-${i % 1000},10.0.${(i >> 8) & 255}.${i & 255}`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

const times = [];
for (const n of sizes) {
  const bytes = report(n);
  const parser = new ReportParser({});
  let started = performance.now();
  parser.push(bytes);
  const push = (performance.now() - started) / 1000;
  started = performance.now();
  const summary = parser.finish();
  const finish = (performance.now() - started) / 1000;
  parser.free();
  if (Object.keys(summary.byActionStatus).length !== n) throw new Error(`expected ${n} actions`);
  times.push(finish);
  console.log(`pairs-${n} ${finish.toFixed(2)} s finish (push ${push.toFixed(2)} s)`);
}
for (let at = 1; at < times.length; at += 1) {
  const r = times[at] / times[at - 1];
  const met = r <= 2.5 * (sizes[at] / sizes[at - 1] / 2);
  console.log(`finish ${sizes[at]} ÷ ${sizes[at - 1]} pairs: ${r.toFixed(2)}× (target ≤ ${(2.5 * sizes[at] / sizes[at - 1] / 2).toFixed(1)}×: ${met ? 'met' : 'not met'})`);
}
