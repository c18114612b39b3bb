// The data of a session and of each bid, as Gram matrices: the session's seller columns are
// multiplied out once, and every model a bid needs (the buyer's own, the market's at any noise
// level, every Shapley coalition) is solved from sub-blocks of its train and test Gram matrices.
//
// Columns. Every series is prescaled (centred and scaled by its own mean and standard deviation,
// which changes no model: the ridge standardises again on the train rows) so sums of products stay
// well conditioned. A seller's column is its history lagged by its gap to the forecast horizon:
// the value at hour t is the one measured at t − lag, where lag = (last hour of the window +
// horizon) − (its last observed hour), so the 24 forecast hours use the latest values there are.
// Holes are filled first (fillGaps); hours before a series starts take its mean.
//
// Noise. One standard normal column per seller (its own stream of the session seed) stands for
// the noise; at relative level r a seller's column is x + r·sd·n, with sd its standard deviation
// over the bid's rows. The Gram matrix of the noisy data is XᵀX + r(XᵀN·D + D·NᵀX) + r²·D·NᵀN·D,
// so every level comes from the same three blocks without another pass over the data.
import { fillGaps } from './data.ts';
import { dotRange, gather, moments, ones, symmetricGram } from './gram.ts';
import { cholesky, quadratic, solveLower, solveUpper } from './linalg.ts';
import { fillNormal, hash32, uniforms } from './random.ts';
import type { EngineBid, EngineConfig, GainFunc, SessionInput } from './types.ts';

export interface ResourceWindow {
  id: string;
  user: string;
  /** Hourly values over the window (the last `hours` of history), NaN where missing. */
  window: Float64Array;
  observed: number;
  /** Index of the last observed hour, −1 when none. */
  last: number;
  /** The window up to `last`, holes filled. */
  filled: Float64Array;
  backFilled: number;
  meanFilled: number;
  mean: number;
  sd: number;
}

export interface SellerColumn {
  id: string;
  user: string;
  lag: number;
  /** Window hours + horizon, prescaled. */
  column: Float64Array;
  /** Window hours + horizon standard normal draws. */
  noise: Float64Array;
}

export interface SessionData {
  /** Hours in the window (at most config.historyHours). */
  hours: number;
  horizon: number;
  resources: Map<string, ResourceWindow>;
  sellers: SellerColumn[];
  /** Gram matrix over the window of [one, sellers…, noise…], computed on first use. */
  total: Float64Array | null;
}

/** Builds the session's windows and seller columns. */
export function prepareSession(input: SessionInput): SessionData {
  const { config } = input;
  const hours = Math.min(input.hours, config.historyHours);
  const offset = input.hours - hours;
  const horizon = config.horizon;
  const resources = new Map<string, ResourceWindow>();
  const sellers: SellerColumn[] = [];
  for (const r of input.resources) {
    const window = r.values.subarray(offset, offset + hours);
    let last = -1;
    for (let t = hours - 1; t >= 0; t--) {
      if (!Number.isNaN(window[t]!)) {
        last = t;
        break;
      }
    }
    const { mean, sd, count } = moments(window);
    const fill = fillGaps(window.subarray(0, last + 1));
    resources.set(r.id, {
      id: r.id,
      user: r.user,
      window,
      observed: count,
      last,
      filled: fill.values,
      backFilled: fill.backFilled,
      meanFilled: fill.meanFilled,
      mean,
      sd,
    });
    if (count === 0) continue;
    const lag = hours + horizon - 1 - last;
    const scale = sd > 0 ? sd : 1;
    const column = new Float64Array(hours + horizon);
    for (let t = 0; t < column.length; t++) column[t] = t >= lag ? (fill.values[t - lag]! - mean) / scale : 0;
    const noise = fillNormal(new Float64Array(hours + horizon), uniforms(input.seed, hash32(`noise:${r.id}`)));
    sellers.push({ id: r.id, user: r.user, lag, column, noise });
  }
  // In id order, so results do not depend on the order the resources came in (to the last bit).
  sellers.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return { hours, horizon, resources, sellers, total: null };
}

/** The session's Gram matrix of [one, sellers…, noise…] over the window. */
export function sessionTotal(data: SessionData): Float64Array {
  if (data.total === null) {
    const h = data.hours;
    data.total = symmetricGram([ones(h), ...data.sellers.map((s) => s.column), ...data.sellers.map((s) => s.noise)], h);
  }
  return data.total;
}

