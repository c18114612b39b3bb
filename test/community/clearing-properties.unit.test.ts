// Property-based tests of clearing one interval, on the pure function: on random communities, for
// every mechanism, energy in equals energy out, no member trades more than it has or needs, the
// money adds up to the grid's bill exactly and no member is worse off than with the grid alone
// (bill sharing's sellers excepted, as the mechanism defines); and whole Wh shared out exactly.
// The same end to end on the database: properties.slow.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { amountFor, clearInterval, MECHANISMS, type MemberEnergy } from '../../src/community/clearing.ts';
import { apportion, apportionCapped } from '../../src/platform/apportion.ts';
import {
  checkInterval,
  community,
  deficitOf,
  flows,
  mechanism,
  prices,
  surplusOf,
  withinOne,
} from '../helpers/clearing-invariants.ts';

describe('clearing one interval (pure)', () => {
  it('holds every invariant on random communities, for every mechanism', () => {
    const seen = { scarce: 0, plenty: 0, balanced: 0, gridOnly: 0, capped: 0 };
    fc.assert(
      fc.property(mechanism, prices, community, (mech, p, members) => {
        const r = clearInterval(mech, p, members);
        checkInterval(mech, p, members, r);
        if (r.supplyWh > 0 && r.supplyWh < r.demandWh) seen.scarce++;
        if (r.demandWh > 0 && r.supplyWh > r.demandWh) seen.plenty++;
        if (r.demandWh > 0 && r.supplyWh === r.demandWh) seen.balanced++;
        if (r.gridOnly.length > 0) seen.gridOnly++;
        if (mech === 'static_keys' && r.peerWh < Math.min(r.demandWh, r.supplyWh)) seen.capped++;
      }),
      { numRuns: 1000 },
    );
    // The random communities did reach every regime (balanced ones from the balancing member).
    expect(
      Object.values(seen).every((n) => n > 0),
      JSON.stringify(seen),
    ).toBe(true);
  });

  it('is deterministic: the members in any order clear the same', () => {
    const shuffled = community.chain((ms) =>
      fc.tuple(fc.constant(ms), fc.shuffledSubarray(ms, { minLength: ms.length, maxLength: ms.length })),
    );
    fc.assert(
      fc.property(mechanism, prices, shuffled, (mech, p, [members, reordered]) => {
        expect(clearInterval(mech, p, reordered)).toEqual(clearInterval(mech, p, members));
      }),
      { numRuns: 300 },
    );
  });

  it('pairs at most buyers + sellers − 1 peer matches, counting every trading member', () => {
    fc.assert(
      fc.property(mechanism, prices, community, (mech, p, members) => {
        const r = clearInterval(mech, p, members);
        const trading = members.filter((m) => !m.gridOnly);
        const n = trading.filter((m) => deficitOf(m) > 0).length + trading.filter((m) => surplusOf(m) > 0).length;
        expect(r.matches.filter((x) => x.buyer !== null && x.seller !== null).length).toBeLessThanOrEqual(
          Math.max(0, n - 1),
        );
      }),
      { numRuns: 300 },
    );
  });

  const two = (seller: number, buyer: number): MemberEnergy[] => [
    { memberId: 1, importWh: 0, exportWh: seller, gridOnly: false, shareMillionths: null },
    { memberId: 2, importWh: buyer, exportWh: 0, gridOnly: false, shareMillionths: null },
  ];
  const p = { grid: 0.2, feedIn: 0.04, peer: null };

  it('bill sharing: sellers get nothing for what peers take, so a seller loses when demand exceeds supply', () => {
    // S = 1000 < D = 3000: the roof's 1000 Wh all go to the flat for nothing.
    const r = clearInterval('bill_sharing', p, two(1000, 3000));
    expect(r.matches).toEqual([
      { buyer: 2, seller: 1, wh: 1000, price: 0, amount: 0 },
      { buyer: 2, seller: null, wh: 2000, price: 0.2, amount: 400_000 },
    ]);
    expect([r.sellPrice, r.buyPrice]).toEqual([0, 0.133333333]); // λs·0/S; λb·2000/3000
    // The seller earns 0 instead of 1000 Wh × 0.04 = 0.04; the buyer pays 0.40 instead of 0.60;
    // the community pays 0.40 instead of 0.56.
    const f = flows(r.matches);
    expect(f.get(1)!.revenue - amountFor(1000, 0.04)).toBe(-40_000);
    expect(f.get(2)!.cost - amountFor(3000, 0.2)).toBe(-200_000);
  });

  it('bill sharing: when supply covers demand, sellers still get feed-in only on what peers do not take', () => {
    // S = 2000 ≥ D = 1000: bill sharing's sell price is λs·(S − D)/S = 0.02, half of feed-in.
    const r = clearInterval('bill_sharing', p, two(2000, 1000));
    expect(r.matches).toEqual([
      { buyer: 2, seller: 1, wh: 1000, price: 0, amount: 0 },
      { buyer: null, seller: 1, wh: 1000, price: 0.04, amount: 40_000 },
    ]);
    expect([r.sellPrice, r.buyPrice]).toEqual([0.02, 0]);
    expect(flows(r.matches).get(1)!.revenue - amountFor(2000, 0.04)).toBe(-40_000);
    // With nobody to take it (D = 0), a bill-sharing seller gets full feed-in, as with the grid alone.
    const alone = clearInterval('bill_sharing', p, two(2000, 0));
    expect(flows(alone.matches).get(1)!.revenue).toBe(amountFor(2000, 0.04));
    // Under every other mechanism the same seller earns at least feed-in.
    for (const mech of MECHANISMS.filter((m) => m !== 'bill_sharing')) {
      expect(flows(clearInterval(mech, p, two(2000, 1000)).matches).get(1)!.revenue).toBeGreaterThanOrEqual(80_000);
    }
  });

  it('SDR by hand: λb = 0.2, λs = 0.04, S/D = 1/2', () => {
    // sell = 0.2·0.04 / (0.16·0.5 + 0.04) = 0.008 / 0.12; buy = sell·0.5 + 0.2·0.5.
    const r = clearInterval('sdr', p, two(1000, 2000));
    expect(r.peerPrice).toBe(0.066666667);
    expect(r.buyPrice).toBe(0.133333334); // (1000 × 0.066666667 + 1000 × 0.2) / 2000, to a billionth
    expect(clearInterval('sdr', p, two(2000, 1000)).peerPrice).toBe(0.04);
  });
});

