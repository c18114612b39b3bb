// The revenue split: Shapley values are efficient (they add up to the gain), symmetric (identical
// data earns the same), give a pure-noise seller about nothing, and the sampled ones agree with the
// exact ones within their reported standard error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultGrid,
  type EngineConfig,
  type EngineResource,
  runSession,
  type SessionInput,
} from '../../../src/market/engine/index.ts';
import { levelAt, prepareBid, prepareSession } from '../../../src/market/engine/model.ts';
import { fillNormal, uniforms } from '../../../src/market/engine/random.ts';
import { bidMarket } from '../../../src/market/engine/session.ts';
import { exactShapley, sampledShapley } from '../../../src/market/engine/shapley.ts';
import { bid, gainFunc, SMALL, START, world, worldSpec } from './worlds.ts';

const RICH = 10n ** 15n;

function input(
  resources: EngineResource[],
  hours: number,
  bids = [bid('b', 10_000_000n, RICH)],
  config = SMALL,
): SessionInput {
  return { seed: 11, start: START, hours, resources, bids, grid: defaultGrid(), config };
}

function noise(hours: number, seed: number): Float64Array {
  const x = fillNormal(new Float64Array(hours), uniforms(seed, 0x4e));
  return x.map((v) => 1000 * (5 + v));
}

describe('Shapley values', () => {
  it('add up to the gain (efficiency), exact and sampled, at any noise level', () => {
    fc.assert(
      fc.property(worldSpec, gainFunc, fc.double({ min: 0, max: 1, noNaN: true }), (spec, gain, ratio) => {
        fc.pre(spec.weights.length > 0);
        const resources = world(spec);
        const b = bid('b', 1n, 1n, gain);
        const prepared = prepareBid(prepareSession(input(resources, spec.hours, [b])), b, SMALL);
        fc.pre('model' in prepared);
        if (!('model' in prepared)) return;
        const market = bidMarket(prepared.model, SMALL.ridgeAlpha);
        const level = levelAt(prepared.model, ratio, true);
        const total = market.gainAt(ratio);
        const exact = exactShapley(prepared.model, level, SMALL.ridgeAlpha, market.errOwn);
        const sum = exact.values.reduce((a, v) => a + v, 0);
        expect(Math.abs(sum - total)).toBeLessThanOrEqual(1e-9 * Math.max(1, total));
        const sampled = sampledShapley(prepared.model, level, SMALL.ridgeAlpha, market.errOwn, {
          target: 0.05,
          maxPermutations: 40,
          uniform: uniforms(1, 2),
          total,
        });
        const sampledSum = sampled.values.reduce((a, v) => a + v, 0);
        expect(Math.abs(sampledSum - total)).toBeLessThanOrEqual(1e-9 * Math.max(1, total));
      }),
      { numRuns: 40 },
    );
  });

  it('give two sellers with identical data the same value, share and revenue (to the unit)', () => {
    fc.assert(
      fc.property(worldSpec, gainFunc, (spec, gain) => {
        fc.pre(spec.weights.length > 0);
        const resources = world(spec);
        const twin = { id: 'twin', user: 'twin-owner', values: resources[1]!.values };
        // Bidding above the market price: clean data, so the twins' columns are identical.
        const out = runSession(input([...resources, twin], spec.hours, [bid('b', 10_000_000n, RICH, gain)]));
        const o = out.bids[0]!;
        fc.pre(o.ran);
        const a = o.shares.find((s) => s.resource === 's0')!;
        const t = o.shares.find((s) => s.resource === 'twin')!;
        expect(Math.abs(a.shapley - t.shapley)).toBeLessThanOrEqual(1e-9 * Math.max(1, o.gain));
        expect(Math.abs(a.share - t.share)).toBeLessThanOrEqual(1e-9);
        const gap = a.revenue - t.revenue;
        expect(gap >= -1n && gap <= 1n).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('give a seller of pure noise about nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.double({ min: 0.8, max: 1.5, noNaN: true }),
        gainFunc,
        (seed, weight, gain) => {
          // 240 test hours: on fewer, chance fits of the noise weigh more (up to a tenth of the gain
          // for mae on 48 hours).
          const hours = 1000;
          const config = { ...SMALL, testHours: 240 };
          const resources = world({ seed, hours, weights: [weight], noise: 0.1, missing: 0 });
          const nothing = { id: 'noise', user: 'noise-owner', values: noise(hours, seed) };
          const out = runSession(input([...resources, nothing], hours, [bid('b', 10_000_000n, RICH, gain)], config));
          const o = out.bids[0]!;
          expect(o.gain).toBeGreaterThan(0.5);
          const n = o.shares.find((s) => s.resource === 'noise')!;
          expect(Math.abs(n.shapley)).toBeLessThan(0.03 * o.gain);
          expect(n.share).toBeLessThan(0.03);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('sampled agree with exact within a few reported standard errors', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const hours = 500;
      const resources = world({ seed, hours, weights: [1, 0.6, 0.3, 0, 0.9, 0.2], noise: 0.3, missing: 0.02 });
      const exactConfig: EngineConfig = { ...SMALL, exactShapleyUpTo: 12 };
      const sampledConfig: EngineConfig = {
        ...SMALL,
        exactShapleyUpTo: 0,
        shapleyStandardError: 0.005,
        shapleyMaxPermutations: 20_000,
      };
      const exact = runSession(input(resources, hours, undefined, exactConfig)).bids[0]!;
      const sampled = runSession(input(resources, hours, undefined, sampledConfig)).bids[0]!;
      expect(exact.shapleyMethod).toBe('exact');
      expect(sampled.shapleyMethod).toBe('sampled');
      expect(sampled.shapleyStandardError).toBeLessThan(0.005);
      expect(sampled.permutations).toBeGreaterThanOrEqual(32);
      exact.shares.forEach((e, i) => {
        const s = sampled.shares[i]!;
        expect(Math.abs(s.shapley - e.shapley)).toBeLessThanOrEqual(4 * 0.005 * exact.gain + 1e-9);
      });
    }
  });
});