/**
 * The buyer's own lags: among lags from its gap to the forecast horizon (the smallest lag
 * available at forecast time) up to maxLag, those with |autocorrelation| ≥ lagThreshold, the
 * `topLags` strongest (ties to the shorter lag); plus, as DSBI, the gap lag itself (the latest
 * value available), ascending and without repeats. Lags are also kept short enough to leave at
 * least testHours of train rows and testHours of test rows in the observed history.
 */
export function chooseLags(w: ResourceWindow, hours: number, config: EngineConfig): number[] {
  const gap = hours + config.horizon - 1 - w.last;
  const limit = Math.min(config.maxLag, w.observed - 2 * config.testHours);
  const centred = new Float64Array(hours);
  let denominator = 0;
  for (let t = 0; t < hours; t++) {
    const v = w.window[t]!;
    if (!Number.isNaN(v)) {
      centred[t] = v - w.mean;
      denominator += centred[t]! * centred[t]!;
    }
  }
  const candidates: Array<{ lag: number; acf: number }> = [];
  if (denominator > 0) {
    for (let lag = gap; lag <= limit; lag++) {
      let sum = 0;
      for (let t = lag; t < hours; t++) sum += centred[t]! * centred[t - lag]!;
      const acf = sum / denominator;
      if (Math.abs(acf) >= config.lagThreshold) candidates.push({ lag, acf });
    }
  }
  candidates.sort((a, b) => Math.abs(b.acf) - Math.abs(a.acf) || a.lag - b.lag);
  const lags = new Set([...candidates.slice(0, config.topLags).map((c) => c.lag), gap]);
  return [...lags].sort((a, b) => a - b);
}

/**
 * A bid's data. Column order, everywhere: [one, lags (k), sellers (n), y, noise (n)]; the first
 * k + n + 2 are the augmented design [1, X, y], the last n the sellers' noise. Features (the
 * model's columns) are numbered 0…d−1 = lags then sellers, feature f being column f + 1.
 */
export interface BidModel {
  bid: EngineBid;
  gainFunc: GainFunc;
  k: number;
  n: number;
  d: number;
  lags: number[];
  /** Indices into SessionData.sellers. */
  sellers: Int32Array;
  /** The hours (window indices) with an observed target and all lags available: train, then the last nTest for test. */
  rows: Int32Array;
  nTrain: number;
  nTest: number;
  /** y′ = (y − yShift) / yScale: errors and the range are in y′ units until reported. */
  yShift: number;
  yScale: number;
  /** max y′ − min y′ over the bid's rows. */
  range: number;
  /** The sellers' standard deviations over the bid's rows (prescaled units): noise at level r is r·sd. */
  sd: Float64Array;
  /** Gram matrices of all columns over the train and the test rows. */
  train: Float64Array;
  test: Float64Array;
  /** All columns over the whole window + horizon (y NaN where unobserved), for forecasts and reference refits. */
  columns: Float64Array[];
  /** All columns over the test rows. */
  testColumns: Float64Array[];
  filledHours: number;
}

export type BidData = { model: BidModel } | { reason: 'unknown_resource' | 'history_too_short' };

