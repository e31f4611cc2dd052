// Generated reports on disk, one file per (API name, org, date, generator options), made once by gen-report.
// Disk rather than memory because a 1M-row report is tens of MB gzipped and several may be live at once.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const STDERR_LIMIT = 4096;

// What decides a report's bytes. `rows` is required; the others fall back to gen-report's defaults.
function generatorArgs({ apiName, org, ...spec }) {
  return [...contentArgs({ apiName, ...spec }), '--org', org];
}

// All of generatorArgs but the organisation, which every sub-organisation's report shares.
function contentArgs({ apiName, date, ...spec }) {
  return ['--seed', String(seedFor(apiName, date)), '--date', date, ...shapeArgs(spec)];
}

// What shapes a report besides its tenant and day.
function shapeArgs({ rows, members, dateStyle, hostile, plain }) {
  const args = ['--rows', String(rows)];
  if (members !== undefined) args.push('--members', String(members));
  if (dateStyle !== undefined) args.push('--date-style', dateStyle);
  if (hostile) args.push('--hostile');
  if (plain) args.push('--plain');
  return args;
}

// One seed per tenant and day: each org's own data then comes from gen-report's --org, which keeps the
// accounts of sub-organisations partly overlapping as in a real federation.
function seedFor(apiName, date) {
  return createHash('sha256').update(`${apiName}\n${date}`).digest().readUIntBE(0, 6);
}

export class ReportsCache {
  #genReport;
  #dir;
  #ownsDir;
  #identity;
  #log;
  #pending = new Map();
  #children = new Set();

  constructor({ genReport, dir, ownsDir, identity, log }) {
    this.#genReport = genReport;
    this.#dir = dir;
    this.#ownsDir = ownsDir;
    this.#identity = identity;
    this.#log = log;
  }

  // `cacheDir` keeps reports across servers (tests, benches); without it a temp dir lives until close().
  static async open({ genReport, cacheDir, log }) {
    try {
      await access(genReport, constants.X_OK);
    } catch {
      throw new Error(`gen-report is not at ${genReport}: build it with \`cargo build --release -p rawstats-gen\`, or pass its path (GEN_REPORT)`);
    }
    const info = await stat(genReport);
    // A persistent cache must never hand out what an older build of the generator wrote.
    const identity = `${info.size}:${info.mtimeMs}`;
    if (cacheDir) {
      await mkdir(cacheDir, { recursive: true });
      return new ReportsCache({ genReport, dir: cacheDir, ownsDir: false, identity, log });
    }
    const dir = await mkdtemp(join(tmpdir(), 'demo-api-reports-'));
    return new ReportsCache({ genReport, dir, ownsDir: true, identity, log });
  }

  // `{ path, truthPath, size, contentType }` of the report, generating it on first use.
  report(spec) {
    const args = generatorArgs(spec);
    const name = createHash('sha256').update(JSON.stringify([this.#identity, args])).digest('hex').slice(0, 32);
    let entry = this.#pending.get(name);
    if (!entry) {
      entry = this.#load(name, args, spec);
      this.#pending.set(name, entry);
      // A failed generation is not cached, so the next request tries again.
      entry.catch(() => this.#pending.delete(name));
    }
    return entry;
  }

  async truth(spec) {
    const { truthPath } = await this.report(spec);
    return JSON.parse(await readFile(truthPath, 'utf8'));
  }

  // The generator's truth for the reports of `orgs` (in that order) merged as sub-organisations are.
  async mergedTruth(spec, orgs) {
    const truthPath = join(this.#dir, `merged-${randomBytes(6).toString('hex')}.truth.json`);
    try {
      await this.#run([...contentArgs(spec), ...orgs.flatMap((org) => ['--merge-org', org]), '--truth', truthPath]);
      return JSON.parse(await readFile(truthPath, 'utf8'));
    } finally {
      await rm(truthPath, { force: true });
    }
  }

  // The generator's truth for the reports of `dates` (each day's `orgs` merged first) merged as a range is.
  async rangeTruth(spec, dates, orgs) {
    const truthPath = join(this.#dir, `range-${randomBytes(6).toString('hex')}.truth.json`);
    const { apiName, ...shape } = spec;
    const days = dates.flatMap((date) => ['--merge-day', `${date}:${seedFor(apiName, date)}`]);
    try {
      await this.#run([...shapeArgs(shape), ...days, ...orgs.flatMap((org) => ['--merge-org', org]), '--truth', truthPath]);
      return JSON.parse(await readFile(truthPath, 'utf8'));
    } finally {
      await rm(truthPath, { force: true });
    }
  }

  async #load(name, args, spec) {
    const path = join(this.#dir, `${name}.${spec.plain ? 'csv' : 'csv.gz'}`);
    const truthPath = join(this.#dir, `${name}.truth.json`);
    const contentType = spec.plain ? 'text/csv' : 'application/gzip';
    const existing = await stat(path).catch(() => null);
    if (existing) return { path, truthPath, size: existing.size, contentType };

    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const tempTruth = `${truthPath}.${randomBytes(6).toString('hex')}.tmp`;
    const started = performance.now();
    try {
      await this.#run([...args, '--out', temp, '--truth', tempTruth]);
      // The truth lands first: a report file that exists is always complete and has its truth beside it.
      await rename(tempTruth, truthPath);
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
      await rm(tempTruth, { force: true });
    }
    const { size } = await stat(path);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    this.#log?.(`generated ${spec.rows} rows for ${spec.org}@${spec.apiName} ${spec.date}: ${size} bytes in ${seconds} s`);
    return { path, truthPath, size, contentType };
  }

  #run(args) {
    return new Promise((resolve, reject) => {
      const child = spawn(this.#genReport, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      this.#children.add(child);
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text) => {
        if (stderr.length < STDERR_LIMIT) stderr += text;
      });
      child.on('error', (error) => {
        this.#children.delete(child);
        reject(new Error(`gen-report could not start: ${error.message}`));
      });
      child.on('close', (code, signal) => {
        this.#children.delete(child);
        if (code === 0) resolve();
        else reject(new Error(`gen-report failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(0, STDERR_LIMIT)}`));
      });
    });
  }

  async close() {
    for (const child of this.#children) child.kill();
    // Generations still running write into the dir; let them settle before it goes.
    await Promise.allSettled([...this.#pending.values()]);
    if (this.#ownsDir) await rm(this.#dir, { recursive: true, force: true });
  }
}
