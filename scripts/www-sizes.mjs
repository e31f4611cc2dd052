// What the page costs to download: every HTML, JS, CSS and wasm file under www/, each gzipped (-9) as a
// static host would serve it. Used by page-figures.mjs and make bench (the target: at most 400 KB).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const WWW = fileURLToPath(new URL('../www', import.meta.url));

async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** @returns {Promise<{ own: number, vendor: number }>} bytes: the project's files, and uPlot's (www/vendor/) */
export async function gzippedSizes() {
  const served = (await filesUnder(WWW)).filter((file) => /\.(html|js|css|wasm)$/.test(file));
  let own = 0;
  let vendor = 0;
  for (const file of served) {
    const size = gzipSync(await readFile(file), { level: 9 }).length;
    if (relative(WWW, file).startsWith('vendor')) vendor += size;
    else own += size;
  }
  return { own, vendor };
}
