// Who may use the Worker: browsers only from the origins in ALLOWED_ORIGINS; /summary and /history only with
// `Authorization: Bearer <READ_TOKEN>`, or by anyone when PUBLIC_SUMMARY is "true" and no READ_TOKEN is set.

import { canonicalOrigin } from '../../www/pkg/openathens_rawstats.js';
import { allowedOrigins } from './config.js';
import { errorResponse } from './http.js';

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

/** Null when the request may read the org's summaries, else the refusal to send. */
export async function readRefusal(request, env) {
  if (!env.READ_TOKEN) {
    // Forgetting a secret must not publish the organisation's figures: being open is a setting of its own.
    if (env.PUBLIC_SUMMARY === 'true') return null;
    return errorResponse(403, 'NOT_PUBLIC', 'This Worker does not publish /summary or /history: its owner has set neither a READ_TOKEN secret nor PUBLIC_SUMMARY = "true".');
  }
  const given = /^Bearer (.+)$/.exec(request.headers.get('Authorization') ?? '')?.[1] ?? '';
  // Digests have one length, so comparing them in constant time says nothing about the token.
  const digest = async (text) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const [a, b] = await Promise.all([digest(given), digest(env.READ_TOKEN)]);
  if (crypto.subtle.timingSafeEqual(a, b)) return null;
  return errorResponse(401, 'AUTH', 'Give the Worker\'s read token as `Authorization: Bearer <token>`.', { 'WWW-Authenticate': 'Bearer' });
}
