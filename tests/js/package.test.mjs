// The npm package (`make package` -> target/npm/) as a portal developer uses it: installed into an app's
// node_modules, the engine in Node with initSync, a README-shaped TypeScript file compiled with lib es2022
// (and misuse refused), and <openathens-report> in a Vite production build and the Vite dev server, driven
// in Chromium against the demo API. Needs `make package` and gen-report (built here unless GEN_REPORT names one).

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { build, createServer as createViteServer } from 'vite';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = join(REPO, 'target', 'npm');
const DATE = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

let app;
let demo;
let browser;
const servers = [];

const README_SHAPED = `
import init, { fetchReport, initSync, summarize, ReportParser, type ProgressInfo, type RawStatsError } from 'openathens-rawstats';
import 'openathens-rawstats/element';

export async function day(apiKey: string): Promise<number> {
  await init();
  const onProgress = (progress: ProgressInfo) => { if (progress.phase === 'downloading') console.log(progress.bytes); };
  const summary = await fetchReport({ apiName: 'example.org', apiKey, date: '2026-11-24', onProgress });
  const many = await fetchReport({ apiName: 'example.org', keys: [{ label: 'Library', key: apiKey }], date: '2026-11-24' });
  const failed = many.parts.flatMap((part) => ('error' in part ? [part.error.code] : []));
  if (failed.includes('AUTH')) return -1;
  return summary.rows + many.merged.rows;
}

export function local(bytes: Uint8Array, wasm: BufferSource): number {
  initSync({ module: wasm });
  const parser = new ReportParser();
  parser.push(bytes);
  const rows = parser.finish().rows + summarize(bytes).authentications.failed;
  parser.free();
  return rows;
}

export function isAuth(error: unknown): boolean {
  return (error as RawStatsError).code === 'AUTH';
}

const element = document.querySelector('openathens-report')!;
element.setAttribute('api-name', 'example.org');
element.apiKey = 'key';
element.addEventListener('report', (event) => console.log('merged' in event.detail ? event.detail.merged?.rows : event.detail.rows));
element.addEventListener('reporterror', (event) => console.log(event.detail.code === 'ENGINE_UNAVAILABLE', event.detail.message));
`;

// Each line must fail to compile, with this error: the types say what the API does.
const MISUSE = [
  ["await fetchReport({ apiName: 'a', date: 'd' });", 'TS2769'],
  ["await fetchReport({ apiName: 'a', date: 'd', apiKey: 'k', keys: [] });", 'TS2769'],
  ["(await fetchReport({ apiName: 'a', date: 'd', keys: [] })).rows;", 'TS2339'],
  ["(await fetchReport({ apiName: 'a', date: 'd', apiKey: 'k' })).merged;", 'TS2339'],
  ["const p: ProgressInfo['phase'] = 'parse';", 'TS2322'],
  ["const c: RawStatsError['code'] = 'UNAUTHORIZED';", 'TS2322'],
  ["document.querySelector('openathens-report')!.addEventListener('reporterror', (e) => e.detail.code === 'OOPS');", 'TS2367'],
];

function tsc(dir, files) {
  const args = ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', '--module', 'nodenext', '--moduleResolution', 'nodenext', ...files];
  return spawnSync(join(REPO, 'node_modules', '.bin', 'tsc'), args, { cwd: dir, encoding: 'utf8' }).stdout;
}

