// Who may use the Worker: browsers only from the origins in ALLOWED_ORIGINS (and the Worker's own); /summary,
// /history and /share only for the readers readerOf names; and the one gate their answers go through, which
// keeps `security` for the readers allowed it and a view link's holder inside its range.

import { canonicalOrigin } from '../../www/pkg/openathens_rawstats.js';
import { allowedOrigins } from './config.js';
import { burstFlag, ipFlag } from '../../www/js/security-flags.js';
import { parseDay } from './dates.js';
import { errorResponse, json } from './http.js';
import { AccessError, verifyAccessJwt } from './jwt.js';
import { ViewTokenError, issueViewLink, openViewToken, readShareRequest, shareConfigRefusal } from './share.js';

/**
 * The request's Origin when it is allowed, null when the request carries none (a script or a same-origin
 * GET), or false when a browser sent it from an origin not on the list. The Worker's own origin is always
 * allowed: the page it serves sends Origin with POST /share.
 */
export function checkOrigin(request, env) {
  const origin = request.headers.get('Origin');
  if (origin === null) return null;
  const spelled = canonicalOrigin(origin);
  if (spelled !== undefined && spelled === canonicalOrigin(new URL(request.url).origin)) return origin;
  return spelled !== undefined && allowedOrigins(env).has(spelled) ? origin : false;
}

/**
 * @typedef {{kind: 'token' | 'access' | 'view' | 'public', security: boolean, mayShare: boolean,
 *   email?: string, scope?: {from: string, to: string}}} Reader
 * @typedef {{reader: Reader, refusal?: undefined} | {reader?: undefined, refusal: Response}} Gate
 */

const challenge = { 'WWW-Authenticate': 'Bearer' };
const authRefusal = (message) => errorResponse(401, 'AUTH', message, challenge);

/**
 * Who is asking for the org's figures, and what they may read: `{reader}` with its rights, or `{refusal}`,
 * the answer to send instead. Readers are:
 * - `token`: `Authorization: Bearer <READ_TOKEN>`, a machine; everything, and may make view links;
 * - `access`: a person Cloudflare Access signed in (`Cf-Access-Jwt-Assertion`, checked by jwt.js); `security`
 *   when SECURITY_READERS names their e-mail (or is `*`); may make view links;
 * - `view`: `Authorization: View <token>` from a view link (share.js): its range only, `security` when the
 *   link carries it;
 * - `public`: anyone, when PUBLIC_SUMMARY is "true" and no READ_TOKEN is set; never `security`.
 * An `Authorization` header is the reader's choice and wins over an Access sign-in the edge adds.
 * @returns {Promise<Gate>}
 */
export async function readerOf(request, env) {
  const [, scheme, credential] = /^(Bearer|View) (.+)$/.exec(request.headers.get('Authorization') ?? '') ?? [];
  if (scheme === 'View') return viewReader(credential, env);
  if (scheme === 'Bearer' && env.READ_TOKEN) {
    // Digests have one length, so comparing them in constant time says nothing about the token.
    const digest = async (text) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    const [a, b] = await Promise.all([digest(credential), digest(env.READ_TOKEN)]);
    if (crypto.subtle.timingSafeEqual(a, b)) return { reader: { kind: 'token', security: true, mayShare: true } };
    return { refusal: authRefusal('The read token is not this Worker\'s: give it as `Authorization: Bearer <token>`.') };
  }
  const assertion = request.headers.get('Cf-Access-Jwt-Assertion');
  if (assertion !== null && accessConfigured(env)) return accessReader(assertion, env);
  if (!env.READ_TOKEN && env.PUBLIC_SUMMARY === 'true') return { reader: { kind: 'public', security: false, mayShare: false } };
  // Forgetting a secret must not publish the organisation's figures: being open is a setting of its own.
  if (!env.READ_TOKEN && !accessConfigured(env) && !env.SHARE_SECRET) {
    return { refusal: errorResponse(403, 'NOT_PUBLIC', 'This Worker does not publish /summary or /history: its owner has set no READ_TOKEN secret, no Cloudflare Access (ACCESS_TEAM_DOMAIN, ACCESS_AUD), and not PUBLIC_SUMMARY = "true".') };
  }
  return { refusal: authRefusal('Sign in through Cloudflare Access, open a view link, or give the Worker\'s read token as `Authorization: Bearer <token>`.') };
}

const accessConfigured = (env) => Boolean(env.ACCESS_TEAM_DOMAIN || env.ACCESS_AUD);

/** @returns {Promise<Gate>} */
async function viewReader(token, env) {
  try {
    const { from, to, security } = await openViewToken(token, env.SHARE_SECRET);
    return { reader: { kind: 'view', security: security === true, mayShare: false, scope: { from, to } } };
  } catch (error) {
    if (!(error instanceof ViewTokenError)) throw error;
    return { refusal: errorResponse(401, error.code, error.message) };
  }
}

