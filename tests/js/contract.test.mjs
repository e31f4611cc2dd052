// The contract stated once: the engine's own lists (errorCodes(), the report-date window, the Summary serde
// writes) against every copy that has to follow them: the page's words, the Worker's statuses, docs/api.md,
// docs/worker.md and the Summary's TypeScript type. Each check names what is missing and where.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureGenReport } from './gen-report.mjs';
import { EXPLAINED, PAGE_CODES } from '../../www/js/errors.js';
import { STATUS_OF, WORKER_CODES } from '../../worker/src/status.js';
import { REPO, ensureBuilt, loadWasm } from './fetch-harness.mjs';

ensureBuilt();
const wasm = await loadWasm();
const ENGINE_CODES = wasm.errorCodes();
const read = (path) => readFileSync(join(REPO, path), 'utf8');
const API_DOC = read('docs/api.md');
const WORKER_DOC = read('docs/worker.md');

/** The names in `names` that `isKnown` does not accept, for an assertion that lists them. */
const unknown = (names, isKnown) => names.filter((name) => !isKnown(name));

/** Every .rs or .js file below `dir` (a path in the repository), as [path, text]. */
function sources(dir, ending) {
  return readdirSync(join(REPO, dir), { recursive: true })
    .filter((name) => name.endsWith(ending))
    .map((name) => [join(dir, name), read(join(dir, name))]);
}

test('the engine lists every error code once, and raises each one somewhere', () => {
  assert.equal(new Set(ENGINE_CODES).size, ENGINE_CODES.length);
  const variants = new Map([...read('src/error.rs').matchAll(/^\s+(\w+) => "([A-Z_]+)",$/gm)].map((match) => [match[2], match[1]]));
  assert.deepEqual([...variants.keys()], ENGINE_CODES, 'src/error.rs lists other codes than errorCodes()');
  const elsewhere = sources('src', '.rs').filter(([path]) => path !== 'src/error.rs').map(([, text]) => text).join('\n');
  const unraised = ENGINE_CODES.filter((code) => !elsewhere.includes(`ErrorCode::${variants.get(code)}`));
  assert.deepEqual(unraised, [], 'no code in src/ outside error.rs raises these');
});

test("the page's JavaScript keeps no copy of the engine's messages or progress pace", () => {
  const copies = sources('www', '.js').filter(([path]) => !path.startsWith('www/pkg') && !path.startsWith('www/vendor')).flatMap(([path, text]) => [
    ...(/The report was cancelled|Reading the report stopped/.test(text) ? [`${path} words the engine's ABORTED or TRUNCATED itself (abortedError(), truncatedError())`] : []),
    ...(/PROGRESS_EVERY_MS|EVERY_MS\s*=/.test(text) ? [`${path} keeps a progress pace of its own (progressEveryMs())`] : []),
  ]);
  assert.deepEqual(copies, []);
  assert.equal(typeof wasm.progressEveryMs(), 'number');
  assert.equal(wasm.abortedError().code, 'ABORTED');
  assert.match(wasm.truncatedError(12, new Error('gone')).message, /after 12 bytes \("gone"\)/);
});

test("docs/api.md's error table is exactly the engine's codes", () => {
  const section = API_DOC.slice(API_DOC.indexOf('## Errors'), API_DOC.indexOf('\n## ', API_DOC.indexOf('## Errors') + 1));
  const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
  assert.deepEqual(documented, ENGINE_CODES, 'docs/api.md "Errors" lists codes other than errorCodes(), or in another order');
});

test("the page has words for every engine code, and its own codes are documented", () => {
  const explained = Object.keys(EXPLAINED);
  assert.deepEqual(unknown(ENGINE_CODES, (code) => explained.includes(code)), [], 'www/js/errors.js EXPLAINED has no words for these engine codes');
  assert.deepEqual(
    unknown(explained, (code) => ENGINE_CODES.includes(code) || PAGE_CODES.includes(code)),
    [],
    'www/js/errors.js explains codes that are neither engine codes nor in its PAGE_CODES',
  );
  assert.deepEqual(unknown(PAGE_CODES, (code) => API_DOC.includes(`\`${code}\``)), [], 'page codes docs/api.md does not name');
});