async function serveDir(root, { missing } = {}) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path.includes('..') || (missing && missing.test(path))) return res.writeHead(404).end();
    try {
      const body = await readFile(join(root, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'Content-Type': MIME[extname(path)] ?? 'text/html' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}/`;
}

// Opens the app, sets the element's attributes and key, and resolves to its report or reporterror.
async function runElement(url, { key = demo.keys[0].key } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  const outcome = await page.evaluate(([apiName, baseUrl, date, apiKey]) => new Promise((resolve) => {
    const element = document.querySelector('openathens-report');
    element.addEventListener('report', (event) => resolve({ rows: event.detail.rows, heading: element.shadowRoot.querySelector('h2')?.textContent }));
    element.addEventListener('reporterror', (event) => resolve({ error: event.detail }));
    element.setAttribute('api-name', apiName);
    element.setAttribute('api-base-url', baseUrl);
    element.setAttribute('date', date);
    element.apiKey = apiKey;
  }), [demo.apiName, demo.baseUrl, DATE, key]);
  await page.close();
  assert.deepEqual(problems, []);
  return outcome;
}

before(async () => {
  ensureGenReport();
  app = await mkdtemp(join(tmpdir(), 'package-test-'));
  // Installed as npm would: a copy in the app's node_modules, not a link into the repository.
  await mkdir(join(app, 'node_modules'));
  await cp(PACKAGE, join(app, 'node_modules', 'openathens-rawstats'), { recursive: true });
  await writeFile(join(app, 'package.json'), '{"type": "module", "private": true}\n');
  await writeFile(join(app, 'index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portal</title><script type="module" src="./main.js"></script></head>
<body><h1>Library portal</h1><openathens-report></openathens-report></body></html>
`);
  await writeFile(join(app, 'main.js'), "import 'openathens-rawstats/element';\n");
  demo = await startDemoApi({ defaultRows: 3000 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.close();
  for (const server of servers) server.close();
  if (app) await rm(app, { recursive: true, force: true });
});

test('the package holds the engine, the element with its worker, styles and uPlot, and the licences; www/pkg stays the site’s', async () => {
  const manifest = JSON.parse(await readFile(join(PACKAGE, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'openathens-rawstats');
  assert.equal(manifest.license, 'MIT OR Apache-2.0');
  for (const target of Object.values(manifest.exports).flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.values(entry)))) {
    await readFile(join(PACKAGE, target));
  }
  for (const file of ['js/worker.js', 'css/embed.css', 'vendor/uPlot.esm.js', 'vendor/uPlot.LICENSE', 'LICENSE-MIT', 'LICENSE-APACHE', 'README.md']) {
    await readFile(join(PACKAGE, file));
  }
  assert.match(await readFile(join(PACKAGE, 'LICENSE-APACHE'), 'utf8'), /Apache License\s+Version 2\.0/);
  const strays = (await readdir(join(REPO, 'www', 'pkg'))).filter((name) => !name.startsWith('openathens_rawstats'));
  assert.deepEqual(strays, [], 'www/pkg holds only the engine (wasm-pack writes package.json, README.md and .gitignore there: delete them)');
});

test('in Node, initSync and summarize work from the installed package', () => {
  const report = join(app, 'day.csv.gz');
  const truth = join(app, 'day.truth.json');
  execFileSync(ensureGenReport(), ['--rows', '2000', '--seed', '3', '--date', DATE, '--out', report, '--truth', truth]);
  const script = `
import { readFileSync } from 'node:fs';
import { initSync, summarize } from 'openathens-rawstats';
initSync({ module: readFileSync(new URL(import.meta.resolve('openathens-rawstats/openathens_rawstats_bg.wasm'))) });
console.log(JSON.stringify(summarize(readFileSync(${JSON.stringify(report)}))));`;
  const summary = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' }));
  return readFile(truth, 'utf8').then((text) => assert.deepEqual(summary, JSON.parse(text)));
});

test('in Node, importing openathens-rawstats/element (server-side rendering) defines nothing and does not throw', () => {
  const script = "const module = await import('openathens-rawstats/element'); console.log(Object.keys(module).length, typeof customElements);";
  assert.equal(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' }).trim(), '0 undefined');
});

test('the types: a README-shaped file compiles with lib es2022, and each misuse is refused', async () => {
  await writeFile(join(app, 'readme.ts'), README_SHAPED);
  assert.equal(tsc(app, ['readme.ts']), '');

  const header = "import { fetchReport, type ProgressInfo, type RawStatsError } from 'openathens-rawstats';\nimport 'openathens-rawstats/element';\n";
  await writeFile(join(app, 'misuse.ts'), `${header}${MISUSE.map(([line]) => line).join('\n')}\nexport {};\n`);
  const output = tsc(app, ['misuse.ts']);
  MISUSE.forEach(([line, code], index) => {
    assert.match(output, new RegExp(`misuse\\.ts\\(${index + 3},\\d+\\): error ${code}`), `line ${index + 3} (${line}) is refused with ${code}:\n${output}`);
  });

  // The union of codes is the engine's own list.
  const codes = (source, pattern) => [...source.matchAll(pattern)].map((match) => match[1]).sort();
  const declared = (await readFile(join(PACKAGE, 'pkg', 'openathens_rawstats.d.ts'), 'utf8')).match(/export type ErrorCode =([^;]+);/)[1];
  assert.deepEqual(codes(declared, /"([A-Z_]+)"/g), codes(await readFile(join(REPO, 'src', 'error.rs'), 'utf8'), /=> "([A-Z_]+)",/g));
});

test('Vite: a production build of an app using the element fetches a day in Chromium; without the wasm, reporterror says ENGINE_UNAVAILABLE', async () => {
  const outDir = join(app, 'dist');
  await build({ root: app, configFile: false, logLevel: 'error', build: { outDir } });
  const assets = await readdir(join(outDir, 'assets'));
  assert.ok(assets.some((name) => /^worker-.*\.js$/.test(name)), `the worker is bundled as a file: ${assets}`);
  assert.ok(assets.some((name) => name.endsWith('.wasm')), `the wasm is emitted: ${assets}`);

  const url = await serveDir(outDir);
  const truth = await demo.truth({ date: DATE });
  assert.deepEqual(await runElement(url), { rows: truth.rows, heading: `Summary for ${DATE}` });
  assert.equal((await runElement(url, { key: 'not-a-key' })).error.code, 'AUTH');

  const broken = await runElement(await serveDir(outDir, { missing: /\.wasm$/ }));
  assert.equal(broken.error?.code, 'ENGINE_UNAVAILABLE', JSON.stringify(broken));
});

// Vite 8 pre-bundles the package correctly either way; Vite 7's esbuild pre-bundling is what needs the
// exclude (checked by hand: "expected magic word 00 61 73 6d" without it). This test holds the README's
// config to working, and the element to working from unbundled sources.
test('Vite dev server: the element works with the README’s config', async () => {
  const server = await createViteServer({
    root: app,
    configFile: false,
    logLevel: 'error',
    optimizeDeps: { exclude: ['openathens-rawstats'] },
    server: { host: '127.0.0.1', port: 0 },
  });
  await server.listen();
  try {
    const truth = await demo.truth({ date: DATE });
    assert.deepEqual(await runElement(server.resolvedUrls.local[0]), { rows: truth.rows, heading: `Summary for ${DATE}` });
  } finally {
    await server.close();
  }
});
