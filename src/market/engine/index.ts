// The forecasting data market's engine: pure functions of a session's data, bids and price grid
// (no database, no HTTP, no clock; the seed is the only randomness, and the result does not depend
// on the order resources or bids are listed in). Per confirmed bid:
//
// Features. The buyer's own lags chosen by autocorrelation (from its gap to the forecast horizon,
// the smallest lag available at forecast time, up to maxLag; |acf| ≥ lagThreshold; the topLags
// strongest) plus, as DSBI, the gap lag itself; every other user's resource as a seller feature,
// lagged by its gap to the horizon (its latest value available at forecast time).
//
// Model. Ridge (α = ridgeAlpha, intercept unpenalised) on features standardised over the train
// rows, solved by Cholesky; every model of a bid (its own, the market's at every noise level,
// every Shapley coalition) from sub-blocks of one train and one test Gram matrix (model.ts);
// mse/rmse test errors from Gram quantities, mae from predictions.
//
// Gain. 100·max(0, (err_own − err_market)/(max y − min y)) on the last testHours rows after
// fitting on the earlier ones.
//
// Allocation and payment (mechanism.ts). Seller noise σ_j = std_j·max(0, p − b)/p; payment =
// b·g(b) − ∫₀ᵇ g(z)dz, capped by max_payment by lowering the bid one price step at a time; fee
// feeBasisPoints of it; the rest split by penalised, normalised Shapley shares (shapley.ts).
//
// Price update (mechanism.ts): w_i ← w_i·(1 + δ·R(p_i, b)/b_max), next price the weighted mean
// rounded up to the grid. Forecasts (forecast.ts): q50 the model, q10/q90 from residual quantiles.
//
// Choices the issue leaves open:
// - History: at most historyHours (8,760), the last ones. Holes filled by fillGaps before lagging
//   (a series' hours before it starts take its mean); targets are never filled: a bid's rows are
//   its observed hours from its longest lag on, the last testHours of them the test part. A bid
//   runs with at least minHistory observed hours and at least as many train rows as test rows;
//   lags are kept short enough for that. Otherwise 'history_too_short', refunded in full; a bid on
//   an unknown resource, 'unknown_resource'.
// - The range (max y − min y) is over the bid's rows. For mse the difference of squared errors is
//   divided by the squared range, so the gain does not depend on the units (DSBI divides W² by W).
// - Units: bidPrice is base units per percentage point of gain, payment = price × gain (DSBI's).
//   Gains are resolved to 0.0001 percentage point.
// - Noise: one standard normal draw per seller per session (seeded by the seller's id), σ_j from
//   the seller's standard deviation over the bid's rows; the buyer's forecast is made from the
//   data it was served (DSBI forecasts from clean data whatever the bid).
// - The mechanism is discrete: the cells of the price grid below the market price, a bid served
//   the noise level of its cell's lower price, gain monotone by taking the envelope from above
//   (a less noisy level that gives no more gain is served instead), so a bid at or above the
//   price always gets clean data; the integral is the step function over the cells, each
//   increment of gain priced where it appears and rounded down. Truthful to the base unit for
//   values on the grid (points at least 10,000 base units apart). Lowering moves one cell down;
//   the lowest cell (below b_min) costs nothing. See mechanism.ts.
// - Shapley values are the plain ones (marginals not clipped at 0, as DSBI does), so they add up
//   to the gain; shares use max(0, φ). They are computed only when there is revenue to split.
//   Sampling: antithetic permutation pairs, at least 32 permutations, until the largest standard
//   error is below shapleyStandardError × the gain or shapleyMaxPermutations (1,000; the error
//   reached is reported). cos_sim in the penalty is |correlation| of the standardised (served)
//   features: DSBI's uncentred cosine is high for any two positive power series.
// - Price update: per run bid in turn (as DSBI), R the payment the bid would have made at p_i, with
//   its max_payment cap; the weights are rescaled to average 1 after each session (they would
//   overflow otherwise; the price depends only on their ratios); no run bid: the grid carries
//   over. "Rounded up to the grid": the smallest grid price ≥ the mean (DSBI's ⌊mean/step⌋+1 steps
//   goes one step further when the mean falls on a price).
// - Forecasts: q50 from the model fitted on all the bid's rows; q10/q90 add the 10th/90th
//   percentiles of the test residuals of the model fitted on the train part, never crossing q50.
//   Not clipped at 0 (the sign convention of a resource is not the engine's to know).
export { fillGaps } from './data.ts';
export { scoreForecasts } from './forecast.ts';
export { defaultGrid, makeGrid } from './mechanism.ts';
export { DEFAULT_ENGINE_CONFIG, runSession } from './session.ts';
export type {
  BidOutcome,
  EngineBid,
  EngineConfig,
  EngineResource,
  GainFunc,
  HourForecast,
  PriceGrid,
  SellerShare,
  SessionInput,
  SessionOutcome,
} from './types.ts';