test('the Worker has a status for every engine code, and documents its own codes', () => {
  const statuses = Object.keys(STATUS_OF);
  assert.deepEqual(unknown(ENGINE_CODES, (code) => statuses.includes(code)), [], 'worker/src/status.js STATUS_OF has no status for these engine codes');
  const known = (code) => ENGINE_CODES.includes(code) || WORKER_CODES.includes(code);
  assert.deepEqual(unknown(statuses, known), [], 'STATUS_OF has codes that are neither engine codes nor WORKER_CODES');
  const source = readdirSync(join(REPO, 'worker/src')).map((file) => read(`worker/src/${file}`)).join('\n');
  const answered = [...new Set([...source.matchAll(/errorResponse\(\d{3}, '([A-Z_]+)'/g)].map((match) => match[1]))];
  assert.ok(answered.includes('BAD_PATH'), `the scan found no Worker codes: ${answered}`);
  assert.deepEqual(unknown(answered, known), [], "codes the Worker answers with that are neither engine codes nor in status.js's WORKER_CODES");
  assert.deepEqual(unknown(WORKER_CODES, (code) => WORKER_DOC.includes(`\`${code}\``)), [], 'Worker codes docs/worker.md does not name');
});

test('reportDateWindow gives exactly the dates validateReportDate accepts', () => {
  const now = Date.UTC(2024, 2, 1, 23, 59, 59);
  const { min, max } = wasm.reportDateWindow(now);
  assert.deepEqual({ min, max }, { min: '2024-01-31', max: '2024-02-29' });
  const day = (text, delta) => new Date(Date.parse(`${text}T00:00:00Z`) + delta * 86_400_000).toISOString().slice(0, 10);
  for (const inside of [min, max]) assert.equal(wasm.validateReportDate(inside, now), inside);
  for (const outside of [day(min, -1), day(max, 1)]) {
    assert.throws(() => wasm.validateReportDate(outside, now), { code: 'DATE_OUT_OF_RANGE' });
  }
  assert.throws(() => wasm.reportDateWindow(Number.NaN), { code: 'BAD_DATE' });
});

test('canonicalOrigin spells an origin one way, and refuses what is not one', () => {
  assert.equal(wasm.canonicalOrigin(' HTTPS://Library.Example.edu:443/ '), 'https://library.example.edu');
  assert.equal(wasm.canonicalOrigin('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
  assert.equal(wasm.canonicalOrigin('null'), undefined);
});

test('fetchReportDefaults are the documented defaults', () => {
  const defaults = wasm.fetchReportDefaults();
  for (const [option, value] of Object.entries(defaults)) {
    const row = API_DOC.split('\n').find((line) => line.startsWith(`| \`${option}\` |`));
    assert.ok(row, `docs/api.md has no row for ${option}`);
    const shown = typeof value === 'string' ? `\`${value}\`` : String(value);
    assert.ok(row.includes(`| ${shown} |`), `docs/api.md gives ${option} another default than ${shown}: ${row}`);
  }
});

/** The property names of `interface <name> { ... }` in a .d.ts: its own, not those of nested object types. */
function typeKeys(dts, name) {
  const start = dts.indexOf(`export interface ${name} {`);
  assert.ok(start >= 0, `no interface ${name} in the .d.ts`);
  const keys = [];
  let depth = 0;
  let member = '';
  for (const char of dts.slice(dts.indexOf('{', start)).replace(/\/\*[\s\S]*?\*\//g, '')) {
    if (char === '{') depth += 1;
    if (char === '}') depth -= 1;
    if (depth === 0) break;
    if (depth === 1 && char !== '{') member += char;
    const name = /^[\s;]*(\w+)\??:$/.exec(member)?.[1];
    if (name) keys.push(name);
    if (name || (depth === 1 && /[;\n]/.test(char))) member = '';
  }
  return keys;
}

test("the Summary's TypeScript type has every key serde writes, and a real Summary compiles against it", () => {
  const report = execFileSync(ensureGenReport(), ['--rows', '400', '--seed', '9', '--date', '2023-06-06', '--out', '-', '--plain']);
  const summary = wasm.summarize(report);
  const dts = read('www/pkg/openathens_rawstats.d.ts');
  const typed = typeKeys(dts, 'Summary');
  assert.deepEqual(unknown(Object.keys(summary), (key) => typed.includes(key)), [], "Summary keys serde writes that the Summary type (src/wasm/exports.rs) lacks");
  assert.deepEqual(unknown(typed, (key) => Object.hasOwn(summary, key)), [], 'Summary type keys serde does not write');
  const keysTable = read('docs/summary.md').split('\n## ')[1];
  assert.deepEqual(unknown(Object.keys(summary), (key) => keysTable.includes(`\`${key}\``)), [], 'Summary keys docs/summary.md\'s "Keys" does not name');
  assert.ok(keysTable.includes(`| \`schemaVersion\` | ${summary.schemaVersion} |`), `docs/summary.md gives another schemaVersion than ${summary.schemaVersion}`);
  const resource = typeKeys(dts, 'Resource');
  assert.deepEqual(unknown(Object.keys(summary.resources[0]), (key) => resource.includes(key)), [], 'resource keys the Resource type lacks');

  // tsc checks the rest: nested shapes, value types, and (as object literals) no key the type lacks.
  const dir = mkdtempSync(join(tmpdir(), 'summary-type-'));
  try {
    const fixture = read('tests/fixtures/sample-summary.json');
    writeFileSync(join(dir, 'check.ts'), [
      `import type { Summary } from ${JSON.stringify(join(REPO, 'www/pkg/openathens_rawstats.js'))};`,
      `export const real: Summary = ${JSON.stringify(summary)};`,
      `export const fixture: Summary = ${fixture};`,
    ].join('\n'));
    const tsc = join(REPO, 'node_modules/.bin/tsc');
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'esnext,dom', join(dir, 'check.ts')];
    try {
      execFileSync(tsc, args, { encoding: 'utf8' });
    } catch (error) {
      assert.fail(`a Summary (serde's, or tests/fixtures/sample-summary.json) does not compile as the Summary type:\n${error.stdout}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Chromium is named in one place: tests/js/chromium.mjs, from $CHROMIUM', () => {
  const sources = [...['tests/js', 'scripts'].flatMap((dir) => readdirSync(join(REPO, dir)).map((file) => `${dir}/${file}`))]
    .filter((path) => /\.m?js$/.test(path) && path !== 'tests/js/chromium.mjs');
  // Built so that this file does not name it either.
  const path = ['', 'usr', 'bin', 'chromium'].join('/');
  assert.deepEqual(sources.filter((source) => read(source).includes(path)), [], 'these name the Chromium binary themselves; import CHROMIUM from tests/js/chromium.mjs');
});


test("the element's attributes are the same in embed.js, its TypeScript type and docs/embedding.md", () => {
  const observed = JSON.parse(/static observedAttributes = (\[[^\]]*\])/.exec(read('www/embed.js'))[1].replaceAll("'", '"'));
  const typed = /interface OpenAthensReportAttributes \{([^}]*)\}/.exec(read('npm/embed.d.ts'))[1];
  const typedNames = [...typed.matchAll(/^\s+'?([a-z-]+)'?\??:/gm)].map((match) => match[1]);
  const documented = [...read('docs/embedding.md').matchAll(/^\| `([a-z-]+)` \|/gm)].map((match) => match[1]);
  assert.deepEqual(typedNames.toSorted(), observed.toSorted(), 'npm/embed.d.ts OpenAthensReportAttributes differs from observedAttributes');
  assert.deepEqual(documented.toSorted(), observed.toSorted(), "docs/embedding.md's attribute table differs from observedAttributes");
});

test("the Worker redacts with the engine's redactKey, and keeps no redaction of its own", () => {
  const copies = sources('worker/src', '.js').flatMap(([path, text]) => [
    ...(/\[redacted\]/.test(text) ? [`${path} writes '[redacted]' itself`] : []),
    // Redacting replaces every match: a global regex on the scheme, or a split and join on the key.
    ...(/\/[^/\n]*OAApiKey[^/\n]*\/[a-z]*g/i.test(text) ? [`${path} replaces OAApiKey credentials with a regex of its own`] : []),
    ...(/\.split\([^)]*\)\.join\(/.test(text) ? [`${path} replaces a key with split and join`] : []),
  ]);
  assert.deepEqual(copies, [], 'redaction is redactKey (src/api/redact.rs), as fetchReport does it');
  assert.match(read('worker/src/proxy.js'), /import \{[^}]*\bredactKey\b[^}]*\} from '\.\.\/\.\.\/www\/pkg\/openathens_rawstats\.js'/);
  assert.equal(wasm.redactKey('a "OAApiKey k/1;x y" k\\/1;x%20y', 'k/1;x y'), 'a "OAApiKey [redacted]" [redacted]');
});
