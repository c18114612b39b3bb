// Synthetic meter profiles for the demo world (seed.ts) and its energy community (community.ts):
// one random source, one solar model, one wind model and one household load, each a function of
// time on a 15-minute grid. A quarter hour's value never depends on the window metered, so a
// reading sent again by a later seed is the same reading, and a coarser meter sums its quarters.

export const QUARTER_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

/** A uniform number in [0, 1) determined by (seed, n): a counter-based PRNG (murmur3's finaliser). */
function unit(seed: number, n: number): number {
  let x = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ n;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/** Where a plant stands, in degrees (WGS 84). */
export interface Site {
  latitude: number;
  longitude: number;
}

/** Sine of the sun's elevation over `site` at instant `t`. */
function sunSine(site: Site, t: number): number {
  const rad = Math.PI / 180;
  const d = new Date(t);
  const dayOfYear = (t - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS;
  const declination = -23.44 * rad * Math.cos((2 * Math.PI * (dayOfYear + 10)) / 365);
  const solarHours = d.getUTCHours() + d.getUTCMinutes() / 60 + site.longitude / 15;
  const hourAngle = (solarHours - 12) * 15 * rad;
  return (
    Math.sin(site.latitude * rad) * Math.sin(declination) +
    Math.cos(site.latitude * rad) * Math.cos(declination) * Math.cos(hourAngle)
  );
}

/** A solar plant: its random stream, its site and its peak power (W). */
export interface SolarPlant extends Site {
  seed: number;
  peakW: number;
}

/**
 * Wh of the quarter hour from `t`: the sun's bell at mid-quarter, dimmed by the day's cloudiness
 * and by passing clouds. Never more than 82 % of peak power.
 */
export function solarWh(plant: SolarPlant, t: number): number {
  const sun = sunSine(plant, t + QUARTER_MS / 2);
  if (sun <= 0) return 0;
  const q = t / QUARTER_MS;
  const cloudiness = unit(plant.seed, Math.floor(t / DAY_MS)) ** 2; // mostly sunny days, some overcast ones
  const passing =
    unit(plant.seed + 7, Math.floor(q / 2)) < cloudiness
      ? 0.25 + 0.45 * unit(plant.seed + 8, q)
      : 0.95 + 0.05 * unit(plant.seed + 8, q);
  return Math.round((plant.peakW * 0.82 * sun ** 1.15 * (1 - 0.4 * cloudiness) * passing) / 4);
}

/** A wind turbine (or a farm of them): its random stream, its rated power (W) and its site's Weibull scale (m/s). */
export interface WindTurbine {
  seed: number;
  ratedW: number;
  windScale: number;
}

/**
 * Wh of the quarter hour from `t`: Weibull wind (shape 2) eased between three-hourly knots, gusty
 * within, through a cubic power curve from cut-in (3 m/s) to rated speed (11 m/s), cut out above
 * 25 m/s. Never more than 95 % of rated power.
 */
export function windWh(turbine: WindTurbine, t: number): number {
  const q = t / QUARTER_MS;
  const knot = (k: number) => turbine.windScale * Math.sqrt(-Math.log(1 - unit(turbine.seed, k)));
  const k = Math.floor(q / 12);
  const ease = (1 - Math.cos((Math.PI * (q % 12)) / 12)) / 2;
  const v = (knot(k) * (1 - ease) + knot(k + 1) * ease) * (0.85 + 0.3 * unit(turbine.seed + 1, q));
  const share = v < 3 || v > 25 ? 0 : Math.min(1, ((v - 3) / 8) ** 3);
  return Math.round((turbine.ratedW * 0.95 * share) / 4);
}

/** A home's use (W): a base load and a morning and an evening peak. */
export interface Home {
  base: number;
  morning: number;
  evening: number;
}

/** Local clock of a quarter hour: hours since local midnight and whether it is a weekend. */
export interface Clock {
  hour: number;
  weekend: boolean;
}

const bump = (h: number, centre: number, width: number) => Math.exp(-(((h - centre) / width) ** 2) / 2);

/**
 * Wh a home uses in the quarter hour from `t`: its peaks (the morning's later at weekends), noise
 * and the odd kettle or oven.
 */
export function homeWh(seed: number, home: Home, t: number, clock: Clock): number {
  const q = t / QUARTER_MS;
  const morningAt = clock.weekend ? 9.5 : 7.75;
  const w =
    home.base +
    home.morning * bump(clock.hour, morningAt, 1) +
    home.evening * bump(clock.hour, 20.25, 1.6) +
    (clock.hour > 11 && clock.hour < 15 ? home.base * 0.5 : 0);
  const noise = 0.75 + 0.5 * unit(seed, q);
  const spike = unit(seed + 1, q) < 0.03 ? 1_500 : 0;
  return Math.round((w * noise + spike) / 4);
}
