// The Chromium that Playwright drives: $CHROMIUM, or Debian's (scripts/setup installs it there).
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
