// www/js/settings.js in Node with a stand-in localStorage: what the page reads back, and that a corrupt
// entry cannot stop the page's setup.

import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

const PREFIX = 'openathens-rawstats.';
const entries = new Map();
globalThis.localStorage = {
  getItem: (name) => entries.get(name) ?? null,
  setItem: (name, value) => entries.set(name, String(value)),
  removeItem: (name) => entries.delete(name),
};
const { forgetSettings, loadSettings, saveSettings } = await import('../../www/js/settings.js');

const settings = {
  apiName: 'example.org',
  baseUrl: 'https://proxy.example.org/api/v1',
  apiKey: 'k-1',
  subKeys: [{ label: 'Medicine', key: 'k-2' }],
  remember: true,
};

beforeEach(() => entries.clear());

test('what is saved comes back; keys only while remembered; Forget removes everything', () => {
  saveSettings(settings);
  const { remember, ...saved } = settings;
  assert.deepEqual(loadSettings(), saved);
  saveSettings({ ...settings, remember: false });
  assert.deepEqual(loadSettings(), { apiName: 'example.org', baseUrl: 'https://proxy.example.org/api/v1' });
  forgetSettings();
  assert.deepEqual(loadSettings(), {});
});

test('a corrupt list of sub-organisation keys is dropped, and the rest still loads', () => {
  for (const corrupt of ['{not json', '"a string"', '{"label": "x"}', '[{"label": 1, "key": "k"}]', '[null]']) {
    entries.clear();
    entries.set(`${PREFIX}apiName`, 'example.org');
    entries.set(`${PREFIX}apiKey`, 'k-1');
    entries.set(`${PREFIX}subKeys`, corrupt);
    assert.deepEqual(loadSettings(), { apiName: 'example.org', apiKey: 'k-1' }, corrupt);
  }
});

test('without localStorage (a privacy mode that throws) nothing is remembered and nothing fails', () => {
  const store = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
  Object.defineProperty(globalThis, 'localStorage', { configurable: true, get() { throw new Error('denied'); } });
  try {
    assert.deepEqual(loadSettings(), {});
    saveSettings(settings);
    forgetSettings();
  } finally {
    Object.defineProperty(globalThis, 'localStorage', store);
  }
});
