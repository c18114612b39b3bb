// The little linear algebra the engine needs, on Float64Array: symmetric positive definite
// systems by Cholesky, with an incremental form that grows a factor one variable at a time.
// Matrices are row-major; `stride` is the length of a stored row, so a factor can live in a
// buffer larger than the system it currently holds. Inner products run four accumulators: a
// single running sum waits on each addition before the next.

/** Σ x[xo + i]·y[yo + i] for i < n. */
export function dotAt(x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += x[xo + i]! * y[yo + i]!;
    b += x[xo + i + 1]! * y[yo + i + 1]!;
    c += x[xo + i + 2]! * y[yo + i + 2]!;
    d += x[xo + i + 3]! * y[yo + i + 3]!;
  }
  for (; i < n; i++) a += x[xo + i]! * y[yo + i]!;
  return a + b + (c + d);
}

/**
 * Factors the n×n symmetric positive definite `a` (row-major, stride n) as L·Lᵀ into `l` (stride
 * `stride`, lower triangle written). Returns false if `a` is not positive definite.
 */
export function cholesky(a: Float64Array, n: number, l: Float64Array, stride = n): boolean {
  for (let i = 0; i < n; i++) {
    const li = i * stride;
    for (let j = 0; j < i; j++) {
      const lj = j * stride;
      l[li + j] = (a[i * n + j]! - dotAt(l, li, l, lj, j)) / l[lj + j]!;
    }
    const d = a[i * n + i]! - dotAt(l, li, l, li, i);
    if (!(d > 0)) return false;
    l[li + i] = Math.sqrt(d);
  }
  return true;
}

/**
 * Grows the factor `l` of an s×s matrix to (s+1)×(s+1): `row` holds the new matrix row's first
 * s entries, `diagonal` its last. Writes row s of `l`. Returns false if the grown matrix is not
 * positive definite.
 */
export function appendRow(l: Float64Array, stride: number, s: number, row: Float64Array, diagonal: number): boolean {
  const ls = s * stride;
  for (let i = 0; i < s; i++) {
    const li = i * stride;
    l[ls + i] = (row[i]! - dotAt(l, li, l, ls, i)) / l[li + i]!;
  }
  const d = diagonal - dotAt(l, ls, l, ls, s);
  if (!(d > 0)) return false;
  l[ls + s] = Math.sqrt(d);
  return true;
}

/** Solves L·z = b (forward substitution) for the leading n×n block of `l`. */
export function solveLower(l: Float64Array, stride: number, n: number, b: Float64Array, z: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const li = i * stride;
    z[i] = (b[i]! - dotAt(l, li, z, 0, i)) / l[li + i]!;
  }
  return z;
}

/** Solves Lᵀ·x = z (back substitution) for the leading n×n block of `l`. */
export function solveUpper(l: Float64Array, stride: number, n: number, z: Float64Array, x: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) x[i] = z[i]!;
  for (let i = n - 1; i >= 0; i--) {
    const li = i * stride;
    const xi = x[i]! / l[li + i]!;
    x[i] = xi;
    for (let k = 0; k < i; k++) x[k] = x[k]! - l[li + k]! * xi;
  }
  return x;
}

/** xᵀ·M·x for the leading n×n block of the symmetric `m` (stride `stride`; only its lower triangle is read). */
export function quadratic(m: Float64Array, stride: number, n: number, x: Float64Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const mi = i * stride;
    const xi = x[i]!;
    total += xi * (2 * dotAt(m, mi, x, 0, i) + m[mi + i]! * xi);
  }
  return total;
}
