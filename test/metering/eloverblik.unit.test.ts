// ElOverblik writes energy as kWh with three decimals; Tally keeps whole Wh, floored, without a
// float in between.
import { describe, expect, it } from 'vitest';
import { kwhToWh } from '../../src/metering/sources/eloverblik.ts';

describe('kWh to Wh', () => {
  it.each([
    ['1.234', 1234],
    ['0.5', 500],
    ['2', 2000],
    ['0.0005', 0],
    ['-1.5', -1500],
    ['12.3456', 12345],
  ])('%s kWh is %i Wh', (kwh, wh) => {
    expect(kwhToWh(kwh)).toBe(wh);
  });
});
