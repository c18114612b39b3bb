// How the UI writes energy, shares and times: one way on every page.
const number = new Intl.NumberFormat('en', { maximumFractionDigits: 3 });

/** A value in `unit` with the prefix people read: k, M or G past each thousand. */
function prefixed(value: number, unit: string): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${number.format(value / 1e9)} G${unit}`;
  if (abs >= 1e6) return `${number.format(value / 1e6)} M${unit}`;
  if (abs >= 1e3) return `${number.format(value / 1e3)} k${unit}`;
  // Rounded like the prefixed ones: a forecast's 812.3456789 W reads 812.346 W.
  return `${number.format(value)} ${unit}`;
}

/** Wh as people read energy: kWh, MWh or GWh past each thousand. */
export const energy = (wh: number): string => prefixed(wh, 'Wh');

/** W as people read power (a device's capacity): kW, MW or GW past each thousand. */
export const power = (w: number): string => prefixed(w, 'W');

/** Exact Wh with thousands separators, for where the exact count matters (confirmations, tables). */
export const exactWh = (wh: number): string => `${wh.toLocaleString('en')} Wh`;

/** A share in [0, 1] as a percentage with one decimal; an em dash when there is none. */
export const percent = (share: number | null | undefined): string =>
  share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)} %`;

/** A UTC instant as the registry keeps it: date and time in UTC, minutes precision. */
export const utc = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** A production interval in UTC: the end's time only when it falls on the start's day. */
export function utcInterval(start: string, end: string): string {
  const to = end.slice(0, 10) === start.slice(0, 10) ? end.slice(11, 16) : `${end.slice(0, 10)} ${end.slice(11, 16)}`;
  return `${start.slice(0, 10)} ${start.slice(11, 16)}–${to} UTC`;
}

/** Ids in ascending order, runs of three or more written as a range: `1–3, 5, 8, 9`. */
export function idList(ids: readonly number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * An amount of a token in its base units, as the API writes it (a decimal string, since an ERC-20
 * amount passes 2^53), with thousands separators; exact, never through a float.
 */
export const baseUnits = (amount: string): string => BigInt(amount).toLocaleString('en');

/** An amount of money in a currency (ISO 4217), to the cent or finer when the amount is finer. */
export const money = (amount: number, currency: string): string =>
  new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 4 }).format(amount);
