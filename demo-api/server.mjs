// The demo reports API and the page's static files on one HTTP server: an in-repo stand-in for
// https://reports.openathens.net/api/v1 fed with gen-report's data, for tests and `make serve`.

import { createServer } from 'node:http';
import { realpath } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { handleApi } from './api-routes.mjs';
import { reportDateWindow } from './report-date.mjs';
import { ReportsCache } from './reports-cache.mjs';
import { sendError, sendJson, sendPreflight } from './responses.mjs';
import { ScenarioCounters, parseScenario } from './scenarios.mjs';
import { serveStatic } from './static-files.mjs';
import { TaskStore } from './tasks.mjs';
import { DEMO_TENANTS, Tenants } from './tenants.mjs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where cargo puts the release gen-report, the server's default when neither an option nor $GEN_REPORT says. */
export const DEFAULT_GEN_REPORT = resolve(REPO_ROOT, 'target/release/gen-report');

const SCENARIO_PATH = /^\/scenario\/([^/]*)(\/.*)$/;
// A Host header only ever goes into links as a host[:port]; anything else falls back to the bound address.
const HOST_HEADER = /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/;

function hostForUrl(host) {
  return host.includes(':') ? `[${host}]` : host;
}

// The switch text of a scenario, made safe for a path segment (`,` and `=` stay readable).
function scenarioSegment(switches) {
  return encodeURIComponent(switches).replaceAll('%2C', ',').replaceAll('%3D', '=');
}

/**
 * Starts the server. Options:
 *   port (0 = any free port), host, root (static files; relative to the repo root), genReport (the
 *   gen-report binary; default $GEN_REPORT or target/release/gen-report), defaultRows (rows of a report
 *   unless a scenario says `rows=`), runningPolls (RUNNING answers before FINISHED unless a scenario says
 *   `running=`), generationWaitMs (how long a new task waits for its report before answering RUNNING;
 *   the reference's 5 s), apiRoot ('/api/v1'), tenants (API names and keys; default DEMO_TENANTS), cacheDir (keep
 *   generated reports there across runs; default a temp dir removed by close()), now (clock for the date
 *   window), log (called with one line per request and per generated report; never given an API key).
 * Resolves to { url, baseUrl, scenarioUrl(switches), apiName, keys, truth({ date, key, switches }),
 * mergedTruth({ date, keys, switches }), rangeTruth({ dates, keys, switches }), close() }.
 */
