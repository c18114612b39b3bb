// Property-based tests of the split arithmetic on its own: the acted part takes the lowest ids, and
// no id is lost, duplicated or overlapped.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planPortions, splitRange } from '../../src/registry/split.ts';

describe('split arithmetic', () => {
  it('splitRange gives the lowest ids to the acted part and loses, duplicates or overlaps none', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 50 }),
        fc.integer({ min: 2, max: 10 ** 9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (start, quantity, f) => {
          const take = 1 + Math.floor(f * (quantity - 2));
          const end = start + quantity - 1;
          const { acted, remainder } = splitRange({ start, end }, take);
          expect(acted.start).toBe(start);
          expect(acted.end - acted.start + 1).toBe(take);
          expect(remainder.start).toBe(acted.end + 1);
          expect(remainder.end).toBe(end);
        },
      ),
    );
  });

  it('splitRange refuses takes that would leave an empty part', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -5, max: 2000 }), (quantity, take) => {
        fc.pre(take < 1 || take >= quantity);
        expect(() => splitRange({ start: 1, end: quantity }, take)).toThrow(RangeError);
      }),
    );
  });

  it('planPortions takes exactly the quantity: whole bundles in order, then at most one partial', () => {
    const bundles = fc
      .uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 20 })
      .chain((ids) =>
        fc.tuple(
          fc.constant(ids),
          fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: ids.length, maxLength: ids.length }),
        ),
      );
    fc.assert(
      fc.property(bundles, fc.integer({ min: 1, max: 25_000 }), ([ids, qty], quantity) => {
        const list = ids.map((id, k) => ({ id, quantity: qty[k]! }));
        const total = qty.reduce((a, b) => a + b, 0);
        const plan = planPortions(list, quantity);
        if (quantity > total) {
          expect(plan).toBeUndefined();
          return;
        }
        expect(plan!.reduce((s, p) => s + p.take, 0)).toBe(quantity);
        plan!.forEach((p, k) => {
          expect(p.id).toBe(list[k]!.id);
          expect(p.whole).toBe(p.take === list[k]!.quantity);
          if (k < plan!.length - 1) expect(p.whole).toBe(true);
        });
      }),
    );
  });
});
