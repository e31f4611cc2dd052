// Element building for the views. Children that are strings become Text nodes (Element.append), so report
// text can never be parsed as markup; attributes are set one by one and never include `style`, which the
// page's CSP forbids anyway.


/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attrs]  attributes; `on…` ones are event listeners
 * @param {DomChild} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...appended(children, []));
  return el;
}

/** @param {DomChild} child  @param {(string | Node)[]} into  @returns {(string | Node)[]} */
function appended(child, into) {
  if (Array.isArray(child)) for (const each of child) appended(each, into);
  else if (child !== null && child !== undefined && child !== false) into.push(child);
  return into;
}

// Long codes and URLs (ACCOUNT_ERROR_BAD_PASSWORD, entity IDs) may break after _ / . : so narrow
// screens can wrap them; <wbr> elements between Text nodes keep the value itself as text.
/** @param {string} value  @returns {DomChild} */
function breakable(value) {
  const parts = value.split(/(?<=[_/.:])/);
  return parts.length === 1 ? value : parts.flatMap((part, index) => (index === 0 ? [part] : [h('wbr'), part]));
}

// A value-keyed map counts empty fields under "": shown as a marked placeholder, never as blank space.
/** @param {string} value  @returns {DomChild} */
export function valueText(value) {
  return value === '' ? h('span', { class: 'oa-empty' }, '(empty)') : breakable(value);
}

let nextId = 0;
// Ids for label/aria wiring; unique per page even when several reports are rendered side by side.
export function uniqueId(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