/** Builds a bid's rows, columns and Gram matrices (the seller blocks from the session's totals). */
export function prepareBid(data: SessionData, bid: EngineBid, config: EngineConfig): BidData {
  const w = data.resources.get(bid.resource);
  if (w === undefined) return { reason: 'unknown_resource' };
  if (w.observed < Math.max(1, config.minHistory)) return { reason: 'history_too_short' };
  const hours = data.hours;
  const total = hours + data.horizon;
  const lags = chooseLags(w, hours, config);
  const maxLag = lags[lags.length - 1]!;
  const rowList: number[] = [];
  for (let t = maxLag; t < hours; t++) if (!Number.isNaN(w.window[t]!)) rowList.push(t);
  const nTest = config.testHours;
  const nTrain = rowList.length - nTest;
  if (nTest < 1 || nTrain < nTest) return { reason: 'history_too_short' };
  const rows = Int32Array.from(rowList);

  const yShift = w.mean;
  const yScale = w.sd > 0 ? w.sd : 1;
  const y = new Float64Array(total).fill(Number.NaN);
  for (let t = 0; t < hours; t++) y[t] = (w.window[t]! - yShift) / yScale;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const t of rows) {
    lo = Math.min(lo, y[t]!);
    hi = Math.max(hi, y[t]!);
  }
  const lagColumns = lags.map((lag) => {
    const col = new Float64Array(total);
    for (let t = 0; t < total; t++) col[t] = t >= lag ? (w.filled[t - lag]! - yShift) / yScale : 0;
    return col;
  });
  // Every other user's resource: not the bidder's, nor (should a caller mix them up) the resource owner's.
  const own = (s: SellerColumn) => s.user === bid.user || s.user === w.user || s.id === w.id;
  const sellerIdx = Int32Array.from(data.sellers.map((s, i) => (own(s) ? -1 : i)).filter((i) => i >= 0));
  const sellers = [...sellerIdx].map((i) => data.sellers[i]!);
  const k = lags.length;
  const n = sellers.length;
  const columns = [ones(total), ...lagColumns, ...sellers.map((s) => s.column), y, ...sellers.map((s) => s.noise)];
  const testRows = rows.subarray(nTrain);
  const testColumns = gather(columns, testRows);
  const test = symmetricGram(testColumns, nTest);
  const train = trainGram(data, columns, sellerIdx, k, rows, nTrain, test);

  const sd = new Float64Array(n);
  const width = columns.length;
  const count = rows.length;
  for (let s = 0; s < n; s++) {
    const p = 1 + k + s;
    const sum = train[p]! + test[p]!;
    const squares = train[p * width + p]! + test[p * width + p]!;
    const variance = squares / count - (sum / count) ** 2;
    sd[s] = variance > 1e-12 * (squares / count) ? Math.sqrt(variance) : 0;
  }
  return {
    model: {
      bid,
      gainFunc: bid.gainFunc,
      k,
      n,
      d: k + n,
      lags,
      sellers: sellerIdx,
      rows,
      nTrain,
      nTest,
      yShift,
      yScale,
      range: hi - lo,
      sd,
      train,
      test,
      columns,
      testColumns,
      filledHours: w.backFilled + w.meanFilled,
    },
  };
}

/**
 * The Gram matrix over the train rows: the Gram matrix over the whole window (the one, seller and
 * noise columns from the session's totals, the rest multiplied out) minus the hours the bid does
 * not train on (before its longest lag, without an observed target, or in the test part); or,
 * when those hours are the many, multiplied out over the train rows directly.
 */
function trainGram(
  data: SessionData,
  columns: Float64Array[],
  sellerIdx: Int32Array,
  k: number,
  rows: Int32Array,
  nTrain: number,
  test: Float64Array,
): Float64Array {
  const hours = data.hours;
  const width = columns.length;
  const n = sellerIdx.length;
  const a = k + n + 2;
  // Over the window, with the target 0 where it is not observed (those hours are subtracted again).
  const window = columns.map((col) => col.subarray(0, hours));
  window[a - 1] = Float64Array.from(window[a - 1]!, (v) => (Number.isNaN(v) ? 0 : v));
  const inRows = new Uint8Array(hours);
  for (const t of rows) inRows[t] = 1;
  const outside: number[] = [];
  for (let t = 0; t < hours; t++) if (inRows[t] === 0) outside.push(t);
  const nOutside = outside.length;
  if (nOutside + (rows.length - nTrain) >= nTrain) {
    return symmetricGram(gather(window, rows.subarray(0, nTrain)), nTrain);
  }
  // Column c's index in the session's totals [one, sellers…, noise…] (−1: a lag or the target).
  const m = data.sellers.length;
  const session = new Int32Array(width).fill(-1);
  session[0] = 0;
  for (let s = 0; s < n; s++) {
    session[1 + k + s] = 1 + sellerIdx[s]!;
    session[a + s] = 1 + m + sellerIdx[s]!;
  }
  const totals = n > 0 ? sessionTotal(data) : null;
  const stride = 1 + 2 * m;
  const excluded = symmetricGram(gather(window, Int32Array.from(outside)), nOutside);
  const out = new Float64Array(width * width);
  for (let i = 0; i < width; i++) {
    for (let j = 0; j <= i; j++) {
      const whole =
        totals !== null && session[i]! >= 0 && session[j]! >= 0
          ? totals[session[i]! * stride + session[j]!]!
          : dotRange(window[i]!, window[j]!, 0, hours);
      const v = whole - excluded[i * width + j]! - test[i * width + j]!;
      out[i * width + j] = v;
      out[j * width + i] = v;
    }
  }
  return out;
}

/**
 * The augmented Gram matrix [1, X, y] of the bid's data with the sellers at relative noise level
 * `ratio`, from the clean blocks of `gram` (train or test).
 */
