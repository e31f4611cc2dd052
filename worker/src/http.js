// Responses every route shares: JSON bodies, errors as {error: {code, message}}, and CORS for the
// origins the Worker's ALLOWED_ORIGINS names.

// POST is for /share alone (index.js refuses it elsewhere); its JSON body is why Content-Type is allowed.
const CORS_METHODS = 'GET, HEAD, POST, OPTIONS';
const CORS_HEADERS = 'Authorization, Content-Type';
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

/** The answer to a preflight from an allowed origin: GET/HEAD, or POST /share, with Authorization and a JSON body. */
export function preflight(origin) {
  return new Response(null, {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': CORS_METHODS,
      'Access-Control-Allow-Headers': CORS_HEADERS,
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    },
  });
}

/**
 * The bytes of `body` (a request's or a response's), or null past `limit` bytes: read a chunk at a time and
 * given up at the first chunk over, so a caller that lies about its length, or sends none, costs at most
 * `limit` bytes and one chunk.
 * @param {ReadableStream<Uint8Array> | null} body
 * @param {number} limit
 */
export async function readCapped(body, limit) {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
