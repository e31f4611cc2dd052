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

export function loadSettings() {
  const store = storage();
  if (!store) return {};
  const settings = {};
  for (const name of [...PLAIN, ...SECRET]) {
    const value = store.getItem(PREFIX + name);
    if (value !== null) settings[name] = name === 'subKeys' ? JSON.parse(value) : value;
  }
  return settings;
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
