// <openathens-report>: one day's summary inside any page (a library portal), added with one script tag.
//
//   <script type="module" src="https://reports.example.org/embed.js"></script>
//   <openathens-report api-name="example.org" date="2023-06-06" api-base-url="https://proxy.example.org/api/v1"></openathens-report>
//   <script type="module">document.querySelector('openathens-report').apiKey = '...';</script>
//
// The key is set from script (`apiKey`, or `keys` = [{label, key}] for sub-organisations) and never becomes an
// attribute. The report is fetched and counted in the page's Web Worker (the same worker.js and wasm as the
// page), and the page's Summary views render inside this element's shadow root, with their own stylesheets,
// so the host page's CSS cannot reach them. The Security section (account ids and addresses with failed
// sign-ins) shows only with the `security` attribute. Events: `report` (detail: the result) and `reporterror`
// (detail: {code, message}; code is a SPEC error code, or ENGINE_UNAVAILABLE / ENGINE_RESTARTED).

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
  static observedAttributes = ['api-name', 'date', 'api-base-url', 'security'];

  #apiKey = '';
  #keys = null;
  #job = null;
  #view = null;
  #scheduled = false;
  #status;
  #bar;
  #statusText;
  #problem;
  #result;
  // The last result and its day, drawn again when only the `security` attribute changes.
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

  /** Sub-organisation keys, [{label, key}], instead of apiKey (write-only). */
  set keys(keys) {
    // Trimmed here, as apiKey is: HTTP trims the header, so a pasted key's spaces or line break never reach the API.
    this.#keys = Array.isArray(keys) && keys.length > 0 ? keys.map(({ label, key }) => ({ label: String(label ?? ''), key: String(key ?? '').trim() })) : null;
    this.#schedule();
  }

  connectedCallback() {
    // A key set before this script defined the element sits on the instance, hiding the setters.
    for (const name of ['apiKey', 'keys']) {
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
    this.#view = renderResult(this.#result, this.#shown.result, { reportDate: this.#shown.date, security: this.hasAttribute('security') });
  }

  // Attributes and keys often change together: fetch once, after the current task.
  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(async () => {
      const yesterday = this.getAttribute('date')?.trim() ? undefined : await defaultDate();
      this.#scheduled = false;
      if (this.isConnected) this.#fetch(yesterday);
    });
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
        this.#showProblem(error);
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

  #showProblem(error) {
    const words = explainError(error);
    this.#problem.replaceChildren(h('strong', {}, words.title), ` ${words.next}`, h('span', { class: 'oa-embed-detail' }, words.detail));
    this.#problem.hidden = false;
  }
}

if (globalThis.customElements && !customElements.get('openathens-report')) customElements.define('openathens-report', OpenAthensReport);
