// The slow way, kept as the yardstick: a coalition's model fitted straight from the data (noisy
// columns built row by row, standardised in two passes, normal equations multiplied out and solved
// by Gaussian elimination with partial pivoting, predictions made row by row). The engine never
// calls it; the tests check the Gram-matrix fits against it and the benchmark times both.
import type { BidModel } from './model.ts';

export interface DirectFit {
  beta: Float64Array;
  /** Test-part errors in y′ units. */
  mse: number;
  mae: number;
}

function solveGauss(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]!) > Math.abs(m[pivot * n + col]!)) pivot = r;
    if (pivot !== col) {
      for (let j = 0; j < n; j++) {
        const t = m[col * n + j]!;
        m[col * n + j] = m[pivot * n + j]!;
        m[pivot * n + j] = t;
      }
      const t = x[col]!;
      x[col] = x[pivot]!;
      x[pivot] = t;
    }
    for (let r = col + 1; r < n; r++) {
      const factor = m[r * n + col]! / m[col * n + col]!;
      if (factor === 0) continue;
      for (let j = col; j < n; j++) m[r * n + j] = m[r * n + j]! - factor * m[col * n + j]!;
      x[r] = x[r]! - factor * x[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let sum = x[r]!;
    for (let j = r + 1; j < n; j++) sum -= m[r * n + j]! * x[j]!;
    x[r] = sum / m[r * n + r]!;
  }
  return x;
}

/** Fits ridge on `features` (feature indices: lags then sellers) at noise level `ratio` from the data. */
export function directFit(model: BidModel, ratio: number, features: readonly number[], alpha: number): DirectFit {
  const { k, n, rows, nTrain, nTest, columns } = model;
  const a = k + n + 2;
  const all = rows.length;
  // The sellers' standard deviations over the bid's rows, from the data.
  const noiseScale = (f: number) => {
    if (f < k) return 0;
    const col = columns[f + 1]!;
    let sum = 0;
    for (let i = 0; i < all; i++) sum += col[rows[i]!]!;
    const mean = sum / all;
    let ss = 0;
    for (let i = 0; i < all; i++) ss += (col[rows[i]!]! - mean) ** 2;
    return ratio * Math.sqrt(ss / all);
  };
  const value = (f: number, t: number, scale: number) =>
    columns[f + 1]![t]! + (scale === 0 ? 0 : scale * columns[a + f - k]![t]!);
  const m = features.length;
  const z: Float64Array[] = [];
  const means: number[] = [];
  const sds: number[] = [];
  const scales: number[] = [];
  for (const f of features) {
    const scale = noiseScale(f);
    const x = new Float64Array(nTrain);
    for (let i = 0; i < nTrain; i++) x[i] = value(f, rows[i]!, scale);
    let sum = 0;
    for (const v of x) sum += v;
    const mean = sum / nTrain;
    let ss = 0;
    for (const v of x) ss += (v - mean) ** 2;
    const sd = Math.sqrt(ss / nTrain);
    for (let i = 0; i < nTrain; i++) x[i] = (x[i]! - mean) / sd;
    z.push(x);
    means.push(mean);
    sds.push(sd);
    scales.push(scale);
  }
  const y = columns[a - 1]!;
  let ysum = 0;
  for (let i = 0; i < nTrain; i++) ysum += y[rows[i]!]!;
  const ybar = ysum / nTrain;
  const gram = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < m; q++) {
      let s = 0;
      for (let i = 0; i < nTrain; i++) s += z[p]![i]! * z[q]![i]!;
      gram[p * m + q] = s + (p === q ? alpha : 0);
    }
    let s = 0;
    for (let i = 0; i < nTrain; i++) s += z[p]![i]! * (y[rows[i]!]! - ybar);
    rhs[p] = s;
  }
  const beta = m > 0 ? solveGauss(gram, rhs, m) : new Float64Array(0);
  let squares = 0;
  let absolute = 0;
  for (let i = nTrain; i < nTrain + nTest; i++) {
    const t = rows[i]!;
    let pred = ybar;
    features.forEach((f, j) => {
      pred += (beta[j]! * (value(f, t, scales[j]!) - means[j]!)) / sds[j]!;
    });
    const r = y[t]! - pred;
    squares += r * r;
    absolute += Math.abs(r);
  }
  return { beta, mse: squares / nTest, mae: absolute / nTest };
}
