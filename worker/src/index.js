// The Cloudflare Worker: GET /summary?date= (a day's Summary with the Worker's own API name and key),
// GET /history?from=&to= (the days the daily cron stored), POST /share (a view link to them), a reports API
// proxy under /api/v1 for the static page, and the page itself (site.js) at every other path. It is not an
// open proxy.

import { answer, checkOrigin, outOfScope, readerOf, share } from './access.js';
import { RunBudget } from './budget.js';
import { describeFailure } from './engine.js';
import { history, runDaily, summaryOf } from './history.js';
import { errorResponse, preflight, withCors } from './http.js';
import { isProxyPath, proxy } from './proxy.js';
import { DEAD_LETTER_QUEUE, consumeDays, enqueueDays, recordDeadLetters } from './queue.js';
import { serveSite } from './site.js';

// The routes that answer only to a reader (access.js).
const READER_PATHS = new Set(['/summary', '/history', '/share']);

async function route(request, env, url) {
  if (isProxyPath(url.pathname)) return proxy(request, env);
  if (!READER_PATHS.has(url.pathname)) return serveSite(request, env);
  const { reader, refusal } = await readerOf(request, env);
  if (refusal) return refusal;
  if (url.pathname === '/share') return share(request, env, reader);
  if (url.pathname === '/history') return history(url, env, reader);
  const date = url.searchParams.get('date') ?? '';
  const outside = outOfScope(reader, date, date);
  if (outside) return outside;
  try {
    const { result, archived } = await summaryOf(env, date, request.signal);
    // A stored day never changes: a browser may keep it; a shared cache not, as the answer may need the token.
    return answer(reader, result, archived ? { 'Cache-Control': 'private, max-age=86400', 'X-Archived-At': archived } : {});
  } catch (error) {
    const { status, code, message } = describeFailure(error);
    return errorResponse(status, code, message);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    let origin;
    try {
      origin = checkOrigin(request, env);
    } catch (error) {
      return errorResponse(500, 'CONFIG', error.message);
    }
    if (origin === false) {
      return errorResponse(403, 'ORIGIN_NOT_ALLOWED', 'This origin may not use the Worker: add it to ALLOWED_ORIGINS in wrangler.toml.');
    }
    if (request.method === 'OPTIONS' && origin) return preflight(origin);
    // POST makes view links and nothing else; every other route only reads.
    const methods = url.pathname === '/share' ? 'POST' : 'GET, HEAD';
    if (!methods.split(', ').includes(request.method)) {
      return withCors(errorResponse(405, 'METHOD_NOT_ALLOWED', `${url.pathname} answers ${methods} only.`, { Allow: `${methods}, OPTIONS` }), origin);
    }
    return withCors(await route(request, env, url), origin);
  },

  async scheduled(controller, env) {
    // With a DAYS queue the run only says what is due; queue() below fetches it (queue.js).
    if (env.DAYS) {
      const sent = await enqueueDays(env, controller.scheduledTime);
      console.log(`History: enqueued ${sent.length} (label, day) messages on DAYS.`);
      return;
    }
    let budget;
    let run;
    try {
      budget = new RunBudget(env);
      run = await runDaily(env, controller.scheduledTime, budget);
    } catch (error) {
      // Logged as the run's problems are below: the exception alone reaches no log in workerd.
      console.error(`History: the run failed: ${error.message}`);
      throw error;
    } finally {
      budget?.end();
    }
    const { stored, problems, left, why } = run;
    for (const date of stored) console.log(`History: stored the summary for ${date}.`);
    const rest = left.length > 0 ? `${why}; left for the next run: ${left.join(', ')}` : 'nothing is left for the next run';
    console.log(`History: the run made ${budget.used} subrequests; ${rest}.`);
    if (problems.length > 0) {
      // Logged for `wrangler tail` and local runs, and thrown so the cron run counts as failed.
      const error = new Error(`History: ${problems.join('; ')}.`);
      console.error(error.message);
      throw error;
    }
  },

  async queue(batch, env) {
    if (batch.queue === DEAD_LETTER_QUEUE) return recordDeadLetters(batch, env);
    return consumeDays(batch, env);
  },
};
