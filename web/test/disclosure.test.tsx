// The disclosure page's view of a dataset: every hour of the period in order, the sources stacked
// for the chart, the heat map's cells and colours, and the words read out for an hour.
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { shareColour } from '../src/disclosure/colours';
import { describeHour, HeatMap } from '../src/disclosure/heat-map';
import { PALETTE, stackedSeries } from '../src/components/stacked';
import { type Dataset, hourAt, hourlyView } from '../src/disclosure/shape';
import { renderInApp } from './render';

const hour = (start: string, consumption: number, claimed: [string, number][]) => {
  const claimedWh = claimed.reduce((a, [, wh]) => a + wh, 0);
  const matched = Math.min(consumption, claimedWh);
  return {
    hour_start: start,
    consumption_wh: consumption,
    claimed_wh: claimedWh,
    matched_wh: matched,
    matched_share: consumption === 0 ? null : matched / consumption,
    claimed: claimed.map(([energy_source, wh]) => ({ energy_source, technology: 'T', wh })),
  };
};

// 22:00 on 1 June to 03:00 on 2 June: five hours over two UTC days, two of them listed.
const dataset: Dataset = {
  id: '0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e',
  consumer: { account_id: null, metering_point_ids: ['571313174000000077'] },
  period_start: '2025-06-01T22:00:00.000Z',
  period_end: '2025-06-02T03:00:00.000Z',
  generated_at: '2025-06-03T00:00:00.000Z',
  consumption_wh: 3000,
  claimed_wh: 2600,
  matched_wh: 1600,
  hourly_matching_score: 0.533333,
  published_event_id: 7,
  hours: [
    hour('2025-06-01T23:00:00.000Z', 1000, [
      ['wind', 200],
      ['solar_pv', 400],
    ]),
    hour('2025-06-02T01:00:00.000Z', 2000, [['solar_pv', 2000]]),
    hour('2025-06-02T02:00:00.000Z', 0, [['wind', 1000]]),
  ],
  publications: [],
};

describe('hourly view', () => {
  const view = hourlyView(dataset);

  it('lists every hour of the period, with zeros and no share where nothing was consumed', () => {
    expect(view.times).toEqual([0, 1, 2, 3, 4].map((h) => Date.parse('2025-06-01T22:00:00Z') / 1000 + h * 3600));
    expect(view.consumption).toEqual([0, 1000, 0, 2000, 0]);
    expect(view.claimed).toEqual([0, 600, 0, 2000, 1000]);
    expect(view.matched).toEqual([0, 600, 0, 2000, 0]);
    expect(view.share).toEqual([null, 0.6, null, 1, null]);
  });

  it('splits the claims by source, the most claimed first', () => {
    expect(view.sources).toEqual([
      { source: 'solar_pv', wh: [0, 400, 0, 2000, 0] },
      { source: 'wind', wh: [0, 200, 0, 0, 1000] },
    ]);
    const layers = stackedSeries(view.sources.map((s) => ({ label: s.source, values: s.wh })));
    expect(layers.map((l) => [l.label, l.values, l.shown, l.fill])).toEqual([
      ['solar_pv', [0, 600, 0, 2000, 1000], [0, 400, 0, 2000, 0], true],
      ['wind', [0, 200, 0, 0, 1000], [0, 200, 0, 0, 1000], true],
    ]);
    expect(layers.map((l) => l.color)).toEqual(PALETTE.slice(0, 2));
  });

  it('places each hour in its UTC day and hour of the day, and nothing outside the period', () => {
    expect([view.days, view.offset]).toEqual([['2025-06-01', '2025-06-02'], 22]);
    expect([hourAt(view, 0, 21), hourAt(view, 0, 22), hourAt(view, 0, 23), hourAt(view, 1, 0)]).toEqual([
      undefined,
      0,
      1,
      2,
    ]);
    expect([hourAt(view, 1, 2), hourAt(view, 1, 3)]).toEqual([4, undefined]);
  });

  it('reads an hour out in words', () => {
    expect(describeHour(view, 1)).toBe('2025-06-01 23:00 UTC: 60.0 % matched, 600 Wh of 1 kWh consumed');
    expect(describeHour(view, 4)).toBe('2025-06-02 02:00 UTC: no consumption; 1 kWh claimed');
  });

  it('colours no match light, a full match dark, and no consumption grey', () => {
    expect([shareColour(0), shareColour(0.5), shareColour(1), shareColour(null)]).toEqual([
      'rgb(253, 208, 162)',
      'rgb(161, 217, 155)',
      'rgb(0, 109, 44)',
      'rgb(233, 236, 239)',
    ]);
    expect(shareColour(0.25)).toBe('rgb(207, 213, 159)');
  });
});

describe('heat map', () => {
  it('reads the hours out as the arrow keys move through them, within the period', () => {
    renderInApp(<HeatMap view={hourlyView(dataset)} summary="Five hours." />);
    const map = screen.getByRole('img', { name: 'Five hours. Arrow keys read the hours one by one.' });
    const said = () => screen.getByText(/UTC|Point at an hour/).textContent;
    expect(said()).toBe('Point at an hour, or focus the map and use the arrow keys.');
    fireEvent.keyDown(map, { key: 'ArrowDown' });
    expect(said()).toBe('2025-06-01 22:00 UTC: no consumption; 0 Wh claimed');
    fireEvent.keyDown(map, { key: 'ArrowDown' });
    expect(said()).toBe('2025-06-01 23:00 UTC: 60.0 % matched, 600 Wh of 1 kWh consumed');
    fireEvent.keyDown(map, { key: 'ArrowRight' });
    expect(said()).toBe('2025-06-02 02:00 UTC: no consumption; 1 kWh claimed');
    fireEvent.keyDown(map, { key: 'Home' });
    fireEvent.keyDown(map, { key: 'ArrowUp' });
    expect(said()).toBe('2025-06-01 22:00 UTC: no consumption; 0 Wh claimed');
    fireEvent.keyDown(map, { key: 'End' });
    expect(said()).toBe('2025-06-02 02:00 UTC: no consumption; 1 kWh claimed');
  });
});