export function noisyAugmented(
  model: BidModel,
  gram: Float64Array,
  ratio: number,
  out: Float64Array = new Float64Array((model.k + model.n + 2) ** 2),
): Float64Array {
  const { k, n } = model;
  const a = k + n + 2;
  const width = a + n;
  const scale = new Float64Array(a); // r·sd for seller columns, 0 elsewhere
  for (let s = 0; s < n; s++) scale[1 + k + s] = ratio * model.sd[s]!;
  for (let p = 0; p < a; p++) {
    const sp = scale[p]!;
    const np = p - 1 - k + a; // the noise column of p, when p is a seller
    for (let q = 0; q <= p; q++) {
      const sq = scale[q]!;
      const nq = q - 1 - k + a;
      let v = gram[p * width + q]!;
      if (sq !== 0) v += sq * gram[p * width + nq]!;
      if (sp !== 0) v += sp * gram[q * width + np]!;
      if (sp !== 0 && sq !== 0) v += sp * sq * gram[np * width + nq]!;
      out[p * a + q] = v;
      out[q * a + p] = v;
    }
  }
  return out;
}

/**
 * Everything a coalition's model needs at one noise level. A is ZᵀZ of the standardised train
 * features (no α), c = Zᵀ(y − ȳ); Tt, tt, yy the same products over the test rows, standardised
 * with the train means and deviations. Invalid features (no variance on the train rows) never
 * enter a model.
 */
export interface Level {
  ratio: number;
  d: number;
  nTrain: number;
  nTest: number;
  A: Float64Array;
  c: Float64Array;
  Tt: Float64Array;
  tt: Float64Array;
  yy: number;
  mean: Float64Array;
  sd: Float64Array;
  ybar: number;
  valid: Uint8Array;
  /** Standardised noisy test features (nTest × d) and centred test targets, when asked for. */
  Xt: Float64Array | null;
  yt: Float64Array | null;
}

/** Standardises the augmented Gram matrix `g` (a×a, over `rows` rows): means, deviations, ZᵀZ, Zᵀ(y − ȳ). */
export function standardise(g: Float64Array, a: number) {
  const d = a - 2;
  const rows = g[0]!;
  const yi = a - 1;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  const valid = new Uint8Array(d);
  for (let f = 0; f < d; f++) {
    const p = f + 1;
    const m = g[p]! / rows;
    const squares = g[p * a + p]! / rows;
    const variance = squares - m * m;
    mean[f] = m;
    if (variance > 1e-12 * squares && variance > 0) {
      sd[f] = Math.sqrt(variance);
      valid[f] = 1;
    } else {
      sd[f] = 1;
    }
  }
  const ybar = g[yi]! / rows;
  const A = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    const p = f + 1;
    for (let h = 0; h <= f; h++) {
      const q = h + 1;
      const v = (g[p * a + q]! - rows * mean[f]! * mean[h]!) / (sd[f]! * sd[h]!);
      A[f * d + h] = v;
      A[h * d + f] = v;
    }
    c[f] = (g[p * a + yi]! - rows * mean[f]! * ybar) / sd[f]!;
  }
  return { rows, mean, sd, valid, ybar, A, c };
}

/**
 * The model's data at relative noise level `ratio`; with `withRows`, also the standardised test
 * rows (for MAE and residuals).
 */
export function levelAt(model: BidModel, ratio: number, withRows: boolean): Level {
  const { k, n, d } = model;
  const a = k + n + 2;
  const trainAug = noisyAugmented(model, model.train, ratio);
  const { mean, sd, valid, ybar, A, c } = standardise(trainAug, a);
  const m = noisyAugmented(model, model.test, ratio);
  const nt = m[0]!;
  const yi = a - 1;
  const Tt = new Float64Array(d * d);
  const tt = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    const p = f + 1;
    for (let h = 0; h <= f; h++) {
      const q = h + 1;
      const v = (m[p * a + q]! - mean[f]! * m[q]! - mean[h]! * m[p]! + nt * mean[f]! * mean[h]!) / (sd[f]! * sd[h]!);
      Tt[f * d + h] = v;
      Tt[h * d + f] = v;
    }
    tt[f] = (m[p * a + yi]! - mean[f]! * m[yi]! - ybar * m[p]! + nt * mean[f]! * ybar) / sd[f]!;
  }
  const yy = m[yi * a + yi]! - 2 * ybar * m[yi]! + nt * ybar * ybar;
  let Xt: Float64Array | null = null;
  let yt: Float64Array | null = null;
  if (withRows) {
    const cols = model.testColumns;
    Xt = new Float64Array(model.nTest * d);
    yt = new Float64Array(model.nTest);
    const yCol = cols[a - 1]!;
    for (let i = 0; i < model.nTest; i++) yt[i] = yCol[i]! - ybar;
    for (let f = 0; f < d; f++) {
      const col = cols[f + 1]!;
      const noise = f >= k ? cols[a + f - k]! : null;
      const r = f >= k ? ratio * model.sd[f - k]! : 0;
      const mf = mean[f]!;
      const sf = sd[f]!;
      for (let i = 0; i < model.nTest; i++) {
        const x = noise === null ? col[i]! : col[i]! + r * noise[i]!;
        Xt[i * d + f] = (x - mf) / sf;
      }
    }
  }
  return { ratio, d, nTrain: model.nTrain, nTest: model.nTest, A, c, Tt, tt, yy, mean, sd, ybar, valid, Xt, yt };
}

