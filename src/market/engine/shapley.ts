// Shapley values of the sellers' features for one bid, at the noise level the bid was served.
// A coalition's value is the gain of the model with its features and the buyer's own lags; every
// coalition is solved from sub-blocks of the one Gram matrix of the level (model.ts), never by
// reading the data again.
//
// Exact: all 2ⁿ coalitions, φ_m = Σ_S |S|!(n−|S|−1)!/n! · (v(S ∪ {m}) − v(S)).
// Sampled (more sellers): random permutations in antithetic pairs (a permutation and its
// reverse); along a permutation the Cholesky factor grows one seller at a time, so the whole
// permutation costs about as much as one fit of all features. Sampling stops when every seller's
// standard error is below the target fraction of the total gain (or at the permutation cap).
// In both, the values add up to v(all) − v(none) = the bid's gain (efficiency): the marginal
// contributions are taken as they are, not clipped at 0 as DSBI does.
import { coalitionError, gainOf, type BidModel, type Level, scratch, validFeatures } from './model.ts';
import { appendRow, cholesky, dotAt, quadratic, solveLower, solveUpper } from './linalg.ts';
import { shuffle } from './random.ts';

export interface ShapleyResult {
  /** One value per seller of the model (0 for sellers without variance). */
  values: Float64Array;
  method: 'exact' | 'sampled';
  /** Largest standard error / total gain (0 when exact). */
  standardError: number;
  permutations: number;
}

/** The value function: the gain of the model on the base features plus `features[0…count)`. */
function valueFunction(model: BidModel, level: Level, alpha: number, errOwn: number) {
  const work = scratch(level.d);
  return (features: Int32Array, count: number) =>
    gainOf(model, errOwn, coalitionError(level, features, count, model.gainFunc, alpha, work));
}

export function exactShapley(model: BidModel, level: Level, alpha: number, errOwn: number): ShapleyResult {
  const { base, sellers } = validFeatures(level, model.k);
  const n = sellers.length;
  const values = new Float64Array(model.n);
  const value = valueFunction(model, level, alpha, errOwn);
  const v = new Float64Array(1 << n);
  const features = new Int32Array(base.length + n);
  features.set(base);
  for (let mask = 0; mask < 1 << n; mask++) {
    let count = base.length;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) features[count++] = sellers[i]!;
    v[mask] = value(features, count);
  }
  // weight[s] = s!(n−s−1)!/n!
  const weight = new Float64Array(Math.max(n, 1));
  for (let s = 0; s < n; s++) {
    let w = 1 / n;
    for (let i = 1; i <= s; i++) w *= i / (n - i);
    weight[s] = w;
  }
  const size = new Uint8Array(1 << n);
  for (let mask = 1; mask < 1 << n; mask++) size[mask] = size[mask >> 1]! + (mask & 1);
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    let phi = 0;
    for (let mask = 0; mask < 1 << n; mask++) {
      if (mask & bit) continue;
      phi += weight[size[mask]!]! * (v[mask | bit]! - v[mask]!);
    }
    values[sellers[i]! - model.k] = phi;
  }
  return { values, method: 'exact', standardError: 0, permutations: 0 };
}

export interface SamplingOptions {
  target: number;
  maxPermutations: number;
  uniform: () => number;
  /** The gain of all features (the sum the values add up to). */
  total: number;
}

/** Antithetic pairs sampled before the standard error is trusted. */
const MIN_PAIRS = 16;

