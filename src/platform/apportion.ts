// Integer sharing of whole Wh. Energy is never a float, so "pro rata" means the largest-remainder
// method: everyone gets the floor of their exact share, and the Wh left over go one each to the
// largest remainders, ties to the earlier entry. The result always adds up to the total exactly.

/** Splits `total` Wh in proportion to non-negative integer `weights`; all zero weights get nothing. */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  const out = new Array<number>(weights.length).fill(0);
  if (total === 0 || sum === 0) return out;
  // Exact products need BigInt once they pass 2^53; the plain path covers every realistic interval.
  const exact = Number.isSafeInteger(total * sum);
  const remainders: number[] = new Array(weights.length);
  let given = 0;
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k]!;
    let q: number;
    let r: number;
    if (exact) {
      const p = w * total;
      q = Math.floor(p / sum);
      r = p - q * sum;
    } else {
      const p = BigInt(w) * BigInt(total);
      q = Number(p / BigInt(sum));
      r = Number(p % BigInt(sum)) / sum;
    }
    out[k] = q;
    remainders[k] = r;
    given += q;
  }
  let left = total - given;
  if (left > 0) {
    const order = weights.map((_, k) => k).filter((k) => weights[k]! > 0);
    order.sort((a, b) => remainders[b]! - remainders[a]! || a - b);
    for (let i = 0; left > 0; i++, left--) out[order[i]!]! += 1;
  }
  return out;
}

/**
 * Shares `total` Wh among claimants by `weights`, never giving anyone more than `caps`: what a
 * capped claimant cannot take goes back and is shared again among the others by the same weights
 * ("water-filling"). Returns the allocations; their sum is min(total, the caps of weighted claimants).
 */
export function apportionCapped(total: number, weights: readonly number[], caps: readonly number[]): number[] {
  const out = new Array<number>(weights.length).fill(0);
  let open = weights.map((_, k) => k).filter((k) => weights[k]! > 0 && caps[k]! > 0);
  let left = total;
  while (left > 0 && open.length > 0) {
    const shares = apportion(
      left,
      open.map((k) => weights[k]!),
    );
    const stillOpen: number[] = [];
    open.forEach((k, i) => {
      const room = caps[k]! - out[k]!;
      const take = Math.min(room, shares[i]!);
      out[k]! += take;
      left -= take;
      if (take < room) stillOpen.push(k);
    });
    // Nobody was capped: everything was placed and `left` is 0. Otherwise share again without the capped ones.
    if (stillOpen.length === open.length) break;
    open = stillOpen;
  }
  return out;
}
