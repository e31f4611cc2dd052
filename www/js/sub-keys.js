// The rows of labelled sub-organisation keys in the form.

// The visible text is short ("Key"); the hidden part, filled in by #renumber, names the row.
function field(labelText, input) {
  const label = document.createElement('label');
  label.htmlFor = input.id;
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  label.append(hidden, labelText);
  const wrap = document.createElement('div');
  wrap.className = 'field';
  wrap.append(label, input);
  return wrap;
}

export class SubKeyRows {
  #list;
  #made = 0;

  /** @param {HTMLOListElement} list */
  constructor(list) {
    this.#list = list;
  }

  add({ label = '', key = '' } = {}) {
    this.#made += 1;
    const item = document.createElement('li');
    const labelInput = Object.assign(document.createElement('input'), { id: `sub-label-${this.#made}`, value: label, autocomplete: 'off', className: 'sub-label' });
    const keyInput = Object.assign(document.createElement('input'), { id: `sub-key-${this.#made}`, type: 'password', value: key, autocomplete: 'off', spellcheck: false, className: 'sub-key' });
    const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary', textContent: 'Remove' });
    remove.addEventListener('click', () => {
      const next = item.nextElementSibling ?? item.previousElementSibling;
      item.remove();
      this.#renumber();
      // Keep keyboard users in the list rather than dropping focus to the top of the page.
      (next?.querySelector('input') ?? this.#list.parentElement.querySelector('button')).focus();
    });
    item.append(field('label', labelInput), field('key', keyInput), remove);
    this.#list.append(item);
    this.#renumber();
    return labelInput;
  }

  // Names say which row they belong to ("Sub-organisation 2 key"), so a screen reader can tell rows apart.
  #renumber() {
    [...this.#list.children].forEach((item, index) => {
      const n = index + 1;
      const [labelHidden, keyHidden] = item.querySelectorAll('.visually-hidden');
      labelHidden.textContent = `Sub-organisation ${n} `;
      keyHidden.textContent = `Sub-organisation ${n} `;
      item.querySelector('button').setAttribute('aria-label', `Remove sub-organisation ${n}`);
    });
  }

  /** @returns {{label: string, key: string}[]} the rows with a key, in order */
  values() {
    return [...this.#list.children]
      .map((item) => {
        // Each row's inputs are its label and then its key (add).
        const [label, key] = item.querySelectorAll('input');
        return { label: label.value.trim(), key: key.value.trim() };
      })
      .filter((row) => row.key !== '');
  }

  clear() {
    this.#list.replaceChildren();
  }
}
