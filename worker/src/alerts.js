// Alerts: after a day is stored, its Burst and Spraying rows (the page's flags, as access.js's alertRows
// gives them) are POSTed as JSON {text, date, org, bursts, spraying, link} to the secret ALERT_WEBHOOK_URL, whose one
// sentence of `text` Slack and Teams incoming webhooks show as it is. Account ids and IP addresses go in
// only with var ALERT_INCLUDE_IDS = "true": a chat channel is read by more people than the Security section.

import { alertRows } from './access.js';

// A webhook that does not answer in this long is given up (and logged): the queue's consumer waits for it.
const WEBHOOK_TIMEOUT_MS = 10_000;

const plural = (count, one, many) => `${count} ${count === 1 ? one : many}`;

/** The alert for `summary` of `org` on `date`, or null when nothing in it is flagged. */
export function alertOf(env, date, org, summary) {
  // Which rows, and whether with ids, is the gate's to say (access.js).
  const rows = alertRows(env, summary);
  if (!rows) return null;
  const { bursts, spraying } = rows;
  if (bursts.length === 0 && spraying.length === 0) return null;
  const found = [
    ...(bursts.length > 0 ? [`${plural(bursts.length, 'burst', 'bursts')} of failed sign-ins`] : []),
    ...(spraying.length > 0 ? [`${plural(spraying.length, 'address', 'addresses')} password spraying`] : []),
  ];
  const link = (env.ALERT_LINK ?? '').trim() || null;
  const text = `OpenAthens ${org}, ${date}: ${found.join(' and ')}${link ? `; see ${link}` : ''}.`;
  return { text, date, org, bursts, spraying, link };
}

/** The webhook's origin: its path is the secret (Slack's and Teams' are), so no log ever shows more. */
function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return 'a URL that does not parse';
  }
}

/**
 * Sends the alert for a stored day, if ALERT_WEBHOOK_URL is set and the day has flagged rows; resolves to
 * whether one was sent. A webhook that fails is logged and never fails the day: the day is stored already.
 */
export async function sendAlert(env, date, org, summary) {
  const url = (env.ALERT_WEBHOOK_URL ?? '').trim();
  if (!url) return false;
  const alert = alertOf(env, date, org, summary);
  if (!alert) return false;
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(alert), signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
    await response.body?.cancel();
    if (response.ok) return true;
    console.error(`Alerts: the webhook at ${originOf(url)} answered HTTP ${response.status} for ${org} on ${date}.`);
  } catch (error) {
    console.error(`Alerts: the webhook at ${originOf(url)} could not be reached for ${org} on ${date}: ${String(error?.message ?? error).replaceAll(url, originOf(url))}`);
  }
  return false;
}
