// The parsing half of pipeline.js, in its own worker: batches of decoded report bytes in, in order, each
// acknowledged with the rows read so far (the inflating side waits on the acks, so only a few batches are
// ever queued here), and the Summary or the report's error out.
// Messages in: {type: 'start', options} | {type: 'batch', bytes, marks, place} | {type: 'end', snapshot}.
// Messages out: {type: 'ready'} once the engine loaded | {type: 'ack', rows, clean, heldBytes} |
// {type: 'done', result} (the Summary, or with `snapshot` the tally's snapshot to merge with other
// parsers') | {type: 'error', error: {code, message}}, after which batches are ignored until the next start.

import init, { BatchParser } from '../pkg/openathens_rawstats.js';

const ready = init();
ready.then(() => self.postMessage({ type: 'ready' }), () => {});

/** @type {BatchParser | null} */
let parser = null;
let work = Promise.resolve();

/** @param {{type: string, options?: object, bytes?: Uint8Array, marks?: Uint32Array, place?: number, snapshot?: boolean}} message */
async function handle({ type, options, bytes, marks, place, snapshot }) {
  await ready;
  if (type === 'start') {
    parser?.free();
    parser = null;
  }
  try {
    if (type === 'start') {
      parser = new BatchParser(options);
    } else if (parser && type === 'batch') {
      parser.push(/** @type {Uint8Array} */ (bytes), /** @type {Uint32Array} */ (marks), place ?? 0);
      self.postMessage({ type: 'ack', rows: parser.rows, clean: parser.clean, heldBytes: parser.heldBytes });
    } else if (parser && type === 'end') {
      const done = parser;
      parser = null;
      if (snapshot) {
        const result = done.snapshot();
        self.postMessage({ type: 'done', result }, { transfer: [result.buffer] });
      } else {
        self.postMessage({ type: 'done', result: done.finish() });
      }
    }
  } catch (error) {
    parser?.free();
    parser = null;
    self.postMessage({ type: 'error', error: { code: error?.code, message: String(error?.message ?? error) } });
  }
}

// Listening from the first moment, so that no message sent while the wasm loads is lost; one at a time.
self.addEventListener('message', ({ data }) => {
  work = work.then(() => handle(data));
});
