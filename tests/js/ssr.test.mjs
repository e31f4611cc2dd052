// <openathens-report> under server-side rendering: a framework imports the element's module in Node, where
// there is no HTMLElement or customElements. The import must succeed and define nothing; the browser that
// loads the page defines the element. (package.test.mjs does the same through openathens-rawstats/element.)

import assert from 'node:assert/strict';
import { test } from 'node:test';

test('www/embed.js imports in Node without a DOM, and defines nothing', async () => {
  assert.equal(globalThis.HTMLElement, undefined);
  const module = await import('../../www/embed.js');
  assert.deepEqual(Object.keys(module), []);
  assert.equal(globalThis.customElements, undefined);
});
