// View links: what POST /share asks for, and the token a link carries,
// `v1.<base64url(JSON {from, to, ...rights, exp})>.<base64url(HMAC-SHA256(SHARE_SECRET, "v1.<payload>"))>`.
// The token is the whole grant: nothing is stored, so rotating SHARE_SECRET revokes every link. Which rights
// a link may carry, and what a holder then reads, is access.js's to decide.

import { decodeBase64url, decodeJsonPart, encodeBase64url } from './base64url.js';
import { DAY_MS, parseDay } from './dates.js';
import { errorResponse, json, readCapped } from './http.js';

const VERSION = 'v1';
// A /share body is a few dozen bytes; the cap is checked before the body is read whole.
export const MAX_SHARE_BODY_BYTES = 4 * 1024;
// A view token is about 150 characters; a longer `Authorization: View` is refused unread.
export const MAX_VIEW_TOKEN_BYTES = 1024;
// A link covers at most as many days as /history answers at once, and lives at most 90 days.
export const MAX_SHARE_SPAN_DAYS = 366;
export const MAX_SHARE_EXPIRY_DAYS = 90;
const DEFAULT_EXPIRY_DAYS = 7;

/** Why a view token is refused: `AUTH` (altered, malformed, or no secret to check it) or `EXPIRED`. */
export class ViewTokenError extends Error {
  /** @param {'AUTH' | 'EXPIRED'} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function sign(secret, text) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)));
}

/** The token for `grant` ({from, to, ...rights, exp}, exp in seconds since 1970), signed with `secret`. */
export async function signViewToken(grant, secret) {
  const signed = `${VERSION}.${encodeBase64url(new TextEncoder().encode(JSON.stringify(grant)))}`;
  return `${signed}.${encodeBase64url(await sign(secret, signed))}`;
}

/**
 * The grant `token` carries, once its signature is checked (in constant time) against `secret`: {from, to,
 * exp, ...rights}; else throws a ViewTokenError.
 * @param {string} token
 * @param {string | undefined} secret
 */
export async function openViewToken(token, secret) {
  const refused = (why) => new ViewTokenError('AUTH', `The view link is not valid: ${why}. Ask whoever shared it for a new one.`);
  if (!secret) throw refused('this Worker accepts no view links (it has no SHARE_SECRET)');
  if (token.length > MAX_VIEW_TOKEN_BYTES) throw refused(`over ${MAX_VIEW_TOKEN_BYTES} bytes`);
  const parts = token.split('.');
  const given = parts.length === 3 && parts[0] === VERSION ? decodeBase64url(parts[2]) : null;
  if (given === null) throw refused('it is not a v1 view token');
  const expected = await sign(secret, `${parts[0]}.${parts[1]}`);
  // Lengths are public (every HMAC-SHA256 is 32 bytes); the bytes are compared in constant time.
  if (given.byteLength !== expected.byteLength || !crypto.subtle.timingSafeEqual(given, expected)) throw refused('it was altered, or signed with another secret');
  const grant = decodeJsonPart(parts[1]);
  const valid = grant !== null && typeof grant === 'object' && parseDay(grant.from) !== null && parseDay(grant.to) !== null
    && grant.from <= grant.to && Number.isFinite(grant.exp);
  if (!valid) throw refused('its contents are malformed');
  if (grant.exp * 1000 <= Date.now()) {
    throw new ViewTokenError('EXPIRED', `The view link expired at ${new Date(grant.exp * 1000).toISOString()}: ask whoever shared it for a new one.`);
  }
  return grant;
}

/**
 * The body of POST /share, checked: `{ask: {from, to, expiresInDays, body}}` (body: the whole JSON object,
 * for access.js to read the rights asked for), or `{refusal}`. The body is refused past
 * MAX_SHARE_BODY_BYTES before it is read whole.
 * @param {Request} request
 */
export async function readShareRequest(request) {
  const bad = (status, code, message) => ({ refusal: errorResponse(status, code, message) });
  if (!/^application\/json\b/i.test(request.headers.get('Content-Type') ?? '')) {
    return bad(400, 'BAD_REQUEST', 'Send the link\'s range as JSON {"from": "yyyy-MM-dd", "to": "yyyy-MM-dd"}, with Content-Type: application/json.');
  }
  const tooLarge = () => bad(413, 'TOO_LARGE', `A /share body is at most ${MAX_SHARE_BODY_BYTES} bytes.`);
  if (Number(request.headers.get('Content-Length')) > MAX_SHARE_BODY_BYTES) return tooLarge();
  const bytes = await readCapped(request.body, MAX_SHARE_BODY_BYTES);
  if (bytes === null) return tooLarge();
  let body;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    body = null;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return bad(400, 'BAD_REQUEST', 'The /share body must be a JSON object {from, to, expiresInDays?}.');
  const { from, to, expiresInDays = DEFAULT_EXPIRY_DAYS } = body;
  const fromMs = parseDay(from);
  const toMs = parseDay(to);
  if (fromMs === null || toMs === null) return bad(400, 'BAD_DATE', 'Give from and to as yyyy-MM-dd dates.');
  if (fromMs > toMs) return bad(400, 'BAD_DATE', `from (${from}) is after to (${to}).`);
  const span = (toMs - fromMs) / DAY_MS + 1;
  if (span > MAX_SHARE_SPAN_DAYS) return bad(400, 'DATE_OUT_OF_RANGE', `A view link covers at most ${MAX_SHARE_SPAN_DAYS} days; ${from} to ${to} is ${span}.`);
  if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_SHARE_EXPIRY_DAYS) {
    return bad(400, 'BAD_REQUEST', `expiresInDays is a whole number of days from 1 to ${MAX_SHARE_EXPIRY_DAYS}.`);
  }
  return { ask: { from, to, expiresInDays, body } };
}

/**
 * POST /share's answer: 201 {url, token, expires} for a link to `ask`'s range carrying `rights`, or 500
 * CONFIG without a SHARE_SECRET. The url puts the token in the fragment, which a browser never sends, so
 * the link itself leaves it in no server's log.
 */
export async function issueViewLink(request, env, { from, to, expiresInDays }, rights) {
  const exp = Math.floor(Date.now() / 1000) + expiresInDays * (DAY_MS / 1000);
  const token = await signViewToken({ from, to, ...rights, exp }, env.SHARE_SECRET);
  return json(201, { url: `${new URL(request.url).origin}/#view=${token}`, token, expires: new Date(exp * 1000).toISOString() });
}

/** 500 CONFIG when the Worker cannot sign links; null when it can. */
export function shareConfigRefusal(env) {
  if (env.SHARE_SECRET) return null;
  return errorResponse(500, 'CONFIG', 'This Worker makes no view links: run `wrangler secret put SHARE_SECRET` (a long random string) first.');
}
