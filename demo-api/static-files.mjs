// The page's files (www/) at `/`: GET and HEAD only, index.html for a directory, nothing outside the root;
// documents and scripts with the page's Content-Security-Policy as a header.

import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { corsHeaders, sendBody } from './responses.mjs';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.gz': 'application/gzip',
  '.ts': 'text/plain; charset=utf-8',
};

// The policy of the root's index.html (its meta tag), sent as a header: a header is what governs a worker
// (worker.js, which a meta tag cannot reach) and what can forbid framing. The production page allows no
// local API; the demo API and the tests' servers run on this machine, so the header adds them here.
// docs/hosting.md gives the header a production host should send.
const META_POLICY = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/;
const LOCAL_API_SOURCES = 'http://127.0.0.1:* http://localhost:*';

async function demoPolicy(root) {
  const page = await readFile(join(root, 'index.html'), 'utf8').catch(() => '');
  const policy = META_POLICY.exec(page)?.[1];
  return policy && `${policy.replace(/connect-src [^;]*/, (sources) => `${sources} ${LOCAL_API_SOURCES}`)}; frame-ancestors 'none'`;
}

function notFound(req, res) {
  sendBody(req, res, 404, 'text/plain; charset=utf-8', 'Not found\n');
}

// The real path of the file `pathname` names under `root` (a real path), or null when there is none or it
// would lie outside the root (`..`, encoded separators, a symlink leading out).
async function resolveFile(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const parts = decoded.split('/');
  if (parts.some((part) => part === '..')) return null;
  let candidate = join(root, ...parts);
  let info = await stat(candidate).catch(() => null);
  if (info?.isDirectory()) {
    candidate = join(candidate, 'index.html');
    info = await stat(candidate).catch(() => null);
  }
  if (!info?.isFile()) return null;
  const real = await realpath(candidate);
  return real.startsWith(root + sep) ? real : null;
}

// `root` must already be a real, absolute path.
export async function serveStatic(req, res, root, pathname) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendBody(req, res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n', { Allow: 'GET, HEAD, OPTIONS' });
  }
  const file = await resolveFile(root, pathname);
  if (!file) return notFound(req, res);
  const { size } = await stat(file);
  // Only documents and workers read a policy header; other scripts are sent it too, harmlessly.
  const policy = /\.(html|js)$/.test(file) ? await demoPolicy(root) : null;
  res.writeHead(200, {
    ...(policy ? { 'Content-Security-Policy': policy } : {}),
    ...corsHeaders(req),
    'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    // A development server: always revalidate, so a rebuilt www/pkg is picked up on reload.
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
