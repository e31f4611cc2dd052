// The reports API proxy under /api/v1, for a page whose browser the API refuses cross-origin: it forwards
// the API's three requests, and nothing else, to the configured API host, with the caller's Authorization
// header. Reports stream through untouched; task documents and error answers (small JSON or text) come back
// with any copy of the caller's key taken out, since an API that echoes the Authorization header would
// otherwise put it into a body the page may show or log. Their links name the API's own host, and
// fetchReport follows any link under /{apiName}/ through its baseUrl, so they come back here.

import { redactKey } from '../../www/pkg/openathens_rawstats.js';
import { apiBaseUrl } from './config.js';
import { errorResponse, readCapped } from './http.js';

const PROXY_ROOT = '/api/v1';

// rawreport?date=, rawtask/{id}, rawreport/{id}[?filename=]: every path segment a single non-empty one.
const API_PATH = /^\/[^/]+\/(rawreport|rawtask\/[^/]+|rawreport\/[^/]+)$/;
// RFC 3986 unreserved characters only: a percent-encoded `/`, CR/LF or `..%2F` would reach the API inside a
// segment, where its own router (or one in front of it) may decode it into another path or a header.
const SAFE_SEGMENT = /^[A-Za-z0-9._~-]+$/;
// Request headers worth forwarding; cookies and the rest stay here.
const FORWARDED_REQUEST = ['authorization', 'accept'];
// Response headers worth returning; the API's own CORS headers are replaced by the Worker's. (The runtime
// undoes and redoes any Content-Encoding itself; the report is application/gzip, not an encoding.)
const FORWARDED_RESPONSE = ['content-type', 'content-length', 'content-disposition', 'retry-after', 'www-authenticate', 'location'];
// A document larger than this is not one the API writes (they are a few hundred bytes): as the module's
// own cap (src/limits.rs MAX_DOCUMENT_BYTES).
const MAX_DOCUMENT_BYTES = 1 << 20;
const REPORT_TYPES = /^application\/(gzip|x-gzip|octet-stream)\b/i;

export function isProxyPath(pathname) {
  return pathname.startsWith(`${PROXY_ROOT}/`);
}

/** Forwards a GET or HEAD under /api/v1 whose origin the caller already checked. */
export async function proxy(request, env) {
  const url = new URL(request.url);
  const rest = url.pathname.slice(PROXY_ROOT.length);
  const segments = rest.split('/').slice(1);
  if (segments.some((segment) => segment !== '' && (!SAFE_SEGMENT.test(segment) || segment === '.' || segment === '..'))) {
    return errorResponse(400, 'BAD_PATH', 'The proxy forwards path segments of letters, digits and - . _ ~ only (no percent-encoding, no . or ..).');
  }
  if (!API_PATH.test(rest)) {
    return errorResponse(404, 'NOT_FOUND', `${url.pathname} is not a reports API path: the proxy forwards only {apiName}/rawreport, rawtask/{id} and rawreport/{id}.`);
  }
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  let upstream;
  try {
    // A redirect goes back to the caller as it is: following it here could lead anywhere.
    upstream = await fetch(`${apiBaseUrl(env)}${rest}${url.search}`, { method: request.method, headers, redirect: 'manual' });
  } catch (error) {
    if (error?.code === 'CONFIG') return errorResponse(500, 'CONFIG', error.message);
    return errorResponse(502, 'NETWORK', 'The reports API did not answer the proxy. Try again in a minute.');
  }
  const answer = new Headers();
  for (const name of FORWARDED_RESPONSE) {
    const value = upstream.headers.get(name);
    if (value !== null) answer.set(name, value);
  }
  answer.set('Cache-Control', 'no-store');
  const init = { status: upstream.status, statusText: upstream.statusText, headers: answer };
  if (upstream.body === null || REPORT_TYPES.test(upstream.headers.get('content-type') ?? '')) return new Response(upstream.body, init);
  const text = await readDocument(upstream.body);
  if (text === null) return errorResponse(502, 'TOO_LARGE', 'The reports API answered with a document over 1 MiB, which is not one it writes; the proxy did not pass it on.');
  answer.delete('content-length');
  return new Response(withoutKey(text, request.headers.get('authorization')), init);
}

/** The body as text, or null past MAX_DOCUMENT_BYTES (the rest is not read). */
async function readDocument(body) {
  const bytes = await readCapped(body, MAX_DOCUMENT_BYTES);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** `text` without the caller's key (in any form) or anything written as an OAApiKey credential: the
 * engine's redaction, the one fetchReport applies. */
function withoutKey(text, authorization) {
  // The header's value as HTTP trimmed it, so the key as the API read it.
  const key = /^OAApiKey\s+(.*)$/is.exec(authorization ?? '')?.[1] ?? '';
  return redactKey(text, key);
}
