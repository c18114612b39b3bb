// A disclosure's hours are the same whatever order the database returns its aggregates in (it
// promises none): in time order, each hour's claims by energy source, then technology.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { disclosureHours } from '../../src/disclosure/hours.ts';

const at = (h: number) => new Date(Date.UTC(2025, 5, 1, h));

describe('disclosureHours', () => {
  it('orders hours by time and claims by energy source then technology, matching within the hour', () => {
    const hours = disclosureHours(
      [
        { hour: at(3), wh: 100 },
        { hour: at(1), wh: 1_000 },
      ],
      [
        { hour: at(1), energy_source: 'wind', technology: 'Wind', wh: 300 },
        { hour: at(2), energy_source: 'solar_pv', technology: 'Solar', wh: 50 },
        { hour: at(1), energy_source: 'solar_pv', technology: 'Solar', wh: 200 },
        { hour: at(1), energy_source: 'solar_pv', technology: 'Photovoltaic', wh: 100 },
      ],
    );
    expect(hours).toEqual([
      {
        hour_start: '2025-06-01T01:00:00.000Z',
        consumption_wh: 1_000,
        claimed_wh: 600,
        matched_wh: 600,
        matched_share: 0.6,
        claimed: [
          { energy_source: 'solar_pv', technology: 'Photovoltaic', wh: 100 },
          { energy_source: 'solar_pv', technology: 'Solar', wh: 200 },
          { energy_source: 'wind', technology: 'Wind', wh: 300 },
        ],
      },
      {
        hour_start: '2025-06-01T02:00:00.000Z',
        consumption_wh: 0,
        claimed_wh: 50,
        matched_wh: 0,
        matched_share: null,
        claimed: [{ energy_source: 'solar_pv', technology: 'Solar', wh: 50 }],
      },
      {
        hour_start: '2025-06-01T03:00:00.000Z',
        consumption_wh: 100,
        claimed_wh: 0,
        matched_wh: 0,
        matched_share: 0,
        claimed: [],
      },
    ]);
  });

  it('gives the same hours for any order of the same rows', () => {
    const kinds = ['solar_pv/Solar', 'solar_pv/Photovoltaic', 'wind/Wind', 'hydro/Hydro', 'Wind/wind'];
    const rows = fc
      .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 47 }), fc.constantFrom(...kinds)), {
        selector: ([h, k]) => `${h} ${k}`,
        maxLength: 60,
      })
      .chain((keys) =>
        fc.tuple(
          fc.constant(keys),
          fc.array(fc.integer({ min: 1, max: 1e6 }), { minLength: keys.length, maxLength: keys.length }),
        ),
      );
    fc.assert(
      fc.property(
        rows,
        fc.uniqueArray(fc.integer({ min: 0, max: 47 }), { maxLength: 48 }),
        fc.nat(),
        (r, used, seed) => {
          const [keys, whs] = r;
          const claimed = keys.map(([h, k], i) => {
            const [energy_source, technology] = k.split('/') as [string, string];
            return { hour: at(h), energy_source, technology, wh: whs[i]! };
          });
          const consumption = used.map((h) => ({ hour: at(h), wh: h * 1_000 }));
          // A deterministic shuffle of both, from the seed.
          const shuffled = <T>(xs: T[]) =>
            xs
              .map((x, i) => ({ x, k: (i * 2_654_435_761 + seed) % 4_294_967_296 }))
              .sort((a, b) => a.k - b.k)
              .map((e) => e.x);
          expect(disclosureHours(shuffled(consumption), shuffled(claimed))).toEqual(
            disclosureHours(consumption, claimed),
          );
        },
      ),
    );
  });
});
