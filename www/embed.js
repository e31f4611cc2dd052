// <openathens-report>: the organisation's figures inside any page (a library portal), added with one script
// tag. From the Worker's archive, with no API key in the portal at all (a view link's token, or nothing when
// the archive is public):
//
//   <script type="module" src="https://reports.example.org/embed.js"></script>
//   <openathens-report archive="https://reports.example.org/" from="2023-06-01" to="2023-06-30"></openathens-report>
//   <script type="module">document.querySelector('openathens-report').viewToken = '...';</script>
//
// or one day from the reports API, with a key:
//
//   <openathens-report api-name="example.org" date="2023-06-06" api-base-url="https://proxy.example.org/api/v1"></openathens-report>
//   <script type="module">document.querySelector('openathens-report').apiKey = '...';</script>
//
// The archive's /history is read on the portal's own thread (it is a JSON answer, already counted). The key is set from script (`apiKey`, or `keys` = [{label, key}] for sub-organisations) and never becomes an
// attribute. The report is fetched and counted in the page's Web Worker (the same worker.js and wasm as the
// page), and the page's Summary views render inside this element's shadow root, with their own stylesheets,
// so the host page's CSS cannot reach them. The Security section (account ids and addresses with failed
// sign-ins) shows only with the `security` attribute. Events: `report` (detail: the result) and `reporterror`
// (detail: {code, message}; code is one of docs/api.md's, the Worker's, or ENGINE_UNAVAILABLE / ENGINE_RESTARTED).

import { fetchHistory } from './js/archive/client.js';
import { explainArchiveError } from './js/archive/words.js';
import { describeProgress } from './js/progress.js';
import { explainError } from './js/errors.js';
import { ReportWorker, workerScriptUrl } from './js/report-worker.js';
import { h } from './js/views/dom.js';
import { renderResult, summaryStylesheets } from './js/views/summary-view.js';
import init, { reportDateWindow } from './pkg/openathens_rawstats.js';

// The engine on the page's thread too, loaded only when an element has no date: its report-date window
// gives the default, yesterday (UTC). A page whose engine cannot load learns it from the worker
// (ENGINE_UNAVAILABLE), so here that only leaves the date out.
let engineLoaded = null;
async function defaultDate() {
  engineLoaded ??= init().then(() => true, () => false);
  return (await engineLoaded) ? reportDateWindow().max : undefined;
}

const STYLESHEETS = [...summaryStylesheets, new URL('./css/embed.css', import.meta.url).href];

let sharedWorker = null;

// One worker for every element on the page. A browser starts a worker only from the page's own origin, so
// when this script comes from another (the usual embed), a same-origin blob module imports worker.js.
function reportWorker() {
  if (!sharedWorker) {
    // This module's own origin, not the worker file's: in a bundled app the worker is the bundler's.
    if (new URL(import.meta.url).origin === location.origin) {
      sharedWorker = new ReportWorker();
    } else {
      // Kept for the page's lifetime: ReportWorker starts a fresh worker from it after an engine failure.
      const loader = URL.createObjectURL(new Blob([`import ${JSON.stringify(workerScriptUrl)};`], { type: 'text/javascript' }));
      sharedWorker = new ReportWorker(() => new Worker(loader, { type: 'module' }));
    }
  }
  return sharedWorker;
}

// Outside a browser (server-side rendering in Node) there is no HTMLElement: importing this module must
// still work, defining nothing; the element's class then extends a stand-in that is never constructed.
const ElementBase = /** @type {typeof HTMLElement} */ (globalThis.HTMLElement ?? class {});

class OpenAthensReport extends ElementBase {
  static observedAttributes = ['api-name', 'date', 'api-base-url', 'security', 'archive', 'from', 'to'];

