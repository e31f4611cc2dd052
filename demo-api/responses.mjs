// Headers and bodies every response shares: CORS, so a page on another origin can call the API, and the
// JSON error body the reference's clients expect.

export function corsHeaders(req) {
  const origin = req.headers.origin;
  return {
    'Access-Control-Allow-Origin': origin ?? '*',
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization',
    'Access-Control-Expose-Headers': 'Content-Length, Content-Disposition, Retry-After',
    'Access-Control-Max-Age': '600',
    // The allowed origin depends on the request, so caches must not reuse it for another origin.
    Vary: 'Origin',
  };
}

export function sendBody(req, res, status, contentType, body, extraHeaders = {}) {
  const bytes = Buffer.from(body);
  res.writeHead(status, {
    ...corsHeaders(req),
    'Content-Type': contentType,
    'Content-Length': bytes.length,
    'Cache-Control': 'no-store',
    ...extraHeaders,
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

export function sendJson(req, res, status, value, contentType = 'application/json', extraHeaders = {}) {
  sendBody(req, res, status, contentType, JSON.stringify(value), extraHeaders);
}

export function sendError(req, res, status, message, extraHeaders = {}) {
  sendJson(req, res, status, { status, message }, 'application/json', extraHeaders);
}

export function sendPreflight(req, res) {
  res.writeHead(204, corsHeaders(req));
  res.end();
}
