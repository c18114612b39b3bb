// The forecasting data market's engine: pure functions of a session's data, bids and price grid
// (no database, no HTTP, no clock; the seed is the only randomness). Per confirmed bid:
//
// Features. The buyer's own lags chosen by autocorrelation (from its gap to the forecast horizon,
// the smallest lag available at forecast time, up to maxLag; |acf| ≥ lagThreshold; the topLags
// strongest) plus, as DSBI, the gap lag itself; every other user's resource as a seller feature,
// lagged by its gap to the horizon (its latest value available at forecast time). At most
// historyHours (8,760) of history; holes filled by fillGaps (targets never: a bid's rows are its
// observed hours from its longest lag on). Fewer than minHistory observed hours, or fewer train
// rows than test rows: the bid does not run and is refunded in full ('history_too_short').
//
// Model. Ridge (α = ridgeAlpha, intercept unpenalised) on features standardised over the train
// rows, solved by Cholesky from the Gram matrix; every model of a bid (its own, the market's at
// every noise level, every Shapley coalition) from sub-blocks of one train and one test Gram
// matrix (model.ts); mse/rmse test errors from Gram quantities, mae from predictions.
//
// Gain. 100·max(0, (err_own − err_market)/(max y − min y)) on the last testHours rows after fitting
// on the earlier ones, y over the bid's rows; for mse over the squared range (unit-free).
//
// Allocation and payment (mechanism.ts). Seller noise σ_j = std_j·max(0, p − b)/p, one noise draw
// per seller per session; bids served on the cells of the price grid, gain monotone in the bid;
// payment = b·g(b) − ∫₀ᵇ g(z)dz over those cells, exact for the discrete mechanism; payment in base
// units = price per percentage point × gain in percentage points; capped by max_payment by lowering
// the bid one cell at a time. Fee = feeBasisPoints of the payment, rounded down; the rest goes to
// the bid's sellers by their penalised, normalised Shapley shares, largest remainder, so per
// session Σ payments = fee + Σ revenues exactly. A bid with no gain pays nothing.
//
// Shapley (shapley.ts). Exact up to exactShapleyUpTo sellers, else antithetic permutation sampling
// until every seller's standard error is below shapleyStandardError of the gain (or
// shapleyMaxPermutations). Penalty φ′ = max(0, φ)·exp(−λ·Σ_{k≠m}|corr|), normalised.
//
// Price update (mechanism.ts). w_i ← w_i·(1 + δ·R(p_i, b)/b_max) per run bid, rescaled to mean 1;
// next price the weighted mean rounded up to the grid.
//
// Forecasts (forecast.ts). horizon hours after start + hours; q50 the market model served, fitted
// on all rows; q10/q90 from the test residuals' quantiles.
export { fillGaps, hourlyMeanWatts } from './data.ts';
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
  Units,
} from './types.ts';
