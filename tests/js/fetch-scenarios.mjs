// The fetchReport and summarizeStream scenarios shared by the Node suite (fetch.test.mjs) and the
// Chromium suite (fetch-browser.test.mjs): plain data, plus runners that need only the wasm module, fetch
// and timers, so the same code runs in Node and inside a page. The checks live in fetch-harness.mjs.

// Requests in these scenarios poll and back off fast; the defaults (2 s) are for real use.
const FAST = { pollIntervalMs: 20 };

// `switches`: demo API scenario switches (demo-api/README.md). `base`: 'demo' (default), 'proxy' (a proxy
// forwarding to the demo, whose links name a third origin that must never be called) or 'dead' (no server).
// `abortAt`: abort once progress reports this phase (with bytes flowing, for 'downloading'); 'start' aborts
// before the call. `serverClockDays`: the demo server's clock is moved this many days ahead.
// `expect`: { truth } (the Summary equals the generator's truth), { code } (the error's code),
// { merged, failed } (sub-organisations), plus optional checks named in fetch-harness.mjs.
export const FETCH_SCENARIOS = [
  { name: 'a task FINISHED at once gives the truth', switches: '', expect: { truth: true } },
  { name: 'RUNNING then FINISHED reports the percentages', switches: 'running=3', expect: { truth: true, runningPercents: [25, 50, 75] } },
  { name: 'several gzip members, downloaded once', switches: 'members=6', expect: { truth: true, requests: 2 } },
  { name: 'a plain CSV download', switches: 'plain', expect: { truth: true } },
  { name: 'month-first dates', switches: 'date-style=mdy', expect: { truth: true } },
  { name: '503 twice is retried, then the report', switches: 'status=503x2', expect: { truth: true, requests: 4 } },
  { name: '502 until retries run out is SERVER', switches: 'status=502x50', expect: { code: 'SERVER', requests: 5 } },
  { name: '500 is SERVER without retrying', switches: 'status=500x50', expect: { code: 'SERVER', requests: 1 } },
  { name: '429 with Retry-After is waited out', switches: 'rate=1', expect: { truth: true, minMs: 900 } },
  { name: '429 until retries run out is RATE_LIMITED', switches: 'rate=50', expect: { code: 'RATE_LIMITED', requests: 5 } },
  { name: 'a key nobody issued is AUTH (401)', key: 'not-a-demo-key', expect: { code: 'AUTH' } },
  { name: "another API name's key is AUTH (403)", key: 'other-key', expect: { code: 'AUTH' } },
  { name: 'an unknown API name is NOT_FOUND', apiName: 'nobody.openathens.test', expect: { code: 'NOT_FOUND' } },
  { name: 'a date the API refuses is DATE_OUT_OF_RANGE', serverClockDays: 45, expect: { code: 'DATE_OUT_OF_RANGE', requests: 1 } },
  { name: 'today is DATE_OUT_OF_RANGE before any request', daysAgo: 0, expect: { code: 'DATE_OUT_OF_RANGE', requests: 0 } },
  { name: 'a malformed date is BAD_DATE before any request', date: '2023-6-1', expect: { code: 'BAD_DATE', requests: 0 } },
  { name: 'a task that never finishes is TIMEOUT', switches: 'never-finish', options: { timeoutMs: 300 }, expect: { code: 'TIMEOUT' } },
  { name: 'a download cut short is TRUNCATED', switches: 'cut=50', expect: { code: 'TRUNCATED' } },
  { name: 'a corrupt gzip is BAD_GZIP', switches: 'corrupt', expect: { code: 'BAD_GZIP' } },
  { name: 'FINISHED without a DOWN link is BAD_RESPONSE', switches: 'task-bad', expect: { code: 'BAD_RESPONSE' } },
  { name: 'an unknown task status is BAD_RESPONSE', switches: 'task-unknown', expect: { code: 'BAD_RESPONSE' } },
  { name: 'a task that is not JSON is BAD_RESPONSE', switches: 'not-json', expect: { code: 'BAD_RESPONSE' } },
  { name: 'no server at the base URL is NETWORK', base: 'dead', options: { pollIntervalMs: 2 }, expect: { code: 'NETWORK' } },
  { name: 'an abort before the call', abortAt: 'start', expect: { code: 'ABORTED', requests: 0 } },
  { name: 'an abort while requesting', switches: 'status=503x3', options: { pollIntervalMs: 400 }, abortAt: 'requesting', expect: { code: 'ABORTED' } },
  { name: 'an abort while running', switches: 'running=100', abortAt: 'running', expect: { code: 'ABORTED' } },
  { name: 'an abort while downloading', switches: 'slow=8', abortAt: 'downloading', expect: { code: 'ABORTED' } },
  { name: 'through a proxy base URL, the key only to the proxy', base: 'proxy', switches: 'running=2', expect: { truth: true, viaProxyOnly: true } },
  {
    name: 'sub-organisations merge exactly; a failing key loses no other',
    keys: [['main', 'demo-key'], ['library', 'demo-key-library'], ['wrong', 'not-a-demo-key'], ['medicine', 'demo-key-medicine']],
    expect: { merged: ['main', 'library', 'medicine'], failed: { wrong: 'AUTH' } },
  },
];