  #apiKey = '';
  #viewToken = '';
  #keys = null;
  #job = null;
  #view = null;
  #scheduled = false;
  #status;
  #bar;
  #statusText;
  #problem;
  #result;
  // The last result and its day or period, drawn again when only the `security` attribute changes.
  #shown = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    this.#bar = h('progress', { 'aria-label': 'Report progress' });
    this.#statusText = h('span');
    this.#status = h('div', { class: 'oa-embed-status', role: 'status', hidden: true }, [this.#bar, this.#statusText]);
    this.#problem = h('div', { class: 'oa-embed-problem', role: 'alert', hidden: true });
    this.#result = h('div');
    root.append(
      ...STYLESHEETS.map((href) => h('link', { rel: 'stylesheet', href })),
      h('div', { class: 'oa-embed' }, [this.#status, this.#problem, this.#result]),
    );
  }

  /** The API key (write-only: it is never read back, reflected or logged). */
  set apiKey(key) {
    this.#apiKey = typeof key === 'string' ? key.trim() : '';
    this.#schedule();
  }

  /** A view link's token for the `archive` (write-only, like the keys: never an attribute, never read back). */
  set viewToken(token) {
    this.#viewToken = typeof token === 'string' ? token.trim() : '';
    this.#schedule();
  }

  /** Sub-organisation keys, [{label, key}], instead of apiKey (write-only). */
  set keys(keys) {
    // Trimmed here, as apiKey is: HTTP trims the header, so a pasted key's spaces or line break never reach the API.
    this.#keys = Array.isArray(keys) && keys.length > 0 ? keys.map(({ label, key }) => ({ label: String(label ?? ''), key: String(key ?? '').trim() })) : null;
    this.#schedule();
  }

  connectedCallback() {
    // A key set before this script defined the element sits on the instance, hiding the setters.
    for (const name of ['apiKey', 'keys', 'viewToken']) {
      if (Object.hasOwn(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    this.#schedule();
  }

  disconnectedCallback() {
    this.#job?.cancel();
    this.#job = null;
  }

  attributeChangedCallback(name) {
    if (name === 'security') this.#draw();
    else this.#schedule();
  }

  #draw() {
    if (!this.#shown) return;
    this.#view?.destroy();
    const { result, date, period } = this.#shown;
    this.#view = renderResult(this.#result, result, { ...(period ? { period } : { reportDate: date }), security: this.hasAttribute('security') });
  }

  // Attributes and keys often change together: fetch once, after the current task.
  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(async () => {
      if (this.getAttribute('archive')?.trim()) {
        this.#scheduled = false;
        if (this.isConnected) this.#readArchive();
        return;
      }
      const yesterday = this.getAttribute('date')?.trim() ? undefined : await defaultDate();
      this.#scheduled = false;
      if (this.isConnected) this.#fetch(yesterday);
    });
  }

  // The archive's merged Summary for from..to (the Worker's default range when they are left out).
  #readArchive() {
    this.#job?.cancel();
    const controller = new AbortController();
    const job = { cancel: () => controller.abort() };
    this.#job = job;
    const period = { from: this.getAttribute('from')?.trim() || undefined, to: this.getAttribute('to')?.trim() || undefined };
    const base = new URL(this.getAttribute('archive').trim(), document.baseURI);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.#problem.hidden = true;
    this.#showProgress({ text: 'Reading the archive…', fraction: null });
    fetchHistory(period, { base: base.href, viewToken: this.#viewToken || undefined, signal: controller.signal }).then(
      ({ body }) => {
        if (this.#job !== job) return;
        this.#job = null;
        this.#status.hidden = true;
        if (body.merged) {
          this.#shown = { result: body.merged, period: { from: body.from, to: body.to } };
          this.#draw();
        } else {
          this.#shown = null;
          this.#view?.destroy();
          this.#view = null;
          this.#result.replaceChildren(h('p', {}, `The archive holds no day from ${body.from} to ${body.to} with its figures.`));
        }
        this.dispatchEvent(new CustomEvent('report', { detail: body }));
      },
      (error) => {
        if (this.#job !== job) return;
        this.#job = null;
        this.#status.hidden = true;
        this.#showProblem(explainArchiveError(error));
        this.dispatchEvent(new CustomEvent('reporterror', { detail: { code: error.code, message: error.message } }));
      },
    );
  }

  /** @param {string | undefined} yesterday  the date when the element names none */
  #fetch(yesterday) {
    const apiName = this.getAttribute('api-name')?.trim();
    if (!apiName || (!this.#apiKey && !this.#keys)) return;
    this.#job?.cancel();
    const base = this.getAttribute('api-base-url')?.trim();
    const options = {
      apiName,
      date: this.getAttribute('date')?.trim() || yesterday,
      // The worker has no page to resolve a relative URL against.
      ...(base ? { baseUrl: new URL(base, document.baseURI).href } : {}),
      ...(this.#keys ? { keys: this.#keys } : { apiKey: this.#apiKey }),
    };
    this.#problem.hidden = true;
    this.#showProgress({ text: 'Waiting for the report…', fraction: null });
    const job = reportWorker().run('fetch', { options }, (progress) => {
      if (this.#job === job) this.#showProgress(describeProgress(progress));
    });
    this.#job = job;
    job.result.then(
      ({ result }) => {
        if (this.#job !== job) return;
        this.#job = null;
        this.#status.hidden = true;
        this.#shown = { result, date: options.date };
        this.#draw();
        this.dispatchEvent(new CustomEvent('report', { detail: result }));
      },
      (error) => {
        if (this.#job !== job) return;
        this.#job = null;
        this.#status.hidden = true;
        this.#showProblem(explainError(error));
        this.dispatchEvent(new CustomEvent('reporterror', { detail: { code: error.code, message: error.message } }));
      },
    );
  }

  #showProgress({ text, fraction }) {
    this.#status.hidden = false;
    if (fraction === null) this.#bar.removeAttribute('value');
    else this.#bar.value = fraction;
    this.#statusText.textContent = text;
  }

  /** @param {{title: string, next: string, detail: string}} words */
  #showProblem(words) {
    this.#problem.replaceChildren(h('strong', {}, words.title), ` ${words.next}`, h('span', { class: 'oa-embed-detail' }, words.detail));
    this.#problem.hidden = false;
  }
}

if (globalThis.customElements && !customElements.get('openathens-report')) customElements.define('openathens-report', OpenAthensReport);
