// The page's controller: the form, the file input and drop target, the worker job with its progress and
// Cancel, errors in plain words, and the Summary views in #result.

import { renderResult } from './views/summary-view.js';
import { explainError } from './errors.js';
import { describeProgress } from './progress.js';
import { forgetSettings, loadSettings, saveSettings } from './settings.js';
import { SubKeyRows } from './sub-keys.js';
import { ReportWorker } from './report-worker.js';
import { DayPool, dayCache, daysOf, headlineOf, presetRange } from './range.js';
import { renderDays } from './views/range-view.js';
import { saveBlob } from './views/download.js';
import { formatCount } from './views/format.js';
import init, { fetchReportDefaults, reportDateWindow } from '../pkg/openathens_rawstats.js';
import { ArchiveSource } from './archive/source.js';
import { renderArchive } from './archive/archive-view.js';
import { explainArchiveError } from './archive/words.js';
import { explainSavedSummaryError, looksLikeJson, readSavedSummary, savedPeriod } from './archive/saved-summary.js';

/**
 * The element with this id, which index.html gives this kind: a page that does not is a broken page.
 * @template {typeof HTMLElement} T
 * @param {string} id
 * @param {T} [kind]
 * @returns {InstanceType<T>}
 */
function byId(id, kind = /** @type {T} */ (HTMLElement)) {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`index.html has no ${kind.name} #${id}`);
  return /** @type {InstanceType<T>} */ (element);
}
const form = byId('fetch-form', HTMLFormElement);
const fields = {
  apiName: byId('api-name', HTMLInputElement),
  apiKey: byId('api-key', HTMLInputElement),
  date: byId('report-date', HTMLInputElement),
  range: byId('date-range', HTMLSelectElement),
  from: byId('range-from', HTMLInputElement),
  to: byId('range-to', HTMLInputElement),
  baseUrl: byId('base-url', HTMLInputElement),
  remember: byId('remember', HTMLInputElement),
};
const fileInput = byId('report-file', HTMLInputElement);
const statusPanel = byId('status');
const progressBar = byId('progress', HTMLProgressElement);
const progressText = byId('progress-text');
const cancelButton = byId('cancel');
const errorPanel = byId('error');
const resultRoot = byId('result');
const subKeys = new SubKeyRows(byId('sub-key-rows', HTMLOListElement));
const worker = new ReportWorker();
// ?workers=N sets how many threads read a report file or a one-key fetch (1: one worker, as before the
// pipeline; 2: one inflating and one parsing), for comparing them; otherwise pipeline.js chooses.
const workers = Number(new URLSearchParams(location.search).get('workers')) || undefined;
const pool = new DayPool();
const archive = new ArchiveSource(form);

let currentJob = null;
let view = null;
// The report the page still holds, so a slice recounts it without fetching again: an opened file, or a
// fetched report kept as a Blob (null after a sub-organisation fetch, whose parts are not kept), with the
// active slices.
let held = null;
let slices = [];
// `Hide account identifiers` holds for every view that follows, a day's, a slice's or a range's.
let hideIds = false;
const keepHideIds = (hidden) => { hideIds = hidden; };
let daysView = null;

/** @param {{title: string, next: string, detail?: string}} words */
function showError({ title, next, detail }) {
  byId('error-title').textContent = title;
  byId('error-next').textContent = next;
  byId('error-detail').textContent = detail ? `Details: ${detail}` : '';
  errorPanel.hidden = false;
}

function showProgress({ text, fraction }) {
  // No value makes the bar indeterminate: a download's total size is not known in advance.
  if (fraction === null) progressBar.removeAttribute('value');
  else progressBar.value = fraction;
  progressText.textContent = text;
}

function finishJob(job, text) {
  if (currentJob !== job) return false;
  currentJob = null;
  cancelButton.hidden = true;
  progressText.textContent = text;
  return true;
}

/**
 * Runs one job in the worker and shows its progress, then its result or its error. A new job replaces
 * the one running.
 * @param {'fetch'|'file'} type
 * @param {object} payload      for ReportWorker.run
 * @param {{what: string, reportDate?: string, slicing?: object[]}} context  `slicing`: the slices this job
 *   applies to the report held (a new report starts unsliced)
 */
