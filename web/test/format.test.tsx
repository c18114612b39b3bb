// The units and shares every page writes, and the states every page shows.
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Empty, Failed } from '../src/components/states';
import { energy, exactWh, percent, utc } from '../src/format';
import { renderInApp } from './render';

describe('formats', () => {
  it('writes energy in the unit a person reads, and exact Wh where counts matter', () => {
    expect([energy(999), energy(1_000), energy(2_500_000), energy(1_234_567_890), energy(-1_500)]).toEqual([
      '999 Wh',
      '1 kWh',
      '2.5 MWh',
      '1.235 GWh',
      '-1.5 kWh',
    ]);
    expect(exactWh(1_234_567)).toBe('1,234,567 Wh');
    expect([percent(0.857143), percent(1), percent(null)]).toEqual(['85.7 %', '100.0 %', '—']);
    expect(utc('2026-06-01T10:00:00.000Z')).toBe('2026-06-01 10:00 UTC');
  });
});

describe('page states', () => {
  it("shows a refusal in the API's words as an alert, and an empty state as text", () => {
    renderInApp(
      <>
        <Failed error={new Error('only 400 Wh remain in bundle 7 — body/wh: too large')} />
        <Empty>No certificates match.</Empty>
      </>,
    );
    expect(screen.getByRole('alert').textContent).toBe('Refusedonly 400 Wh remain in bundle 7 — body/wh: too large');
    expect(screen.getByText('No certificates match.')).toBeTruthy();
  });
});
