// The arithmetic of storage, pure so property tests can hammer it: the round-trip efficiency
// measured over a period, and how a discharge is covered by the charge available, losses applied.
// Efficiency is kept as integer parts per million and the Wh as integers, so every comparison is
// exact: discharge_wh × 1,000,000 ≤ charge_wh × efficiency_ppm holds without rounding doubt.

export const PPM = 1_000_000;

/**
 * Discharge ÷ charge over a period, in parts per million, rounded down and never above one; undefined
 * when nothing was charged or so little was discharged that not one ppm remains.
 */
export function measuredEfficiencyPpm(chargedWh: number, dischargedWh: number): number | undefined {
  if (chargedWh <= 0 || dischargedWh <= 0) return undefined;
  const ppm = Math.min(PPM, Number((BigInt(dischargedWh) * BigInt(PPM)) / BigInt(chargedWh)));
  return ppm > 0 ? ppm : undefined;
}

/** Charge still free to allocate: the Wh of one backing bundle of a charge record not yet allocated. */
export interface AvailableCharge {
  scrId: number;
  bundleId: number;
  chargeWh: number;
}

export interface PlannedAllocation extends AvailableCharge {
  dischargeWh: number;
}

/**
 * Covers up to `wantedWh` of discharge from the available charge, taken in the order given (the
 * discharge record's FIFO or LIFO): each piece of charge covers at most its Wh × efficiency of
 * discharge (rounded down), and uses the least charge that covers it (rounded up). Stops when the
 * discharge is covered or the charge is used up; never takes more of a piece than it has.
 */
export function planAllocation(
  wantedWh: number,
  efficiencyPpm: number,
  available: AvailableCharge[],
): PlannedAllocation[] {
  const ppm = BigInt(efficiencyPpm);
  const million = BigInt(PPM);
  let left = BigInt(wantedWh);
  const planned: PlannedAllocation[] = [];
  for (const a of available) {
    if (left === 0n) break;
    const most = (BigInt(a.chargeWh) * ppm) / million;
    const cover = most < left ? most : left;
    if (cover === 0n) continue;
    const charge = (cover * million + ppm - 1n) / ppm;
    planned.push({ scrId: a.scrId, bundleId: a.bundleId, chargeWh: Number(charge), dischargeWh: Number(cover) });
    left -= cover;
  }
  return planned;
}
