// The Cloudflare Worker (worker/) in workerd, on 127.0.0.1, against the demo reports API: /summary (closed
// unless a READ_TOKEN or PUBLIC_SUMMARY says otherwise, one API fetch for many callers), the /api/v1 proxy
// allowed and refused, a cron run followed by /history, a failed run leaving its day missing, a partial
// sub-organisation day reported and fetched again, and ranges refused before any work. Needs www/pkg
// (make build) and gen-report (built here unless GEN_REPORT names one).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { HOSTILE_API_NAME, startHostileApi } from './hostile-api.mjs';
import { DAY_MS, REPO, WORKER_MODULES, daysAgo, rawGet, startWorker } from './workerd.mjs';
import { fetchReport, initSync } from '../../www/pkg/openathens_rawstats.js';

const ALLOWED = 'https://library.example.edu';
const READ_TOKEN = 'test-read-token';

initSync({ module: readFileSync(join(REPO, 'www/pkg/openathens_rawstats_bg.wasm')) });

let demo;
let worker;
let broken;
let partial;
let closed;
let trusted;

// What a Worker without a read token shows: the truth without `security`, which names accounts and addresses.
function withoutSecurity({ security, ...open }) {
  assert.ok(security, 'the truth has security to leave out');
  return open;
}
const publicTruth = async (query) => withoutSecurity(await demo.truth(query));
const publicRangeTruth = async (dates) => withoutSecurity(await demo.rangeTruth({ dates }));
let elsewhere;
const elsewhereRequests = [];
// Every request the demo API answered, as "METHOD /path?query status".
const apiRequests = [];

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ log: (line) => apiRequests.push(line) });
  // A server the proxy must never reach, whatever a request names.
  elsewhere = createServer((req, res) => {
    elsewhereRequests.push(req.url);
    res.end('reached');
  });
  await new Promise((done) => elsewhere.listen(0, '127.0.0.1', done));
  const common = { OPENATHENS_API_NAME: demo.apiName, OPENATHENS_BASE_URL: demo.baseUrl, ALLOWED_ORIGINS: `${ALLOWED}, http://127.0.0.1:1` };
  [worker, broken, partial, closed, trusted] = await Promise.all([
    startWorker({ ...common, OPENATHENS_API_KEY: 'demo-key', PUBLIC_SUMMARY: 'true' }),
    // Sub-organisation keys none of which the API issued, and a read token.
    startWorker({ ...common, OPENATHENS_API_KEYS: JSON.stringify([{ label: 'main', key: 'revoked-key' }]), READ_TOKEN }),
    // One sub-organisation key the API issued and one it did not.
    startWorker({ ...common, OPENATHENS_API_KEYS: JSON.stringify([{ label: 'main', key: 'demo-key' }, { label: 'medicine', key: 'revoked-key' }]), PUBLIC_SUMMARY: 'true' }),
    // Neither a read token nor PUBLIC_SUMMARY: the owner forgot to choose; and an ALLOWED_ORIGINS entry
    // that is no origin.
    startWorker({ ...common, OPENATHENS_API_KEY: 'demo-key', ALLOWED_ORIGINS: 'library.example.edu' }),
    // A working key behind a read token: the only one whose Summaries carry `security`. Its allowed origin
    // is spelled another way.
    startWorker({ ...common, OPENATHENS_API_KEY: 'demo-key', READ_TOKEN, ALLOWED_ORIGINS: 'HTTPS://Library.Example.EDU:443/' }),
  ]);
});

after(async () => {
  await Promise.all([worker?.close(), broken?.close(), partial?.close(), closed?.close(), trusted?.close()]);
  await demo?.close();
  elsewhere?.close();
});

test('workerd loads every module the Worker imports', () => {
  const imported = WORKER_MODULES.flatMap((file) => {
    const source = readFileSync(join(REPO, 'worker/src', file), 'utf8');
    return [...source.matchAll(/^import [^;]*? from '\.\/([^']+)';/gm)].map((match) => match[1]);
  });
  assert.ok(imported.includes('config.js'), `no imports found: ${imported}`);
  assert.deepEqual(imported.filter((file) => !WORKER_MODULES.includes(file)), [], 'worker/src imports these, which scripts/workerd-modules.mjs does not list');
});

