// The payment rule, truthful on the price grid (Myerson), and the price update.
//
// Allocation. A bid b at market price p is served seller data with relative noise (p − b)/p
// (none at or above p). Prices are discrete: the cells are [e_j, e_j+1) for the points
// e_0 = 0 < grid prices below p < e_K = p, and a bid in cell j is served the noise level of e_j,
// unless a less noisy level (of a cell above) gives no more gain: then it is served that level
// and its gain, G_j = min over i ≥ j of the gain at e_i's level. Gains nearly always rise as the
// noise falls, but one noise draw on finite data can break that by a hair, and Myerson's rule
// needs the allocation monotone; taking the envelope from above keeps a bid at or above the
// market price on clean data and never serves a bid noisier data than its price says. So a higher
// bid is never served noisier data nor a smaller gain. Gains are counted in whole quanta of
// 0.0001 percentage points.
//
// Payment. payment(b) = b·G(b) − ∫₀ᵇ G(z)dz with G the step function above, which is
// Σ_{j ≤ cell(b)} e_j·(G_j − G_{j−1}): what each increment of gain costs at the price where it
// appears. Each term is rounded down to the base unit. For a buyer whose value per unit of gain
// is v at a point of the grid, v·G(b) − payment(b) is then highest at b = v exactly, as long as
// the grid's points are at least 10,000 base units apart (the default's are 500,000): overbidding
// buys increments priced at least a step above v, underbidding forgoes increments priced at most v.
// A payment above max_payment lowers the bid one cell at a time, as DSBI lowers it by one price
// step, until it fits (the lowest cell costs nothing).
import type { PriceGrid } from './types.ts';

/** Gain quanta per percentage point. */
export const GAIN_QUANTA = 10_000;
const QUANTA = BigInt(GAIN_QUANTA);

export interface Schedule {
  price: bigint;
  /** Cell lower bounds e_0 = 0 < … < e_K = price. */
  points: bigint[];
  /** Relative noise level at each point. */
  ratios: number[];
  /** The gain at each point's level, unironed (percentage points). */
  raw: number[];
  /** The ironed gain of each cell, in quanta. */
  gains: number[];
  /** The point whose level (data) each cell is served. */
  served: number[];
  /** The payment of each cell (cumulative). */
  payments: bigint[];
  /** The cell the bid falls in. */
  cell: number;
}

/** The cell bounds at market price `price`: 0, the grid prices strictly between 0 and price, and price. */
export function cellPoints(price: bigint, prices: readonly bigint[]): bigint[] {
  const points = [0n];
  for (const p of prices) if (p > 0n && p < price) points.push(p);
  points.push(price);
  return points;
}

/**
 * The payment schedule at `price` (every cell up to the market price: the envelope looks at the
 * cells above), and the index of the cell `bid` falls in.
 */
export function schedule(
  price: bigint,
  prices: readonly bigint[],
  bid: bigint,
  gainAt: (ratio: number) => number,
): Schedule {
  const points = cellPoints(price, prices);
  const top = points.length - 1;
  const ratios = points.map((e) => (e >= price ? 0 : Number(price - e) / Number(price)));
  const raw = ratios.map(gainAt);
  const gains = raw.map((g) => Math.floor(g * GAIN_QUANTA));
  const served = points.map((_, j) => j);
  for (let j = top - 1; j >= 0; j--) {
    if (gains[j]! > gains[j + 1]!) {
      gains[j] = gains[j + 1]!;
      served[j] = served[j + 1]!;
    }
  }
  const payments: bigint[] = [0n];
  for (let j = 1; j <= top; j++) {
    payments.push(payments[j - 1]! + (points[j]! * BigInt(gains[j]! - gains[j - 1]!)) / QUANTA);
  }
  let cell = 0;
  while (cell < top && points[cell + 1]! <= bid) cell++;
  return { price, points, ratios, raw, gains, served, payments, cell };
}

