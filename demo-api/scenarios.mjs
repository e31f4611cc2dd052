// Scenario switches: the `<switches>` segment of `/scenario/<switches>/api/v1/...`.
// Each test picks its own switch string (an `id=` nonce keeps it unique), so the request counters below
// are never shared between tests running in parallel against one server.

const FAULT_STATUSES = new Set([500, 502, 503, 504]);
const DATE_STYLES = new Set(['dmy', 'mdy', 'iso']);
const MAX_ROWS = 5_000_000;
const MAX_MEMBERS = 64;
// Counters are tiny, but a long-lived `make serve` must not grow without bound.
const MAX_SCENARIOS = 10_000;

export class ScenarioError extends Error {}

function wholeNumber(name, value, min, max) {
  if (!/^\d+$/.test(value ?? '')) throw new ScenarioError(`scenario switch ${name} needs a whole number, as in ${name}=${min}`);
  const n = Number(value);
  if (n < min || n > max) throw new ScenarioError(`scenario switch ${name} must be between ${min} and ${max}`);
  return n;
}

function flag(name, value) {
  if (value !== undefined) throw new ScenarioError(`scenario switch ${name} takes no value`);
  return true;
}

const SWITCHES = {
  running: (s, v) => { s.running = wholeNumber('running', v, 0, 1000); },
  'never-finish': (s, v) => { s.neverFinish = flag('never-finish', v); },
  rows: (s, v) => { s.report.rows = wholeNumber('rows', v, 0, MAX_ROWS); },
  members: (s, v) => { s.report.members = wholeNumber('members', v, 1, MAX_MEMBERS); },
  'date-style': (s, v) => {
    if (!DATE_STYLES.has(v)) throw new ScenarioError('scenario switch date-style must be dmy, mdy or iso');
    s.report.dateStyle = v;
  },
  hostile: (s, v) => { s.report.hostile = flag('hostile', v); },
  plain: (s, v) => { s.report.plain = flag('plain', v); },
  status: (s, v) => {
    const m = /^(\d{3})(?:x(\d+))?$/.exec(v ?? '');
    if (!m || !FAULT_STATUSES.has(Number(m[1]))) {
      throw new ScenarioError('scenario switch status must be 500, 502, 503 or 504, optionally followed by xN, as in status=503x2');
    }
    s.failStatus = Number(m[1]);
    s.failCount = m[2] === undefined ? 1 : wholeNumber('status count', m[2], 0, 1000);
  },
  rate: (s, v) => { s.rateLimited = wholeNumber('rate', v, 0, 1000); },
  cut: (s, v) => { s.cutPercent = wholeNumber('cut', v, 0, 99); },
  corrupt: (s, v) => { s.corrupt = flag('corrupt', v); },
  slow: (s, v) => { s.slowKBps = wholeNumber('slow', v, 1, 10_000_000); },
  'task-bad': (s, v) => { s.taskBad = flag('task-bad', v); },
  'task-unknown': (s, v) => { s.taskUnknown = flag('task-unknown', v); },
  'not-json': (s, v) => { s.notJson = flag('not-json', v); },
  'fail-date': (s, v) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v ?? '')) throw new ScenarioError('scenario switch fail-date needs a date, as in fail-date=2023-06-01');
    s.failDates.add(v);
  },
  id: () => {},
};

// The switches of `text` (already percent-decoded); `defaults.running` applies when `running` is absent.
export function parseScenario(text, defaults) {
  const scenario = {
    running: defaults.running,
    neverFinish: false,
    failStatus: 0,
    failCount: 0,
    rateLimited: 0,
    cutPercent: null,
    corrupt: false,
    slowKBps: null,
    taskBad: false,
    taskUnknown: false,
    notJson: false,
    failDates: new Set(),
    report: { rows: defaults.rows },
  };
  for (const part of text.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? undefined : part.slice(eq + 1);
    const apply = Object.hasOwn(SWITCHES, name) ? SWITCHES[name] : null;
    if (!apply) throw new ScenarioError(`unknown scenario switch "${name}"; demo-api/README.md lists them`);
    apply(scenario, value);
  }
  return scenario;
}

// Counts the API requests made under each scenario string, which decides when faults stop.
export class ScenarioCounters {
  #counts = new Map();

  // Records one more request under `key` and returns its 1-based number.
  next(key) {
    const n = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.delete(key);
    this.#counts.set(key, n);
    if (this.#counts.size > MAX_SCENARIOS) this.#counts.delete(this.#counts.keys().next().value);
    return n;
  }
}

// The fault, if any, that request number `n` of a scenario meets: first `status` failures, then `rate` 429s.
export function faultFor(scenario, n) {
  if (n <= scenario.failCount) return { status: scenario.failStatus };
  if (n <= scenario.failCount + scenario.rateLimited) return { status: 429, retryAfter: 1 };
  return null;
}
