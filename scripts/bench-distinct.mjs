// make bench, memory side: wasm linear memory for N rows that each bring a new account id and a new IP
// address (UUIDs; IPv4 and IPv6 alternately, as OpenAthens writes them), in a fresh module, against the
// limit of at most 64 bytes per distinct value. The rows come from a seeded generator, so every run counts
// the same values.
// usage: node scripts/bench-distinct.mjs [N]
import fs from 'node:fs';
import { initSync, ReportParser } from '../www/pkg/openathens_rawstats.js';

const n = Number(process.argv[2] ?? 1_000_000);
const wasm = initSync({ module: fs.readFileSync(new URL('../www/pkg/openathens_rawstats_bg.wasm', import.meta.url)) });

// splitmix64: each row's values from its index, so rows can be made in any order and never repeat.
function mix(x) {
  x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
  x = BigInt.asUintN(64, (x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n);
  x = BigInt.asUintN(64, (x ^ (x >> 27n)) * 0x94d049bb133111ebn);
  return x ^ (x >> 31n);
}
const hex = (v, digits) => v.toString(16).padStart(digits, '0');
function uuid(i) {
  const a = mix(BigInt(i)), b = mix(a);
  const h = hex(a, 16) + hex(b, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
function ip(i) {
  if (i % 2 === 0) return `${10 + (i >>> 24)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
  const r = mix(BigInt(i) ^ 0x5555n);
  const groups = [0x2a00, 0x23c5 + (i % 7), ...[0, 1, 2, 3, 4, 5].map((k) => Number((r >> BigInt(10 * k)) & 0xffffn) | 0x1000)];
  return groups.map((g) => g.toString(16)).join(':');
}

const encoder = new TextEncoder();
const before = wasm.memory.buffer.byteLength;
const parser = new ReportParser();
parser.push(encoder.encode('date,action,status,account.accountid,request.ipaddress\n'));
let batch = '';
for (let i = 0; i < n; i++) {
  batch += `06/06/2023T10:00:00,AUTHENTICATE,SUCCESS,${uuid(i)},${ip(i)}\n`;
  if (batch.length > 60_000) { parser.push(encoder.encode(batch)); batch = ''; }
}
parser.push(encoder.encode(batch));
const summary = parser.finish();
const grown = wasm.memory.buffer.byteLength - before;
const distinct = summary.distinctAccounts + summary.distinctIps;
console.log(`distinct ${summary.distinctAccounts} accounts + ${summary.distinctIps} IPs: wasm linear memory ` +
  `${(wasm.memory.buffer.byteLength / 2 ** 20).toFixed(1)} MiB, grew ${(grown / 2 ** 20).toFixed(1)} MiB = ` +
  `${(grown / distinct).toFixed(1)} bytes per distinct value (limit 64)`);
