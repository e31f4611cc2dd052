// A reports API that misbehaves in the ways the demo API does not (redirects, stalls, huge bodies, echoed
// keys), and a second loopback server on another port, "elsewhere", that records every Authorization
// header it receives: the key must never reach it. Used by fetch-hostile.test.mjs (Node) and
// worker.test.mjs and worker-keys.test.mjs (workerd), and for redirects by fetch-browser.test.mjs (Chromium).
//
// The misbehaviour is the first path segment of the base URL (`${origin}/<mode>/api/v1`), or with the
// segment `by-date`, the mode given for the request's `date` (the Worker picks the date, not the URL).
// Downloads are `rawreport/<mode>` so they keep their mode when fetchReport takes them through baseUrl.

import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';

export const HOSTILE_API_NAME = 'hostile.openathens.test';
const CSV = 'date,action,status,account.accountid\n06/06/2023T19:29:16,AUTHENTICATE,SUCCESS,a1\n06/06/2023T19:30:00,AUTHENTICATE,FAILURE,a2\n';
export const HOSTILE_REPORT = gzipSync(CSV);
// What the huge modes send, unless the client stops reading.
export const HUGE_BYTES = 50 * 1024 * 1024;

// Both servers answer pages on any origin (CORS), so the Chromium suite can use them too.
function listen(handler) {
  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method !== 'OPTIONS') return handler(req, res);
    return res.writeHead(204, { 'Access-Control-Allow-Headers': 'Authorization', 'Access-Control-Allow-Methods': 'GET' }).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function originOf(server) {
  return `http://127.0.0.1:${server.address().port}`;
}

// The key as the API reads it from `OAApiKey <key>`: after the scheme's spaces, as HTTP trimmed the value.
function bareKey(authorization) {
  return authorization.replace(/^OAApiKey\s+/i, '');
}

function task(res, status, links) {
  res.writeHead(200, { 'Content-Type': 'application/vnd.eduserv.iam.reports.task-v1+json' });
  res.end(JSON.stringify({ status, percentComplete: 100, links }));
}

// About HUGE_BYTES of a JSON body with `status`, written only as fast as the client reads; `sent` says how far it got.
function huge(res, status, sent) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  res.write('{"status": "RUNNING", "pad": "');
  const pump = () => {
    while (sent.bytes < HUGE_BYTES - 64 * 1024) {
      sent.bytes += chunk.length;
      if (!res.write(chunk)) return res.once('drain', pump);
    }
    return res.end('"}');
  };
  pump();
}

/** `key` as the echo modes write it: bare, JSON-escaped (as echo-escaped), percent-encoded in both cases. */
export function keyForms(key) {
  const escaped = JSON.stringify(key).slice(1, -1).replaceAll('/', '\\/')
    .replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const percent = encodeURIComponent(key);
  return [key, escaped, percent, percent.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())];
}

/** The first 6 characters in a row (or the whole key, if shorter) of any form of `key` that `text` holds. */
export function leakedPiece(text, key) {
  for (const form of keyForms(key)) {
    const width = Math.min(6, form.length);
    for (let at = 0; at + width <= form.length; at += 1) if (text.includes(form.slice(at, at + width))) return form.slice(at, at + width);
  }
  return undefined;
}

/**
 * Starts both servers: resolves to {baseUrl(mode), elsewhereHits, hugeSent, close()}; `modesByDate` maps a
 * `yyyy-MM-dd` to a mode for the `by-date` base URL (any other date: `echo`).
 */
export async function startHostileApi({ modesByDate = {} } = {}) {
  const elsewhereHits = [];
  const hugeSent = { bytes: 0 };
  const elsewhere = await listen((req, res) => {
    elsewhereHits.push({ url: req.url, authorization: req.headers.authorization });
    if (req.url === '/task') return task(res, 'FINISHED', [{ rel: 'DOWN', href: `${originOf(elsewhere)}/report.csv.gz` }]);
    if (req.url === '/report.csv.gz') return res.writeHead(200, { 'Content-Type': 'application/gzip' }).end(HOSTILE_REPORT);
    return res.writeHead(404).end();
  });

  const api = await listen((req, res) => {
    const url = new URL(req.url, 'http://api');
    const [, first] = url.pathname.split('/');
    const download = /\/rawreport\/([^/]+)$/.exec(url.pathname)?.[1];
    const mode = download ?? (first === 'by-date' ? modesByDate[url.searchParams.get('date')] ?? 'echo' : first);
    const downLink = `${originOf(api)}/${first}/api/v1/${HOSTILE_API_NAME}/rawreport/${mode}`;
    const authorization = req.headers.authorization ?? '';
    switch (download ? `download ${mode}` : mode) {
      case 'task-redirect': return res.writeHead(302, { Location: `${originOf(elsewhere)}/task` }).end();
      case 'loop': return res.writeHead(307, { Location: url.pathname.split('/').at(-1) + url.search }).end();
      case 'download-redirect':
      case 'stall-download':
      case 'stall-download-headers': return task(res, 'FINISHED', [{ rel: 'DOWN', href: downLink }]);
      case 'download download-redirect': return res.writeHead(302, { Location: `${originOf(elsewhere)}/report.csv.gz` }).end();
      case 'download stall-download':
        res.writeHead(200, { 'Content-Type': 'application/gzip' });
        return res.write(HOSTILE_REPORT.subarray(0, HOSTILE_REPORT.length >> 1));
      case 'stall-headers':
      case 'download stall-download-headers': return undefined;
      case 'stall-task': return res.writeHead(200, { 'Content-Type': 'application/json' }).write('{"status": ');
      case 'huge-task': return huge(res, 200, hugeSent);
      case 'huge-error': return huge(res, 500, hugeSent);
      // The API quotes the Authorization header it was sent, and the bare key, in a 500 and in a task.
      case 'echo': {
        const message = `The key in "${authorization}" is not valid: ${bareKey(authorization)} was revoked`;
        return res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message }));
      }
      // As echo, by a JSON encoder that escapes `/` and HTML's characters (PHP's json_encode with its
      // JSON_HEX_* flags, Go's encoding/json for < > &).
      case 'echo-escaped': {
        const message = `The key "${bareKey(authorization)}" is not valid`;
        const json = JSON.stringify({ message }).replaceAll('/', '\\/')
          .replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        return res.writeHead(500, { 'Content-Type': 'application/json' }).end(json);
      }
      // The bare key percent-encoded in a URL the message names, once in upper and once in lower hex.
      case 'echo-percent': {
        const encoded = encodeURIComponent(bareKey(authorization));
        const message = `Not valid: /keys?k=${encoded} (also /keys?k=${encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())})`;
        return res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message }));
      }
      case 'echo-status': return task(res, `UNKNOWN ${authorization} ${bareKey(authorization)}`, []);
      default: return res.writeHead(404).end();
    }
  });

  return {
    baseUrl: (mode) => `${originOf(api)}/${mode}/api/v1`,
    elsewhereHits,
    hugeSent,
    async close() {
      await Promise.all([api, elsewhere].map((server) => {
        server.closeAllConnections();
        return new Promise((done) => server.close(done));
      }));
    },
  };
}