export async function startDemoApi({
  port = 0,
  host = '127.0.0.1',
  root = 'www',
  genReport = process.env.GEN_REPORT || DEFAULT_GEN_REPORT,
  defaultRows = 20_000,
  runningPolls = 0,
  generationWaitMs = 5000,
  apiRoot = '/api/v1',
  tenants = DEMO_TENANTS,
  cacheDir,
  now = () => new Date(),
  log = null,
} = {}) {
  const staticRoot = resolve(REPO_ROOT, root);
  const realStaticRoot = await realpath(staticRoot).catch(() => staticRoot);
  const reports = await ReportsCache.open({ genReport: resolve(genReport), cacheDir, log });
  const ctx = {
    tenants: new Tenants(tenants),
    reports,
    tasks: new TaskStore(),
    counters: new ScenarioCounters(),
    defaults: { rows: defaultRows, running: runningPolls },
    generationWaitMs,
    now,
    apiRoot,
  };

  const server = createServer((req, res) => {
    if (log) res.on('close', () => log(`${req.method} ${req.url} ${res.statusCode}${res.writableFinished ? '' : ' (incomplete)'}`));
    route(req, res).catch((error) => {
      if (res.headersSent) res.destroy();
      else sendError(req, res, 500, `Demo server error: ${error.message}`);
    });
  });

  async function route(req, res) {
    const url = new URL(req.url, 'http://demo.invalid');
    if (req.method === 'OPTIONS') return sendPreflight(req, res);
    const hostHeader = req.headers.host;
    const origin = `http://${hostHeader && HOST_HEADER.test(hostHeader) ? hostHeader : `${hostForUrl(host)}:${server.address().port}`}`;

    const scenarioMatch = SCENARIO_PATH.exec(url.pathname);
    const [prefix, scenarioRaw, apiPath] = scenarioMatch
      ? [`/scenario/${scenarioMatch[1]}`, scenarioMatch[1], scenarioMatch[2]]
      : ['', '', url.pathname];
    if (apiPath.startsWith(`${apiRoot}/`)) {
      let scenarioText;
      try {
        scenarioText = decodeURIComponent(scenarioRaw);
      } catch {
        return sendError(req, res, 400, 'The scenario switches are not valid percent-encoding');
      }
      const rest = apiPath.slice(apiRoot.length);
      return handleApi(ctx, req, res, url, { scenarioText, prefix, rest, origin });
    }
    if (scenarioMatch) return sendError(req, res, 404, `No such API path: ${url.pathname}`);
    if (url.pathname === '/demo-config.json') return sendJson(req, res, 200, demoConfig(origin));
    return serveStatic(req, res, realStaticRoot, url.pathname);
  }

  // What the page needs to preselect the demo: documented in demo-api/README.md.
  function demoConfig(origin) {
    const [demo] = tenants;
    const window = reportDateWindow(now());
    return {
      baseUrl: `${origin}${apiRoot}`,
      apiName: demo.apiName,
      apiKey: demo.keys[0].key,
      keys: demo.keys.map(({ label, key }) => ({ label, key })),
      earliestDate: window.earliest,
      latestDate: window.latest,
    };
  }

  try {
    await new Promise((done, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        done();
      });
    });
  } catch (error) {
    await reports.close();
    throw error;
  }
  const origin = `http://${hostForUrl(host)}:${server.address().port}`;
  const [demo] = tenants;

  return {
    url: `${origin}/`,
    baseUrl: `${origin}${apiRoot}`,
    scenarioUrl: (switches) => `${origin}/scenario/${scenarioSegment(switches)}${apiRoot}`,
    apiName: demo.apiName,
    keys: demo.keys.map(({ label, key }) => ({ label, key })),
    // The generator's ground truth (its expected Summary) for the report this server sends for `date`.
    async truth({ date, key = demo.keys[0].key, switches = '' }) {
      const owner = ctx.tenants.owner(key);
      if (!owner) throw new Error('truth(): unknown demo API key');
      const { report } = parseScenario(switches, ctx.defaults);
      return reports.truth({ apiName: owner.apiName, org: owner.org, date, ...report });
    },
    // The truth of fetching `date` with each of `keys` (one tenant's) and merging the parts in that order.
    async mergedTruth({ date, keys, switches = '' }) {
      const owners = keys.map((key) => ctx.tenants.owner(key));
      if (owners.some((owner) => owner?.apiName !== owners[0]?.apiName)) {
        throw new Error('mergedTruth(): the keys must be demo API keys of one API name');
      }
      const { report } = parseScenario(switches, ctx.defaults);
      return reports.mergedTruth({ apiName: owners[0].apiName, date, ...report }, owners.map((owner) => owner.org));
    },
    // The truth of fetching every date of `dates` with each of `keys` (one tenant's) and merging them all,
    // days in date order and each day's keys in the order given, as fetchRange does.
    async rangeTruth({ dates, keys = [demo.keys[0].key], switches = '' }) {
      const owners = keys.map((key) => ctx.tenants.owner(key));
      if (owners.some((owner) => owner?.apiName !== owners[0]?.apiName)) {
        throw new Error('rangeTruth(): the keys must be demo API keys of one API name');
      }
      const { report } = parseScenario(switches, ctx.defaults);
      return reports.rangeTruth({ apiName: owners[0].apiName, ...report }, [...dates].sort(), owners.map((owner) => owner.org));
    },
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await reports.close();
    },
  };
}
