// Source, when the page is served by the Worker: Archive (its /history, no API key) or OpenAthens API (the
// form as it was). The archive's controls (Date range presets, From/To, Compare with) are built here and
// put at the top of the form; the API's own fields are hidden while Archive is chosen.

import { h, uniqueId } from '../views/dom.js';
import { archiveState, fetchHistory } from './client.js';
import { ARCHIVE_PRESETS, COMPARISONS, archivePreset, comparedPeriod, spanOf } from './periods.js';
import { linkPeriod, viewTokenFrom } from './view-link.js';

// The Worker answers at most this many days a request (worker/src/history.js).
const MAX_DAYS = 366;

function field(label, control, hint) {
  const id = uniqueId('archive-field');
  control.id = id;
  return h('div', { class: 'field' }, [h('label', { for: id }, label), control, hint ? h('p', { class: 'hint' }, hint) : null]);
}

const dateInput = () => h('input', { type: 'date' });
const select = (choices) => h('select', {}, choices.map(({ value, label }) => h('option', { value }, label)));

export class ArchiveSource {
  #source;
  #heading;
  #submit;
  #apiParts;
  #radios;
  #fields;
  #controls;
  #wording;

  /** @param {HTMLFormElement} form  the fetch form: its first h2 and its submit button are reworded */
  constructor(form) {
    /** A view link's token (the page opened with `#view=`): then the archive is the only source. */
    this.viewToken = viewTokenFrom(location.hash);
    this.#heading = form.querySelector('h2');
    this.#submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
    this.#wording = { heading: this.#heading.textContent, submit: this.#submit.textContent };
    const name = uniqueId('source');
    const radio = (value, label) => h('label', { class: 'oa-choice' }, [
      h('input', { type: 'radio', name, value, onchange: () => this.#choose(value) }), ` ${label}`,
    ]);
    this.#radios = [radio('archive', 'Archive'), radio('api', 'OpenAthens API')];
    const range = select(ARCHIVE_PRESETS);
    const from = dateInput();
    const to = dateInput();
    const compare = select(COMPARISONS);
    const compareFrom = dateInput();
    const compareTo = dateInput();
    this.#controls = { range, from, to, compare, compareFrom, compareTo };
    const rangeDates = h('div', { class: 'range-dates' }, [field('From', from), field('To', to)]);
    const compareDates = h('div', { class: 'range-dates', hidden: true }, [field('Compare from', compareFrom), field('Compare to', compareTo)]);
    range.addEventListener('change', () => this.#applyPreset());
    for (const input of [from, to]) input.addEventListener('change', () => { range.value = 'custom'; });
    compare.addEventListener('change', () => { compareDates.hidden = compare.value !== 'custom'; });
    this.#fields = h('div', { class: 'archive-fields', hidden: true }, [
      field('Date range', range, 'Any days the archive holds, up to 366 at a time.'),
      rangeDates,
      field('Compare with', compare, 'Show a second range beside this one, with the change.'),
      compareDates,
    ]);
    this.#source = h('fieldset', { class: 'sub-keys archive-source', hidden: true }, [
      h('legend', {}, 'Source'),
      ...this.#radios,
      h('p', { class: 'hint' }, 'Archive: the days this site’s Worker stored, for any dates it holds, with no API key. OpenAthens API: a day or a range of the last 30 days, with your key.'),
    ]);
    this.#apiParts = /** @type {HTMLElement[]} */ ([...form.children]).filter((child) => child !== this.#heading && child !== this.#submit);
  }

  /**
   * Offers Source when the page is served by the Worker; Archive is chosen when the archive answers this
   * reader, OpenAthens API when it refuses. Resolves to whether the Worker is there.
   */
  async detect(now = Date.now()) {
    const yesterday = new Date(now - 86_400_000).toISOString().slice(0, 10);
    const state = await archiveState(yesterday, this.viewToken ?? undefined);
    if (!state) return false;
    for (const input of Object.values(this.#controls)) if (input instanceof HTMLInputElement) input.max = yesterday;
    // Put in the form only now: a page without the Worker keeps the form (and its labels) as it was.
    this.#heading.after(this.#source, this.#fields);
    this.#source.hidden = false;
    this.#applyPreset(now);
    if (this.viewToken) {
      // A link reads the archive only, for its own dates; a refused one says why when the page shows it.
      this.#radios[1].hidden = true;
      const linked = linkPeriod(this.viewToken);
      if (linked) this.#setRange(linked);
    }
    this.#choose(state === 'open' || this.viewToken ? 'archive' : 'api');
    return true;
  }

  #setRange({ from, to }) {
    this.#controls.range.value = 'custom';
    this.#controls.from.value = from;
    this.#controls.to.value = to;
  }

  get active() {
    return !this.#fields.hidden;
  }

  #choose(value) {
    for (const label of this.#radios) {
      const input = /** @type {HTMLInputElement} */ (label.querySelector('input'));
      input.checked = input.value === value;
    }
    const archive = value === 'archive';
    this.#fields.hidden = !archive;
    for (const part of this.#apiParts) part.hidden = archive;
    this.#heading.textContent = archive ? 'Usage from the archive' : this.#wording.heading;
    this.#submit.textContent = archive ? 'Show archive' : this.#wording.submit;
  }

  #applyPreset(now = Date.now()) {
    const { range, from, to } = this.#controls;
    if (range.value === 'custom') return;
    Object.assign(from, { value: archivePreset(range.value, now).from });
    Object.assign(to, { value: archivePreset(range.value, now).to });
  }

  /** The range asked for and the one it is compared with; throws BAD_DATE or DATE_OUT_OF_RANGE. */
  request() {
    const { from, to, compare, compareFrom, compareTo } = this.#controls;
    const period = { from: from.value, to: to.value };
    const compared = compare.value === 'none' ? null
      : compare.value === 'custom' ? { from: compareFrom.value, to: compareTo.value } : comparedPeriod(compare.value, period);
    /** @type {[{from: string, to: string} | null, HTMLInputElement][]} */
    const checked = [[period, from], [compared, compareFrom]];
    for (const [range, input] of checked) {
      if (!range) continue;
      if (!range.from || !range.to || range.from > range.to) {
        input.focus();
        throw { code: 'BAD_DATE', message: `From (${range.from || 'none'}) must be a date on or before To (${range.to || 'none'}).` };
      }
      if (spanOf(range) > MAX_DAYS) {
        input.focus();
        throw { code: 'DATE_OUT_OF_RANGE', message: `${range.from} to ${range.to} is ${spanOf(range)} days; the archive answers at most ${MAX_DAYS} at a time.` };
      }
    }
    return { period, compared };
  }

  /** Reads the range (by month too) and the compared range from /history; resolves to what renderArchive shows and the bytes read. */
  async load(signal) {
    const { period, compared } = this.request();
    const [main, other] = await Promise.all([
      // Months only when there are several: one month's Summary is the range's own.
      fetchHistory(period, { months: period.from.slice(0, 7) !== period.to.slice(0, 7), signal, viewToken: this.viewToken ?? undefined }),
      compared ? fetchHistory(compared, { signal, viewToken: this.viewToken ?? undefined }) : null,
    ]);
    return {
      shown: { period, body: main.body, ...(other ? { compare: { period: compared, body: other.body } } : {}) },
      bytes: main.bytes + (other?.bytes ?? 0),
    };
  }
}
