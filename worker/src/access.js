// Who may use the Worker: browsers only from the origins in ALLOWED_ORIGINS, and, when the READ_TOKEN
// secret is set, /summary and /history only with `Authorization: Bearer <READ_TOKEN>`.

import { allowedOrigins, normaliseOrigin } from './config.js';

/**
 * The request's Origin when it is allowed, null when the request carries none (a script or a same-origin
 * GET), or false when a browser sent it from an origin not on the list.
 */
export function checkOrigin(request, env) {
  const origin = request.headers.get('Origin');
  if (origin === null) return null;
  return allowedOrigins(env).has(normaliseOrigin(origin)) ? origin : false;
}

/** Whether the request may read the org's summaries. */
export async function mayRead(request, env) {
  if (!env.READ_TOKEN) return true;
  const given = /^Bearer (.+)$/.exec(request.headers.get('Authorization') ?? '')?.[1] ?? '';
  // Digests have one length, so comparing them in constant time says nothing about the token.
  const digest = async (text) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const [a, b] = await Promise.all([digest(given), digest(env.READ_TOKEN)]);
  return crypto.subtle.timingSafeEqual(a, b);
}
