// The archive's presets and comparisons (www/js/archive/periods.js), in Node: calendar edges that a test
// in the browser on today's date would not meet.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archivePreset, comparedPeriod } from '../../www/js/archive/periods.js';

const at = (iso) => Date.parse(`${iso}T05:00:00Z`);

test('presets end yesterday, and Last 12 months is yesterday’s month and the eleven before it', () => {
  assert.deepEqual(archivePreset('this-month', at('2026-12-04')), { from: '2026-12-01', to: '2026-12-03' });
  assert.deepEqual(archivePreset('last-month', at('2026-12-04')), { from: '2026-11-01', to: '2026-11-30' });
  assert.deepEqual(archivePreset('last-12-months', at('2026-12-04')), { from: '2026-01-01', to: '2026-12-03' });
  assert.deepEqual(archivePreset('this-year', at('2026-12-04')), { from: '2026-01-01', to: '2026-12-03' });
  // On the 1st, this month has no stored day yet: the 1st alone, and the last 12 months end with the last.
  assert.deepEqual(archivePreset('this-month', at('2026-01-01')), { from: '2026-01-01', to: '2026-01-01' });
  assert.deepEqual(archivePreset('last-12-months', at('2026-01-01')), { from: '2025-01-01', to: '2025-12-31' });
  assert.deepEqual(archivePreset('last-month', at('2026-03-31')), { from: '2026-02-01', to: '2026-02-28' });
});

test('Previous period: the months before for a range from a 1st, else as many days before; last year keeps the days', () => {
  assert.deepEqual(comparedPeriod('previous', { from: '2026-12-01', to: '2026-12-03' }), { from: '2026-11-01', to: '2026-11-03' });
  assert.deepEqual(comparedPeriod('previous', { from: '2026-03-01', to: '2026-03-31' }), { from: '2026-02-01', to: '2026-02-28' });
  assert.deepEqual(comparedPeriod('previous', { from: '2026-01-01', to: '2026-12-03' }), { from: '2025-01-01', to: '2025-12-03' });
  assert.deepEqual(comparedPeriod('previous', { from: '2026-11-24', to: '2026-12-03' }), { from: '2026-11-14', to: '2026-11-23' });
  assert.deepEqual(comparedPeriod('last-year', { from: '2024-02-29', to: '2024-03-05' }), { from: '2023-02-28', to: '2023-03-05' });
  assert.deepEqual(comparedPeriod('last-year', { from: '2026-11-01', to: '2026-11-30' }), { from: '2025-11-01', to: '2025-11-30' });
});