function run(type, payload, { what, reportDate, slicing }) {
  currentJob?.cancel();
  daysView?.destroy();
  daysView = null;
  errorPanel.hidden = true;
  statusPanel.hidden = false;
  cancelButton.hidden = false;
  showProgress({ text: `${what}…`, fraction: null });
  const job = worker.run(type, payload, (progress) => {
    if (currentJob === job) showProgress(describeProgress(progress));
  });
  currentJob = job;
  job.result.then(
    ({ result, report }) => {
      const summary = result.merged ?? result;
      if (!finishJob(job, `Done: ${formatCount(summary.rows)} rows.`)) return;
      progressBar.value = 1;
      if (slicing) {
        slices = slicing;
      } else {
        const blob = type === 'file' ? payload.file : report;
        held = blob ? { blob, reportDate } : null;
        slices = [];
      }
      view?.destroy();
      view = renderResult(resultRoot, result, {
        reportDate,
        onSlice: held ? (slice) => sliceBy([...slices, slice]) : undefined,
        slices,
        onRemoveSlice: (index) => sliceBy(slices.filter((_, at) => at !== index)),
        hideIds,
        onHideIds: keepHideIds,
      });
      resultRoot.querySelector('h2').focus();
    },
    (error) => {
      if (!finishJob(job, '')) return;
      statusPanel.hidden = true;
      showError(explainError(error));
    },
  );
}

// Recounts the report held with these slices (all must match); none shows the whole report again.
function sliceBy(next) {
  const filter = next.map(({ column, value }) => ({ column, value }));
  const options = { filter, ...(held.reportDate ? { reportDate: held.reportDate } : {}) };
  const what = next.length > 0 ? `Counting only ${next.map((slice) => view.sliceLabel(slice)).join(' and ')}` : 'Counting the whole report again';
  run('file', { file: held.blob, options, workers }, { what, reportDate: held.reportDate, slicing: next });
}

function cancel() {
  const job = currentJob;
  if (!job) return;
  job.cancel();
  // The worker stops at its next chunk or request, or is replaced if it does not within a second (a long
  // synchronous step); the page lets go at once.
  finishJob(job, 'Cancelled. Nothing was kept; fetch or open a report when you are ready.');
  progressBar.value = 0;
  fields.apiName.focus();
}

function formSettings() {
  return {
    apiName: fields.apiName.value.trim(),
    apiKey: fields.apiKey.value.trim(),
    baseUrl: fields.baseUrl.value.trim() || fetchReportDefaults().baseUrl,
    subKeys: subKeys.values(),
    remember: fields.remember.checked,
  };
}

/**
 * The first field the form still needs, with what to tell the user.
 * @param {ReturnType<typeof formSettings>} settings
 * @returns {[HTMLInputElement, string, string] | null}
 */
function missingField(settings) {
  if (settings.apiName === '') return [fields.apiName, 'Enter the API name.', 'It is your domain’s OpenAthens API name, for example example.org.'];
  if (settings.apiKey === '' && settings.subKeys.length === 0) return [fields.apiKey, 'Enter the API key.', 'Paste a key that has the reports API permission, or add sub-organisation keys.'];
  if (!URL.canParse(settings.baseUrl)) return [fields.baseUrl, 'The API base URL is not a web address.', `Use ${fetchReportDefaults().baseUrl}, or your proxy’s address ending in /api/v1.`];
  return null;
}

function fetchFromForm() {
  const settings = formSettings();
  const missing = missingField(settings);
  if (missing) {
    const [field, title, next] = missing;
    showError({ title, next });
    field.focus();
    return;
  }
  const { apiName, apiKey, baseUrl, subKeys: rows } = settings;
  const date = fields.date.value;
  const options = { apiName, baseUrl, date };
  if (rows.length > 0) {
    // The organisation's own key, if given, is one more part, labelled with the API name.
    options.keys = [
      ...(apiKey ? [{ label: apiName, key: apiKey }] : []),
      ...rows.map((row, index) => ({ label: row.label || `Sub-organisation ${index + 1}`, key: row.key })),
    ];
  } else {
    options.apiKey = apiKey;
  }
  saveSettings(settings);
  if (fields.range.value !== 'day') {
    delete options.date;
    runRange(options, fields.from.value, fields.to.value, settings.remember);
    return;
  }
  run('fetch', { options, keep: true, workers }, { what: `Asking ${apiName} for ${date || 'the report'}`, reportDate: date });
}

/**
 * A range: each day from this device's cache (with "Remember on this device") or fetched in the pool, then
 * every day's snapshot merged in a worker; the by-day chart and table above the merged Summary.
 */
