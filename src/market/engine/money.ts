// Money is whole token base units (bigint). Shares are split by the largest-remainder rule of
// src/platform/apportion.ts, here on bigints: everyone gets the floor of their exact share and
// the units left over go one each to the largest remainders, ties to the earlier entry, so the
// parts add up to the whole exactly.

/** Splits `total` in proportion to non-negative integer `weights`; all-zero weights get nothing. */
export function apportionBig(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, w) => a + w, 0n);
  const out = weights.map(() => 0n);
  if (total <= 0n || sum === 0n) return out;
  const remainders = weights.map(() => 0n);
  let given = 0n;
  weights.forEach((w, k) => {
    const p = w * total;
    out[k] = p / sum;
    remainders[k] = p % sum;
    given += out[k]!;
  });
  let left = total - given;
  const order = weights.map((_, k) => k).filter((k) => weights[k]! > 0n);
  order.sort((a, b) => (remainders[b]! > remainders[a]! ? 1 : remainders[b]! < remainders[a]! ? -1 : a - b));
  for (let i = 0; left > 0n; i++, left--) out[order[i]!]! += 1n;
  return out;
}

/** Weights for apportionBig from non-negative real shares (resolution 10⁻¹² of the total). */
export function shareWeights(shares: readonly number[]): bigint[] {
  return shares.map((s) => (s > 0 && Number.isFinite(s) ? BigInt(Math.round(s * 1e12)) : 0n));
}

/** The market's fee on a payment: `basisPoints` of it, rounded down. */
export function feeOf(payment: bigint, basisPoints: number): bigint {
  return (payment * BigInt(basisPoints)) / 10_000n;
}
