// A Cloudflare Access sign-in: the `Cf-Access-Jwt-Assertion` header, an RS256 JWT checked with
// crypto.subtle against the public keys the team publishes at its certs URL. Nothing the token says is
// believed before its signature is checked, and its header chooses nothing but which of the team's keys.

import { decodeBase64url, decodeJsonPart } from './base64url.js';
import { readCapped } from './http.js';

// An Access JWT is about 1 KB; anything far larger is not one, and is refused before it is decoded.
export const MAX_JWT_BYTES = 8 * 1024;
// Cloudflare's certs document holds two or three keys, about 3 KB.
export const MAX_JWKS_BYTES = 64 * 1024;
// How long the team's keys are kept before they are fetched again. Cloudflare rotates them every six weeks
// and publishes the next key ahead of its use; a token naming a key not yet seen fetches them at once.
export const JWKS_TTL_MS = 60 * 60 * 1000;
// How long the Worker waits for the certs URL.
export const JWKS_TIMEOUT_MS = 10_000;
// nbf and iat may be this far ahead of the Worker's clock (seconds), for clocks that differ slightly.
const CLOCK_SKEW_S = 60;

const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** Why a token is not accepted: `AUTH`, or `CONFIG` when the team's keys cannot be read. */
export class AccessError extends Error {
  /** @param {'AUTH' | 'CONFIG'} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const refused = (why) => new AccessError('AUTH', `The Cloudflare Access token is not accepted: ${why}.`);

// Per certs URL: {fetchedAt, keys: Map<kid, CryptoKey>}. One entry per configured URL; the keys of one
// document, which MAX_JWKS_BYTES bounds. Only settled values are kept, never a promise, since workerd ties
// a promise to the request that made it.
const cached = new Map();

async function fetchKeys(certsUrl) {
  const unreadable = (why) => new AccessError('CONFIG', `The Cloudflare Access keys at ${certsUrl} could not be read (${why}): check ACCESS_TEAM_DOMAIN or ACCESS_CERTS_URL.`);
  let response;
  try {
    response = await fetch(certsUrl, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
  } catch (error) {
    throw unreadable(error.name === 'TimeoutError' ? `no answer in ${JWKS_TIMEOUT_MS / 1000} s` : 'no connection');
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw unreadable(`HTTP ${response.status}`);
  }
  const bytes = await readCapped(response.body, MAX_JWKS_BYTES);
  if (bytes === null) throw unreadable(`over ${MAX_JWKS_BYTES} bytes`);
  let document;
  try {
    document = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw unreadable('not JSON');
  }
  const keys = new Map();
  for (const jwk of Array.isArray(document?.keys) ? document.keys : []) {
    const usable = jwk?.kty === 'RSA' && typeof jwk.kid === 'string' && typeof jwk.n === 'string' && typeof jwk.e === 'string'
      && (jwk.alg === undefined || jwk.alg === 'RS256') && (jwk.use === undefined || jwk.use === 'sig');
    if (!usable) continue;
    try {
      keys.set(jwk.kid, await crypto.subtle.importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', ext: true }, RS256, false, ['verify']));
    } catch {
      // A key the runtime cannot import verifies nothing; the others still do.
    }
  }
  if (keys.size === 0) throw unreadable('no RS256 key in {keys: [...]}');
  const entry = { fetchedAt: Date.now(), keys };
  cached.set(certsUrl, entry);
  return entry;
}

// The team's key named `kid`: from the cache while it is fresh, else fetched; a kid the cached keys lack
// fetches them once more (a new key), so an unknown kid costs one fetch of the certs URL per request.
async function keyNamed(certsUrl, kid) {
  let entry = cached.get(certsUrl);
  const fresh = entry !== undefined && Date.now() - entry.fetchedAt < JWKS_TTL_MS;
  if (!fresh || !entry.keys.has(kid)) entry = await fetchKeys(certsUrl);
  return entry.keys.get(kid) ?? null;
}

/**
 * The claims of `token` once its signature is one of the team's keys', `aud` contains `audience`, `iss` is
 * `issuer`, `exp` is in the future and `nbf`/`iat` are not; else throws an AccessError.
 * @param {string} token
 * @param {{issuer: string, audience: string, certsUrl: string}} team
 * @returns {Promise<Record<string, unknown>>}
 */
export async function verifyAccessJwt(token, { issuer, audience, certsUrl }) {
  if (token.length > MAX_JWT_BYTES) throw refused(`over ${MAX_JWT_BYTES} bytes`);
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => part === '')) throw refused('not a signed JWT');
  const header = decodeJsonPart(parts[0]);
  // Only RS256: `none`, or HS256 with the public key as its secret, would let anyone sign.
  if (header?.alg !== 'RS256' || typeof header.kid !== 'string') throw refused('not an RS256 JWT naming its key');
  const signature = decodeBase64url(parts[2]);
  if (signature === null) throw refused('not a signed JWT');
  const key = await keyNamed(certsUrl, header.kid);
  if (key === null) throw refused('signed by a key the team does not publish');
  const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  // A signature of the wrong length is refused by some runtimes with an exception, by others with false.
  const verified = await crypto.subtle.verify(RS256, key, signature, signed).catch(() => false);
  if (!verified) throw refused('its signature does not match');
  const claims = decodeJsonPart(parts[1]);
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw refused('no claims');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(audience)) throw refused('made for another application (aud)');
  if (claims.iss !== issuer) throw refused('issued by another team (iss)');
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= now) throw refused('expired; sign in again');
  for (const name of ['nbf', 'iat']) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== 'number' || value > now + CLOCK_SKEW_S)) throw refused(`${name} is in the future`);
  }
  return claims;
}
