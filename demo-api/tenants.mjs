// Who may ask for what: each API name (a tenant) and the keys of its organisations.
// A report covers only the organisation that owns the key, so each key names its own org,
// and gen-report is given that org to generate its own (partly overlapping) accounts.

export const DEMO_TENANTS = [
  {
    apiName: 'demo.openathens.test',
    keys: [
      { label: 'main', key: 'demo-key' },
      { label: 'library', key: 'demo-key-library' },
      { label: 'medicine', key: 'demo-key-medicine' },
    ],
  },
  // A second tenant, so that a valid key used on another API name can be refused with 403.
  { apiName: 'other.openathens.test', keys: [{ label: 'main', key: 'other-key' }] },
];

export class Tenants {
  #apiNames = new Set();
  #owners = new Map();

  constructor(tenants) {
    for (const { apiName, keys } of tenants) {
      this.#apiNames.add(apiName);
      for (const { label, key } of keys) this.#owners.set(key, { apiName, org: label });
    }
  }

  has(apiName) {
    return this.#apiNames.has(apiName);
  }

  // `{ apiName, org }` of the key, or null for a key nobody issued.
  owner(key) {
    return this.#owners.get(key) ?? null;
  }
}
