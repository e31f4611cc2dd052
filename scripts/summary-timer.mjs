// Times the page from outside, so that it carries no marks for scripts: from the first `change` (a file
// chosen) or `submit` (Fetch report) after the call, to the frame after a summary heading is added to
// #result. Used by page-figures.mjs, range-figures.mjs and bench-page.mjs.

/**
 * @param {import('playwright-core').Page} page
 * @param {() => Promise<unknown>} act  what starts the work: choosing a file, clicking Fetch report
 * @returns {Promise<number>} seconds
 */
export async function secondsToSummary(page, act) {
  await page.evaluate(() => {
    globalThis.summaryDrawn = new Promise((resolve) => {
      let started;
      const start = () => { started ??= performance.now(); };
      for (const type of ['change', 'submit']) document.addEventListener(type, start, { capture: true });
      new MutationObserver((mutations, observer) => {
        const heading = mutations.some(({ addedNodes }) => [...addedNodes].some((node) => node instanceof Element && (node.matches('h2') || node.querySelector('h2'))));
        if (started === undefined || !heading) return;
        observer.disconnect();
        requestAnimationFrame(() => resolve((performance.now() - started) / 1000));
      }).observe(document.getElementById('result'), { childList: true, subtree: true });
    });
  });
  await act();
  return page.evaluate(() => globalThis.summaryDrawn);
}

/**
 * A fresh page of `url` (the site as startDemoApi serves it, with any query), the report file chosen in
 * Open report file, and the seconds to its summary drawn; the page is closed after.
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {string} report  a report file
 * @returns {Promise<number>} seconds
 */
export async function secondsFromFileToSummary(browser, url, report) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(url);
    return await secondsToSummary(page, async () => {
      await page.getByLabel('Open report file').setInputFiles(report);
      // The page's error panel is an alert: a report it refuses ends the run at once, with its message. A
      // 1M-row report takes seconds, so a page that has shown neither in two minutes is stuck.
      const alert = page.getByRole('alert');
      await page.getByRole('button', { name: 'Download summary (JSON)' }).or(alert).waitFor({ timeout: 120_000 });
      if (await alert.isVisible()) throw new Error(`the page refused ${report}: ${await alert.innerText()}`);
    });
  } finally {
    await page.close();
  }
}
