// The engine's vocabulary: what a session run takes in and gives back. Money is in token base
// units (bigint), power in W (hourly means), time in whole UTC hours counted from `start`.

/** The error a bid's gain is measured in: mean squared, root mean squared or mean absolute error. */
export type GainFunc = 'mse' | 'rmse' | 'mae';

/** A measurement resource: its hourly mean power in W over the session's history window, NaN where missing. */
export interface EngineResource {
  id: string;
  user: string;
  values: Float64Array;
}

/**
 * A confirmed bid. `bidPrice` is the price per unit of gain (one percentage point of the buyer's
 * range), as DSBI's `bid_price`: a gain of g costs at most bidPrice × g base units.
 */
export interface EngineBid {
  id: string;
  user: string;
  resource: string;
  bidPrice: bigint;
  maxPayment: bigint;
  gainFunc: GainFunc;
}

/** The session's price grid: `prices` ascending (b_min … b_max), one weight per price, and the learning rate δ. */
export interface PriceGrid {
  prices: bigint[];
  weights: number[];
  marketPrice: bigint;
  delta: number;
}

export interface EngineConfig {
  /** The market's fee, in basis points of each payment (500 = 5 %), rounded down to the base unit. */
  feeBasisPoints: number;
  /** λ of the redundancy penalty φ′ = φ·exp(−λ·Σ|corr|). */
  redundancyLambda: number;
  /** α of the ridge regression on standardised features; must be > 0. */
  ridgeAlpha: number;
  /** Hours ahead forecast (and so the smallest lag available at forecast time). */
  horizon: number;
  /** The last this many hours of a bid's rows measure the gain; the model is fitted on the hours before. */
  testHours: number;
  /** Observed hours of history a buyer needs for its bid to run. */
  minHistory: number;
  /** Longest own lag considered, in hours. */
  maxLag: number;
  /** Smallest |autocorrelation| for an own lag to be chosen. */
  lagThreshold: number;
  /** How many own lags the autocorrelation chooses. */
  topLags: number;
  /** Exact Shapley values (all subsets) up to this many sellers; sampled permutations above. */
  exactShapleyUpTo: number;
  /** Sampling stops when every share's standard error is below this (a fraction of the gain). */
  shapleyStandardError: number;
  /** Added: sampling stops after this many permutations even if the standard error is not reached (reported). */
  shapleyMaxPermutations: number;
  /** Added: the engine uses at most the last this many hours of history (DSBI: 8,760). */
  historyHours: number;
}

export interface SessionInput {
  /** uint32; the only source of randomness (noise and Shapley sampling). */
  seed: number;
  /** The first hour of history, UTC. */
  start: Date;
  /** Hours of history: every resource's `values` has this length. */
  hours: number;
  resources: EngineResource[];
  bids: EngineBid[];
  grid: PriceGrid;
  config: EngineConfig;
}

export interface SellerShare {
  resource: string;
  user: string;
  /**
   * The seller's Shapley value, in gain units (percentage points); they add up to the bid's gain.
   * Computed only when the bid leaves revenue to split, 0 otherwise.
   */
  shapley: number;
  /** max(0, shapley) × the redundancy penalty. */
  penalised: number;
  /** penalised / Σ penalised (0 when nothing is shared). */
  share: number;
  revenue: bigint;
}

export interface HourForecast {
  datetime: Date;
  q10: number;
  q50: number;
  q90: number;
}

export interface BidOutcome {
  bid: string;
  ran: boolean;
  /** Why a bid did not run ('unknown_resource', 'history_too_short'): it is refunded in full. */
  reason?: string;
  /** Hours of the buyer's own history filled (back-filled or mean-filled) to build its lagged inputs. */
  filledHours: number;
  /** The gain the buyer was served, in percentage points of its range (resolution 0.0001). */
  gain: number;
  /** The relative noise level of the seller data the buyer was served: σ_j / std_j, 0 = clean (1 when not run). */
  noise: number;
  /** The bid after max_payment lowering (the bid itself when no lowering was needed). */
  effectivePrice: bigint;
  payment: bigint;
  fee: bigint;
  /** maxPayment − payment. */
  refund: bigint;
  shapleyMethod: 'exact' | 'sampled';
  /** The largest standard error of a seller's Shapley value / the gain (0 when exact or not computed). */
  shapleyStandardError: number;
  shares: SellerShare[];
  /** The 24 (horizon) hours after start + hours, in W. */
  forecasts: HourForecast[];
  /** Added: the buyer's own lags (hours) used as features. */
  lags: number[];
  /** Added: permutations sampled for the Shapley values (0 when exact). */
  permutations: number;
  /**
   * Added: the test-part error of the buyer's own model and of the market model served, in W (W²
   * for mse; NaN when not run).
   */
  errorOwn: number;
  errorMarket: number;
}

export interface SessionOutcome {
  bids: BidOutcome[];
  fee: bigint;
  /** Every seller resource of a run bid, summed over the session's bids (amounts may be 0), in resource id order. */
  revenues: Array<{ user: string; resource: string; amount: bigint }>;
  nextPrice: bigint;
  nextWeights: number[];
  /** Added: per resource with data, how many of its history hours were filled, as the session report shows. */
  filled: Array<{ resource: string; backFilled: number; meanFilled: number }>;
}