async function runRange(options, from, to, remember) {
  if (!from || !to || from > to) {
    showError({ title: 'Choose the days of the range.', next: 'Pick a preset, or a From date on or before the To date.' });
    fields.from.focus();
    return;
  }
  currentJob?.cancel();
  errorPanel.hidden = true;
  statusPanel.hidden = false;
  cancelButton.hidden = false;
  const generation = dayCache.generation;
  const job = { cancel: () => fetching?.cancel() };
  let fetching = null;
  currentJob = job;
  // Without Remember nothing is read or kept, so no device key is made either.
  const scope = remember ? await dayCache.scope(options) : null;
  /** @type {{date: string, key: string | null, how?: 'failed' | 'fetched' | 'cached', snapshot?: Uint8Array, headline?: object, failure?: {code?: string, message: string}, error?: {title: string}}[]} */
  const days = daysOf(from, to).map((date) => ({ date, key: scope && dayCache.key(scope, date) }));
  const progress = () => {
    const ready = days.filter((day) => day.how).length;
    showProgress({ text: `${ready} of ${days.length} days ready…`, fraction: ready / days.length });
  };
  progress();
  if (scope) {
    for (const day of days) {
      const cached = await dayCache.get(day.key);
      if (cached) Object.assign(day, { how: 'cached', snapshot: cached.snapshot, headline: cached.headline });
    }
  }
  const fetchDays = async (todo) => {
    fetching = pool.run(todo.map((day) => ({ type: 'day', payload: { options: { ...options, date: day.date } } })));
    const outcomes = await fetching.outcomes;
    await Promise.all(outcomes.map(async ({ result, error }, at) => {
      const day = todo[at];
      if (error) {
        Object.assign(day, { how: 'failed', failure: error, error: explainError(error) });
        return;
      }
      Object.assign(day, { how: 'fetched', snapshot: result.snapshot, headline: headlineOf(result.summary), error: undefined });
      // Read again now: Remember may have been unticked, or Forget pressed, while the day was fetched.
      if (scope && fields.remember.checked) await dayCache.put(day.key, { snapshot: result.snapshot, headline: day.headline }, generation);
      progress();
    }));
  };
  const show = async () => {
    const ready = days.filter((day) => day.snapshot);
    // No day gave a report: the range fails with the first day's error, as fetchRange does.
    if (ready.length === 0) throw days.find((day) => day.failure).failure;
    fetching = pool.run([{ type: 'merge', payload: { snapshots: ready.map((day) => day.snapshot) } }]);
    const [{ result: merged, error }] = await fetching.outcomes;
    if (error) throw error;
    if (currentJob !== job) return;
    view?.destroy();
    daysView?.destroy();
    // Every day has its `how` by now: cached, or fetched or failed by fetchDays.
    daysView = renderDays(/** @type {Parameters<typeof renderDays>[0]} */ (days), { onRetry: retry, onSave: options.apiKey ? save : undefined });
    view = renderResult(resultRoot, merged, { period: { from, to }, hideIds, onHideIds: keepHideIds });
    resultRoot.prepend(daysView.element);
    const counts = ['fetched', 'cached', 'failed'].map((how) => days.filter((day) => day.how === how).length);
    finishJob(job, `Done: ${days.length} days (${counts[0]} fetched, ${counts[1]} from this device, ${counts[2]} failed), ${formatCount(merged.rows)} rows.`);
    daysView.element.querySelector('h2').focus();
  };
  const retry = async (date) => {
    const day = days.find((d) => d.date === date);
    currentJob = job;
    statusPanel.hidden = false;
    cancelButton.hidden = false;
    try {
      await fetchDays([day]);
      await show();
    } catch (error) {
      fail(error);
    }
  };
  // The report file is fetched again when asked for: keeping every day's raw file would hold tens of MB a day.
  const save = async (date) => {
    const saving = pool.run([{ type: 'report-file', payload: { options: { ...options, date } } }]);
    const [{ result, error }] = await saving.outcomes;
    if (error) showError(explainError(error));
    else saveBlob(`${options.apiName}-${date}.${result.type.startsWith('text/csv') ? 'csv' : 'csv.gz'}`, result);
  };
  const fail = (error) => {
    if (!finishJob(job, '')) return;
    statusPanel.hidden = true;
    showError(explainError(error));
  };
  try {
    await fetchDays(days.filter((day) => !day.how));
    await show();
  } catch (error) {
    fail(error);
  }
}

async function openFile(file) {
  if (!file) return;
  if (await looksLikeJson(file)) openSavedSummary(file);
  else run('file', { file, workers }, { what: `Opening ${file.name}` });
}

// A summary the page saved, shown as it was: no report is held, so nothing slices it.
async function openSavedSummary(file) {
  currentJob?.cancel();
  errorPanel.hidden = true;
  statusPanel.hidden = true;
  try {
    const summary = await readSavedSummary(file);
    view?.destroy();
    daysView?.destroy();
    daysView = null;
    held = null;
    view = renderResult(resultRoot, summary, { label: 'Saved summary', period: savedPeriod(summary), hideIds, onHideIds: keepHideIds });
    resultRoot.querySelector('h2').focus();
  } catch (error) {
    showError(explainSavedSummaryError(error));
  }
}