describe('GET /summary', () => {
  test("yesterday's Summary, equal to the generator's truth", async () => {
    const date = daysAgo(1);
    const timed = async () => {
      const started = performance.now();
      const response = await fetch(`${worker.url}/summary?date=${date}`);
      const body = await response.json();
      return { response, body, ms: performance.now() - started };
    };
    // The first time, the demo API generates the report as well.
    const first = await timed();
    assert.equal(first.response.status, 200);
    assert.match(first.response.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(first.body, await publicTruth({ date }));
    assert.ok(!('security' in first.body), 'no account ids or addresses without a read token');
    const again = await timed();
    assert.deepEqual(again.body, first.body);
    console.log(`workerd cold start ${worker.startMs.toFixed(0)} ms; /summary of a 20,000-row day ${first.ms.toFixed(0)} ms (report generated), ${again.ms.toFixed(0)} ms (again)`);
  });

  test('a settled day is answered from the archive after its first fetch; a partial one is not kept', async () => {
    const date = daysAgo(4);
    const first = apiRequests.length;
    const fetched = await fetch(`${worker.url}/summary?date=${date}`);
    assert.equal(fetched.headers.get('x-archived-at'), null);
    assert.equal(fetched.headers.get('cache-control'), 'no-store');
    const truth = await publicTruth({ date });
    assert.deepEqual(await fetched.json(), truth);
    const made = apiRequests.length - first;

    const archived = await fetch(`${worker.url}/summary?date=${date}`);
    assert.deepEqual(await archived.json(), truth);
    assert.match(archived.headers.get('x-archived-at'), /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(archived.headers.get('cache-control'), 'private, max-age=86400');
    assert.equal(apiRequests.length - first, made, 'the second answer asked the API nothing');

    // A sub-organisation day with a failed key is fetched again each time, in case the key now works.
    const partialDay = daysAgo(6);
    await fetch(`${partial.url}/summary?date=${partialDay}`).then((response) => response.json());
    const again = await fetch(`${partial.url}/summary?date=${partialDay}`);
    assert.equal(again.headers.get('x-archived-at'), null);
    assert.equal((await again.json()).parts.filter((part) => part.error).length, 1);
  });

  test('a date the API cannot give is the caller’s error, with its error code', async () => {
    for (const [date, code] of [['2023-13-01', 'BAD_DATE'], ['', 'BAD_DATE'], [daysAgo(0), 'DATE_OUT_OF_RANGE'], [daysAgo(40), 'DATE_OUT_OF_RANGE']]) {
      const response = await fetch(`${worker.url}/summary?date=${date}`);
      assert.equal(response.status, 400, date);
      const { error } = await response.json();
      assert.equal(error.code, code, date);
      assert.ok(error.message.length > 0);
    }
  });

  test('a key the API refuses is a gateway error (502 AUTH), and the key is in no answer', async () => {
    const response = await fetch(`${broken.url}/summary?date=${daysAgo(2)}`, { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(response.status, 502);
    const text = await response.text();
    assert.equal(JSON.parse(text).error.code, 'AUTH');
    assert.ok(!text.includes('revoked-key'));
  });

  test('50 callers asking for one day at once make one fetch at the API, and all get its Summary', async () => {
    const date = daysAgo(5);
    const first = apiRequests.length;
    const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${worker.url}/summary?date=${date}`)));
    const bodies = await Promise.all(responses.map((response) => response.json()));
    const made = apiRequests.slice(first).filter((line) => line.startsWith('GET '));
    console.log(`50 simultaneous /summary: ${made.length} API requests`);
    const truth = await publicTruth({ date });
    for (const body of bodies) assert.deepEqual(body, truth);
    // One task: its creation, the download, and perhaps a poll while the demo generates the report.
    assert.ok(made.length <= 3, made.join('\n'));
    assert.equal(made.filter((line) => line.includes(`rawreport?date=${date}`)).length, 1, made.join('\n'));
  });

  test('without READ_TOKEN or PUBLIC_SUMMARY, /summary and /history are refused in plain words', async () => {
    for (const path of [`/summary?date=${daysAgo(2)}`, '/history']) {
      const response = await fetch(`${closed.url}${path}`);
      assert.equal(response.status, 403, path);
      const { error } = await response.json();
      assert.equal(error.code, 'NOT_PUBLIC');
      assert.match(error.message, /READ_TOKEN.*PUBLIC_SUMMARY/);
    }
    // The proxy is not the org's figures: it needs the caller's own key, and still works.
    const proxied = await fetch(`${closed.url}/api/v1/${demo.apiName}/rawreport?date=${daysAgo(1)}`, { headers: { Authorization: 'OAApiKey not-a-key' } });
    assert.equal(proxied.status, 401);
  });

  test('with READ_TOKEN, /summary carries security, equal to the truth', async () => {
    const date = daysAgo(6);
    const response = await fetch(`${trusted.url}/summary?date=${date}`, { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.ok(body.security.byAccount.length > 0);
    assert.deepEqual(body, await demo.truth({ date }));
  });

  test('with READ_TOKEN set, /summary and /history need it', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: READ_TOKEN }]) {
      for (const path of [`/summary?date=${daysAgo(2)}`, '/history']) {
        const response = await fetch(`${broken.url}${path}`, { headers });
        assert.equal(response.status, 401, `${path} ${JSON.stringify(headers)}`);
        assert.equal((await response.json()).error.code, 'AUTH');
      }
    }
  });
});

describe('the /api/v1 proxy', () => {
  test('fetchReport through it from an allowed origin gives the truth, every request through the Worker', async () => {
    const date = daysAgo(3);
    const seen = [];
    const nodeFetch = globalThis.fetch;
    // A browser on the allowed origin sends Origin with every cross-origin request; Node does not.
    globalThis.fetch = (url, init = {}) => {
      seen.push(String(url));
      const headers = new Headers(init.headers);
      headers.set('Origin', ALLOWED);
      return nodeFetch(url, { ...init, headers }).then((response) => {
        assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
        return response;
      });
    };
    try {
      const summary = await fetchReport({ apiName: demo.apiName, apiKey: 'demo-key', date, baseUrl: `${worker.url}/api/v1` });
      assert.deepEqual(summary, await demo.truth({ date }));
    } finally {
      globalThis.fetch = nodeFetch;
    }
    // The task document's DOWN link names the API's host; fetchReport took it through the proxy.
    assert.ok(seen.length >= 2, seen.join(' '));
    assert.ok(seen.every((url) => url.startsWith(`${worker.url}/api/v1/${demo.apiName}/rawreport`)), seen.join(' '));
  });

  test('the caller’s Authorization goes through; the API’s refusal comes back as it is', async () => {
    const response = await fetch(`${worker.url}/api/v1/${demo.apiName}/rawreport?date=${daysAgo(1)}`, { headers: { Authorization: 'OAApiKey not-a-key' } });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'OAApiKey');
  });

  test('a preflight from an allowed origin is answered', async () => {
    const response = await fetch(`${worker.url}/api/v1/${demo.apiName}/rawreport?date=${daysAgo(1)}`, {
      method: 'OPTIONS',
      headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(response.headers.get('access-control-allow-headers'), /Authorization/i);
  });

  test('ALLOWED_ORIGINS is read in the engine\'s spelling of an origin, and an entry that is none is a CONFIG error', async () => {
    const preflight = { method: 'OPTIONS', headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'GET' } };
    const allowed = await fetch(`${trusted.url}/api/v1/${demo.apiName}/rawreport`, preflight);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED);
    const misconfigured = await fetch(`${closed.url}/api/v1/${demo.apiName}/rawreport`, preflight);
    assert.equal(misconfigured.status, 500);
    assert.equal((await misconfigured.json()).error.code, 'CONFIG');
  });

  test('refuses other origins, methods and paths', async () => {
    const path = `/api/v1/${demo.apiName}/rawreport?date=${daysAgo(1)}`;
    const refusals = [
      [path, { headers: { Origin: 'https://evil.example', Authorization: 'OAApiKey demo-key' } }, 403, 'ORIGIN_NOT_ALLOWED'],
      [path, { method: 'OPTIONS', headers: { Origin: 'https://library.example.edu.evil.example' } }, 403, 'ORIGIN_NOT_ALLOWED'],
      [path, { method: 'POST', headers: { Authorization: 'OAApiKey demo-key' } }, 405, 'METHOD_NOT_ALLOWED'],
      [path, { method: 'DELETE', headers: { Origin: ALLOWED } }, 405, 'METHOD_NOT_ALLOWED'],
      ['/api/v1/', {}, 404, 'NOT_FOUND'],
      [`/api/v1/${demo.apiName}/rawreport/1/more`, {}, 404, 'NOT_FOUND'],
      [`/api/v1/${demo.apiName}/other`, {}, 404, 'NOT_FOUND'],
      ['/api/v2/anything', {}, 404, 'NOT_FOUND'],
      ['/', {}, 404, 'NOT_FOUND'],
    ];
    for (const [target, init, status, code] of refusals) {
      const response = await fetch(`${worker.url}${target}`, init);
      assert.equal(response.status, status, `${init.method ?? 'GET'} ${target}`);
      assert.equal((await response.json()).error.code, code, target);
    }
  });

  test('refuses path segments that are not plain (percent-encoding, dot segments)', async () => {
    const first = apiRequests.length;
    const api = `/api/v1/${demo.apiName}`;
    for (const target of [
      `${api}/rawtask/..%2F..%2Fadmin`,
      `${api}/rawtask/1%0D%0AX-Injected:%20yes`,
      `${api}/rawreport/a%20b`,
      `/api/v1/${demo.apiName}%2Frawtask/rawreport`,
    ]) {
      assert.equal(await rawGet(`${worker.url}${target}`, { Authorization: 'OAApiKey demo-key' }), 400, target);
    }
    // The URL parser resolves these before the proxy sees them; whatever is left is not an API path.
    for (const target of [`${api}/rawtask/%2e%2e`, `${api}/rawtask/%2E`, `/api/v1/%2E%2E/rawreport`]) {
      assert.ok(await rawGet(`${worker.url}${target}`, { Authorization: 'OAApiKey demo-key' }) >= 400, target);
    }
    assert.deepEqual(apiRequests.slice(first), []);
  });

  test('never reaches another host, whatever the request names', async () => {
    const other = `127.0.0.1:${elsewhere.address().port}`;
    assert.equal(await rawGet(`${worker.url}/api/v1//${other}/rawreport`, {}), 400);
    assert.equal(await rawGet(`${worker.url}/api/v1/${encodeURIComponent(`http://${other}/x`)}/rawreport`, {}), 400);
    // workerd builds the request URL from the Host header; the proxy forwards to its configured API anyway.
    assert.equal(await rawGet(`${worker.url}/api/v1/${demo.apiName}/rawreport?date=${daysAgo(1)}`, { Host: other }), 401);
    assert.deepEqual(elsewhereRequests, []);
  });
});

describe('the daily cron and /history', () => {
  test('a run stores yesterday; /history returns it and names the missing days', async () => {
    const run = await fetch(`${worker.cronUrl}/?scheduledTime=${Date.now()}`, { method: 'POST' });
    assert.equal(run.status, 200, worker.output());
    assert.equal((await run.json()).outcome, 'ok');

    const [from, to] = [daysAgo(3), daysAgo(1)];
    const response = await fetch(`${worker.url}/history?from=${from}&to=${to}`, { headers: { Origin: ALLOWED } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
    const body = await response.json();
    assert.deepEqual([body.from, body.to], [from, to]);
    assert.deepEqual(body.days.map((day) => day.date), [to]);
    const truth = await demo.truth({ date: to });
    const headline = {
      events: truth.rows,
      signIns: truth.authentications.total,
      failedSignIns: truth.authentications.failed,
      transfers: truth.transfers.total,
      blocked: truth.transfers.blockedRestrictive,
    };
    assert.deepEqual(body.days[0].headline, { ...headline, distinctAccounts: truth.distinctAccounts, distinctIps: truth.distinctIps });
    assert.deepEqual(body.totals, { days: 1, ...headline });
    const open = withoutSecurity(truth);
    assert.deepEqual(body.merged, open, 'one day merged from its snapshot is that day, without security');
    assert.deepEqual(body.unmerged, []);
    assert.equal(body.days[0].summary, undefined, 'whole Summaries only on request');
    assert.deepEqual(body.missing, [daysAgo(3), daysAgo(2)]);

    const whole = await (await fetch(`${worker.url}/history?from=${from}&to=${to}&full=1`)).json();
    assert.deepEqual(whole.days[0].summary, open);
    assert.equal(whole.next, null);
  });

  test('the run also fetched the oldest missing days of the window; /history merges any range of them exactly', async () => {
    // The run above: yesterday and the 7 oldest days of the API's 30-day window.
    const backfilled = [30, 29, 28, 27, 26, 25, 24].map(daysAgo);
    const fetched = [...backfilled, daysAgo(1)];
    const body = await (await fetch(`${worker.url}/history?from=${daysAgo(30)}&to=${daysAgo(1)}`)).json();
    const dates = body.days.map((day) => day.date);
    assert.deepEqual(fetched.filter((date) => !dates.includes(date)), [], 'every day the run fetched is stored');
    assert.match(worker.output(), new RegExp(`stored the summary for ${daysAgo(30)}`));
    // Days that /summary stored (the tests above) have no snapshot: listed, but not in the merge.
    assert.deepEqual(body.unmerged, dates.filter((date) => !fetched.includes(date)));
    assert.deepEqual(body.merged, await publicRangeTruth(fetched),
      'merged from the snapshots equals the generator\'s own merge of those days');
    const part = await (await fetch(`${worker.url}/history?from=${daysAgo(29)}&to=${daysAgo(26)}`)).json();
    assert.deepEqual(part.merged, await publicRangeTruth([29, 28, 27, 26].map(daysAgo)));
  });

  test('/history?full=1 answers a week at a time, and says where the next page starts', async () => {
    const from = daysAgo(20);
    const page = await (await fetch(`${worker.url}/history?from=${from}&to=${daysAgo(1)}&full=1`)).json();
    assert.deepEqual([page.from, page.to, page.next], [from, daysAgo(14), daysAgo(13)]);
    assert.equal(page.days.length + page.missing.length, 7);
    const last = await (await fetch(`${worker.url}/history?from=${daysAgo(6)}&to=${daysAgo(1)}&full=1`)).json();
    assert.deepEqual([last.to, last.next], [daysAgo(1), null]);
    const refused = await fetch(`${worker.url}/history?full=yes`);
    assert.equal(refused.status, 400);
  });

  test('a failed run stores nothing: its day is reported missing', async () => {
    const run = await fetch(`${broken.cronUrl}/?scheduledTime=${Date.now()}`, { method: 'POST' });
    assert.equal(run.status, 500);
    assert.equal((await run.json()).outcome, 'exception');
    assert.match(broken.output(), /could not be fetched \(AUTH\)/);
    assert.ok(!broken.output().includes('revoked-key'));

    const response = await fetch(`${broken.url}/history?from=${daysAgo(1)}&to=${daysAgo(1)}`, { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(response.status, 200);
    const totals = { days: 0, events: 0, signIns: 0, failedSignIns: 0, transfers: 0, blocked: 0 };
    assert.deepEqual(await response.json(), {
      from: daysAgo(1), to: daysAgo(1), totals, merged: null, unmerged: [], unreadable: [], days: [], missing: [daysAgo(1)], partial: [], failed: [], orgs: ['main'],
      reader: { kind: 'token', security: true, mayShare: true },
    });
  });

  test('a day with a failed sub-organisation is stored partial, reported so, and fetched again by the next run', async () => {
    const day = daysAgo(2);
    const dayOf = async () => {
      const response = await fetch(`${partial.url}/history?from=${day}&to=${day}&full=1`);
      assert.equal(response.status, 200);
      return response.json();
    };
    // The run of the day before: its yesterday is `day`.
    const earlier = await fetch(`${partial.cronUrl}/?scheduledTime=${Date.now() - DAY_MS}`, { method: 'POST' });
    assert.equal(earlier.status, 500, 'a partial day fails the run');
    assert.match(partial.output(), new RegExp(`${day} is stored partial, without medicine \\(AUTH\\)`));
    const first = await dayOf();
    assert.deepEqual(first.partial, [day]);
    assert.deepEqual(first.missing, []);
    assert.deepEqual(first.days[0].failedParts, [{ label: 'medicine', code: 'AUTH' }]);
    assert.deepEqual(first.days[0].summary.merged, await publicTruth({ date: day }));
    assert.ok(first.days[0].summary.parts.every((part) => !part.summary || !('security' in part.summary)));

    const next = await fetch(`${partial.cronUrl}/?scheduledTime=${Date.now()}`, { method: 'POST' });
    assert.equal(next.status, 500);
    const again = await dayOf();
    assert.deepEqual(again.partial, [day]);
    assert.ok(again.days[0].storedAt > first.days[0].storedAt, 'the partial day was fetched again');
    assert.ok(!partial.output().includes('revoked-key'));
  });

  test('a range that is not one is refused', async () => {
    for (const query of ['from=2023-02-30&to=2023-03-01', `from=${daysAgo(1)}&to=${daysAgo(3)}`, 'from=2020-01-01&to=2023-01-01', 'to=yesterday']) {
      const response = await fetch(`${worker.url}/history?${query}`);
      assert.equal(response.status, 400, query);
      assert.match((await response.json()).error.code, /^(BAD_DATE|DATE_OUT_OF_RANGE)$/, query);
    }
  });

  test('a huge or future range is refused at once, before any day is listed', async () => {
    const refusals = [
      [`from=0000-01-01&to=${daysAgo(1)}`, /at most 366 days.* is 7\d{5}\./],
      ['from=0000-01-01&to=9999-12-31', /future/],
      [`from=${daysAgo(1)}&to=${daysAgo(-1)}`, /future/],
    ];
    for (const [query, message] of refusals) {
      const started = performance.now();
      const response = await fetch(`${worker.url}/history?${query}`);
      const ms = performance.now() - started;
      assert.equal(response.status, 400, query);
      const { error } = await response.json();
      assert.equal(error.code, 'DATE_OUT_OF_RANGE', query);
      assert.match(error.message, message, query);
      // Listing 700,000 days took over a second of the Worker's CPU; the arithmetic takes none. The message
      // names the span's length (7xxxxx days), which only the arithmetic knows without listing them.
      console.log(`/history?${query}: refused in ${ms.toFixed(0)} ms`);
    }
  });
});

describe('a hostile reports API (hostile-api.mjs)', () => {
  const key = 'k-0d9e4f6a-7b21-4c83-a5e0-6f1b2c3d4e5f';
  let api;
  let hostile;

  before(async () => {
    api = await startHostileApi({ modesByDate: { [daysAgo(2)]: 'task-redirect', [daysAgo(3)]: 'download-redirect' } });
    hostile = await startWorker({ OPENATHENS_API_NAME: HOSTILE_API_NAME, OPENATHENS_API_KEY: key, OPENATHENS_BASE_URL: api.baseUrl('by-date'), ALLOWED_ORIGINS: ALLOWED, PUBLIC_SUMMARY: 'true' });
  });

  after(async () => {
    await hostile?.close();
    await api?.close();
  });

  // workerd's own fetch keeps Authorization across origins: fetchReport must not let it follow.
  for (const [days, what] of [[2, 'the task request'], [3, 'the download']]) {
    test(`a 302 of ${what} to another origin is followed without the key`, async () => {
      api.elsewhereHits.length = 0;
      const response = await fetch(`${hostile.url}/summary?date=${daysAgo(days)}`);
      assert.equal(response.status, 200, await response.clone().text());
      assert.equal((await response.json()).rows, 2);
      assert.ok(api.elsewhereHits.length > 0, 'the redirect was followed');
      assert.deepEqual(api.elsewhereHits.filter((hit) => hit.authorization !== undefined), []);
    });
  }

  test('an API error that quotes the key reaches neither the 502 nor the cron log', async () => {
    const response = await fetch(`${hostile.url}/summary?date=${daysAgo(4)}`);
    assert.equal(response.status, 502);
    const text = await response.text();
    assert.equal(JSON.parse(text).error.code, 'SERVER');
    assert.match(text, /not valid/);
    assert.ok(!text.includes(key.slice(2, 14)), text);

    const run = await fetch(`${hostile.cronUrl}/?scheduledTime=${Date.now()}`, { method: 'POST' });
    assert.equal(run.status, 500);
    assert.match(hostile.output(), /could not be fetched \(SERVER\).*not valid/);
    assert.ok(!hostile.output().includes(key.slice(2, 14)), hostile.output());
  });

  test('the proxy hands back an API error that quotes the caller’s key without the key', async () => {
    const callerKey = 'caller-5b8e2f1a-93c4-4d7e-8a60-2b1f0c9d8e7a';
    const response = await fetch(`${hostile.url}/api/v1/${HOSTILE_API_NAME}/rawreport?date=${daysAgo(4)}`, {
      headers: { Authorization: `OAApiKey ${callerKey}`, Origin: ALLOWED },
    });
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.match(text, /not valid/);
    assert.ok(!text.includes(callerKey.slice(7, 20)), text);
  });
});
