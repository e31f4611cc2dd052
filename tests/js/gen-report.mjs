// The gen-report binary for tests and scripts: $GEN_REPORT as given (make test-js builds it once for every
// suite), else the release build, which cargo builds first (a no-op when it is current).

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_GEN_REPORT } from '../../demo-api/server.mjs';

export function ensureGenReport() {
  if (process.env.GEN_REPORT) return process.env.GEN_REPORT;
  execFileSync('cargo', ['build', '--release', '-p', 'rawstats-gen'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: 'inherit' });
  return DEFAULT_GEN_REPORT;
}
