// Times the page from outside, so that it carries no marks for scripts: from the first `change` (a file
// chosen) or `submit` (Fetch report) after the call, to the frame after a summary heading is added to
// #result. Used by page-figures.mjs and range-figures.mjs.

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
