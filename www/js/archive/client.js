// The Worker's archive as the page reads it: /history beside the page (same origin, no API key), and
// whether there is one at all.

/** An answer that is the Worker's own: JSON, with an error code when it refuses. */
async function workerAnswer(response) {
  if (!(response.headers.get('Content-Type') ?? '').startsWith('application/json')) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * Whether the page is served by the Worker, and open to this reader: 'open' when its /history answers JSON
 * (a static host answers 404 or a page), 'refused' when it refuses in its own words (401 or 403 with a
 * code: the archive is there but not for this reader), else null.
 */
export async function archiveState(yesterday) {
  try {
    const response = await fetch(`history?from=${yesterday}&to=${yesterday}`, { cache: 'no-store' });
    const body = await workerAnswer(response);
    if (response.ok) return body === null ? null : 'open';
    return [401, 403].includes(response.status) && typeof body?.error?.code === 'string' ? 'refused' : null;
  } catch {
    return null;
  }
}

/**
 * /history for `from`..`to` (with `group=month` when `months`), as {body, bytes}; rejects with the
 * Worker's {code, message}, or NETWORK when it cannot be reached. `base`: the Worker's origin when it is not
 * the page's (the element's `archive`); `viewToken`: a view link's token, sent as `Authorization: View`.
 * Without from and to, the Worker answers its default: a view link's range, or the 30 days to yesterday.
 * @param {{from?: string, to?: string}} period
 * @param {{months?: boolean, signal?: AbortSignal, base?: string, viewToken?: string}} [options]
 */
export async function fetchHistory({ from, to }, { months = false, signal, base, viewToken } = {}) {
  const query = new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}), ...(months ? { group: 'month' } : {}) });
  const url = base ? new URL(`history?${query}`, base).href : `history?${query}`;
  let response;
  try {
    response = await fetch(url, { signal, ...(viewToken ? { headers: { Authorization: `View ${viewToken}` } } : {}) });
  } catch (error) {
    if (signal?.aborted) throw { code: 'ABORTED', message: 'Cancelled.' };
    throw { code: 'NETWORK', message: `The archive could not be reached: ${error.message}` };
  }
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not the Worker's answer: said below.
  }
  if (!response.ok || body === null) {
    throw body?.error ?? { code: 'SERVER', message: `The archive answered ${response.status} without its usual JSON.` };
  }
  return { body, bytes: text.length };
}
