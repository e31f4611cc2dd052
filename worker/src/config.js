// What the Worker is configured with (wrangler.toml vars and secrets): read from `env`, never from a
// request. A missing or malformed setting is a ConfigError whose message says how to set it; no message
// ever contains a key.

import { canonicalOrigin, fetchReportDefaults } from '../../www/pkg/openathens_rawstats.js';

export class ConfigError extends Error {
  code = 'CONFIG';
}

/** The reports API root the Worker talks to, without a trailing slash. */
export function apiBaseUrl(env) {
  const base = (env.OPENATHENS_BASE_URL || fetchReportDefaults().baseUrl).trim().replace(/\/+$/, '');
  let url;
  try {
    url = new URL(base);
  } catch {
    throw new ConfigError('OPENATHENS_BASE_URL is not a URL: set it to the reports API root, e.g. https://reports.openathens.net/api/v1.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('OPENATHENS_BASE_URL must be an http(s) URL.');
  if (url.search || url.hash) throw new ConfigError('OPENATHENS_BASE_URL must have no query or fragment.');
  return base;
}

/**
 * fetchReport's credentials: {apiName, apiKey} for one key (secret OPENATHENS_API_KEY), or {apiName, keys}
 * for sub-organisations (secret OPENATHENS_API_KEYS, a JSON list of {label, key}).
 * @returns {{apiName: string, apiKey: string} | {apiName: string, keys: {label: string, key: string}[]}}
 */
export function credentials(env) {
  const apiName = (env.OPENATHENS_API_NAME ?? '').trim();
  if (!apiName) throw new ConfigError('The Worker has no OPENATHENS_API_NAME: set it under [vars] in wrangler.toml.');
  if (env.OPENATHENS_API_KEYS) return { apiName, keys: labelledKeys(env.OPENATHENS_API_KEYS) };
  // A secret pasted with a line break or spaces: HTTP trims them from the header, so the API sees (and may
  // echo) the key without them, and that is the key fetchReport must take out of what it quotes.
  const apiKey = (env.OPENATHENS_API_KEY ?? '').trim();
  if (apiKey) return { apiName, apiKey };
  throw new ConfigError('The Worker has no API key: run `wrangler secret put OPENATHENS_API_KEY` (or OPENATHENS_API_KEYS for sub-organisations).');
}

function labelledKeys(text) {
  const bad = () => new ConfigError('OPENATHENS_API_KEYS must be a JSON list of {"label": "...", "key": "..."} with at least one entry.');
  let keys;
  try {
    keys = JSON.parse(text);
  } catch {
    throw bad();
  }
  const valid = Array.isArray(keys) && keys.length > 0
    && keys.every((entry) => typeof entry?.label === 'string' && typeof entry?.key === 'string' && entry.key.trim() !== '');
  if (!valid) throw bad();
  return keys.map(({ label, key }) => ({ label, key: key.trim() }));
}

/**
 * ALLOWED_ORIGINS: origins separated by commas or spaces, e.g. "https://library.example.edu", in the engine's
 * spelling (canonicalOrigin: lower case, no default port, no trailing slash).
 * @returns {Set<string>}
 */
export function allowedOrigins(env) {
  const origins = (env.ALLOWED_ORIGINS ?? '').split(/[\s,]+/).filter(Boolean);
  return new Set(origins.map((entry) => {
    const origin = canonicalOrigin(entry);
    if (origin === undefined) throw new ConfigError('ALLOWED_ORIGINS has an entry that is not an http(s) origin such as https://library.example.edu.');
    return origin;
  }));
}
