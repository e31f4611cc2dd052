// Sends a report file as the download, with the scenario's faults: a body cut off part way (the
// connection destroyed), one corrupted byte inside the deflate data, or a throttled trickle.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { corsHeaders } from './responses.mjs';

const CHUNK = 64 * 1024;
// Throttled downloads go out in about 20 chunks a second, so progress is smooth at any rate.
const SLOW_CHUNKS_PER_SECOND = 20;
const FLIP_MASK = 0x5a;

// Length of the gzip member header at the start of `bytes` (RFC 1952), or null if it is not gzip.
function gzipHeaderLength(bytes) {
  if (bytes.length < 10 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return null;
  const flags = bytes[3];
  let at = 10;
  if (flags & 0x04) at += 2 + bytes.readUInt16LE(at);
  if (flags & 0x08) at = bytes.indexOf(0, at) + 1;
  if (flags & 0x10) at = bytes.indexOf(0, at) + 1;
  if (flags & 0x02) at += 2;
  return at > 0 && at < bytes.length ? at : null;
}

// Where `corrupt` flips a byte: halfway through the first member's deflate data (its length is estimated
// from the member count, which is enough to land inside it), or mid-file for a plain CSV.
async function corruptOffset(path, size, members) {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(Math.min(size, 4096)), position: 0 });
    const header = gzipHeaderLength(buffer.subarray(0, bytesRead));
    if (header === null) return Math.floor(size / 2);
    const deflateEstimate = Math.floor(size / members) - header - 8;
    return header + Math.max(0, Math.floor(deflateEstimate / 2));
  } finally {
    await file.close();
  }
}

// Resolves once `chunk` is handed to the socket, or at once if the client has gone.
function write(res, chunk) {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(false);
    const onClose = () => resolve(false);
    res.once('close', onClose);
    res.write(chunk, () => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    });
  });
}

function contentDisposition(filename) {
  // Only a plain file name goes into the header; anything else becomes `_` rather than an injected header.
  const safe = filename.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
  return `attachment; filename="${safe}"`;
}

// `report` is `{ path, size, contentType }` from the reports cache; `members` the gzip member count asked for.
export async function sendReport(req, res, report, { scenario, filename, members }) {
  const headers = {
    ...corsHeaders(req),
    'Content-Type': report.contentType,
    'Content-Length': report.size,
    'Cache-Control': 'no-store',
  };
  if (filename) headers['Content-Disposition'] = contentDisposition(filename);
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return res.end();

  const limit = scenario.cutPercent === null ? report.size : Math.floor((report.size * scenario.cutPercent) / 100);
  const flipAt = scenario.corrupt ? await corruptOffset(report.path, report.size, members) : -1;
  const bytesPerSecond = scenario.slowKBps === null ? null : scenario.slowKBps * 1024;
  const chunk = bytesPerSecond === null
    ? CHUNK
    : Math.max(256, Math.min(CHUNK, Math.floor(bytesPerSecond / SLOW_CHUNKS_PER_SECOND)));

  const started = performance.now();
  let sent = 0;
  if (limit > 0) {
    for await (const piece of createReadStream(report.path, { end: limit - 1, highWaterMark: chunk })) {
      if (flipAt >= sent && flipAt < sent + piece.length) piece[flipAt - sent] ^= FLIP_MASK;
      if (bytesPerSecond !== null) {
        // Each chunk leaves when the rate has earned it, so the last byte arrives at size / rate.
        const wait = started + ((sent + piece.length) / bytesPerSecond) * 1000 - performance.now();
        if (wait > 0) await sleep(wait);
      }
      if (!(await write(res, piece))) return;
      sent += piece.length;
    }
  }
  if (limit < report.size) res.destroy();
  else res.end();
}
