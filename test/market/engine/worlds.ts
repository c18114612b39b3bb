// Synthetic worlds for the engine's tests: small, seeded, fast. A buyer whose series is made of
// some sellers' series a day earlier, the sellers' own daily cycles and noise, and holes.
import fc from 'fast-check';
import {
  DEFAULT_ENGINE_CONFIG,
  type EngineBid,
  type EngineConfig,
  type EngineResource,
  type GainFunc,
} from '../../../src/market/engine/index.ts';
import { fillNormal, uniforms } from '../../../src/market/engine/random.ts';

export const START = new Date('2026-01-01T00:00:00Z');

/** Small sizes: a few hundred hours, 48 test hours, lags up to 3 days. */
export const SMALL: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, testHours: 48, minHistory: 150, maxLag: 72 };

export interface WorldSpec {
  seed: number;
  hours: number;
  /** How much of each seller's series (a day earlier) is in the buyer's; 0 = none. */
  weights: number[];
  /** The buyer's own noise, relative to the sellers' scale. */
  noise: number;
  /** Fraction of hours missing (NaN) in every series. */
  missing: number;
}

/** The buyer (resource 'buyer' of user 'b') and one resource per seller ('s0'… of users 'u0'…). */
export function world(spec: WorldSpec): EngineResource[] {
  const { seed, hours, weights, noise, missing } = spec;
  const u = uniforms(seed, 0x77);
  const total = hours + 24;
  const sellers = weights.map((_, j) => {
    const e = fillNormal(new Float64Array(total), u);
    const phase = u() * 24;
    const amp = 0.5 + u();
    const x = new Float64Array(total);
    let ar = 0;
    for (let t = 0; t < total; t++) {
      ar = 0.8 * ar + 0.6 * e[t]!;
      x[t] = 1000 * (3 + j + amp * Math.sin((2 * Math.PI * (t + phase)) / 24) + ar);
    }
    return x;
  });
  const own = fillNormal(new Float64Array(total), u);
  const buyer = new Float64Array(total);
  for (let t = 0; t < total; t++) {
    let v = 1000 * (2 + Math.cos((2 * Math.PI * t) / 24)) + 1000 * noise * own[t]!;
    weights.forEach((w, j) => {
      v += w * (t >= 24 ? sellers[j]![t - 24]! : sellers[j]![0]!);
    });
    buyer[t] = v;
  }
  const holes = (x: Float64Array) => {
    const out = x.slice(24);
    for (let t = 0; t < hours; t++) if (u() < missing) out[t] = Number.NaN;
    return out;
  };
  return [
    { id: 'buyer', user: 'b', values: holes(buyer) },
    ...sellers.map((x, j) => ({ id: `s${j}`, user: `u${j}`, values: holes(x) })),
  ];
}

export const worldSpec: fc.Arbitrary<WorldSpec> = fc.record({
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  hours: fc.integer({ min: 300, max: 600 }),
  weights: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1.5, noNaN: true })), {
    minLength: 0,
    maxLength: 4,
  }),
  noise: fc.double({ min: 0.05, max: 1, noNaN: true }),
  missing: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
});

/** Worlds where at least one seller's data is in the buyer's series, so the market has something to sell. */
export const informativeWorldSpec: fc.Arbitrary<WorldSpec> = worldSpec.chain((spec) =>
  fc.double({ min: 0.3, max: 1.5, noNaN: true }).map((w) => ({ ...spec, weights: [w, ...spec.weights] })),
);

export const gainFunc: fc.Arbitrary<GainFunc> = fc.constantFrom('mse', 'rmse', 'mae');

export function bid(id: string, bidPrice: bigint, maxPayment: bigint, gain: GainFunc = 'rmse'): EngineBid {
  return { id, user: 'b', resource: 'buyer', bidPrice, maxPayment, gainFunc: gain };
}
