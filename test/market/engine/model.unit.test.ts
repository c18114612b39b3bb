// Every model the engine solves comes from sub-blocks of a bid's Gram matrices; here each is
// checked against a refit straight from the data (direct.ts), at random noise levels, on random
// coalitions, on both ways the train Gram matrix is built (session totals minus the hours left
// out, or multiplied out over the train rows).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { directFit } from '../../../src/market/engine/direct.ts';
import {
  chooseLags,
  coalitionError,
  levelAt,
  marketBuffers,
  marketError,
  prepareBid,
  prepareSession,
  scratch,
  fitCoalition,
} from '../../../src/market/engine/model.ts';
import { defaultGrid, type GainFunc } from '../../../src/market/engine/index.ts';
import { bid, gainFunc, SMALL, START, world, type WorldSpec } from './worlds.ts';

function modelOf(spec: WorldSpec, gain: GainFunc) {
  const resources = world(spec);
  const b = bid('b', 1n, 1n, gain);
  const input = {
    seed: spec.seed,
    start: START,
    hours: spec.hours,
    resources,
    bids: [b],
    grid: defaultGrid(),
    config: SMALL,
  };
  const prepared = prepareBid(prepareSession(input), b, SMALL);
  return 'model' in prepared ? prepared.model : null;
}

const close = (actual: number, expected: number, scale: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * scale);

const spec = (minMissing: number, maxMissing: number) =>
  fc.record({
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    hours: fc.integer({ min: 400, max: 600 }),
    weights: fc.array(fc.double({ min: 0, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 5 }),
    noise: fc.double({ min: 0.05, max: 1, noNaN: true }),
    missing: fc.double({ min: minMissing, max: maxMissing, noNaN: true }),
  });

describe('Gram-matrix fits', () => {
  for (const [name, minMissing, maxMissing, multiplied] of [
    ['from the session totals minus the hours left out', 0, 0.1, false],
    ['multiplied out over the train rows (most hours missing)', 0.35, 0.5, true],
  ] as const) {
    it(`equal refits from the data to 1e-9, ${name}`, () => {
      let checked = 0;
      let way = 0; // fits whose train Gram matrix was built the way this case is about
      fc.assert(
        fc.property(
          spec(minMissing, maxMissing),
          gainFunc,
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
          (s, gain, ratio, pick) => {
            const model = modelOf(s, gain);
            fc.pre(model !== null);
            if (model === null) return;
            const outside = s.hours - model.rows.length;
            if (outside + model.nTest >= model.nTrain === multiplied) way++;
            const features = Array.from({ length: model.d }, (_, f) => f).filter((f) => pick[f % 9]!);
            const level = levelAt(model, ratio, true);
            const idx = Int32Array.from(features);
            const work = scratch(model.d);
            const beta = features.length > 0 ? fitCoalition(level, idx, idx.length, SMALL.ridgeAlpha, work) : work.beta;
            const direct = directFit(model, ratio, features, SMALL.ridgeAlpha);
            const scale = Math.max(1e-12, ...[...direct.beta].map(Math.abs));
            for (const [i, b] of direct.beta.entries()) close(beta[i]!, b, scale);
            close(coalitionError(level, idx, idx.length, 'mse', SMALL.ridgeAlpha, work), direct.mse, direct.mse);
            close(coalitionError(level, idx, idx.length, 'mae', SMALL.ridgeAlpha, work), direct.mae, direct.mae);
            // The full market model, the fast way the payment schedule uses.
            const all = Array.from({ length: model.d }, (_, f) => f);
            const full = directFit(model, ratio, all, SMALL.ridgeAlpha);
            const want = gain === 'mae' ? full.mae : gain === 'mse' ? full.mse : Math.sqrt(full.mse);
            close(marketError(model, ratio, SMALL.ridgeAlpha, marketBuffers(model)), want, want);
            checked++;
          },
        ),
        { numRuns: 40 },
      );
      expect(checked).toBeGreaterThan(20);
      expect(way).toBeGreaterThan(8);
    });
  }

  it('chooses own lags available at forecast time, strongest autocorrelation first, and the gap lag', () => {
    const resources = world({ seed: 3, hours: 600, weights: [1], noise: 0.2, missing: 0 });
    const input = { seed: 1, start: START, hours: 600, resources, bids: [], grid: defaultGrid(), config: SMALL };
    const data = prepareSession(input);
    const w = data.resources.get('buyer')!;
    const lags = chooseLags(w, data.hours, SMALL);
    expect(lags[0]).toBe(24); // the buyer's series reaches the last hour: its gap to the horizon is 24 h
    expect(lags.every((l) => l >= 24 && l <= SMALL.maxLag)).toBe(true);
    expect(lags.length).toBeLessThanOrEqual(SMALL.topLags + 1);
    // A series whose last 10 hours are missing has a gap of 34 h.
    const late = { ...w, last: w.last - 10 };
    expect(chooseLags(late, data.hours, SMALL)[0]).toBe(34);
  });
});
