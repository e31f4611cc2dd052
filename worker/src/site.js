// The page (www/, Workers static assets bound as ASSETS) on the Worker's own origin, so one deploy gives the
// page, /summary, /history and the element's files. wrangler.toml runs the Worker first for every path, so
// that each HTML page and worker script leaves with the Content-Security-Policy as a header: a <meta> policy
// cannot say frame-ancestors, and a worker script is governed only by the policy delivered with it.

import { errorResponse } from './http.js';

/**
 * The policy of www/index.html's <meta> tag (tests/js/wrangler-dev.test.mjs holds the two equal), to which
 * the header adds frame-ancestors.
 */
export const PAGE_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self' https:; style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'none'";

/**
 * FRAME_ANCESTORS as a CSP source list: "'none'" unless the owner names the portals that may frame the page
 * (space- or comma-separated origins, or "'self'"). Anything that is not a source expression is refused at
 * the first request rather than silently widening or breaking the policy.
 */
export function frameAncestors(env) {
  const listed = (env.FRAME_ANCESTORS ?? '').split(/[\s,]+/).filter(Boolean);
  if (listed.length === 0) return "'none'";
  for (const source of listed) {
    if (!/^('none'|'self'|https:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?)$/i.test(source)) {
      throw new Error(`FRAME_ANCESTORS holds ${JSON.stringify(source)}: give 'self', 'none' or https:// origins.`);
    }
  }
  return listed.join(' ');
}

/** True for what the browser treats as a document or a worker script, the responses a CSP header governs. */
function governed(response) {
  const type = response.headers.get('Content-Type') ?? '';
  return /^text\/html\b/i.test(type) || /^(text|application)\/javascript\b/i.test(type);
}

/** A file of the page from the ASSETS binding, with the security headers every page response carries. */
export async function serveSite(request, env) {
  if (!env.ASSETS) {
    return errorResponse(404, 'NOT_FOUND', 'Nothing here: this Worker serves /summary, /history and the API proxy under /api/v1 (deploy it with wrangler.toml\'s [assets] to serve the page too).');
  }
  let ancestors;
  try {
    ancestors = frameAncestors(env);
  } catch (error) {
    return errorResponse(500, 'CONFIG', error.message);
  }
  const response = await env.ASSETS.fetch(request);
  const headers = new Headers(response.headers);
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  if (governed(response)) headers.set('Content-Security-Policy', `${PAGE_POLICY}; frame-ancestors ${ancestors}`);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