/** Scratch space for coalition fits of up to d features. */
export interface Scratch {
  a: Float64Array;
  l: Float64Array;
  b: Float64Array;
  z: Float64Array;
  beta: Float64Array;
}

export function scratch(d: number): Scratch {
  return {
    a: new Float64Array(d * d),
    l: new Float64Array(d * d),
    b: new Float64Array(d),
    z: new Float64Array(d),
    beta: new Float64Array(d),
  };
}

/**
 * Fits ridge on the features `features[0…count)` (all valid) and returns the coefficients on the
 * standardised features, in `work.beta`.
 */
export function fitCoalition(level: Level, features: Int32Array, count: number, alpha: number, work: Scratch) {
  const { A, c, d } = level;
  for (let i = 0; i < count; i++) {
    const fi = features[i]! * d;
    for (let j = 0; j <= i; j++) work.a[i * count + j] = A[fi + features[j]!]!;
    work.a[i * count + i] = work.a[i * count + i]! + alpha;
    work.b[i] = c[features[i]!]!;
  }
  if (!cholesky(work.a, count, work.l)) throw new Error('ridge system is not positive definite');
  solveLower(work.l, count, count, work.b, work.z);
  return solveUpper(work.l, count, count, work.z, work.beta);
}

/** The test-part error of coefficients `beta` on `features`, in y′ units (mse: y′²). */
export function testError(
  level: Level,
  features: Int32Array,
  count: number,
  beta: Float64Array,
  gainFunc: GainFunc,
): number {
  if (gainFunc === 'mae') {
    const { Xt, yt, d } = level;
    if (Xt === null || yt === null) throw new Error('mae needs the level built with its rows');
    let total = 0;
    for (let i = 0; i < level.nTest; i++) {
      const row = i * d;
      let pred = 0;
      for (let j = 0; j < count; j++) pred += beta[j]! * Xt[row + features[j]!]!;
      total += Math.abs(yt[i]! - pred);
    }
    return total / level.nTest;
  }
  const { Tt, tt, d } = level;
  let cross = 0;
  let quad = 0;
  for (let i = 0; i < count; i++) {
    const fi = features[i]! * d;
    const bi = beta[i]!;
    cross += bi * tt[features[i]!]!;
    let row = 0;
    for (let j = 0; j < i; j++) row += Tt[fi + features[j]!]! * beta[j]!;
    quad += bi * (2 * row + Tt[fi + features[i]!]! * bi);
  }
  const mse = Math.max(0, level.yy - 2 * cross + quad) / level.nTest;
  return gainFunc === 'mse' ? mse : Math.sqrt(mse);
}

/** The error of the ridge model on `features` (intercept only when count is 0). */
export function coalitionError(
  level: Level,
  features: Int32Array,
  count: number,
  gainFunc: GainFunc,
  alpha: number,
  work: Scratch,
): number {
  const beta = count > 0 ? fitCoalition(level, features, count, alpha, work) : work.beta;
  return testError(level, features, count, beta, gainFunc);
}

/**
 * The gain in percentage points: 100·max(0, (err_own − err)/(max y − min y)). For mse the
 * difference of squared errors is divided by the squared range, so the gain does not depend on
 * the units (DSBI divides W² by W).
 */
export function gainOf(model: BidModel, errOwn: number, err: number): number {
  const norm = model.gainFunc === 'mse' ? model.range * model.range : model.range;
  if (!(norm > 0)) return 0;
  return 100 * Math.max(0, (errOwn - err) / norm);
}