describe('apportioning whole Wh', () => {
  const weight = fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 0, max: 10_000_000 }),
    fc.integer({ min: 0, max: 2 ** 40 }),
  );
  const total = fc.oneof(
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 0, max: 1e9 }),
    fc.integer({ min: 0, max: 2 ** 40 }),
  );

  it('apportion sums exactly, gives each its exact share to 1 and zero weights nothing', () => {
    fc.assert(
      fc.property(total, fc.array(weight, { maxLength: 30 }), (t, weights) => {
        const out = apportion(t, weights);
        const sum = weights.reduce((a, w) => a + w, 0);
        expect(out).toHaveLength(weights.length);
        expect(out.reduce((a, x) => a + x, 0)).toBe(sum === 0 ? 0 : t);
        out.forEach((x, k) => {
          expect(Number.isSafeInteger(x) && x >= 0).toBe(true);
          if (weights[k] === 0) expect(x).toBe(0);
          expect(withinOne(x, t, weights[k]!, sum), `${x} vs ${t}·${weights[k]}/${sum}`).toBe(true);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('apportionCapped never passes a cap and places min(total, Σ caps of weighted claimants)', () => {
    const claimants = fc.array(
      fc.tuple(
        weight,
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 10_000_000 })),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(total, claimants, (t, cs) => {
        const weights = cs.map(([w]) => w),
          caps = cs.map(([, c]) => c);
        const out = apportionCapped(t, weights, caps);
        out.forEach((x, k) => {
          expect(Number.isSafeInteger(x) && x >= 0 && x <= caps[k]!).toBe(true);
          if (weights[k] === 0) expect(x).toBe(0);
        });
        const room = cs.reduce((a, [w, c]) => a + (w > 0 ? c : 0), 0);
        expect(out.reduce((a, x) => a + x, 0)).toBe(Math.min(t, room));
      }),
      { numRuns: 1000 },
    );
  });
});
