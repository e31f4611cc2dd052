// Cloudflare Access and view links as the tests need them: RSA key pairs published as the team's JWKS by
// a key server on 127.0.0.1, JWTs signed RS256 as Access signs them, and view tokens signed as the Worker
// signs them (so a test can make one that has already expired, rather than wait).

import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';

/** An RSA key pair and its public JWK under `kid`. */
export function keyPair(kid) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

/** `value` as JSON in base64url, as a JWT or a view token holds it. */
export const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT with `claims`, signed RS256 by `key` (header overridable for the forged kinds). */
export function jwt(claims, { key, header = { alg: 'RS256', kid: key.kid, typ: 'JWT' } }) {
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/** What Cloudflare Access puts in a JWT for `email` of `team` and application `aud`, with `changes`. */
export function accessClaims({ team, aud, email }, changes = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { aud: [aud], email, exp: now + 600, iat: now, nbf: now, iss: `https://${team}`, type: 'app', sub: 'a-user-id', ...changes };
}

/** A view token for `grant` ({from, to, security, exp}), signed with `secret` as the Worker signs them. */
export function signViewToken(grant, secret) {
  const signed = `v1.${part(grant)}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

/**
 * The team's certs URL on 127.0.0.1, publishing `published` (JWKs): `state.keys` is what it publishes now,
 * `fetches` counts reads of /certs; any other path answers as `state.broken` says ('not-json', 'huge'
 * or 'status'), for a team whose keys cannot be read.
 */
export async function startKeyServer(published) {
  const state = { keys: published, fetches: 0, broken: 'not-json' };
  const server = createServer((request, response) => {
    if (request.url === '/certs') {
      state.fetches += 1;
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ keys: state.keys }));
    } else if (state.broken === 'huge') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      // The first key, then 200 more: over 64 KiB.
      response.end(JSON.stringify({ keys: [published[0], ...Array.from({ length: 200 }, (_, at) => ({ ...published[0], kid: `padding-${at}` }))] }));
    } else if (state.broken === 'status') {
      response.writeHead(503).end();
    } else {
      response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>not the keys</html>');
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { state, certsUrl: `${url}/certs`, brokenUrl: `${url}/broken`, close: () => new Promise((done) => server.close(done)) };
}