/** The valid features among the buyer's lags (base) and the sellers, as feature indices. */
export function validFeatures(level: Level, k: number): { base: Int32Array; sellers: Int32Array } {
  const base: number[] = [];
  const sellers: number[] = [];
  for (let f = 0; f < level.d; f++) if (level.valid[f] === 1) (f < k ? base : sellers).push(f);
  return { base: Int32Array.from(base), sellers: Int32Array.from(sellers) };
}

/** Reports an error in y′ units in W (W² for mse). */
export function inWatts(model: BidModel, err: number): number {
  return model.gainFunc === 'mse' ? err * model.yScale * model.yScale : err * model.yScale;
}

/** Buffers for marketError, reused from level to level. */
export interface MarketBuffers {
  train: Float64Array;
  test: Float64Array;
  a: Float64Array;
  l: Float64Array;
  b: Float64Array;
  z: Float64Array;
  beta: Float64Array;
  v: Float64Array;
  features: Int32Array;
}

export function marketBuffers(model: BidModel): MarketBuffers {
  const a = model.k + model.n + 2;
  const d = model.d;
  return {
    train: new Float64Array(a * a),
    test: new Float64Array(a * a),
    a: new Float64Array(d * d),
    l: new Float64Array(d * d),
    b: new Float64Array(d),
    z: new Float64Array(d),
    beta: new Float64Array(d),
    v: new Float64Array(a),
    features: new Int32Array(d),
  };
}

/**
 * The test-part error (y′ units) of the model on all valid features at noise level `ratio`: what a
 * Level gives for the full coalition, without building one (no test products standardised, no
 * allocation): the fitted model's residual sum of squares is vᵀ·M·v over the test rows' augmented
 * Gram matrix M, v = (−intercept, −coefficients, 1).
 */
export function marketError(model: BidModel, ratio: number, alpha: number, buf: MarketBuffers): number {
  const { k, n } = model;
  const a = k + n + 2;
  const yi = a - 1;
  const g = noisyAugmented(model, model.train, ratio, buf.train);
  const rows = g[0]!;
  const ybar = g[yi]! / rows;
  let count = 0;
  const v = buf.v.fill(0);
  // v temporarily holds the features' means, b their deviations.
  for (let f = 0; f < a - 2; f++) {
    const p = f + 1;
    const mean = g[p]! / rows;
    const squares = g[p * a + p]! / rows;
    const variance = squares - mean * mean;
    if (variance > 1e-12 * squares && variance > 0) {
      buf.features[count] = f;
      v[count] = mean;
      buf.b[count] = Math.sqrt(variance);
      count++;
    }
  }
  const means = v.slice(0, count);
  const sds = buf.b.slice(0, count);
  for (let i = 0; i < count; i++) {
    const p = buf.features[i]! + 1;
    for (let j = 0; j <= i; j++) {
      const q = buf.features[j]! + 1;
      buf.a[i * count + j] = (g[p * a + q]! - rows * means[i]! * means[j]!) / (sds[i]! * sds[j]!);
    }
    buf.a[i * count + i] = buf.a[i * count + i]! + alpha;
    buf.b[i] = (g[p * a + yi]! - rows * means[i]! * ybar) / sds[i]!;
  }
  let intercept = ybar;
  v.fill(0);
  if (count > 0) {
    if (!cholesky(buf.a, count, buf.l)) throw new Error('ridge system is not positive definite');
    solveUpper(buf.l, count, count, solveLower(buf.l, count, count, buf.b, buf.z), buf.beta);
    for (let i = 0; i < count; i++) {
      const w = buf.beta[i]! / sds[i]!;
      v[buf.features[i]! + 1] = -w;
      intercept -= means[i]! * w;
    }
  }
  v[0] = -intercept;
  v[yi] = 1;
  if (model.gainFunc === 'mae') {
    const cols = model.testColumns;
    let total = 0;
    for (let t = 0; t < model.nTest; t++) {
      let r = cols[yi]![t]! + v[0]!;
      for (let i = 0; i < count; i++) {
        const f = buf.features[i]!;
        let x = cols[f + 1]![t]!;
        if (f >= k) x += ratio * model.sd[f - k]! * cols[a + f - k]![t]!;
        r += v[f + 1]! * x;
      }
      total += Math.abs(r);
    }
    return total / model.nTest;
  }
  const m = noisyAugmented(model, model.test, ratio, buf.test);
  const mse = Math.max(0, quadratic(m, a, a, v)) / model.nTest;
  return model.gainFunc === 'mse' ? mse : Math.sqrt(mse);
}
