// Who may read the archive, in workerd against the demo API: people signed in by Cloudflare Access (their
// JWT checked against a local key server holding a key pair made here), holders of view links from
// POST /share, and the READ_TOKEN; what each gets, and that only readers with the security right ever see
// an account id or an IP address. Needs www/pkg (make build) and gen-report (built here unless GEN_REPORT
// names one).

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { accessClaims, jwt as signJwt, keyPair, part, signViewToken, startKeyServer } from './access-keys.mjs';
import { after, before, describe, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureGenReport } from './gen-report.mjs';
import { daysAgo, startWorker } from './workerd.mjs';

const TEAM = 'readers-test.cloudflareaccess.com';
const AUD = 'readers-test-application-aud';
const READ_TOKEN = 'readers-read-token';
const SHARE_SECRET = 'readers-share-secret-5b1d0c8f2e';
const BOSS = 'boss@example.edu';
const COLLEAGUE = 'colleague@example.edu';
const BEARER = { Authorization: `Bearer ${READ_TOKEN}` };
const ALLOWED = 'https://library.example.edu';
// What one cron run fetches into an empty archive: yesterday and the 7 oldest days of the API's window.
const FETCHED = [30, 29, 28, 27, 26, 25, 24, 1].map(daysAgo);
// The range the view links below cover: stored days, yesterday outside it.
const FROM = daysAgo(30);
const TO = daysAgo(24);

const TEAM_KEY = keyPair('team-key-1');
// The team's next key, published only in the rotation test; and a key the team never publishes.
const NEXT_KEY = keyPair('team-key-2');
const STRANGER_KEY = keyPair('stranger');

/** A JWT with `claims`, signed RS256 by `key` (the team's, unless a test forges another). */
const jwt = (claims, { key = TEAM_KEY, header } = {}) => signJwt(claims, { key, header });

/** What Cloudflare Access puts in a JWT for a colleague, with `changes`. */
const claims = (changes = {}) => accessClaims({ team: TEAM, aud: AUD, email: COLLEAGUE }, changes);

const signedIn = (token) => ({ 'Cf-Access-Jwt-Assertion': token });

/** A view token signed here, as the Worker signs them, for the clock's sake (expired links). */
const viewToken = (grant, secret = SHARE_SECRET) => signViewToken(grant, secret);

const viewing = (token) => ({ Authorization: `View ${token}` });

let demo;
let keys;
// `archive`: Access, the READ_TOKEN and view links, its archive filled by a cron run; `unreadable`: Access
// whose key server answers no keys, and no SHARE_SECRET; `open`: PUBLIC_SUMMARY, with another SHARE_SECRET,
// and Access for everyone's security (SECURITY_READERS = "*"), its team domain spelled as a URL.
let archive;
let unreadable;
let open;

before(async () => {
  ensureGenReport();
  demo = await startDemoApi({ generationWaitMs: 0 });
  keys = await startKeyServer([TEAM_KEY.jwk]);
  const common = { OPENATHENS_API_NAME: demo.apiName, OPENATHENS_BASE_URL: demo.baseUrl, OPENATHENS_API_KEY: 'demo-key', ALLOWED_ORIGINS: ALLOWED };
  const access = { ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD, SECURITY_READERS: `someone@example.edu, ${BOSS.toUpperCase()}` };
  [archive, unreadable, open] = await Promise.all([
    startWorker({ ...common, ...access, ACCESS_CERTS_URL: keys.certsUrl, READ_TOKEN, SHARE_SECRET }),
    startWorker({ ...common, ...access, ACCESS_CERTS_URL: keys.brokenUrl, READ_TOKEN }),
    startWorker({ ...common, ACCESS_TEAM_DOMAIN: `https://${TEAM}/`, ACCESS_AUD: AUD, ACCESS_CERTS_URL: keys.certsUrl, SECURITY_READERS: '*', PUBLIC_SUMMARY: 'true', SHARE_SECRET: 'another-secret-entirely' }),
  ]);
  const run = await fetch(`${archive.cronUrl}/?scheduledTime=${Date.now()}`, { method: 'POST' });
  assert.equal(run.status, 200, archive.output());
});

