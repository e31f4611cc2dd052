// Types of <openathens-report> (embed.js), which defines the element when imported and exports nothing.

import type { ErrorCode, ReportKey, SubOrgReport, Summary } from './pkg/openathens_rawstats.js';

/** `reporterror`'s code: an engine code, the archive's own, or one of the element's when its engine cannot run. */
export type ReportErrorCode =
  | ErrorCode
  /** `archive`: no view token (or a bad one), and the archive is not public */
  | 'NOT_PUBLIC'
  /** `archive`: the view link has expired */
  | 'EXPIRED'
  /** `archive`: from..to is outside the view link's range */
  | 'OUT_OF_SCOPE'
  /** worker.js or the .wasm did not load (in a bundled app, see the README's optimizeDeps.exclude) */
  | 'ENGINE_UNAVAILABLE'
  /** the engine stopped unexpectedly; a fresh one runs and the next report works */
  | 'ENGINE_RESTARTED';

export interface ReportErrorDetail {
  code: ReportErrorCode;
  message: string;
}

/** The element's attributes, for frameworks that type custom elements' props. */
export interface OpenAthensReportAttributes {
  /** the Worker's origin, e.g. "https://reports.example.org/": its archive's merged summary, no API key */
  archive?: string;
  /** with `archive`: the first day, "yyyy-MM-dd" (default: the view link's range, or the last 30 days) */
  from?: string;
  /** with `archive`: the last day, "yyyy-MM-dd" */
  to?: string;
  /** your OpenAthens API name, e.g. "example.org" (required without `archive`) */
  'api-name'?: string;
  /** "yyyy-MM-dd"; default yesterday (UTC) */
  date?: string;
  /** the reports API or a proxy in front of it; default "https://reports.openathens.net/api/v1" */
  'api-base-url'?: string;
  /** present: show the Security section (account ids and IP addresses); absent by default */
  security?: boolean | '';
}

/** What `report` carries with `archive`: the Worker's /history answer (README, the Worker's routes). */
export interface ArchiveAnswer {
  from: string;
  to: string;
  /** the exact Summary of the stored days, or null when none is stored */
  merged: Summary | null;
  [field: string]: unknown;
}

export interface OpenAthensReportEventMap extends HTMLElementEventMap {
  /** the Summary, or with `keys` the sub-organisation result, or with `archive` the archive's answer */
  report: CustomEvent<Summary | SubOrgReport | ArchiveAnswer>;
  reporterror: CustomEvent<ReportErrorDetail>;
}

export interface OpenAthensReportElement extends HTMLElement {
  /** The API key: write-only, never reflected as an attribute, logged or stored. */
  set apiKey(key: string);
  /** Sub-organisation keys instead of apiKey (write-only). */
  set keys(keys: ReportKey[] | null);
  /** With `archive`: a view link's token (write-only, never an attribute), sent as `Authorization: View`. */
  set viewToken(token: string);
  addEventListener<K extends keyof OpenAthensReportEventMap>(
    type: K,
    listener: (this: OpenAthensReportElement, event: OpenAthensReportEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof OpenAthensReportEventMap>(
    type: K,
    listener: (this: OpenAthensReportElement, event: OpenAthensReportEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'openathens-report': OpenAthensReportElement;
  }
}
