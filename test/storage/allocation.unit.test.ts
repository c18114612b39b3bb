// The arithmetic of storage under generated inputs: an allocation never takes more charge than a
// piece has, never covers more discharge than wanted or than the charge × efficiency allows, and
// stops short only when the charge is used up; the measured efficiency never exceeds one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measuredEfficiencyPpm, PPM, planAllocation } from '../../src/storage/allocation.ts';

const wh = fc.integer({ min: 1, max: 2 ** 40 });
const ppm = fc.integer({ min: 1, max: PPM });
const pieces = fc.uniqueArray(fc.record({ scrId: fc.nat(), bundleId: fc.nat(), chargeWh: wh }), {
  maxLength: 8,
  selector: (p) => p.bundleId,
});
const floorOf = (a: number, b: number, c: number) => Number((BigInt(a) * BigInt(b)) / BigInt(c));

describe('storage allocation', () => {
  it('covers discharge with charge, losses applied, never counting a Wh twice', () => {
    fc.assert(
      fc.property(wh, ppm, pieces, (wanted, efficiency, available) => {
        const plan = planAllocation(wanted, efficiency, available);
        const covered = plan.reduce((s, p) => s + p.dischargeWh, 0);
        expect(covered).toBeLessThanOrEqual(wanted);
        for (const [k, p] of plan.entries()) {
          const piece = available.find((a) => a.bundleId === p.bundleId)!;
          expect(p.chargeWh).toBeLessThanOrEqual(piece.chargeWh);
          expect(p.dischargeWh).toBeGreaterThan(0);
          // Exact, in integers: discharge × 1,000,000 ≤ charge × efficiency.
          expect(BigInt(p.dischargeWh) * BigInt(PPM)).toBeLessThanOrEqual(BigInt(p.chargeWh) * BigInt(efficiency));
          // The least charge that covers it: one Wh less would not.
          expect(BigInt(p.dischargeWh) * BigInt(PPM)).toBeGreaterThan(BigInt(p.chargeWh - 1) * BigInt(efficiency));
          // In the order given: each piece appears once, after the ones before it.
          expect(available.indexOf(piece)).toBeGreaterThanOrEqual(k);
        }
        // Short only when every piece is used up to what its losses allow.
        const most = available.reduce((s, a) => s + floorOf(a.chargeWh, efficiency, PPM), 0);
        if (covered < wanted) expect(covered).toBe(most);
      }),
      { seed: 20261202 },
    );
  });

  it('measures efficiency as discharge ÷ charge, never above one', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), fc.nat({ max: 2 ** 40 }), (charged, discharged) => {
        const measured = measuredEfficiencyPpm(charged, discharged);
        const exact = charged === 0 ? 0 : floorOf(discharged, PPM, charged);
        expect(measured).toBe(exact === 0 ? undefined : Math.min(PPM, exact));
      }),
      { seed: 20261202 },
    );
    expect(measuredEfficiencyPpm(1400, 700)).toBe(500_000);
    expect(measuredEfficiencyPpm(100, 150)).toBe(PPM);
  });
});