after(async () => {
  await Promise.all([archive?.close(), unreadable?.close(), open?.close()]);
  await keys?.close();
  await demo?.close();
});

async function get(worker, path, headers = {}) {
  const response = await fetch(`${worker.url}${path}`, { headers });
  return { status: response.status, text: await response.text() };
}

async function ok(worker, path, headers) {
  const { status, text } = await get(worker, path, headers);
  assert.equal(status, 200, `${path}: ${text}`);
  return text;
}

async function refused(worker, path, headers, status, code) {
  const answer = await get(worker, path, headers);
  assert.equal(answer.status, status, `${path}: ${answer.text}`);
  assert.equal(JSON.parse(answer.text).error.code, code, answer.text);
  return JSON.parse(answer.text).error.message;
}

async function share(worker, headers, body, extra = {}) {
  const response = await fetch(`${worker.url}/share`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers, ...extra },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * POST /share with `chunks` as a chunked body (no Content-Length), by node:http: the Worker may answer
 * before the last chunk is sent, which fetch() would report as a failure.
 */
function postChunked(worker, chunks) {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${worker.url}/share`, { method: 'POST', headers: { ...BEARER, 'Content-Type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, text }));
    });
    let answered = false;
    request.on('response', () => { answered = true; });
    request.on('error', (error) => { if (!answered) reject(error); });
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

async function made(worker, headers, body) {
  const { status, body: answer } = await share(worker, headers, body);
  assert.equal(status, 201, JSON.stringify(answer));
  return answer;
}

let identifiers;
// The account ids and IP addresses the truth's `security` names for the days a cron run stored.
async function identifiersOfArchive() {
  if (identifiers) return identifiers;
  const found = new Set();
  for (const date of FETCHED) {
    const { security } = await demo.truth({ date });
    for (const entry of [...security.byAccount, ...security.spread]) found.add(entry.account);
    for (const entry of security.byIp) found.add(entry.ip);
  }
  found.delete('');
  identifiers = [...found];
  assert.ok(identifiers.length > 20, `the truth names accounts and IPs: ${identifiers.length}`);
  return identifiers;
}

async function assertNoIdentifiers(body) {
  const named = (await identifiersOfArchive()).filter((identifier) => body.includes(JSON.stringify(identifier)));
  assert.deepEqual(named, [], body.slice(0, 200));
  assert.ok(!/"security"\s*:\s*\{/.test(body), body.slice(0, 200));
}

async function assertIdentifiers(body) {
  assert.ok((await identifiersOfArchive()).some((identifier) => body.includes(JSON.stringify(identifier))), body.slice(0, 200));
}

describe('Cloudflare Access', () => {
  const range = `/history?from=${FROM}&to=${daysAgo(1)}`;

  test('a valid JWT reads the archive; security only for an e-mail SECURITY_READERS names', async () => {
    const colleague = await ok(archive, range, signedIn(jwt(claims())));
    await assertNoIdentifiers(colleague);
    assert.deepEqual(JSON.parse(colleague).reader, { kind: 'access', security: false, mayShare: true });
    assert.ok(!colleague.includes(COLLEAGUE), 'the reader\'s e-mail is not in the answer');
    await assertNoIdentifiers(await ok(archive, `/summary?date=${daysAgo(27)}`, signedIn(jwt(claims()))));

    // SECURITY_READERS names the boss in capitals; e-mails compare without case. `aud` may be one string.
    const boss = await ok(archive, range, signedIn(jwt(claims({ email: BOSS, aud: AUD }))));
    await assertIdentifiers(boss);
    assert.deepEqual(JSON.parse(boss).reader, { kind: 'access', security: true, mayShare: true });
    await assertIdentifiers(await ok(archive, `/summary?date=${daysAgo(27)}`, signedIn(jwt(claims({ email: BOSS })))));
  });

  test('a JWT for another audience or team, expired, not yet valid, or not signed by the team is 401 AUTH', async () => {
    const now = Math.floor(Date.now() / 1000);
    const hmacForged = (() => {
      // HS256 with the team's public key as the secret: accepted by a verifier that lets the token pick.
      const header = { alg: 'HS256', kid: TEAM_KEY.kid, typ: 'JWT' };
      const input = `${part(header)}.${part(claims({ email: BOSS }))}`;
      const secret = TEAM_KEY.publicKey.export({ format: 'pem', type: 'spki' });
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    })();
    const valid = jwt(claims({ email: BOSS }));
    const [head, body] = valid.split('.');
    const forged = {
      'wrong aud': jwt(claims({ aud: ['another-application'] })),
      'no aud': jwt(claims({ aud: undefined })),
      'wrong iss': jwt(claims({ iss: 'https://another-team.cloudflareaccess.com' })),
      expired: jwt(claims({ exp: now - 5 })),
      'no exp': jwt(claims({ exp: undefined })),
      'nbf in the future': jwt(claims({ nbf: now + 3600 })),
      'iat in the future': jwt(claims({ iat: now + 3600 })),
      'bad signature': `${head}.${part({ ...claims({ email: BOSS }), exp: now + 86_400 })}.${valid.split('.')[2]}`,
      'signed by a stranger under the team key\'s kid': jwt(claims({ email: BOSS }), { key: STRANGER_KEY, header: { alg: 'RS256', kid: TEAM_KEY.kid } }),
      'alg none': `${part({ alg: 'none', kid: TEAM_KEY.kid })}.${body}.`,
      'alg none, signature kept': `${part({ alg: 'none', kid: TEAM_KEY.kid })}.${body}.${valid.split('.')[2]}`,
      HS256: hmacForged,
      'unknown kid': jwt(claims({ email: BOSS }), { key: STRANGER_KEY }),
      'no kid': jwt(claims(), { header: { alg: 'RS256' } }),
      'two parts': `${head}.${body}`,
      'not base64url': `${head}.${body}.***`,
      oversized: jwt(claims({ padding: 'x'.repeat(9000) })),
    };
    for (const [what, token] of Object.entries(forged)) {
      const message = await refused(archive, range, signedIn(token), 401, 'AUTH');
      assert.match(message, /Cloudflare Access token is not accepted/, what);
    }
  });

  test('the team\'s keys are fetched once and kept; an unknown kid fetches them once more, so a new key works', async () => {
    await ok(archive, range, signedIn(jwt(claims())));
    const fetched = keys.state.fetches;
    assert.ok(fetched >= 1);
    for (let at = 0; at < 3; at += 1) await ok(archive, range, signedIn(jwt(claims())));
    assert.equal(keys.state.fetches, fetched, 'valid tokens are checked against the kept keys');

    await refused(archive, range, signedIn(jwt(claims(), { key: STRANGER_KEY })), 401, 'AUTH');
    assert.equal(keys.state.fetches, fetched + 1, 'an unknown kid fetches the keys once, not more');

    keys.state.keys = [TEAM_KEY.jwk, NEXT_KEY.jwk];
    try {
      await ok(archive, range, signedIn(jwt(claims(), { key: NEXT_KEY })));
      assert.equal(keys.state.fetches, fetched + 2);
      await ok(archive, range, signedIn(jwt(claims(), { key: NEXT_KEY })));
      assert.equal(keys.state.fetches, fetched + 2, 'the new key is kept too');
    } finally {
      keys.state.keys = [TEAM_KEY.jwk];
    }
  });

  test('SECURITY_READERS = "*" gives every signed-in person security; a sign-in wins over PUBLIC_SUMMARY', async () => {
    const date = `/summary?date=${daysAgo(27)}`;
    await assertIdentifiers(await ok(open, date, signedIn(jwt(claims()))));
    await assertIdentifiers(await ok(open, date, signedIn(jwt(claims({ email: undefined })))));
    await assertNoIdentifiers(await ok(open, date));
    await refused(open, date, signedIn(jwt(claims({ aud: ['another-application'] }))), 401, 'AUTH');
  });

  test('keys that cannot be read are 500 CONFIG, whatever the token', async () => {
    for (const broken of ['not-json', 'huge', 'status']) {
      keys.state.broken = broken;
      const message = await refused(unreadable, range, signedIn(jwt(claims({ email: BOSS }))), 500, 'CONFIG');
      assert.match(message, /ACCESS_CERTS_URL/, broken);
    }
    // Without the header, the machine's token still reads.
    await assertIdentifiers(await ok(unreadable, `/summary?date=${daysAgo(27)}`, BEARER));
  });
});

describe('POST /share', () => {
  const asked = { from: FROM, to: TO };

  test('the READ_TOKEN and Access readers make view links: a token in the fragment of a link, expiring in 7 days by default', async () => {
    for (const headers of [BEARER, signedIn(jwt(claims())), signedIn(jwt(claims({ email: BOSS })))]) {
      const link = await made(archive, headers, asked);
      assert.match(link.token, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
      assert.equal(link.url, `${archive.url}/#view=${link.token}`);
      const days = (Date.parse(link.expires) - Date.now()) / 86_400_000;
      assert.ok(days > 6.9 && days <= 7, link.expires);
      const grant = JSON.parse(Buffer.from(link.token.split('.')[1], 'base64url').toString());
      assert.deepEqual(Object.keys(grant), ['from', 'to', 'security', 'exp']);
      assert.deepEqual({ ...grant, exp: undefined }, { from: FROM, to: TO, security: false, exp: undefined });
      assert.equal(grant.exp * 1000, Date.parse(link.expires));
    }
    const longest = await made(archive, BEARER, { ...asked, expiresInDays: 90 });
    assert.ok((Date.parse(longest.expires) - Date.now()) / 86_400_000 > 89.9);
  });

  test('security only from a reader who sees it', async () => {
    for (const headers of [BEARER, signedIn(jwt(claims({ email: BOSS })))]) {
      const link = await made(archive, headers, { ...asked, security: true });
      assert.equal(JSON.parse(Buffer.from(link.token.split('.')[1], 'base64url').toString()).security, true);
    }
    const { status, body } = await share(archive, signedIn(jwt(claims())), { ...asked, security: true });
    assert.equal(status, 403);
    assert.equal(body.error.code, 'OUT_OF_SCOPE');
  });

  test('view readers, PUBLIC_SUMMARY readers and strangers make none; without SHARE_SECRET it is 500 CONFIG', async () => {
    const link = await made(archive, BEARER, asked);
    for (const [worker, headers] of [[archive, viewing(link.token)], [open, {}], [archive, {}], [archive, { Authorization: 'Bearer wrong' }]]) {
      const { status, body } = await share(worker, headers, asked);
      assert.equal(status, 401, JSON.stringify(body));
      assert.equal(body.error.code, 'AUTH');
    }
    const { status, body } = await share(unreadable, BEARER, asked);
    assert.equal(status, 500);
    assert.equal(body.error.code, 'CONFIG');
    assert.match(body.error.message, /SHARE_SECRET/);
  });

  test('a span over 366 days, an expiry outside 1 to 90 days, a bad body or a body over 4 KiB is refused', async () => {
    const cases = [
      [{ from: '2025-01-01', to: '2026-01-02' }, 400, 'DATE_OUT_OF_RANGE'],
      [{ from: TO, to: FROM }, 400, 'BAD_DATE'],
      [{ from: '2025-02-30', to: TO }, 400, 'BAD_DATE'],
      [{ ...asked, expiresInDays: 91 }, 400, 'BAD_REQUEST'],
      [{ ...asked, expiresInDays: 0 }, 400, 'BAD_REQUEST'],
      [{ ...asked, expiresInDays: 1.5 }, 400, 'BAD_REQUEST'],
      [{ ...asked, security: 'yes' }, 400, 'BAD_REQUEST'],
      ['[1, 2]', 400, 'BAD_REQUEST'],
      ['{"from": ', 400, 'BAD_REQUEST'],
      [{ ...asked, padding: 'x'.repeat(5000) }, 413, 'TOO_LARGE'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await share(archive, BEARER, body);
      assert.deepEqual([answer.status, answer.body.error?.code], [status, code], JSON.stringify(body).slice(0, 80));
    }
    assert.equal((await made(archive, BEARER, { from: '2025-01-01', to: '2026-01-01' })).token.slice(0, 3), 'v1.', '366 days is allowed');

    // Sent in chunks with no Content-Length: the cap holds while reading.
    const chunked = await postChunked(archive, Array.from({ length: 6 }, () => ' '.repeat(1000)));
    assert.equal(chunked.status, 413);
    assert.equal(JSON.parse(chunked.text).error.code, 'TOO_LARGE');

    const plain = await share(archive, BEARER, JSON.stringify(asked), { 'Content-Type': 'text/plain' });
    assert.deepEqual([plain.status, plain.body.error.code], [400, 'BAD_REQUEST'], 'only JSON, so a cross-origin form cannot post one');
  });

  test('POST is for /share alone; a browser on an allowed origin, or the Worker\'s own, may post', async () => {
    assert.equal((await fetch(`${archive.url}/share`, { headers: BEARER })).status, 405);
    const elsewhere = await fetch(`${archive.url}/history`, { method: 'POST', headers: BEARER });
    assert.equal(elsewhere.status, 405);
    assert.equal((await elsewhere.json()).error.code, 'METHOD_NOT_ALLOWED');

    const preflight = await fetch(`${archive.url}/share`, { method: 'OPTIONS', headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('Access-Control-Allow-Methods'), /\bPOST\b/);
    assert.match(preflight.headers.get('Access-Control-Allow-Headers'), /\bContent-Type\b/i);

    for (const origin of [ALLOWED, archive.url]) {
      const { status } = await share(archive, BEARER, asked, { Origin: origin });
      assert.equal(status, 201, origin);
    }
    const { status, body } = await share(archive, BEARER, asked, { Origin: 'https://evil.example' });
    assert.deepEqual([status, body.error.code], [403, 'ORIGIN_NOT_ALLOWED']);
  });
});

