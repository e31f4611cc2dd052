#!/usr/bin/env node
// Would workerd's own DecompressionStream('gzip') make the Worker cheaper than the wasm inflater (issue 12,
// Edge)? A report served by this process is read inside workerd four ways, runs interleaved, and each line
// gives workerd's CPU time (/proc, as worker-cpu.mjs counts it) and the wall time:
//   download  the gzip body read and dropped, which every other way pays too
//   ds        DecompressionStream alone
//   wasm      ReportParser.push of the gzip chunks: the Worker's path (inflate and parse in wasm)
//   ds-wasm   DecompressionStream, then ReportParser.push of the CSV: the candidate
// Then whether DecompressionStream takes concatenated gzip members, which reports may have. Needs make build.
// Usage: node scripts/workerd-inflate.mjs REPORT [--runs 3]

import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuMs, startWorkerd } from './workerd-process.mjs';
import { compatibilityDate } from './workerd-modules.mjs';

const PKG = fileURLToPath(new URL('../www/pkg/', import.meta.url));
const { values: args, positionals: [report] } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '3' } } });

const WORKER = `
import wasm from './openathens_rawstats_bg.wasm';
import { initSync, ReportParser } from './openathens_rawstats.js';

initSync({ module: wasm });

async function drain(stream) {
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.length;
  return { bytes };
}

async function parse(stream) {
  const parser = new ReportParser();
  try {
    for await (const chunk of stream) parser.push(chunk);
    return { rows: parser.finish().rows };
  } finally {
    parser.free();
  }
}

export default {
  async fetch(request) {
    const params = new URL(request.url).searchParams;
    if (!params.has('src')) return new Response('ready');
    const body = (await fetch(params.get('src'))).body;
    const inflated = () => body.pipeThrough(new DecompressionStream('gzip'));
    try {
      switch (params.get('way')) {
        case 'download': return Response.json(await drain(body));
        case 'ds': return Response.json(await drain(inflated()));
        case 'wasm': return Response.json(await parse(body));
        case 'ds-wasm': return Response.json(await parse(inflated()));
      }
    } catch (error) {
      return Response.json({ error: String(error) });
    }
  },
};
`;

const CONFIG = `
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker), (name = "network", network = (allow = ["local"]))],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "openathens_rawstats.js", esModule = embed "openathens_rawstats.js"),
    (name = "openathens_rawstats_bg.wasm", wasm = embed "openathens_rawstats_bg.wasm"),
  ],
  compatibilityDate = "${compatibilityDate()}",
  globalOutbound = "network",
);
`;

// Two copies of the report one after the other: two gzip members.
const files = { report: [report], members: [report, report] };
const server = createServer(async (req, res) => {
  const parts = files[req.url.slice(1)];
  const sizes = await Promise.all(parts.map(async (part) => (await stat(part)).size));
  res.writeHead(200, { 'content-length': sizes.reduce((a, b) => a + b) });
  for (const part of parts) {
    await new Promise((resolve, reject) => createReadStream(part).on('end', resolve).on('error', reject).pipe(res, { end: false }));
  }
  res.end();
}).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

const dir = await mkdtemp(join(tmpdir(), 'workerd-inflate-'));
await writeFile(join(dir, 'worker.js'), WORKER);
await writeFile(join(dir, 'config.capnp'), CONFIG);
for (const file of ['openathens_rawstats.js', 'openathens_rawstats_bg.wasm']) await copyFile(join(PKG, file), join(dir, file));
const { child, url } = await startWorkerd('config.capnp', { cwd: dir, env: { PATH: process.env.PATH } });

async function read(way, file) {
  const src = `http://127.0.0.1:${server.address().port}/${file}`;
  const before = cpuMs(child.pid);
  const started = performance.now();
  const answer = await (await fetch(`${url}/?way=${way}&src=${encodeURIComponent(src)}`)).json();
  return { cpu: cpuMs(child.pid) - before, wall: performance.now() - started, answer };
}

try {
  // Loads the Worker and compiles the wasm: not part of any way's figure.
  await fetch(url);
  for (let run = 1; run <= Number(args.runs); run += 1) {
    for (const way of ['download', 'ds', 'wasm', 'ds-wasm']) {
      const { cpu, wall, answer } = await read(way, 'report');
      console.log(`run ${run}  ${way.padEnd(8)}  workerd CPU ${String(cpu).padStart(5)} ms  wall ${wall.toFixed(0).padStart(5)} ms  ${JSON.stringify(answer)}`);
    }
  }
  for (const way of ['wasm', 'ds-wasm']) console.log(`two members, ${way}: ${JSON.stringify((await read(way, 'members')).answer)}`);
} finally {
  child.kill();
  server.close();
  await rm(dir, { recursive: true, force: true });
}
