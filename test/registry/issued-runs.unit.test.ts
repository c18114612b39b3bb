// The `certificates.issued` event names its bundles in runs: replaying the runs must rebuild
// exactly the bundles a row per bundle (the form of events recorded before runs) names.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intervalOf } from '../../src/registry/capacity.ts';
import { type IssuedEvent, issuedRuns, issuedViews } from '../../src/registry/issuance.ts';

const HOUR = 3_600_000;
const common = {
  device_id: 7,
  account_id: 3,
  energy_source: 'wind',
  issuance_datestamp: '2026-01-01T00:00:00.000Z',
  reissue_of_bundle_id: null,
  lifetime_ms: 365 * 24 * HOUR,
} as const;

/** Bundles as issuance makes them: intervals in order, ids rising, each with a few gaps or none. */
const issued = fc
  .array(
    fc.record({
      gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 * HOUR })),
      lengthMs: fc.oneof(fc.constant(HOUR), fc.integer({ min: 1, max: HOUR })),
      wh: fc.integer({ min: 1, max: 2_000_000 }),
      idGap: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, fc.integer({ min: 2, max: 9 })),
      issuanceGap: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, fc.integer({ min: 2, max: 9 })),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((steps) => {
    let at = Date.UTC(2025, 5, 1),
      id = 100,
      issuance = 50,
      start = 1;
    const intervals = [],
      ids = [],
      issuanceIds = [],
      starts = [];
    for (const [k, step] of steps.entries()) {
      at += step.gapMs;
      intervals.push(intervalOf(k, new Date(at), new Date(at + step.lengthMs), step.wh));
      at += step.lengthMs;
      id += step.idGap;
      issuance += step.issuanceGap;
      ids.push(id);
      issuanceIds.push(issuance);
      starts.push(start);
      start += step.wh;
    }
    return { intervals, ids, issuanceIds, starts };
  });

describe('issued runs', () => {
  it('replay to the very bundles a row per bundle names', () => {
    fc.assert(
      fc.property(issued, ({ intervals, ids, issuanceIds, starts }) => {
        const rows: IssuedEvent = {
          ...common,
          bundles: intervals.map((i, k) => [ids[k]!, issuanceIds[k]!, starts[k]!, starts[k]! + i.wh - 1, i.from, i.to]),
        };
        const runs: IssuedEvent = { ...common, runs: issuedRuns(intervals, ids, issuanceIds, starts) };
        const views = issuedViews(rows);
        expect(issuedViews(runs)).toEqual(views);
        expect(views.map((v) => [v.id, v.expiry_datestamp])).toEqual(
          intervals.map((i, k) => [ids[k], new Date(i.end.getTime() + common.lifetime_ms).toISOString()]),
        );
      }),
    );
  });

  it('are one run for hours one after another, whatever their quantities', () => {
    const intervals = [0, 1, 2, 3].map((k) =>
      intervalOf(k, new Date(Date.UTC(2025, 5, 1, k)), new Date(Date.UTC(2025, 5, 1, k + 1)), 1000 * (k + 1)),
    );
    expect(issuedRuns(intervals, [11, 12, 13, 14], [21, 22, 23, 24], [1, 1001, 3001, 6001])).toEqual([
      {
        bundle_id: 11,
        issuance_id: 21,
        certificate_bundle_id_range_start: 1,
        production_starting_interval: '2025-06-01T00:00:00.000Z',
        interval_ms: HOUR,
        bundle_quantities: [1000, 2000, 3000, 4000],
      },
    ]);
    // A bundle id another issuance took in between starts a second run.
    expect(issuedRuns(intervals, [11, 12, 14, 15], [21, 22, 23, 24], [1, 1001, 3001, 6001])).toMatchObject([
      { bundle_id: 11, bundle_quantities: [1000, 2000] },
      { bundle_id: 14, issuance_id: 23, certificate_bundle_id_range_start: 3001, bundle_quantities: [3000, 4000] },
    ]);
  });
});
