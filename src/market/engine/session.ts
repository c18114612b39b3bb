// One session run: every confirmed bid is served, charged and its revenue split, then the price
// grid learns for the next session. Pure: everything comes in as arguments, the seed is the only
// randomness, and the result does not depend on the order of the resources or bids.
import { forecast } from './forecast.ts';
import { nextPrice, type PricedBid, schedule, settle, GAIN_QUANTA } from './mechanism.ts';
import {
  type BidModel,
  coalitionError,
  gainOf,
  inWatts,
  type Level,
  levelAt,
  marketBuffers,
  marketError,
  prepareBid,
  prepareSession,
  scratch,
  validFeatures,
} from './model.ts';
import { apportionBig, feeOf, shareWeights } from './money.ts';
import { hash32, uniforms } from './random.ts';
import { exactShapley, penalise, sampledShapley, type ShapleyResult } from './shapley.ts';
import type { BidOutcome, EngineBid, EngineConfig, SessionInput, SessionOutcome, SellerShare } from './types.ts';
import { validateInput } from './validate.ts';

const HOUR_MS = 3_600_000;

export const DEFAULT_ENGINE_CONFIG: EngineConfig = Object.freeze({
  feeBasisPoints: 500,
  redundancyLambda: 1,
  ridgeAlpha: 1,
  horizon: 24,
  testHours: 336,
  minHistory: 720,
  maxLag: 504,
  lagThreshold: 0.3,
  topLags: 2,
  exactShapleyUpTo: 12,
  shapleyStandardError: 0.01,
  shapleyMaxPermutations: 1_000,
  historyHours: 8_760,
});

/** A bid's models at every noise level it needs: the gain per level is cached, levels are rebuilt on demand. */
export interface BidMarket {
  model: BidModel;
  /** The error of the buyer's own model (its lags only), y′ units. */
  errOwn: number;
  gainAt: (ratio: number) => number;
  errorAt: (ratio: number) => number;
  level: (ratio: number, withRows: boolean) => Level;
}

export function bidMarket(model: BidModel, alpha: number): BidMarket {
  const needsRows = model.gainFunc === 'mae';
  const work = scratch(model.d);
  const own = levelAt(model, 0, needsRows);
  const { base } = validFeatures(own, model.k);
  const errOwn = coalitionError(own, base, base.length, model.gainFunc, alpha, work);
  const errors = new Map<number, number>();
  const buffers = marketBuffers(model);
  const errorAt = (ratio: number) => {
    let err = errors.get(ratio);
    if (err === undefined) {
      err = marketError(model, ratio, alpha, buffers);
      errors.set(ratio, err);
    }
    return err;
  };
  return {
    model,
    errOwn,
    errorAt,
    gainAt: (ratio) => gainOf(model, errOwn, errorAt(ratio)),
    level: (ratio, withRows) => (ratio === 0 && withRows === needsRows ? own : levelAt(model, ratio, withRows)),
  };
}

/**
 * The Shapley values at the served level: exact up to config.exactShapleyUpTo sellers, sampled
 * above. Only computed when there is revenue to split (`split`); otherwise all 0 (a bid that
 * pays nothing, for a gain of 0 or lowered to the lowest cell, costs no sampling).
 */
export function shapleyOf(
  market: BidMarket,
  level: Level,
  config: EngineConfig,
  seed: number,
  bid: EngineBid,
  split = true,
): ShapleyResult {
  const { model } = market;
  const { sellers } = validFeatures(level, model.k);
  const exact = sellers.length <= config.exactShapleyUpTo;
  const total = market.gainAt(level.ratio);
  if (!split || total <= 0 || sellers.length === 0) {
    return {
      values: new Float64Array(model.n),
      method: exact ? 'exact' : 'sampled',
      standardError: 0,
      permutations: 0,
    };
  }
  if (exact) return exactShapley(model, level, config.ridgeAlpha, market.errOwn);
  return sampledShapley(model, level, config.ridgeAlpha, market.errOwn, {
    target: config.shapleyStandardError,
    maxPermutations: config.shapleyMaxPermutations,
    uniform: uniforms(seed, hash32(`shapley:${bid.id}`)),
    total,
  });
}

