// What the page remembers on this device. API name and base URL are not secret and are kept after each
// fetch; keys are kept only while "Remember on this device" is ticked, and Forget removes everything.

const PREFIX = 'openathens-rawstats.';
const PLAIN = ['apiName', 'baseUrl'];
const SECRET = ['apiKey', 'subKeys'];

function storage() {
  // localStorage throws in some privacy modes; the page then simply remembers nothing.
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * What was saved; a saved list of sub-organisation keys that is not one (edited by hand, or written by
 * another version) is dropped, so the page still sets itself up.
 * @returns {{apiName?: string, baseUrl?: string, apiKey?: string, subKeys?: {label: string, key: string}[]}}
 */
export function loadSettings() {
  const store = storage();
  if (!store) return {};
  /** @type {ReturnType<typeof loadSettings>} */
  const settings = {};
  for (const name of PLAIN) {
    const value = store.getItem(PREFIX + name);
    if (value !== null) settings[name] = value;
  }
  const apiKey = store.getItem(PREFIX + 'apiKey');
  if (apiKey !== null) settings.apiKey = apiKey;
  const subKeys = subKeysFrom(store.getItem(PREFIX + 'subKeys'));
  if (subKeys) settings.subKeys = subKeys;
  return settings;
}

/** @param {string | null} text  @returns {{label: string, key: string}[] | null} */
function subKeysFrom(text) {
  if (text === null) return null;
  let rows;
  try {
    rows = JSON.parse(text);
  } catch {
    return null;
  }
  const valid = Array.isArray(rows) && rows.every((row) => typeof row?.label === 'string' && typeof row?.key === 'string');
  return valid ? rows.map(({ label, key }) => ({ label, key })) : null;
}

/** @param {{apiName: string, baseUrl: string, apiKey: string, subKeys: {label: string, key: string}[], remember: boolean}} settings */
export function saveSettings(settings) {
  const store = storage();
  if (!store) return;
  for (const name of PLAIN) store.setItem(PREFIX + name, settings[name]);
  if (settings.remember) {
    store.setItem(PREFIX + 'apiKey', settings.apiKey);
    store.setItem(PREFIX + 'subKeys', JSON.stringify(settings.subKeys));
  } else {
    for (const name of SECRET) store.removeItem(PREFIX + name);
  }
}

export function forgetSettings() {
  const store = storage();
  if (!store) return;
  for (const name of [...PLAIN, ...SECRET]) store.removeItem(PREFIX + name);
}