describe('view links', () => {
  test('inside its range a link reads /history and /summary, with no account id or IP address', async () => {
    const { token } = await made(archive, signedIn(jwt(claims({ email: BOSS }))), { from: FROM, to: TO });
    const bodies = [
      await ok(archive, `/history?from=${FROM}&to=${TO}`, viewing(token)),
      await ok(archive, `/history?from=${daysAgo(27)}&to=${daysAgo(26)}&full=1`, viewing(token)),
      await ok(archive, `/summary?date=${daysAgo(27)}`, viewing(token)),
      await ok(archive, `/summary?date=${TO}`, viewing(token)),
    ];
    // Without from and to, the link's own range. (Asked before the slow checks below: a connection left idle
    // that long may be closed by workerd as the next request goes out on it.)
    const whole = JSON.parse(await ok(archive, '/history', viewing(token)));
    for (const body of bodies) await assertNoIdentifiers(body);
    const range = JSON.parse(bodies[0]);
    assert.deepEqual(range.reader, { kind: 'view', security: false, mayShare: false });
    assert.equal(range.days.length, 7);
    assert.deepEqual([whole.from, whole.to], [FROM, TO]);
  });

  test('a link made with security carries it', async () => {
    const { token } = await made(archive, BEARER, { from: FROM, to: TO, security: true });
    const body = await ok(archive, `/history?from=${FROM}&to=${TO}`, viewing(token));
    await assertIdentifiers(body);
    assert.deepEqual(JSON.parse(body).reader, { kind: 'view', security: true, mayShare: false });
  });

  test('a date outside the link\'s range is 403 OUT_OF_SCOPE', async () => {
    const { token } = await made(archive, BEARER, { from: FROM, to: TO });
    for (const path of [
      `/history?from=${FROM}&to=${daysAgo(1)}`,
      `/history?from=${daysAgo(31)}&to=${TO}`,
      `/history?from=${daysAgo(20)}&to=${daysAgo(10)}`,
      `/history?to=${daysAgo(1)}`,
      `/summary?date=${daysAgo(1)}`,
      `/summary?date=${daysAgo(31)}`,
    ]) {
      const message = await refused(archive, path, viewing(token), 403, 'OUT_OF_SCOPE');
      assert.ok(message.includes(FROM) && message.includes(TO), message);
    }
    await refused(archive, '/summary?date=not-a-date', viewing(token), 400, 'BAD_DATE');
  });

  test('an altered, malformed or foreign link is 401 AUTH; an expired one 401 EXPIRED', async () => {
    const { token } = await made(archive, BEARER, { from: FROM, to: TO });
    const [version, payload, signature] = token.split('.');
    const grant = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const flipped = (text, at) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    const altered = {
      'a wider range': `${version}.${part({ ...grant, to: daysAgo(1) })}.${signature}`,
      'security added': `${version}.${part({ ...grant, security: true })}.${signature}`,
      'a payload byte': `${version}.${flipped(payload, 5)}.${signature}`,
      'a signature byte': `${version}.${payload}.${flipped(signature, 10)}`,
      'the signature\'s last character': `${version}.${payload}.${signature.slice(0, -1)}${signature.at(-1) === 'A' ? 'B' : 'A'}`,
      'no signature': `${version}.${payload}.`,
      'another version': `v2.${payload}.${signature}`,
      'signed with another secret': viewToken(grant, 'another-secret-entirely'),
      'a payload that is not a grant': viewToken({ from: 'yesterday', to: TO, exp: grant.exp }),
      garbage: 'v1.abc',
      oversized: `${version}.${'A'.repeat(2000)}.${signature}`,
    };
    for (const [what, forged] of Object.entries(altered)) {
      const message = await refused(archive, `/history?from=${FROM}&to=${TO}`, viewing(forged), 401, 'AUTH');
      assert.match(message, /view link is not valid/, what);
    }
    // The same secret and format, signed here: valid while exp is ahead, EXPIRED once it is past.
    await ok(archive, `/history?from=${FROM}&to=${TO}`, viewing(viewToken({ ...grant, exp: Math.floor(Date.now() / 1000) + 60 })));
    const expired = viewToken({ ...grant, exp: Math.floor(Date.now() / 1000) - 60 });
    for (const path of [`/history?from=${FROM}&to=${TO}`, `/summary?date=${TO}`]) {
      assert.match(await refused(archive, path, viewing(expired), 401, 'EXPIRED'), /expired/);
    }
    // Another Worker's secret, or none at all (SHARE_SECRET removed revokes every link).
    await refused(open, `/history?from=${FROM}&to=${TO}`, viewing(token), 401, 'AUTH');
    await refused(unreadable, `/history?from=${FROM}&to=${TO}`, viewing(token), 401, 'AUTH');
  });
});

describe('the READ_TOKEN and PUBLIC_SUMMARY, as before', () => {
  test('the machine\'s token reads everything and may share; PUBLIC_SUMMARY reads without security', async () => {
    const body = await ok(archive, `/history?from=${FROM}&to=${daysAgo(1)}`, BEARER);
    await assertIdentifiers(body);
    assert.deepEqual(JSON.parse(body).reader, { kind: 'token', security: true, mayShare: true });
    await refused(archive, `/history?from=${FROM}&to=${daysAgo(1)}`, { Authorization: 'Bearer wrong' }, 401, 'AUTH');
    await refused(archive, `/history?from=${FROM}&to=${daysAgo(1)}`, {}, 401, 'AUTH');
    const opened = JSON.parse(await ok(open, '/history'));
    assert.deepEqual(opened.reader, { kind: 'public', security: false, mayShare: false });
  });
});