export function sampledShapley(
  model: BidModel,
  level: Level,
  alpha: number,
  errOwn: number,
  options: SamplingOptions,
): ShapleyResult {
  const { base, sellers } = validFeatures(level, model.k);
  const n = sellers.length;
  const k = base.length;
  const d = k + n;
  const { A, c, Tt, tt, Xt, yt } = level;
  const D = level.d;
  const mae = model.gainFunc === 'mae';
  // Factor of the base block, shared by every permutation.
  const L = new Float64Array(d * d);
  const order = new Int32Array(d);
  order.set(base);
  const baseA = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) baseA[i * k + j] = A[base[i]! * D + base[j]!]! + (i === j ? alpha : 0);
  }
  const baseL = new Float64Array(k * k);
  if (k > 0 && !cholesky(baseA, k, baseL)) throw new Error('ridge system is not positive definite');
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) L[i * d + j] = baseL[i * k + j]!;
  const cp = new Float64Array(d);
  const z = new Float64Array(d);
  for (let i = 0; i < k; i++) cp[i] = c[base[i]!]!;
  solveLower(L, d, k, cp, z);
  const Ttp = new Float64Array(d * d);
  const ttp = new Float64Array(d);
  for (let i = 0; i < k; i++) {
    ttp[i] = tt[base[i]!]!;
    for (let j = 0; j <= i; j++) Ttp[i * d + j] = Tt[base[i]! * D + base[j]!]!;
  }
  const nTest = level.nTest;
  const Xtp = mae ? new Float64Array(nTest * d) : null;
  if (Xtp !== null && Xt !== null) {
    for (let t = 0; t < nTest; t++) for (let i = 0; i < k; i++) Xtp[t * d + i] = Xt[t * D + base[i]!]!;
  }
  const row = new Float64Array(d);
  const beta = new Float64Array(d);

  /** Runs one permutation of the sellers (positions into `sellers`), adding each one's marginal to `out`. */
  const run = (perm: Int32Array, out: Float64Array) => {
    let previous = 0; // v(base) = 0: the market model without sellers is the buyer's own
    for (let s = k; s < d; s++) {
      const who = perm[s - k]!;
      const f = sellers[who]!;
      order[s] = f;
      const fRow = f * D;
      for (let j = 0; j < s; j++) row[j] = A[fRow + order[j]!]!;
      if (!appendRow(L, d, s, row, A[fRow + f]! + alpha)) throw new Error('ridge system is not positive definite');
      const ls = s * d;
      z[s] = (c[f]! - dotAt(L, ls, z, 0, s)) / L[ls + s]!;
      solveUpper(L, d, s + 1, z, beta);
      let err: number;
      if (Xtp !== null && Xt !== null && yt !== null) {
        for (let t = 0; t < nTest; t++) Xtp[t * d + s] = Xt[t * D + f]!;
        let total = 0;
        for (let t = 0; t < nTest; t++) {
          const r = t * d;
          total += Math.abs(yt[t]! - dotAt(beta, 0, Xtp, r, s + 1));
        }
        err = total / nTest;
      } else {
        ttp[s] = tt[f]!;
        for (let j = 0; j <= s; j++) Ttp[ls + j] = Tt[fRow + order[j]!]!;
        const cross = dotAt(beta, 0, ttp, 0, s + 1);
        const mse = Math.max(0, level.yy - 2 * cross + quadratic(Ttp, d, s + 1, beta)) / nTest;
        err = model.gainFunc === 'mse' ? mse : Math.sqrt(mse);
      }
      const v = gainOf(model, errOwn, err);
      out[who] = out[who]! + (v - previous);
      previous = v;
    }
  };

  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const mean = new Float64Array(n);
  const m2 = new Float64Array(n);
  const forward = new Float64Array(n);
  const backward = new Float64Array(n);
  let pairs = 0;
  let standardError = Number.POSITIVE_INFINITY;
  const scale = Math.abs(options.total) > 0 ? Math.abs(options.total) : 1;
  while (n > 0) {
    shuffle(perm, options.uniform);
    forward.fill(0);
    run(perm, forward);
    perm.reverse();
    backward.fill(0);
    run(perm, backward);
    pairs++;
    for (let i = 0; i < n; i++) {
      const x = (forward[i]! + backward[i]!) / 2;
      const delta = x - mean[i]!;
      mean[i] = mean[i]! + delta / pairs;
      m2[i] = m2[i]! + delta * (x - mean[i]!);
    }
    if (pairs >= MIN_PAIRS || 2 * pairs >= options.maxPermutations) {
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.sqrt(m2[i]! / (pairs - 1) / pairs));
      standardError = pairs > 1 ? worst / scale : Number.POSITIVE_INFINITY;
      if (standardError < options.target || 2 * (pairs + 1) > options.maxPermutations) break;
    }
  }
  const values = new Float64Array(model.n);
  for (let i = 0; i < n; i++) values[sellers[i]! - model.k] = mean[i]!;
  return { values, method: 'sampled', standardError: n > 0 ? standardError : 0, permutations: 2 * pairs };
}

/**
 * The redundancy penalty and normalisation: φ′_m = max(0, φ_m)·exp(−λ·Σ_{k≠m} |corr(X_m, X_k)|),
 * the correlation of the sellers' standardised (noisy, train) features, i.e. the cosine similarity
 * of the centred features the model sees (DSBI takes |cosine| of the uncentred columns, which for
 * power series, all positive, is high for any two). Shares are φ′ normalised to 1, all 0 when no
 * seller has a positive value. Computed in logarithms, so a large penalty cannot underflow them all.
 */
export function penalise(
  model: BidModel,
  level: Level,
  values: Float64Array,
  lambda: number,
): { penalised: Float64Array; shares: Float64Array } {
  const { k, n } = model;
  const D = level.d;
  const penalty = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (level.valid[k + i] !== 1) continue;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      if (j === i || level.valid[k + j] !== 1) continue;
      sum += Math.min(1, Math.abs(level.A[(k + i) * D + k + j]! / level.nTrain));
    }
    penalty[i] = lambda * sum;
  }
  const logs = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  let top = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (values[i]! > 0) {
      logs[i] = Math.log(values[i]!) - penalty[i]!;
      top = Math.max(top, logs[i]!);
    }
  }
  const penalised = new Float64Array(n);
  const shares = new Float64Array(n);
  if (top === Number.NEGATIVE_INFINITY) return { penalised, shares };
  let sum = 0;
  for (let i = 0; i < n; i++) {
    penalised[i] = values[i]! > 0 ? values[i]! * Math.exp(-penalty[i]!) : 0;
    shares[i] = Math.exp(logs[i]! - top);
    sum += shares[i]!;
  }
  for (let i = 0; i < n; i++) shares[i] = shares[i]! / sum;
  return { penalised, shares };
}
