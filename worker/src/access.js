// Who may use the Worker: browsers only from the origins in ALLOWED_ORIGINS; /summary and /history only with
// `Authorization: Bearer <READ_TOKEN>`, or by anyone when PUBLIC_SUMMARY is "true" and no READ_TOKEN is set;
// and the one gate their answers go through, which keeps `security` for the token's holders.

import { canonicalOrigin } from '../../www/pkg/openathens_rawstats.js';
import { allowedOrigins } from './config.js';
import { errorResponse, json } from './http.js';

/**
 * The request's Origin when it is allowed, null when the request carries none (a script or a same-origin
 * GET), or false when a browser sent it from an origin not on the list.
 */
export function checkOrigin(request, env) {
  const origin = request.headers.get('Origin');
  if (origin === null) return null;
  const spelled = canonicalOrigin(origin);
  return spelled !== undefined && allowedOrigins(env).has(spelled) ? origin : false;
}

/**
 * Who is asking for the org's figures, and what they may read: `{reader}` with its rights, or `{refusal}`,
 * the answer to send instead. Holders of the READ_TOKEN may read everything; without a READ_TOKEN and with
 * PUBLIC_SUMMARY, anyone may read all but `security`, which names accounts and IP addresses.
 * @returns {Promise<{reader: {security: boolean}, refusal?: undefined} | {reader?: undefined, refusal: Response}>}
 */
export async function readerOf(request, env) {
  if (!env.READ_TOKEN) {
    // Forgetting a secret must not publish the organisation's figures: being open is a setting of its own.
    if (env.PUBLIC_SUMMARY === 'true') return { reader: { security: false } };
    return { refusal: errorResponse(403, 'NOT_PUBLIC', 'This Worker does not publish /summary or /history: its owner has set neither a READ_TOKEN secret nor PUBLIC_SUMMARY = "true".') };
  }
  const given = /^Bearer (.+)$/.exec(request.headers.get('Authorization') ?? '')?.[1] ?? '';
  // Digests have one length, so comparing them in constant time says nothing about the token.
  const digest = async (text) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const [a, b] = await Promise.all([digest(given), digest(env.READ_TOKEN)]);
  if (crypto.subtle.timingSafeEqual(a, b)) return { reader: { security: true } };
  return { refusal: errorResponse(401, 'AUTH', 'Give the Worker\'s read token as `Authorization: Bearer <token>`.', { 'WWW-Authenticate': 'Bearer' }) };
}

// Every `security` key, at any depth: in a Summary, a sub-organisation's part, a day of /history, and
// wherever a Summary is put next. (A custom attribute or action named "security" goes too: withheld, not leaked.)
const withoutSecurity = (key, value) => (key === 'security' ? undefined : value);

/**
 * The one way /summary and /history answer with the org's figures: `body` as JSON, without `security` for
 * a reader not allowed it, so no route has its own copy of the rule to forget.
 * @param {{security: boolean}} reader
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export function answer(reader, body, headers = {}) {
  return json(200, body, headers, reader.security ? undefined : withoutSecurity);
}