/** @returns {Promise<Gate>} */
async function accessReader(assertion, env) {
  const configError = (message) => ({ refusal: errorResponse(500, 'CONFIG', message) });
  const team = (env.ACCESS_TEAM_DOMAIN ?? '').trim().replace(/^https:\/\//i, '').replace(/\/+$/, '').toLowerCase();
  const audience = (env.ACCESS_AUD ?? '').trim();
  if (!/^[a-z0-9.-]+$/.test(team) || !audience) {
    return configError('Cloudflare Access needs both ACCESS_TEAM_DOMAIN (e.g. myteam.cloudflareaccess.com) and ACCESS_AUD (the application\'s audience tag).');
  }
  const certsUrl = (env.ACCESS_CERTS_URL ?? '').trim() || `https://${team}/cdn-cgi/access/certs`;
  let claims;
  try {
    claims = await verifyAccessJwt(assertion, { issuer: `https://${team}`, audience, certsUrl });
  } catch (error) {
    if (!(error instanceof AccessError)) throw error;
    return error.code === 'CONFIG' ? configError(error.message) : { refusal: authRefusal(error.message) };
  }
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
  const readers = (env.SECURITY_READERS ?? '').split(/[\s,]+/).filter(Boolean).map((entry) => entry.toLowerCase());
  const security = readers.includes('*') || (email !== undefined && readers.includes(email));
  return { reader: { kind: 'access', security, mayShare: true, ...(email !== undefined ? { email } : {}) } };
}

/**
 * 403 OUT_OF_SCOPE when `reader` holds a view link and `from`..`to` is not inside its range; null otherwise
 * (and for text that is no date, which the route refuses with its own BAD_DATE).
 * @param {Reader} reader
 */
export function outOfScope(reader, from, to) {
  const { scope } = reader;
  if (!scope || parseDay(from) === null || parseDay(to) === null) return null;
  if (from >= scope.from && to <= scope.to) return null;
  return errorResponse(403, 'OUT_OF_SCOPE', `This view link covers ${scope.from} to ${scope.to}; ${from === to ? from : `${from} to ${to}`} is outside it.`);
}

/**
 * POST /share: a view link for a token or Access reader, for the range asked and, when asked and the
 * reader may see it, with `security`.
 * @param {Reader} reader
 */
export async function share(request, env, reader) {
  if (!reader.mayShare) {
    return authRefusal('Only a reader with the read token or a Cloudflare Access sign-in may make view links.');
  }
  const unconfigured = shareConfigRefusal(env);
  if (unconfigured) return unconfigured;
  const { ask, refusal } = await readShareRequest(request);
  if (refusal) return refusal;
  const security = ask.body.security ?? false;
  if (typeof security !== 'boolean') return errorResponse(400, 'BAD_REQUEST', 'security is true or false.');
  if (security && !reader.security) {
    return errorResponse(403, 'OUT_OF_SCOPE', 'A view link cannot give more than its maker sees: you may not see the security section.');
  }
  return issueViewLink(request, env, ask, { security });
}

// Every `security` key, at any depth: in a Summary, a sub-organisation's part, a day of /history, and
// wherever a Summary is put next (a custom attribute or action named "security" goes too: withheld, not
// leaked); all but the one in `told`, the reader's own description.
const withoutSecurityBut = (told) => function (key, value) {
  return key === 'security' && this !== told ? undefined : value;
};

/**
 * The one way /summary and /history answer with the org's figures: `body` as JSON, without `security` for
 * a reader not allowed it, so no route has its own copy of the rule to forget. With `tellReader`, the
 * body (an object) gets `reader: {kind, security, mayShare}`, so the page knows whom it shows and whether
 * to offer Share view; never the reader's e-mail.
 * @param {Reader} reader
 * @param {any} body
 * @param {Record<string, string>} [headers]
 */
export function answer(reader, body, headers = {}, { tellReader = false } = {}) {
  const told = { kind: reader.kind, security: reader.security, mayShare: reader.mayShare };
  const sent = tellReader ? { ...body, reader: told } : body;
  return json(200, sent, headers, reader.security ? undefined : withoutSecurityBut(told));
}

/**
 * What an alert (alerts.js) may carry of a stored day's security lists: its Burst rows (accounts and IPs)
 * and Spraying rows (IPs), as counts, with the account id or IP address only when the operator set
 * ALERT_INCLUDE_IDS = "true": the webhook's chat channel is a reader too, and this gate decides for it.
 * Null when the summary has no security lists.
 */
export function alertRows(env, summary) {
  const lists = summary?.security;
  if (!lists) return null;
  const withIds = env.ALERT_INCLUDE_IDS === 'true';
  const bursts = [
    ...lists.byAccount.filter(burstFlag).map((row) => ({ kind: 'account', ...(withIds ? { account: row.account } : {}), failed: row.failed, maxFailedIn10Min: row.maxFailedIn10Min })),
    ...lists.byIp.filter((row) => ipFlag(row) === 'Burst').map((row) => ({ kind: 'ip', ...(withIds ? { ip: row.ip } : {}), failed: row.failed, maxFailedIn10Min: row.maxFailedIn10Min })),
  ];
  const spraying = lists.byIp.filter((row) => ipFlag(row) === 'Spraying')
    .map((row) => ({ ...(withIds ? { ip: row.ip } : {}), accounts: row.accounts, failed: row.failed }));
  return { bursts, spraying };
}
