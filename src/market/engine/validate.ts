// What runSession refuses: inputs no caller should build. The database side validates bids and
// data before a run; these checks make a wrong call fail loudly instead of paying wrong amounts.
import type { EngineConfig, SessionInput } from './types.ts';

const GAIN_FUNCS = new Set(['mse', 'rmse', 'mae']);

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

const wholeAtLeast = (x: number, min: number) => Number.isSafeInteger(x) && x >= min;

export function validateConfig(c: EngineConfig): void {
  check(wholeAtLeast(c.feeBasisPoints, 0) && c.feeBasisPoints <= 10_000, 'feeBasisPoints must be 0…10000');
  check(Number.isFinite(c.redundancyLambda) && c.redundancyLambda >= 0, 'redundancyLambda must be ≥ 0');
  check(Number.isFinite(c.ridgeAlpha) && c.ridgeAlpha > 0, 'ridgeAlpha must be > 0');
  check(wholeAtLeast(c.horizon, 1), 'horizon must be a whole number ≥ 1');
  check(wholeAtLeast(c.testHours, 1), 'testHours must be a whole number ≥ 1');
  check(wholeAtLeast(c.minHistory, 0), 'minHistory must be a whole number ≥ 0');
  check(wholeAtLeast(c.maxLag, 0), 'maxLag must be a whole number ≥ 0');
  check(Number.isFinite(c.lagThreshold) && c.lagThreshold >= 0, 'lagThreshold must be ≥ 0');
  check(wholeAtLeast(c.topLags, 0), 'topLags must be a whole number ≥ 0');
  check(wholeAtLeast(c.exactShapleyUpTo, 0) && c.exactShapleyUpTo <= 20, 'exactShapleyUpTo must be 0…20');
  check(c.shapleyStandardError > 0, 'shapleyStandardError must be > 0');
  check(wholeAtLeast(c.shapleyMaxPermutations, 2), 'shapleyMaxPermutations must be a whole number ≥ 2');
  check(wholeAtLeast(c.historyHours, 1), 'historyHours must be a whole number ≥ 1');
}

export function validateInput(input: SessionInput): void {
  validateConfig(input.config);
  check(wholeAtLeast(input.seed, 0) && input.seed <= 0xffffffff, 'seed must be a uint32');
  check(Number.isFinite(input.start.getTime()), 'start must be a valid date');
  check(wholeAtLeast(input.hours, 0), 'hours must be a whole number ≥ 0');
  const ids = new Set<string>();
  for (const r of input.resources) {
    check(!ids.has(r.id), `resource ${r.id} is listed twice`);
    ids.add(r.id);
    check(r.values.length === input.hours, `resource ${r.id} has ${r.values.length} values, not ${input.hours}`);
  }
  const bids = new Set<string>();
  for (const b of input.bids) {
    check(!bids.has(b.id), `bid ${b.id} is listed twice`);
    bids.add(b.id);
    check(b.bidPrice >= 0n, `bid ${b.id}: bidPrice must be ≥ 0`);
    check(b.maxPayment >= 0n, `bid ${b.id}: maxPayment must be ≥ 0`);
    check(GAIN_FUNCS.has(b.gainFunc), `bid ${b.id}: gainFunc must be mse, rmse or mae`);
  }
  const { prices, weights, marketPrice, delta } = input.grid;
  check(prices.length >= 1, 'the price grid needs at least one price');
  check(
    prices.every((p, i) => p > 0n && (i === 0 || p > prices[i - 1]!)),
    'grid prices must be positive and strictly ascending',
  );
  check(weights.length === prices.length, 'the grid needs one weight per price');
  check(
    weights.every((w) => Number.isFinite(w) && w > 0),
    'grid weights must be positive',
  );
  check(marketPrice > 0n, 'the market price must be positive');
  check(Number.isFinite(delta) && delta >= 0, 'delta must be ≥ 0');
}
