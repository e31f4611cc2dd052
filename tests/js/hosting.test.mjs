// docs/hosting.md's host examples (the `_headers` file and the nginx location) send the CSP with every page
// www/ holds and every worker script it starts: a worker takes its policy from the response that delivered
// its script, so a worker left out fetches anything.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const WWW = join(REPO, 'www');
const DOC = readFileSync(join(REPO, 'docs/hosting.md'), 'utf8');

/** The site's own files (not the engine's pkg/ or vendor/), as paths under www/ with a leading `/`. */
const siteFiles = readdirSync(WWW, { recursive: true })
  .map((name) => `/${name.split('\\').join('/')}`)
  .filter((path) => !path.startsWith('/pkg/') && !path.startsWith('/vendor/'));

/** Every URL path that must carry the header: each HTML page (and `/` for the index) and each worker script. */
function pathsNeedingCsp() {
  const pages = siteFiles.filter((path) => path.endsWith('.html'));
  const workers = siteFiles.filter((path) => path.endsWith('.js')).flatMap((path) => {
    const text = readFileSync(join(WWW, path), 'utf8');
    return [...text.matchAll(/new (?:Shared)?Worker\(\s*new URL\(\s*'([^']+)',\s*import\.meta\.url\s*\)/g)]
      .map((match) => posix.join(dirname(path), match[1]));
  });
  const directories = pages.filter((path) => path.endsWith('/index.html')).map((path) => path.slice(0, -'index.html'.length));
  return [...new Set([...pages, ...directories, ...workers])];
}

/** The fenced block that follows `marker` in the doc. */
function blockAfter(marker) {
  const from = DOC.indexOf(marker);
  assert.ok(from >= 0, `docs/hosting.md has no "${marker}"`);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(DOC.slice(from));
  assert.ok(match, `no example after "${marker}"`);
  return match[1];
}

/** `_headers` (Cloudflare Pages, Netlify): a path pattern at the line's start, its headers indented below. */
function headersFileCovers(block) {
  const patterns = [];
  let current = null;
  for (const line of block.split('\n')) {
    if (/^\S/.test(line)) current = line.trim();
    else if (current && /^\s+Content-Security-Policy:/i.test(line)) patterns.push(current);
  }
  // `*` (a splat) matches anything, `:name` one segment.
  const regexes = patterns.map((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/:\w+/g, '[^/]+')}$`));
  return (path) => regexes.some((regex) => regex.test(path));
}

/** nginx: the `location` blocks that add the header, by their modifier (none, `=`, `~`, `~*`, `^~`). */
function nginxCovers(block) {
  const matchers = [];
  for (const match of block.matchAll(/location\s+(?:(=|~\*|~|\^~)\s+)?(\S+)\s*\{([^}]*)\}/g)) {
    const [, modifier = '', pattern, body] = match;
    if (!/add_header\s+Content-Security-Policy\b/i.test(body)) continue;
    if (modifier === '=') matchers.push((path) => path === pattern);
    else if (modifier === '~') matchers.push((path) => new RegExp(pattern).test(path));
    else if (modifier === '~*') matchers.push((path) => new RegExp(pattern, 'i').test(path));
    else matchers.push((path) => path.startsWith(pattern));
  }
  return (path) => matchers.some((matches) => matches(path));
}

test('the pages and worker scripts www/ starts are found', () => {
  const paths = pathsNeedingCsp();
  for (const path of ['/', '/index.html', '/js/worker.js', '/js/parse-worker.js']) assert.ok(paths.includes(path), `${path} in ${paths}`);
});

for (const [name, marker, covers] of [
  ['_headers', '`_headers` file', headersFileCovers],
  ['nginx', '```nginx', nginxCovers],
]) {
  test(`docs/hosting.md's ${name} example sends the CSP with every page and every worker script`, () => {
    const covered = covers(blockAfter(marker));
    const missed = pathsNeedingCsp().filter((path) => !covered(path));
    assert.deepEqual(missed, [], `the ${name} example sends no Content-Security-Policy with these`);
  });
}
