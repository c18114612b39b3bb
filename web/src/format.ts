// How the UI writes energy, shares and times: one way on every page.
const number = new Intl.NumberFormat('en', { maximumFractionDigits: 3 });

/** Wh as people read energy: kWh, MWh or GWh past each thousand. */
export function energy(wh: number): string {
  const abs = Math.abs(wh);
  if (abs >= 1e9) return `${number.format(wh / 1e9)} GWh`;
  if (abs >= 1e6) return `${number.format(wh / 1e6)} MWh`;
  if (abs >= 1e3) return `${number.format(wh / 1e3)} kWh`;
  return `${wh} Wh`;
}

/** Exact Wh with thousands separators, for where the exact count matters (confirmations, tables). */
export const exactWh = (wh: number): string => `${wh.toLocaleString('en')} Wh`;

/** A share in [0, 1] as a percentage with one decimal; an em dash when there is none. */
export const percent = (share: number | null | undefined): string =>
  share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)} %`;

/** A UTC instant as the registry keeps it: date and time in UTC, minutes precision. */
export const utc = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
