// The buyer's forecast for the hours after the history window: q50 from the market model it was
// served (its own lags and the sellers' data at its noise level), fitted on all its rows; q10 and
// q90 add the 10th and 90th percentiles of the out-of-sample residuals of the model fitted on the
// train part, over the test part (never crossing q50). Scored later against the measurements
// that arrive.
import { cholesky, solveLower, solveUpper } from './linalg.ts';
import { type BidModel, type Level, noisyAugmented, standardise, validFeatures } from './model.ts';
import type { HourForecast } from './types.ts';

const HOUR_MS = 3_600_000;

/** The p-quantile of `values` (linear interpolation between order statistics, R's type 7). */
export function quantile(values: Float64Array, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Ridge coefficients on all `features` of a standardised system. */
function ridge(A: Float64Array, c: Float64Array, d: number, features: Int32Array, alpha: number): Float64Array {
  const m = features.length;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) a[i * m + j] = A[features[i]! * d + features[j]!]! + (i === j ? alpha : 0);
    b[i] = c[features[i]!]!;
  }
  const l = new Float64Array(m * m);
  if (m > 0 && !cholesky(a, m, l)) throw new Error('ridge system is not positive definite');
  return solveUpper(l, m, m, solveLower(l, m, m, b, new Float64Array(m)), new Float64Array(m));
}

/**
 * The test-part residuals (W) of the model on all valid features fitted on the train part, at
 * the served level (built with its rows).
 */
export function residuals(model: BidModel, level: Level, alpha: number): Float64Array {
  const { Xt, yt, d } = level;
  if (Xt === null || yt === null) throw new Error('residuals need the level built with its rows');
  const { base, sellers } = validFeatures(level, model.k);
  const features = Int32Array.from([...base, ...sellers]);
  const beta = ridge(level.A, level.c, d, features, alpha);
  const out = new Float64Array(level.nTest);
  for (let t = 0; t < level.nTest; t++) {
    let pred = 0;
    for (let j = 0; j < features.length; j++) pred += beta[j]! * Xt[t * d + features[j]!]!;
    out[t] = (yt[t]! - pred) * model.yScale;
  }
  return out;
}

/** The forecast for the `horizon` hours after the window, which ends at `end`. */
export function forecast(
  model: BidModel,
  level: Level,
  alpha: number,
  hours: number,
  horizon: number,
  end: Date,
): HourForecast[] {
  const { k, n, d } = model;
  const a = k + n + 2;
  const all = model.train.map((v, i) => v + model.test[i]!);
  const g = noisyAugmented(model, all, level.ratio);
  const { mean, sd, valid, ybar, A, c } = standardise(g, a);
  const features: number[] = [];
  for (let f = 0; f < d; f++) if (valid[f] === 1) features.push(f);
  const beta = ridge(A, c, d, Int32Array.from(features), alpha);
  const res = residuals(model, level, alpha);
  // Quantiles must not cross: a residual quantile on the wrong side of 0 counts as 0.
  const low = Math.min(0, quantile(res, 0.1));
  const high = Math.max(0, quantile(res, 0.9));
  const out: HourForecast[] = [];
  for (let i = 0; i < horizon; i++) {
    const t = hours + i;
    let pred = ybar;
    features.forEach((f, j) => {
      let x = model.columns[f + 1]![t]!;
      if (f >= k) x += level.ratio * model.sd[f - k]! * model.columns[a + f - k]![t]!;
      pred += (beta[j]! * (x - mean[f]!)) / sd[f]!;
    });
    const q50 = pred * model.yScale + model.yShift;
    out.push({ datetime: new Date(end.getTime() + i * HOUR_MS), q10: q50 + low, q50, q90: q50 + high });
  }
  return out;
}

/**
 * Scores forecasts against the measurements that arrived (matched by hour; hours without a
 * measurement are left out): RMSE of q50 and the pinball (quantile) loss of q10 and q90, in W.
 */
export function scoreForecasts(
  forecasts: ReadonlyArray<Pick<HourForecast, 'datetime' | 'q10' | 'q50' | 'q90'>>,
  actuals: ReadonlyArray<{ datetime: Date; value: number }>,
): { rmse: number; pinball10: number; pinball90: number; hours: number } {
  const measured = new Map<number, number>();
  for (const a of actuals) if (Number.isFinite(a.value)) measured.set(a.datetime.getTime(), a.value);
  let hours = 0;
  let squares = 0;
  let p10 = 0;
  let p90 = 0;
  const pinball = (y: number, q: number, tau: number) => Math.max(tau * (y - q), (tau - 1) * (y - q));
  for (const f of forecasts) {
    const y = measured.get(f.datetime.getTime());
    if (y === undefined) continue;
    hours++;
    squares += (y - f.q50) ** 2;
    p10 += pinball(y, f.q10, 0.1);
    p90 += pinball(y, f.q90, 0.9);
  }
  if (hours === 0) return { rmse: Number.NaN, pinball10: Number.NaN, pinball90: Number.NaN, hours };
  return { rmse: Math.sqrt(squares / hours), pinball10: p10 / hours, pinball90: p90 / hours, hours };
}
