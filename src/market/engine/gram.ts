// Gram matrices over sets of rows. Columns are Float64Arrays over the session's hours; a row set
// is an ascending list of hours. Everything the models need is a dot product of two columns.
/** Copies of `columns` restricted to `rows`, each contiguous. */
export function gather(columns: readonly Float64Array[], rows: Int32Array): Float64Array[] {
  return columns.map((col) => {
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]!]!;
    return out;
  });
}

/** Rows per block of symmetricGram: a block of every column stays in the processor's cache. */
const BLOCK = 256;

/**
 * The full symmetric Gram matrix (w×w, row-major) of `columns` over their first n entries,
 * accumulated block of rows by block of rows so the columns are read from cache, not memory.
 */
export function symmetricGram(columns: readonly Float64Array[], n: number): Float64Array {
  const w = columns.length;
  const out = new Float64Array(w * w);
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    for (let i = 0; i < w; i++) {
      const ci = columns[i]!;
      const row = i * w;
      for (let j = 0; j <= i; j++) out[row + j] = out[row + j]! + dotRange(ci, columns[j]!, start, end);
    }
  }
  for (let i = 0; i < w; i++) for (let j = 0; j < i; j++) out[j * w + i] = out[i * w + j]!;
  return out;
}

/** x·y over entries [start, end), four accumulators. */
export function dotRange(x: Float64Array, y: Float64Array, start: number, end: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    a += x[i]! * y[i]!;
    b += x[i + 1]! * y[i + 1]!;
    c += x[i + 2]! * y[i + 2]!;
    d += x[i + 3]! * y[i + 3]!;
  }
  for (; i < end; i++) a += x[i]! * y[i]!;
  return a + b + (c + d);
}

/** A column of n ones. */
export function ones(n: number): Float64Array {
  return new Float64Array(n).fill(1);
}

/** Mean and population standard deviation of the non-NaN entries of `values` (0 and 0 when there are none). */
export function moments(values: Float64Array): { mean: number; sd: number; count: number } {
  let count = 0;
  let sum = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      count++;
      sum += v;
    }
  }
  if (count === 0) return { mean: 0, sd: 0, count };
  const mean = sum / count;
  let ss = 0;
  for (const v of values) if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
  return { mean, sd: Math.sqrt(ss / count), count };
}
