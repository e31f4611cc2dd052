#!/usr/bin/env node
// `make package`: assembles the npm package in target/npm/ from what `make build` wrote into www/ — the wasm
// engine (pkg/), the <openathens-report> element with its worker, views, styles and uPlot — plus
// package.json (from Cargo.toml), npm/README.md, npm/embed.d.ts and the licences. www/pkg/ stays the site's
// own: nothing is written there. `npm pack target/npm` or `npm publish target/npm` then ships it.

import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const WWW = join(REPO, 'www');
const OUT = join(REPO, 'target', 'npm');

// What a host imports; everything they reach by relative import or `new URL(…, import.meta.url)` follows.
const ENTRIES = ['pkg/openathens_rawstats.js', 'embed.js'];
const EXTRA = ['pkg/openathens_rawstats.d.ts', 'pkg/openathens_rawstats_bg.wasm.d.ts', 'vendor/uPlot.LICENSE'];
const REFERENCE = [
  /\bfrom\s+'(\.{1,2}\/[^']+)'/g,
  /\bimport\s+'(\.{1,2}\/[^']+)'/g,
  /\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g,
  /new URL\(\s*'([^':]+)'\s*,\s*import\.meta\.url\s*\)/g,
];

async function exists(path) {
  return stat(path).then(() => true, () => false);
}

/** Every file under www/ that the entries reach, as paths relative to www/. */
async function reachable() {
  const found = new Set();
  const queue = [...ENTRIES];
  while (queue.length > 0) {
    const file = queue.pop();
    if (found.has(file)) continue;
    if (!(await exists(join(WWW, file)))) throw new Error(`www/${file} is missing: run make build first`);
    found.add(file);
    if (!file.endsWith('.js')) continue;
    const source = await readFile(join(WWW, file), 'utf8');
    for (const pattern of REFERENCE) {
      for (const [, target] of source.matchAll(pattern)) queue.push(posix.normalize(posix.join(posix.dirname(file), target)));
    }
  }
  return [...found, ...EXTRA].sort();
}

function cargoPackage(toml) {
  const section = toml.split(/^\[package\]$/m)[1].split(/^\[/m)[0];
  const field = (name) => section.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
  const keywords = section.match(/^keywords\s*=\s*\[([^\]]*)\]/m)?.[1].match(/"[^"]*"/g)?.map((word) => JSON.parse(word)) ?? [];
  return { version: field('version'), license: field('license'), description: field('description'), repository: field('repository'), homepage: field('homepage'), keywords };
}

const cargo = cargoPackage(await readFile(join(REPO, 'Cargo.toml'), 'utf8'));
const files = await reachable();
await rm(OUT, { recursive: true, force: true });
for (const file of files) {
  await mkdir(dirname(join(OUT, file)), { recursive: true });
  await cp(join(WWW, file), join(OUT, file));
}
await cp(join(REPO, 'npm', 'README.md'), join(OUT, 'README.md'));
await cp(join(REPO, 'npm', 'embed.d.ts'), join(OUT, 'embed.d.ts'));
for (const licence of ['LICENSE-MIT', 'LICENSE-APACHE']) await cp(join(REPO, licence), join(OUT, licence));

const manifest = {
  name: 'openathens-rawstats',
  version: cargo.version,
  description: cargo.description,
  license: cargo.license,
  ...(cargo.repository ? { repository: { type: 'git', url: cargo.repository } } : {}),
  ...(cargo.homepage ? { homepage: cargo.homepage } : {}),
  keywords: cargo.keywords,
  type: 'module',
  exports: {
    '.': { types: './pkg/openathens_rawstats.d.ts', default: './pkg/openathens_rawstats.js' },
    './element': { types: './embed.d.ts', default: './embed.js' },
    './openathens_rawstats_bg.wasm': './pkg/openathens_rawstats_bg.wasm',
    './summary.css': './css/summary.css',
    './package.json': './package.json',
  },
  main: './pkg/openathens_rawstats.js',
  types: './pkg/openathens_rawstats.d.ts',
  // Importing the element defines <openathens-report>; the engine module has no side effects.
  sideEffects: ['./embed.js'],
};
await writeFile(join(OUT, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`target/npm: openathens-rawstats@${cargo.version}, ${files.length + 5} files (${relative(REPO, OUT)})`);
