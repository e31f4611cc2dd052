// Responses every route shares: JSON bodies, errors as {error: {code, message}}, and CORS for the
// origins the Worker's ALLOWED_ORIGINS names.

const CORS_METHODS = 'GET, HEAD, OPTIONS';
// What a page on an allowed origin may read besides the CORS-safelisted headers: the report's size (for
// progress), its file name, and how long to wait when the API limits requests.
const EXPOSED_HEADERS = 'Content-Length, Content-Disposition, Retry-After';

/** @param {((key: string, value: any) => any) | undefined} [replacer] JSON.stringify's */
export function json(status, value, headers = {}, replacer = undefined) {
  return new Response(JSON.stringify(value, replacer), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  });
}

export function errorResponse(status, code, message, headers = {}) {
  return json(status, { error: { code, message } }, headers);
}

/** Adds the CORS headers for `origin` (already checked against the allowlist) to a response. */
export function withCors(response, origin) {
  if (!origin) return response;
  const headers = new Headers(response.headers);
  headers.set('Access-Control-Allow-Origin', origin);
  headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  headers.append('Vary', 'Origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** The answer to a preflight from an allowed origin: GET/HEAD with an Authorization header. */
export function preflight(origin) {
  return new Response(null, {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': CORS_METHODS,
      'Access-Control-Allow-Headers': 'Authorization',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    },
  });
}