function notRun(bid: EngineBid, reason: string): BidOutcome {
  return {
    bid: bid.id,
    ran: false,
    reason,
    filledHours: 0,
    gain: 0,
    noise: 1,
    effectivePrice: bid.bidPrice,
    payment: 0n,
    fee: 0n,
    refund: bid.maxPayment,
    shapleyMethod: 'exact',
    shapleyStandardError: 0,
    shares: [],
    forecasts: [],
    lags: [],
    permutations: 0,
    errorOwn: Number.NaN,
    errorMarket: Number.NaN,
  };
}

/** Runs a session. See index.ts for the rules and the choices made where the issue leaves them open. */
export function runSession(input: SessionInput): SessionOutcome {
  validateInput(input);
  const { config, grid } = input;
  const data = prepareSession(input);
  const end = new Date(input.start.getTime() + input.hours * HOUR_MS);
  const outcomes: BidOutcome[] = [];
  const priced: Array<PricedBid & { id: string }> = [];
  const revenues = new Map<string, { user: string; resource: string; amount: bigint }>();
  let fees = 0n;
  for (const bid of input.bids) {
    const prepared = prepareBid(data, bid, config);
    if ('reason' in prepared) {
      outcomes.push(notRun(bid, prepared.reason));
      continue;
    }
    const { model } = prepared;
    const market = bidMarket(model, config.ridgeAlpha);
    const s = schedule(grid.marketPrice, grid.prices, bid.bidPrice, market.gainAt);
    const settled = settle(s, bid.bidPrice, bid.maxPayment);
    priced.push({ id: bid.id, bid: bid.bidPrice, maxPayment: bid.maxPayment, gainAt: market.gainAt });
    const level = market.level(settled.ratio, true);
    const fee = feeOf(settled.payment, config.feeBasisPoints);
    const revenue = settled.payment - fee;
    const shapley = shapleyOf(market, level, config, input.seed, bid, revenue > 0n);
    const { penalised, shares } = penalise(model, level, shapley.values, config.redundancyLambda);
    const split = apportionBig(revenue, shareWeights([...shares]));
    fees += fee;
    const sellerShares: SellerShare[] = [...model.sellers].map((i, s) => {
      const seller = data.sellers[i]!;
      const entry = revenues.get(seller.id) ?? { user: seller.user, resource: seller.id, amount: 0n };
      entry.amount += split[s]!;
      revenues.set(seller.id, entry);
      return {
        resource: seller.id,
        user: seller.user,
        shapley: shapley.values[s]!,
        penalised: penalised[s]!,
        share: shares[s]!,
        revenue: split[s]!,
      };
    });
    outcomes.push({
      bid: bid.id,
      ran: true,
      filledHours: model.filledHours,
      gain: settled.gainQuanta / GAIN_QUANTA,
      noise: settled.ratio,
      effectivePrice: settled.effectivePrice,
      payment: settled.payment,
      fee,
      refund: bid.maxPayment - settled.payment,
      shapleyMethod: shapley.method,
      shapleyStandardError: shapley.standardError,
      shares: sellerShares,
      forecasts: forecast(model, level, config.ridgeAlpha, data.hours, data.horizon, end),
      lags: model.lags,
      permutations: shapley.permutations,
      errorOwn: inWatts(model, market.errOwn),
      errorMarket: inWatts(model, market.errorAt(settled.ratio)),
    });
  }
  // In id order: the weights' products then do not depend on the order the bids came in.
  const next = nextPrice(
    grid,
    priced.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)),
  );
  const filled = [...data.resources.values()]
    .filter((r) => r.observed > 0)
    .map((r) => ({ resource: r.id, backFilled: r.backFilled, meanFilled: r.meanFilled }));
  return {
    bids: outcomes,
    fee: fees,
    revenues: [...revenues.values()].sort((x, y) => (x.resource < y.resource ? -1 : x.resource > y.resource ? 1 : 0)),
    nextPrice: next.price,
    nextWeights: next.weights,
    filled,
  };
}
