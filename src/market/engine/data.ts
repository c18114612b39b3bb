// The data path's pure part: holes in an hourly series are filled the way DSBI fills them. (Raw
// values in any units and interval become hourly mean W in the database: market/series.ts.)

/**
 * Fills the NaN holes of an hourly series: a hole of at most 2 h that has a value after it takes
 * that value (back-fill); a longer hole, or one at the end, takes the mean of the observed values.
 * (The rule. DSBI's pandas `bfill(limit=2)` would also back-fill the last 2 h of a longer
 * hole; here a long hole is filled with the mean throughout.) A series with no observed value is
 * returned unchanged.
 */
export function fillGaps(values: Float64Array): { values: Float64Array; backFilled: number; meanFilled: number } {
  const out = Float64Array.from(values);
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  if (count === 0) return { values: out, backFilled: 0, meanFilled: 0 };
  const mean = sum / count;
  let backFilled = 0;
  let meanFilled = 0;
  let i = 0;
  while (i < out.length) {
    if (!Number.isNaN(out[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < out.length && Number.isNaN(out[j]!)) j++;
    const back = j < out.length && j - i <= 2;
    out.fill(back ? out[j]! : mean, i, j);
    if (back) backFilled += j - i;
    else meanFilled += j - i;
    i = j;
  }
  return { values: out, backFilled, meanFilled };
}
