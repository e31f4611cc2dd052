// Types of <openathens-report> (embed.js), which defines the element when imported and exports nothing.

import type { ErrorCode, ReportKey, SubOrgReport, Summary } from './pkg/openathens_rawstats.js';

/** `reporterror`'s code: an engine code, or one of the element's own when its engine cannot run. */
export type ReportErrorCode =
  | ErrorCode
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
  /** your OpenAthens API name, e.g. "example.org" (required) */
  'api-name': string;
  /** "yyyy-MM-dd"; default yesterday (UTC) */
  date?: string;
  /** the reports API or a proxy in front of it; default "https://reports.openathens.net/api/v1" */
  'api-base-url'?: string;
  /** present: show the Security section (account ids and IP addresses); absent by default */
  security?: boolean | '';
}

export interface OpenAthensReportEventMap extends HTMLElementEventMap {
  /** the Summary, or with `keys` the sub-organisation result */
  report: CustomEvent<Summary | SubOrgReport>;
  reporterror: CustomEvent<ReportErrorDetail>;
}

export interface OpenAthensReportElement extends HTMLElement {
  /** The API key: write-only, never reflected as an attribute, logged or stored. */
  set apiKey(key: string);
  /** Sub-organisation keys instead of apiKey (write-only). */
  set keys(keys: ReportKey[] | null);
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
