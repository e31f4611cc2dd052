// The demo reports API (demo-api/) against the behaviour of the OpenAthens reference, its scenario
// switches and its static files. Needs gen-report: built here unless GEN_REPORT names one.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { ensureGenReport, startDemoApi } from '../../demo-api/server.mjs';

const API = 'demo.openathens.test';
const TASK_TYPE = 'application/vnd.eduserv.iam.reports.task-v1+json';
const ROWS = 400;
const DAY_MS = 86_400_000;

// The demo's clock, fixed for the run: the window's edges are tested, and must not move at midnight UTC.
const NOW = new Date();
const now = () => NOW;

function daysAgo(n) {
  return new Date(NOW.getTime() - n * DAY_MS).toISOString().slice(0, 10);
}
const YESTERDAY = daysAgo(1);

let demo;
let staticRoot;
let outside;
const logLines = [];
let nonce = 0;

before(async () => {
  ensureGenReport();
  outside = await mkdtemp(join(tmpdir(), 'demo-api-test-'));
  staticRoot = join(outside, 'www');
  await mkdir(join(staticRoot, 'sub'), { recursive: true });
  await writeFile(join(staticRoot, 'index.html'), '<!doctype html><title>page</title>');
  await writeFile(join(staticRoot, 'app.js'), 'export const x = 1;\n');
  await writeFile(join(staticRoot, 'mod.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  await writeFile(join(staticRoot, 'sub', 'index.html'), 'sub page');
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await symlink(join(outside, 'secret.txt'), join(staticRoot, 'leak.txt'));
  demo = await startDemoApi({ root: staticRoot, defaultRows: ROWS, now, log: (line) => logLines.push(line) });
});

after(async () => {
  await demo?.close();
  if (outside) await rm(outside, { recursive: true, force: true });
});

// A scenario base URL of its own, so counters never leak between tests.
function scenario(switches) {
  nonce += 1;
  return demo.scenarioUrl(`${switches}${switches ? ',' : ''}id=t${nonce}`);
}

function api(base, key = 'demo-key', headers = {}) {
  const auth = key === null ? {} : { Authorization: `OAApiKey ${key}` };
  return (path) => fetch(`${base}${path}`, { headers: { ...auth, ...headers } });
}

async function startTask(base = demo.baseUrl, date = YESTERDAY, key = 'demo-key') {
  const res = await api(base, key)(`/${API}/rawreport?date=${date}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), TASK_TYPE);
  return res.json();
}

function link(doc, rel) {
  return doc.links.find((l) => l.rel === rel)?.href;
}

async function authGet(href, key = 'demo-key') {
  return fetch(href, { headers: { Authorization: `OAApiKey ${key}` } });
}

// Follows a task to FINISHED and downloads its report.
async function fetchReportBytes(base = demo.baseUrl, date = YESTERDAY, key = 'demo-key') {
  let doc = await startTask(base, date, key);
  while (doc.status === 'RUNNING') doc = await (await authGet(link(doc, 'SELF'), key)).json();
  assert.equal(doc.status, 'FINISHED');
  const res = await authGet(link(doc, 'DOWN'), key);
  assert.equal(res.status, 200);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

// A request with a raw path and Host header, which fetch would normalise or refuse.
function rawGet(path, headers = {}) {
  const { port } = new URL(demo.url);
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    }).on('error', reject).end();
  });
}

function gzipMembers(bytes) {
  let at = 0;
  let members = 0;
  while (at < bytes.length) {
    assert.equal(bytes[at], 0x1f);
    assert.equal(bytes[at + 1], 0x8b);
    const headerEnd = at + 10 + (bytes[at + 3] & 0x08 ? bytes.indexOf(0, at + 10) + 1 - (at + 10) : 0);
    const { engine } = inflateRawSync(bytes.subarray(headerEnd), { info: true });
    at = headerEnd + engine.bytesWritten + 8;
    members += 1;
  }
  return members;
}

async function expectError(res, status) {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const body = await res.json();
  assert.equal(body.status, status);
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 10, body.message);
  return body;
}

describe('the task flow', () => {
  test('a FINISHED task at once, with an absolute DOWN link on the server host', async () => {
    const doc = await startTask();
    assert.deepEqual(Object.keys(doc), ['percentComplete', 'status', 'links', 'id']);
    assert.equal(doc.status, 'FINISHED');
    assert.equal(doc.percentComplete, 100);
    assert.deepEqual(doc.links, [{
      href: `${demo.baseUrl}/${API}/rawreport/${doc.id}`,
      rel: 'DOWN',
      type: 'application/vnd.eduserv.iam.reports.report-v1+json',
      method: 'get',
    }]);
  });

  test('RUNNING for the polls asked for, with rising percentComplete, then FINISHED; links keep the prefix', async () => {
    const base = scenario('running=3');
    const docs = [await startTask(base)];
    while (docs.at(-1).status === 'RUNNING') {
      const self = link(docs.at(-1), 'SELF');
      assert.equal(self, `${base}/${API}/rawtask/${docs[0].id}`);
      const res = await authGet(self);
      assert.equal(res.headers.get('content-type'), TASK_TYPE);
      docs.push(await res.json());
    }
    assert.deepEqual(docs.map((d) => d.status), ['RUNNING', 'RUNNING', 'RUNNING', 'FINISHED']);
    assert.deepEqual(docs.map((d) => d.percentComplete), [25, 50, 75, 100]);
    assert.ok(docs.every((d) => d.id === docs[0].id));
    assert.equal(link(docs[3], 'DOWN'), `${base}/${API}/rawreport/${docs[0].id}`);
  });

  test('links are built on the Host header the client used', async () => {
    const { port } = new URL(demo.url);
    const res = await rawGet(`/api/v1/${API}/rawreport?date=${YESTERDAY}`, {
      Host: `localhost:${port}`,
      Authorization: 'OAApiKey demo-key',
    });
    const doc = JSON.parse(res.body);
    assert.equal(link(doc, 'DOWN'), `http://localhost:${port}/api/v1/${API}/rawreport/${doc.id}`);
  });

  test('the download is a gzip CSV with the report header, named by ?filename=', async () => {
    const doc = await startTask();
    const res = await authGet(`${link(doc, 'DOWN')}?filename=rawstats_${YESTERDAY}.csv.gz`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="rawstats_${YESTERDAY}.csv.gz"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    const csv = gunzipSync(bytes).toString('utf8');
    const header = csv.slice(0, csv.indexOf('\n')).replace(/\r$/, '').split(',');
    for (const name of ['date', 'action', 'status', 'account.accountid', 'request.ipaddress']) {
      assert.ok(header.includes(name), `header has ${name}: ${header}`);
    }
    const truth = await demo.truth({ date: YESTERDAY });
    assert.equal(truth.rows, ROWS);
    assert.deepEqual(truth.columns, header);
  });

  test('a filename cannot inject a header', async () => {
    const doc = await startTask();
    const res = await authGet(`${link(doc, 'DOWN')}?filename=${encodeURIComponent('a"b\r\nX-Evil: 1.csv')}`);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="a_b__X-Evil__1.csv"');
    assert.equal(res.headers.get('x-evil'), null);
    await res.arrayBuffer();
  });

  test('the same bytes for the same date; other dates and sub-organisations differ', async () => {
    const first = (await fetchReportBytes()).bytes;
    const again = (await fetchReportBytes()).bytes;
    assert.ok(first.equals(again));
    const otherDate = (await fetchReportBytes(demo.baseUrl, daysAgo(2))).bytes;
    assert.ok(!first.equals(otherDate));
    const library = (await fetchReportBytes(demo.baseUrl, YESTERDAY, 'demo-key-library')).bytes;
    const medicine = (await fetchReportBytes(demo.baseUrl, YESTERDAY, 'demo-key-medicine')).bytes;
    assert.ok(!first.equals(library));
    assert.ok(!library.equals(medicine));
  });

  test('the oldest date of the window is served', async () => {
    const doc = await startTask(demo.baseUrl, daysAgo(30));
    assert.equal(doc.status, 'FINISHED');
  });
});

describe('a report still being generated', () => {
  let eager;
  before(async () => {
    eager = await startDemoApi({ root: staticRoot, defaultRows: 3000, generationWaitMs: 0, now });
  });
  after(() => eager?.close());

  test('keeps its task RUNNING until it is ready, then the same report is FINISHED at once', async () => {
    let doc = await startTask(eager.baseUrl);
    assert.equal(doc.status, 'RUNNING');
    const percents = [doc.percentComplete];
    while (doc.status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      doc = await (await authGet(link(doc, 'SELF'))).json();
      percents.push(doc.percentComplete);
    }
    assert.equal(doc.status, 'FINISHED');
    assert.ok(percents.every((p, i) => i === 0 || p >= percents[i - 1]), `${percents}`);
    assert.equal((await authGet(link(doc, 'DOWN'))).status, 200);
    assert.equal((await startTask(eager.baseUrl)).status, 'FINISHED');
  });
});

describe('refusals', () => {
  const report = `/${API}/rawreport?date=${YESTERDAY}`;

  test('401 without a key or with an unknown one', async () => {
    const missing = await expectError(await api(demo.baseUrl, null)(report), 401);
    assert.match(missing.message, /OAApiKey/);
    const unknown = await expectError(await api(demo.baseUrl, 'not-a-key')(report), 401);
    assert.ok(!unknown.message.includes('not-a-key'));
    await expectError(await fetch(`${demo.baseUrl}${report}`, { headers: { Authorization: 'Bearer demo-key' } }), 401);
  });

  test('403 for a key of another API name, 404 for an unknown API name', async () => {
    await expectError(await api(demo.baseUrl, 'other-key')(report), 403);
    const unknown = await expectError(await api(demo.baseUrl)(`/nobody.example/rawreport?date=${YESTERDAY}`), 404);
    assert.match(unknown.message, /nobody\.example/);
  });

  test('400 for a missing, malformed or impossible date, or one outside the window', async () => {
    for (const query of ['', '?date=', '?date=2024-1-5', '?date=05/01/2024', `?date=${YESTERDAY.slice(0, 4)}-02-30`]) {
      await expectError(await api(demo.baseUrl)(`/${API}/rawreport${query}`), 400);
    }
    for (const date of [daysAgo(0), daysAgo(31), daysAgo(-1)]) {
      const body = await expectError(await api(demo.baseUrl)(`/${API}/rawreport?date=${date}`), 400);
      assert.match(body.message, /from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d/);
    }
  });

  test('task and download links need the key of the org that started the task', async () => {
    const doc = await startTask(scenario('running=1'));
    const self = link(doc, 'SELF');
    await expectError(await fetch(self), 401);
    await expectError(await authGet(self, 'demo-key-library'), 404);
    await expectError(await authGet(self.replace('/rawtask/', '/rawreport/')), 404);
    const finished = await (await authGet(self)).json();
    const down = link(finished, 'DOWN');
    await expectError(await fetch(down), 401);
    await expectError(await authGet(down, 'other-key'), 403);
    await expectError(await authGet(down, 'demo-key-medicine'), 404);
    assert.equal((await authGet(down)).status, 200);
  });

  test('404 for an unknown task, an unknown path, and a task seen from another scenario', async () => {
    await expectError(await api(demo.baseUrl)(`/${API}/rawtask/00000000-0000-0000-0000-000000000000`), 404);
    await expectError(await api(demo.baseUrl)(`/${API}/summary`), 404);
    const doc = await startTask(scenario('running=1'));
    await expectError(await authGet(`${demo.baseUrl}/${API}/rawtask/${doc.id}`), 404);
  });

  test('405 for methods other than GET', async () => {
    const res = await fetch(`${demo.baseUrl}${report}`, { method: 'POST', headers: { Authorization: 'OAApiKey demo-key' } });
    await expectError(res, 405);
  });

  test('no API key ever reaches the log', () => {
    assert.ok(logLines.length > 10);
    for (const line of logLines) assert.ok(!/demo-key|other-key|not-a-key/.test(line), line);
  });
});

describe('CORS', () => {
  test('a preflight is answered with 204 and the headers a cross-origin page needs', async () => {
    const res = await fetch(`${scenario('running=1')}/${API}/rawreport?date=${YESTERDAY}`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://page.example:5173',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://page.example:5173');
    assert.match(res.headers.get('access-control-allow-headers'), /Authorization/i);
    assert.match(res.headers.get('access-control-allow-methods'), /GET/);
  });

  test('responses carry the origin, and expose the download headers', async () => {
    const res = await api(demo.baseUrl, 'demo-key', { Origin: 'http://page.example' })(`/${API}/rawreport?date=${YESTERDAY}`);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://page.example');
    assert.match(res.headers.get('vary'), /Origin/);
    assert.match(res.headers.get('access-control-expose-headers'), /Content-Length/);
    assert.match(res.headers.get('access-control-expose-headers'), /Retry-After/);
    const noOrigin = await api(demo.baseUrl, null)(`/${API}/rawreport?date=${YESTERDAY}`);
    assert.equal(noOrigin.headers.get('access-control-allow-origin'), '*');
  });
});

describe('fault switches', () => {
  test('status=503x2: the first two requests of the flow fail, the rest succeed', async () => {
    const base = scenario('status=503x2');
    const call = api(base);
    await expectError(await call(`/${API}/rawreport?date=${YESTERDAY}`), 503);
    await expectError(await call(`/${API}/rawreport?date=${YESTERDAY}`), 503);
    assert.equal((await call(`/${API}/rawreport?date=${YESTERDAY}`)).status, 200);
  });

  test('status=500, 502 and 504 fail once; counters belong to each scenario string', async () => {
    for (const code of [500, 502, 504]) {
      const base = scenario(`status=${code}`);
      await expectError(await api(base)(`/${API}/rawreport?date=${YESTERDAY}`), code);
      const { bytes } = await fetchReportBytes(base);
      assert.ok(gunzipSync(bytes).length > 0);
    }
  });

  test('faults count every request of the flow, polls and download included', async () => {
    const base = scenario('running=1,status=502x3');
    const call = api(base);
    for (let i = 0; i < 3; i++) await expectError(await call(`/${API}/rawreport?date=${YESTERDAY}`), 502);
    const { bytes } = await fetchReportBytes(base);
    assert.ok(bytes.length > 0);
  });

  test('rate=2: two 429s with Retry-After: 1, then the task', async () => {
    const call = api(scenario('rate=2'));
    for (let i = 0; i < 2; i++) {
      const res = await call(`/${API}/rawreport?date=${YESTERDAY}`);
      assert.equal(res.headers.get('retry-after'), '1');
      await expectError(res, 429);
    }
    assert.equal((await call(`/${API}/rawreport?date=${YESTERDAY}`)).status, 200);
  });

  test('never-finish: RUNNING for ever, percentComplete rising but never 100', async () => {
    let doc = await startTask(scenario('never-finish'));
    const percents = [doc.percentComplete];
    for (let i = 0; i < 30; i++) {
      doc = await (await authGet(link(doc, 'SELF'))).json();
      assert.equal(doc.status, 'RUNNING');
      percents.push(doc.percentComplete);
    }
    assert.ok(percents.every((p, i) => p < 100 && (i === 0 || p >= percents[i - 1])));
    assert.ok(percents.at(-1) > percents[0]);
  });

  test('cut=50: the body stops near half way and the connection is destroyed', async () => {
    const base = scenario('cut=50');
    const doc = await startTask(base);
    const res = await authGet(link(doc, 'DOWN'));
    const total = Number(res.headers.get('content-length'));
    const reader = res.body.getReader();
    let received = 0;
    await assert.rejects(async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
      }
    });
    assert.equal(received, Math.floor(total / 2));
  });

  test('corrupt: the same length, one byte different, and gunzip refuses it', async () => {
    const good = (await fetchReportBytes()).bytes;
    const bad = (await fetchReportBytes(scenario('corrupt'))).bytes;
    assert.equal(bad.length, good.length);
    const differing = [...bad].filter((b, i) => b !== good[i]).length;
    assert.equal(differing, 1);
    assert.throws(() => gunzipSync(bad));
  });

  test('slow: the download is throttled and arrives in many chunks', async () => {
    const { bytes } = await fetchReportBytes();
    const kbPerSecond = Math.max(1, Math.ceil(bytes.length / 1024 / 0.8));
    const expectedMs = (bytes.length / (kbPerSecond * 1024)) * 1000;
    const doc = await startTask(scenario(`slow=${kbPerSecond}`));
    const started = performance.now();
    const res = await authGet(link(doc, 'DOWN'));
    const reader = res.body.getReader();
    let chunks = 0;
    const parts = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks += 1;
      parts.push(value);
    }
    const elapsed = performance.now() - started;
    assert.ok(Buffer.concat(parts).equals(bytes));
    assert.ok(elapsed >= expectedMs * 0.9, `took ${elapsed} ms, expected at least ${expectedMs}`);
    assert.ok(chunks >= 5, `${chunks} chunks`);
  });

  test('task-bad: FINISHED without a DOWN link', async () => {
    const doc = await startTask(scenario('task-bad'));
    assert.equal(doc.status, 'FINISHED');
    assert.deepEqual(doc.links, []);
  });

  test('task-unknown: a status no client knows', async () => {
    const doc = await startTask(scenario('task-unknown'));
    assert.equal(doc.status, 'EXPLODED');
  });

  test('not-json: an HTML page with 200 instead of a task document', async () => {
    const res = await api(scenario('not-json'))(`/${API}/rawreport?date=${YESTERDAY}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const text = await res.text();
    assert.throws(() => JSON.parse(text));
  });

  test('an unknown or malformed switch is a 400 that names it', async () => {
    for (const [switches, pattern] of [['explode', /explode/], ['status=418', /status/], ['running=x', /running/], ['rows=-1', /rows/]]) {
      const body = await expectError(await api(demo.scenarioUrl(switches))(`/${API}/rawreport?date=${YESTERDAY}`), 400);
      assert.match(body.message, pattern);
    }
  });
});

describe('report switches', () => {
  test('rows=N sets the report size', async () => {
    const base = scenario('rows=37');
    const { bytes } = await fetchReportBytes(base);
    const truth = await demo.truth({ date: YESTERDAY, switches: 'rows=37' });
    assert.equal(truth.rows, 37);
    assert.ok(gunzipSync(bytes).length < gunzipSync((await fetchReportBytes()).bytes).length);
  });

  test('members=3 writes three gzip members', async () => {
    assert.equal(gzipMembers((await fetchReportBytes()).bytes), 1);
    assert.equal(gzipMembers((await fetchReportBytes(scenario('members=3'))).bytes), 3);
  });

  test('date-style picks the date format of the date column', async () => {
    const [year, month, day] = YESTERDAY.split('-');
    const expected = { dmy: `${day}/${month}/${year}T`, mdy: `${month}/${day}/${year}T`, iso: `${YESTERDAY}T` };
    for (const [style, start] of Object.entries(expected)) {
      const csv = gunzipSync((await fetchReportBytes(scenario(`date-style=${style}`))).bytes).toString('utf8');
      const firstRow = csv.split('\n')[1];
      assert.ok(firstRow.startsWith(start), `${style}: ${firstRow.slice(0, 30)}`);
    }
  });

  test('hostile and plain change what is served', async () => {
    const normal = (await fetchReportBytes()).bytes;
    const hostile = (await fetchReportBytes(scenario('hostile'))).bytes;
    assert.ok(!normal.equals(hostile));
    const { res, bytes } = await fetchReportBytes(scenario('plain'));
    assert.equal(res.headers.get('content-type'), 'text/csv');
    assert.ok(bytes.equals(gunzipSync(normal)));
  });
});

describe('static files and the demo config', () => {
  test('index.html for / and directories, with the right MIME types', async () => {
    for (const [path, type, body] of [
      ['/', 'text/html; charset=utf-8', '<!doctype html><title>page</title>'],
      ['/index.html', 'text/html; charset=utf-8', '<!doctype html><title>page</title>'],
      ['/sub/', 'text/html; charset=utf-8', 'sub page'],
      ['/app.js', 'text/javascript; charset=utf-8', 'export const x = 1;\n'],
    ]) {
      const res = await fetch(`${demo.url.slice(0, -1)}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), type, path);
      assert.equal(await res.text(), body, path);
    }
    const wasm = await fetch(`${demo.url}mod.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.ok(await WebAssembly.compileStreaming(wasm));
  });

  test('404 for missing files and for every way out of the root', async () => {
    for (const path of ['/missing.html', '/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt',
      '/sub/..%2f..%2fsecret.txt', '/sub/%2e%2e/%2e%2e/secret.txt', '/leak.txt', '/%00', '/..\\secret.txt']) {
      const res = await rawGet(path);
      assert.equal(res.status, 404, path);
      assert.ok(!res.body.includes('secret'), path);
    }
  });

  test('/demo-config.json tells the page the demo base URL, API name and keys', async () => {
    const res = await fetch(`${demo.url}demo-config.json`);
    assert.equal(res.status, 200);
    const config = await res.json();
    assert.equal(config.baseUrl, demo.baseUrl);
    assert.equal(config.apiName, API);
    assert.equal(config.apiKey, 'demo-key');
    assert.deepEqual(config.keys.map((k) => k.label), ['main', 'library', 'medicine']);
    assert.equal(config.latestDate, YESTERDAY);
    assert.equal(config.earliestDate, daysAgo(30));
  });
});