// summarizeStream over one downloaded report, from each kind of source.
export const STREAM_SCENARIOS = [
  { name: 'a Blob of several gzip members', source: 'blob', switches: 'members=4', expect: { truth: true } },
  { name: 'a function returning a stream', source: 'opener', switches: 'members=4', expect: { truth: true } },
  { name: 'a ReadableStream read once', source: 'stream', switches: 'members=4', expect: { truth: true } },
  { name: 'a plain CSV Blob', source: 'blob', switches: 'plain', expect: { truth: true } },
  { name: 'a corrupt gzip Blob is BAD_GZIP', source: 'blob', switches: 'corrupt', expect: { code: 'BAD_GZIP' } },
  { name: 'a gzip Blob cut short is TRUNCATED', source: 'half-blob', switches: '', expect: { code: 'TRUNCATED' } },
  { name: 'a stream that fails part way is TRUNCATED', source: 'failing-stream', switches: '', expect: { code: 'TRUNCATED' } },
  { name: 'an abort while parsing', source: 'slow-opener', switches: '', abortAt: 'parsing', expect: { code: 'ABORTED' } },
];

const DAY_MS = 86_400_000;

export function isoDaysAgo(days, now = Date.now()) {
  return new Date(now - days * DAY_MS).toISOString().slice(0, 10);
}

// The switch text of a run: its own `id=` so the demo's request counters are its own.
export function switchesOf(scenario, nonce) {
  return [scenario.switches, `id=${nonce}`].filter(Boolean).join(',');
}

// env: { origin, proxyOrigin, deadOrigin, apiName, key, date }
function baseUrlOf(env, scenario, nonce) {
  const path = `/scenario/${switchesOf(scenario, nonce)}/api/v1`;
  switch (scenario.base ?? 'demo') {
    case 'proxy': return `${env.proxyOrigin}/proxy${path}`;
    case 'dead': return `${env.deadOrigin}/api/v1`;
    default: return `${env.origin}${path}`;
  }
}

// Aborts `controller` once progress reports the scenario's phase (with bytes read, for a phase that reads
// bytes), on the next turn of the event loop so the request or read of that phase is in flight.
function aborter(scenario, controller) {
  return (progress) => {
    const flowing = !['downloading', 'parsing'].includes(progress.phase) || progress.bytes > 0;
    if (progress.phase === scenario.abortAt && flowing) setTimeout(() => controller.abort(), 0);
  };
}

// `date` is the report date the run used, read once: the checks ask for that day's truth even when the
// run crossed midnight UTC.
function outcomeOf(started, progress, result, date) {
  const ms = Date.now() - started;
  if (result instanceof Error) {
    return { error: { code: result.code, message: result.message, name: result.name }, progress, ms, date };
  }
  return { value: result, progress, ms, date };
}

export async function runFetchScenario(wasm, env, scenario, nonce) {
  const progress = [];
  const controller = new AbortController();
  const onAbortPhase = scenario.abortAt ? aborter(scenario, controller) : () => {};
  const options = {
    apiName: scenario.apiName ?? env.apiName,
    date: scenario.date ?? isoDaysAgo(scenario.daysAgo ?? 2),
    baseUrl: baseUrlOf(env, scenario, nonce),
    ...FAST,
    ...scenario.options,
    signal: controller.signal,
    onProgress: (p) => {
      progress.push(p);
      onAbortPhase(p);
    },
  };
  if (scenario.keys) options.keys = scenario.keys.map(([label, key]) => ({ label, key }));
  else options.apiKey = scenario.key ?? env.key;
  if (scenario.abortAt === 'start') controller.abort();
  const started = Date.now();
  const result = await wasm.fetchReport(options).catch((error) => error);
  return outcomeOf(started, progress, result, options.date);
}

// The bytes of a report as the demo API serves it, fetched by hand (the API's protocol, no retries).
export async function downloadReport(env, switches, date) {
  const headers = { Authorization: `OAApiKey ${env.key}` };
  const base = `${env.origin}/scenario/${switches}/api/v1`;
  let task = await (await fetch(`${base}/${env.apiName}/rawreport?date=${date}`, { headers })).json();
  while (task.status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const self = task.links.find((link) => link.rel === 'SELF').href;
    task = await (await fetch(self, { headers })).json();
  }
  const down = task.links.find((link) => link.rel === 'DOWN').href;
  return new Uint8Array(await (await fetch(down, { headers })).arrayBuffer());
}

// A stream of `bytes` in small pieces, one every `everyMs`: parsing has to wait for them.
function trickle(bytes, piece, everyMs) {
  let at = 0;
  return new ReadableStream({
    async pull(controller) {
      if (at >= bytes.length) return controller.close();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      controller.enqueue(bytes.slice(at, (at += piece)));
    },
  });
}

export async function runStreamScenario(wasm, env, scenario, nonce) {
  const date = isoDaysAgo(2);
  const bytes = await downloadReport(env, switchesOf(scenario, nonce), date);
  const progress = [];
  const controller = new AbortController();
  const onAbortPhase = scenario.abortAt ? aborter(scenario, controller) : () => {};
  const sources = {
    blob: () => new Blob([bytes]),
    opener: () => () => new Blob([bytes]).stream(),
    stream: () => new Blob([bytes]).stream(),
    'slow-opener': () => () => trickle(bytes, 512, 5),
    'half-blob': () => new Blob([bytes.subarray(0, bytes.length >> 1)]),
    'failing-stream': () => {
      let pulls = 0;
      return new ReadableStream({
        pull(controller) {
          if ((pulls += 1) === 1) controller.enqueue(bytes.slice(0, bytes.length >> 1));
          else controller.error(new Error('the connection dropped'));
        },
      });
    },
  };
  const options = {
    reportDate: date,
    signal: controller.signal,
    onProgress: (p) => {
      progress.push(p);
      onAbortPhase(p);
    },
  };
  const started = Date.now();
  const result = await wasm.summarizeStream(sources[scenario.source](), options).catch((error) => error);
  return outcomeOf(started, progress, result, date);
}
