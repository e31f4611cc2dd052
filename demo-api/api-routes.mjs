// The reports API of the reference, under `{root}` = `/api/v1` or `/scenario/<switches>/api/v1`:
//   GET {root}/{apiName}/rawreport?date=yyyy-MM-dd   -> task document (RUNNING or FINISHED)
//   GET {root}/{apiName}/rawtask/{id}                -> task document
//   GET {root}/{apiName}/rawreport/{id}[?filename=]  -> the gzip report
// Every request needs `Authorization: OAApiKey <key>`. Checks run in the order a client can act on:
// scenario faults, route, key (401), API name (404), key of another API name (403), then the request itself.

import { setTimeout as sleep } from 'node:timers/promises';
import { ReportDateError, checkReportDate } from './report-date.mjs';
import { sendReport } from './download.mjs';
import { ScenarioError, faultFor, parseScenario } from './scenarios.mjs';
import { sendBody, sendError, sendJson } from './responses.mjs';
import { TASK_TYPE, nextTaskDocument } from './tasks.mjs';

const NOT_JSON_BODY = '<!DOCTYPE html>\n<html><head><title>Maintenance</title></head>'
  + '<body><h1>Down for maintenance</h1><p>Please try again later.</p></body></html>\n';
const FAULT_MESSAGES = {
  500: 'Internal server error (demo fault): try again later',
  502: 'Bad gateway (demo fault): try again later',
  503: 'Service unavailable (demo fault): try again later',
  504: 'Gateway timeout (demo fault): try again later',
};

function routeOf(rest) {
  const parts = rest.split('/');
  if (parts.length < 3 || parts[0] !== '') return null;
  let apiName;
  try {
    apiName = decodeURIComponent(parts[1]);
  } catch {
    return null;
  }
  if (parts.length === 3 && parts[2] === 'rawreport') return { kind: 'request', apiName };
  if (parts.length === 4 && parts[2] === 'rawtask' && parts[3]) return { kind: 'task', apiName, id: parts[3] };
  if (parts.length === 4 && parts[2] === 'rawreport' && parts[3]) return { kind: 'download', apiName, id: parts[3] };
  return null;
}

function apiKeyOf(req) {
  const match = /^OAApiKey\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match ? match[1] : null;
}

// `ctx`: { tenants, reports, tasks, counters, defaults: { rows, running }, generationWaitMs, now, apiRoot }.
// `mount`: { scenarioText, prefix, rest, origin } — the switches, the path before `apiRoot`, the path after
// it, and the absolute origin links are built on.
export async function handleApi(ctx, req, res, url, mount) {
  let scenario;
  try {
    scenario = parseScenario(mount.scenarioText, ctx.defaults);
  } catch (error) {
    if (error instanceof ScenarioError) return sendError(req, res, 400, error.message);
    throw error;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendError(req, res, 405, `${req.method} is not supported: use GET`, { Allow: 'GET, HEAD, OPTIONS' });
  }

  const fault = faultFor(scenario, ctx.counters.next(mount.scenarioText));
  if (fault?.status === 429) {
    return sendError(req, res, 429, 'Too many requests: retry after 1 second', { 'Retry-After': String(fault.retryAfter) });
  }
  if (fault) return sendError(req, res, fault.status, FAULT_MESSAGES[fault.status]);

  const route = routeOf(mount.rest);
  if (!route) return sendError(req, res, 404, `No such API path: ${url.pathname}`);

  const key = apiKeyOf(req);
  const owner = key === null ? null : ctx.tenants.owner(key);
  if (!owner) {
    const message = key === null
      ? 'Missing API key: send the header "Authorization: OAApiKey <key>"'
      : 'The API key was not recognised: check the key in the OpenAthens admin area';
    return sendError(req, res, 401, message, { 'WWW-Authenticate': 'OAApiKey' });
  }
  if (!ctx.tenants.has(route.apiName)) {
    return sendError(req, res, 404, `Unknown API name "${route.apiName}": check your domain's API name`);
  }
  if (owner.apiName !== route.apiName) {
    return sendError(req, res, 403, `This API key does not give access to the API name "${route.apiName}"`);
  }

  const taskOwner = { scenarioKey: mount.scenarioText, apiName: owner.apiName, org: owner.org };
  const apiUrl = `${mount.origin}${mount.prefix}${ctx.apiRoot}/${encodeURIComponent(route.apiName)}`;

  if (route.kind === 'request') {
    let date;
    try {
      date = checkReportDate(url.searchParams.get('date'), ctx.now());
    } catch (error) {
      if (error instanceof ReportDateError) return sendError(req, res, 400, error.message);
      throw error;
    }
    if (scenario.failDates.has(date)) return sendError(req, res, 500, FAULT_MESSAGES[500]);
    const report = { apiName: owner.apiName, org: owner.org, date, ...scenario.report };
    const generation = ctx.reports.report(report);
    const task = ctx.tasks.create(taskOwner, report, generation);
    // Like the real service: FINISHED at once if the job ends within a few seconds, RUNNING otherwise.
    await settledWithin(generation, ctx.generationWaitMs);
    return sendTask(req, res, nextTaskDocument(task, scenario, apiUrl), scenario);
  }

  const task = ctx.tasks.find(route.id, taskOwner);
  if (!task) return sendError(req, res, 404, `No report task ${route.id} for this API key`);
  if (route.kind === 'task') return sendTask(req, res, nextTaskDocument(task, scenario, apiUrl), scenario);

  if (!task.finished) return sendError(req, res, 404, `Report task ${route.id} has not finished yet: poll its task link`);
  let file;
  try {
    file = await ctx.reports.report(task.report);
  } catch (error) {
    return sendError(req, res, 500, `The demo report could not be generated: ${error.message}`);
  }
  const filename = url.searchParams.get('filename');
  await sendReport(req, res, file, { scenario, filename, members: task.report.members ?? 1 });
}

async function settledWithin(promise, ms) {
  const timer = new AbortController();
  await Promise.race([
    promise.catch(() => {}),
    sleep(ms, undefined, { signal: timer.signal }).catch(() => {}),
  ]);
  timer.abort();
}

function sendTask(req, res, document, scenario) {
  if (scenario.notJson) return sendBody(req, res, 200, 'text/html; charset=utf-8', NOT_JSON_BODY);
  return sendJson(req, res, 200, document, TASK_TYPE);
}
