// The Chromium that Playwright drives, and how: $CHROMIUM, or Debian's (scripts/setup installs it there),
// headless, without a sandbox (tests run as root), and without the background connections that this
// machine's closed network refuses.
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
