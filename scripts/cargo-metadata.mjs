#!/usr/bin/env node
// What the build reads from Cargo.toml and Cargo.lock through `cargo metadata`, so that each value is
// written once there:
//   node scripts/cargo-metadata.mjs wasm-opt        the wasm-opt flags of [package.metadata.wasm-pack.profile.release]
//   node scripts/cargo-metadata.mjs version CRATE   the version of CRATE the lock file resolves (e.g. wasm-bindgen)

import { execFileSync } from 'node:child_process';

const [query, crate] = process.argv.slice(2);
const metadata = (...args) => JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }));

if (query === 'wasm-opt') {
  const root = metadata('--no-deps').packages.find((pkg) => pkg.name === 'openathens-rawstats');
  const flags = root?.metadata?.['wasm-pack']?.profile?.release?.['wasm-opt'];
  if (!Array.isArray(flags)) throw new Error('Cargo.toml has no [package.metadata.wasm-pack.profile.release] wasm-opt list');
  console.log(flags.join(' '));
} else if (query === 'version' && crate) {
  const versions = metadata('--filter-platform', 'wasm32-unknown-unknown').packages.filter((pkg) => pkg.name === crate).map((pkg) => pkg.version);
  if (versions.length !== 1) throw new Error(`Cargo.lock resolves ${crate} to ${versions.length === 0 ? 'no version' : versions.join(' and ')}`);
  console.log(versions[0]);
} else {
  console.error('usage: node scripts/cargo-metadata.mjs wasm-opt | version CRATE');
  process.exit(2);
}
