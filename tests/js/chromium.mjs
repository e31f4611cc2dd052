// The Chromium that Playwright drives, and how: $CHROMIUM, or Debian's (scripts/setup installs it there),
// headless, without a sandbox (tests run as root), and without the background connections that this
// machine's closed network refuses.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const LAUNCH = {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** A fresh browser. */
export function launchChromium() {
  return chromium.launch(LAUNCH);
}

/** A browser context kept in the profile folder `profile` (for storage that outlives a page). */
export function launchChromiumWithProfile(profile, options = {}) {
  return chromium.launchPersistentContext(profile, { ...LAUNCH, ...options });
}

/**
 * A page of `origin` (served from the repository's root) that has loaded the wasm package and the test
 * module at `modulePath`, as `globalThis.suite = { wasm, module }`, in a browser with a fresh profile; the
 * module's own URL is the page, since any document of that origin will do. `close()` ends it all.
 */
export async function openSuitePage(origin, modulePath) {
  const profile = await mkdtemp(join(tmpdir(), 'suite-chromium-'));
  const context = await launchChromiumWithProfile(profile);
  const page = await context.newPage();
  await page.goto(`${origin}${modulePath}`);
  await page.evaluate(async (modulePath) => {
    const wasm = await import('/www/pkg/openathens_rawstats.js');
    await wasm.default();
    globalThis.suite = { wasm, module: await import(modulePath) };
  }, modulePath);
  return {
    page,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