export interface Settlement {
  cell: number;
  effectivePrice: bigint;
  payment: bigint;
  /** The gain served, in quanta. */
  gainQuanta: number;
  /** The relative noise level served. */
  ratio: number;
}

/** The outcome for `bid` with its payment capped by `maxPayment` (the bid lowered one cell at a time). */
export function settle(s: Schedule, bid: bigint, maxPayment: bigint): Settlement {
  let cell = s.cell;
  while (cell > 0 && s.payments[cell]! > maxPayment) cell--;
  return {
    cell,
    effectivePrice: cell === s.cell ? bid : s.points[cell]!,
    payment: s.payments[cell]!,
    gainQuanta: s.gains[cell]!,
    ratio: s.ratios[s.served[cell]!]!,
  };
}

/** The smallest grid price at or above `mean` (the largest price when none is). */
export function ceilToGrid(mean: number, prices: readonly bigint[]): bigint {
  for (const p of prices) if (Number(p) >= mean * (1 - 1e-12)) return p;
  return prices[prices.length - 1]!;
}

/**
 * A grid of `steps` prices from bMin to bMax (rounded down to the base unit), equal weights, and
 * the starting price their mean rounded up to the grid.
 */
export function makeGrid(bMin: bigint, bMax: bigint, steps: number, delta: number): PriceGrid {
  if (!Number.isSafeInteger(steps) || steps < 2) throw new RangeError('a price grid needs at least 2 steps');
  if (bMin <= 0n || bMax <= bMin) throw new RangeError('a price grid needs 0 < bMin < bMax');
  const span = bMax - bMin;
  const prices = Array.from({ length: steps }, (_, i) => bMin + (span * BigInt(i)) / BigInt(steps - 1));
  const weights = prices.map(() => 1);
  const mean = prices.reduce((a, p) => a + Number(p), 0) / steps;
  return { prices, weights, marketPrice: ceilToGrid(mean, prices), delta };
}

/** DSBI's first session: 20 prices from 0.5 to 10 × 10⁶ base units per percentage point, δ = 0.05, price 5.5 × 10⁶. */
export function defaultGrid(): PriceGrid {
  return makeGrid(500_000n, 10_000_000n, 20, 0.05);
}

export interface PricedBid {
  bid: bigint;
  maxPayment: bigint;
  gainAt: (ratio: number) => number;
}

/**
 * The next session's weights and price. For every run bid, in turn, each grid price p_i's weight
 * is multiplied by 1 + δ·R_i/b_max, R_i the payment the bid would have made had the market price
 * been p_i (capped by its max_payment, as it would have been); DSBI does the same per bid (with the
 * uncapped payment averaged over 5 noise draws). The weights are then rescaled to average 1 (the
 * price only depends on their ratios; unscaled they would overflow after enough sessions) and the
 * next price is their weighted mean of the prices, rounded up to the grid. With no run bid, the
 * grid is carried over unchanged.
 */
export function nextPrice(grid: PriceGrid, bids: readonly PricedBid[]): { price: bigint; weights: number[] } {
  if (bids.length === 0) return { price: grid.marketPrice, weights: [...grid.weights] };
  const weights = [...grid.weights];
  const bMax = Number(grid.prices[grid.prices.length - 1]!);
  for (const b of bids) {
    grid.prices.forEach((p, i) => {
      const revenue = settle(schedule(p, grid.prices, b.bid, b.gainAt), b.bid, b.maxPayment).payment;
      weights[i] = weights[i]! * (1 + (grid.delta * Number(revenue)) / bMax);
    });
  }
  const sum = weights.reduce((a, w) => a + w, 0);
  const scaled = weights.map((w) => (w * weights.length) / sum);
  const mean = grid.prices.reduce((a, p, i) => a + Number(p) * scaled[i]!, 0) / weights.length;
  return { price: ceilToGrid(mean, grid.prices), weights: scaled };
}
