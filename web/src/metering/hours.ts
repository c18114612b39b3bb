// A device's hours in a period, each with its issuance state, merged from three answers: the
// readings of its points (metered Wh, and which live bundles cover them), the bundles its account
// holds (issued Wh and their ids) and the pending list (why an hour waits).
import { energy } from '../format';
import type { Bundle, PendingHour, PendingReason, Reading } from './types';

const HOUR_MS = 3_600_000;

export type HourKind = 'issued' | 'pending' | 'withdrawn' | 'none';

export interface Hour {
  /** Start of the UTC hour (ISO). */
  start: string;
  /** Wh the readings of the hour sum to, over every point; null when no reading is in view. */
  metered: number | null;
  /** Wh of the live (not withdrawn) bundles of the hour the device's account holds. */
  issuedWh: number;
  /** Live bundles of the hour, ascending: the account's, and those the readings name (held elsewhere too). */
  bundleIds: number[];
  /** Whether some of those bundles are held by other accounts (transferred), so not counted in issuedWh. */
  elsewhere: boolean;
  /** Withdrawn bundles of the hour, when nothing live replaced them. */
  withdrawnIds: number[];
  kind: HourKind;
  /** Why a pending hour waits. */
  reason?: PendingReason;
}

const hourOf = (iso: string) => new Date(Math.floor(Date.parse(iso) / HOUR_MS) * HOUR_MS).toISOString();

interface Sources {
  readings: Reading[];
  bundles: Bundle[];
  pending: PendingHour[];
  /** The period, [from, to) as ISO instants: pending hours outside it are left out. */
  from: string;
  to: string;
}

/** The hours any source knows of in the period, oldest first. */
export function mergeHours({ readings, bundles, pending, from, to }: Sources): Hour[] {
  const hours = new Map<string, Hour & { held: Set<number> }>();
  const at = (iso: string) => {
    const start = hourOf(iso);
    let hour = hours.get(start);
    if (!hour) {
      hour = {
        start,
        metered: null,
        issuedWh: 0,
        bundleIds: [],
        elsewhere: false,
        withdrawnIds: [],
        kind: 'none',
        held: new Set(),
      };
      hours.set(start, hour);
    }
    return hour;
  };
  for (const r of readings) {
    const hour = at(r.interval_start_datetime);
    hour.metered = (hour.metered ?? 0) + r.interval_usage;
    hour.bundleIds.push(...r.bundle_ids);
  }
  for (const b of bundles) {
    const hour = at(b.production_starting_interval);
    if (b.certificate_bundle_status === 'withdrawn') {
      hour.withdrawnIds.push(b.id);
      continue;
    }
    hour.issuedWh += b.bundle_quantity;
    hour.held.add(b.id);
    hour.bundleIds.push(b.id);
  }
  const [fromMs, toMs] = [Date.parse(from), Date.parse(to)];
  for (const p of pending) {
    const startMs = Date.parse(p.production_starting_interval);
    if (startMs < fromMs || startMs >= toMs) continue;
    const hour = at(p.production_starting_interval);
    hour.reason = p.reason;
  }
  return [...hours.values()]
    .sort((a, b) => a.start.localeCompare(b.start))
    .map(({ held, reason, withdrawnIds, ...hour }) => {
      const bundleIds = [...new Set(hour.bundleIds)].sort((a, b) => a - b);
      const kind: HourKind =
        bundleIds.length > 0 ? 'issued' : reason ? 'pending' : withdrawnIds.length > 0 ? 'withdrawn' : 'none';
      return {
        ...hour,
        bundleIds,
        elsewhere: bundleIds.some((id) => !held.has(id)),
        withdrawnIds: kind === 'withdrawn' ? withdrawnIds.sort((a, b) => a - b) : [],
        kind,
        ...(kind === 'pending' ? { reason } : {}),
      };
    });
}

/**
 * The chart's points: every hour of [from, to) (the chart closes the last hour at its end). Drawn
 * values are 0 where nothing is known, so that a step drops there instead of spanning the gap;
 * the legend shows those as unknown (null).
 */
export function chartData(hours: Hour[], from: string, to: string) {
  const byStart = new Map(hours.map((h) => [Date.parse(h.start), h]));
  const times: number[] = [];
  const metered: (number | null)[] = [];
  const issued: (number | null)[] = [];
  for (let t = Date.parse(from); t < Date.parse(to); t += HOUR_MS) {
    const h = byStart.get(t);
    times.push(t / 1000);
    metered.push(h?.metered ?? null);
    issued.push(h === undefined ? null : h.kind === 'issued' ? h.issuedWh : h.metered === null ? null : 0);
  }
  const drawn = (values: (number | null)[]) => values.map((v) => v ?? 0);
  return {
    times,
    metered: { drawn: drawn(metered), shown: metered },
    issued: { drawn: drawn(issued), shown: issued },
  };
}

const hoursWord = (n: number) => `${n} hour${n === 1 ? '' : 's'}`;

/** The hours in words, for those who cannot see the chart and as the table's heading. */
export function hoursSummary(hours: Hour[]): string {
  if (hours.length === 0) return 'No readings or certificates in this period.';
  const metered = hours.filter((h) => h.metered !== null);
  const issued = hours.filter((h) => h.kind === 'issued');
  const pending = hours.filter((h) => h.kind === 'pending');
  const sum = (hs: Hour[], wh: (h: Hour) => number) => hs.reduce((s, h) => s + wh(h), 0);
  return (
    `${hoursWord(metered.length)} metered, ${energy(sum(metered, (h) => h.metered ?? 0))} in all; ` +
    `${energy(sum(issued, (h) => h.issuedWh))} issued in ${hoursWord(issued.length)}; ` +
    `${hoursWord(pending.length)} pending.`
  );
}