// The archive's range (and the one it is compared with) from the Worker's /history.
async function showArchive() {
  currentJob?.cancel();
  const controller = new AbortController();
  const job = { cancel: () => controller.abort() };
  currentJob = job;
  errorPanel.hidden = true;
  statusPanel.hidden = false;
  cancelButton.hidden = false;
  showProgress({ text: 'Reading the archive…', fraction: null });
  try {
    const { shown } = await archive.load(controller.signal);
    if (currentJob !== job) return;
    view?.destroy();
    daysView?.destroy();
    daysView = null;
    held = null;
    view = renderArchive(resultRoot, shown, { hideIds, onHideIds: keepHideIds });
    progressBar.value = 1;
    finishJob(job, view.status);
    resultRoot.querySelector('h2').focus();
  } catch (error) {
    if (!finishJob(job, '')) return;
    statusPanel.hidden = true;
    showError(explainArchiveError(error, { viewLink: Boolean(archive.viewToken) }));
  }
}

// The demo server (make serve) publishes demo-config.json beside the page; on any other host it is absent.
async function applyDemoConfig(saved) {
  let config;
  try {
    const response = await fetch('demo-config.json', { cache: 'no-store' });
    if (!response.ok) return;
    config = await response.json();
  } catch {
    return;
  }
  if (saved.apiName === undefined) fields.apiName.value = config.apiName;
  if (saved.baseUrl === undefined) fields.baseUrl.value = config.baseUrl;
  if (saved.apiKey === undefined) fields.apiKey.value = config.apiKey;
}

function setUp() {
  const dateWindow = reportDateWindow();
  Object.assign(fields.date, { min: dateWindow.min, max: dateWindow.max, value: dateWindow.max });
  for (const field of [fields.from, fields.to]) Object.assign(field, { min: dateWindow.min, max: dateWindow.max });
  Object.assign(fields.from, { value: dateWindow.max });
  Object.assign(fields.to, { value: dateWindow.max });
  fields.range.addEventListener('change', () => {
    const preset = fields.range.value;
    byId('range-dates').hidden = preset === 'day';
    if (preset === 'day' || preset === 'custom') return;
    const { from, to } = presetRange(preset, dateWindow);
    fields.from.value = from;
    fields.to.value = to;
  });
  for (const field of [fields.from, fields.to]) field.addEventListener('change', () => { fields.range.value = 'custom'; });

  const saved = loadSettings();
  fields.apiName.value = saved.apiName ?? '';
  fields.baseUrl.value = saved.baseUrl ?? fetchReportDefaults().baseUrl;
  fields.apiKey.value = saved.apiKey ?? '';
  fields.remember.checked = saved.apiKey !== undefined;
  for (const row of saved.subKeys ?? []) subKeys.add(row);
  applyDemoConfig(saved);
  // A view link shows its range at once: its reader has nothing else to choose.
  archive.detect().then((found) => { if (found && archive.viewToken) showArchive(); });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (archive.active) showArchive();
    else fetchFromForm();
  });
  byId('add-sub-key').addEventListener('click', () => subKeys.add().focus());
  fields.remember.addEventListener('change', () => {
    saveSettings(formSettings());
    if (fields.remember.checked) {
      byId('remember-status').textContent = 'Your key is kept in this browser until you press Forget.';
      return;
    }
    byId('remember-status').textContent = 'Forgetting…';
    dayCache.clear().then(() => {
      byId('remember-status').textContent = 'Your key and the fetched days are no longer kept in this browser.';
    });
  });
  byId('forget').addEventListener('click', () => {
    forgetSettings();
    fields.remember.checked = false;
    fields.apiKey.value = '';
    subKeys.clear();
    byId('remember-status').textContent = 'Forgetting…';
    dayCache.clear().then(() => {
      byId('remember-status').textContent = 'Forgotten: nothing about this API, and no fetched day, is kept in this browser any more.';
    });
  });
  cancelButton.addEventListener('click', cancel);
  fileInput.addEventListener('change', () => {
    openFile(fileInput.files[0]);
    // Cleared so that choosing the same file again opens it again.
    fileInput.value = '';
  });

  // Drop a report anywhere on the page.
  const dropHint = byId('drop-hint');
  const carriesFiles = (event) => event.dataTransfer?.types.includes('Files');
  document.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dropHint.hidden = false;
  });
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) dropHint.hidden = true;
  });
  document.addEventListener('drop', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dropHint.hidden = true;
    openFile(event.dataTransfer.files[0]);
  });
}

// The engine on this thread too (the worker loads its own copy) for what the form shares with it: the
// report-date window and the default base URL. Without it nothing here can work, so the page says so as
// the worker would, rather than leave a form that does nothing.
init().then(setUp, (error) => {
  showError(explainError({ code: 'ENGINE_UNAVAILABLE', message: String(error?.message ?? error) }));
  form.inert = true;
});
