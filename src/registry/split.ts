// Pure arithmetic of partial actions, kept apart so property tests can hammer it.

export interface IdRange {
  start: number;
  end: number;
}

/**
 * Splits a range so the acted-on part takes the lowest `take` ids and the remainder keeps the
 * rest: [start, start+take-1] and [start+take, end]. Both parts are non-empty.
 */
export function splitRange(range: IdRange, take: number): { acted: IdRange; remainder: IdRange } {
  const quantity = range.end - range.start + 1;
  if (!Number.isSafeInteger(take) || take < 1 || take >= quantity)
    throw new RangeError(`cannot take ${take} of ${quantity}`);
  return {
    acted: { start: range.start, end: range.start + take - 1 },
    remainder: { start: range.start + take, end: range.end },
  };
}

export interface Portion {
  id: number;
  take: number;
  whole: boolean;
}

/**
 * Which bundles an action takes, and how much of each, when the caller asks for `quantity` Wh
 * out of `bundles` (in the order given): whole bundles first, then the lowest part of the next
 * one; bundles after that are left alone. Without a quantity every bundle is taken whole.
 * Returns undefined when the bundles hold less than `quantity`.
 */
export function planPortions(
  bundles: ReadonlyArray<{ id: number; quantity: number }>,
  quantity?: number,
): Portion[] | undefined {
  if (quantity === undefined) return bundles.map((b) => ({ id: b.id, take: b.quantity, whole: true }));
  const portions: Portion[] = [];
  let left = quantity;
  for (const b of bundles) {
    if (left === 0) break;
    const take = Math.min(left, b.quantity);
    portions.push({ id: b.id, take, whole: take === b.quantity });
    left -= take;
  }
  return left === 0 ? portions : undefined;
}
