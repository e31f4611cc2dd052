// fetchReport's and fetchRange's `fetch` option: every request goes through the function given (the
// Worker's cron counts its subrequests with it), none through the global fetch.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDemoApi } from '../../demo-api/server.mjs';
import { ensureBuilt, loadWasm } from './fetch-harness.mjs';

let wasm;
let demo;
before(async () => {
  ensureBuilt();
  wasm = await loadWasm();
  demo = await startDemoApi({ defaultRows: 200, runningPolls: 1 });
});
after(() => demo?.close());

const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

// The task, its polls (at least one: the demo answers RUNNING first), the download.
function assertWholeTask(urls) {
  const kinds = urls.map((url) => (/rawreport\?date=/.test(url) ? 'task' : /rawtask\//.test(url) ? 'poll' : /rawreport\//.test(url) ? 'download' : url));
  assert.match(kinds.join(' '), /^task( poll)+ download$/);
}

test('every request of fetchReport and fetchRange goes through the fetch option', async () => {
  const global = globalThis.fetch;
  let globalCalls = 0;
  globalThis.fetch = (...args) => {
    globalCalls += 1;
    return global(...args);
  };
  try {
    const seen = [];
    const counting = (url, init) => {
      seen.push(url);
      return global(url, init);
    };
    const options = { apiName: demo.apiName, apiKey: 'demo-key', baseUrl: demo.baseUrl, pollIntervalMs: 10, fetch: counting };
    const summary = await wasm.fetchReport({ ...options, date: yesterday });
    assert.deepEqual(summary, await demo.truth({ date: yesterday }));
    assertWholeTask(seen);

    seen.length = 0;
    const range = await wasm.fetchRange({ ...options, from: yesterday, to: yesterday });
    assert.equal(range.days.length, 1);
    assertWholeTask(seen);
    assert.equal(globalCalls, 0, 'the global fetch was not used');

    // A fetch that refuses ends the call as the global one failing would, with the caller's signal aborted.
    const controller = new AbortController();
    const refusing = () => {
      controller.abort();
      return Promise.reject(new Error('no requests left'));
    };
    await assert.rejects(wasm.fetchReport({ ...options, date: yesterday, fetch: refusing, signal: controller.signal }), { code: 'ABORTED' });
  } finally {
    globalThis.fetch = global;
  }
});
