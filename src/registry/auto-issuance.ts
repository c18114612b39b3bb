// Automatic issuance: every complete metered hour of a device with auto-issue on becomes one
// bundle of floor(Wh) certificates, once. Running it twice, or on two instances at once, issues
// nothing twice: the job runs under an advisory-lock leader, each device's row is locked, and
// the registry's never-twice rule stands behind both. Each device is one unit of work: one that
// fails is rolled back, reported and skipped, and the others go on.
import type { Db } from '../platform/database.ts';
import { runAsLeader, type Job } from '../platform/jobs.ts';
import { eachUnit, type UnitFailure } from '../platform/units.ts';
import { checkPeriod, EARLIEST_YEAR, LATEST_YEAR } from '../platform/period.ts';
import type { Principal } from '../platform/principal.ts';
import { productionPoints, hourlyProduction } from '../metering/index.ts';
import { closedAccounts, readableAccountIds } from '../accounts/index.ts';
import { type Interval, intervalOf, overCapacity } from './capacity.ts';
import { issueForLockedDevice } from './issuance.ts';
import { countIssued } from './metrics.ts';
import { issuedPointHours } from './point-hours.ts';
import { registry, type DeviceRow } from './tables.ts';

const HOUR_MS = 3_600_000;
/** Hours issued per statement: a year of one device's hours in two. */
const BATCH = 5_000;

export const PENDING_REASONS = [
  'ready',
  'account_closed',
  'issued_under_another_device',
  'hour_not_over',
  'incomplete_hour',
  'nothing_to_issue',
  'over_capacity',
  'issuance_metadata_missing',
  'auto_issue_off',
] as const;
export type PendingReason = (typeof PENDING_REASONS)[number];

export interface PendingHour {
  device_id: number;
  production_starting_interval: string;
  production_ending_interval: string;
  wh: number;
  reason: PendingReason;
}

/** Whole UTC hours, [from, to). */
type Hours = { from: Date; to: Date };

/**
 * Metered hours of a device's production `points` that have no issuance of the device yet, each
 * with what keeps it from issuing ('ready' if nothing); `within` those hours only.
 */
async function pendingHours(
  db: Db,
  device: DeviceRow,
  points: string[],
  now: Date,
  within?: Hours,
): Promise<Array<PendingHour & { start: Date; end: Date }>> {
  const hours = await hourlyProduction(db, points, within);
  const first = hours[0],
    last = hours[hours.length - 1];
  if (!first || !last) return [];
  // Hours the points fed to a device they were linked to before: never issued again.
  const elsewhere = new Set(
    (await issuedPointHours(db, points, first.start, new Date(last.start.getTime() + HOUR_MS))).map((c) =>
      c.hour_start.getTime(),
    ),
  );
  const issued = await registry(db)
    .selectFrom('issuances')
    .select(['production_starting_interval as s', 'production_ending_interval as e'])
    .where('device_id', '=', device.id)
    .where('production_starting_interval', '>', new Date(first.start.getTime() - HOUR_MS))
    .where('production_starting_interval', '<', new Date(last.start.getTime() + HOUR_MS))
    .orderBy('production_starting_interval')
    .execute();
  const out: Array<PendingHour & { start: Date; end: Date }> = [];
  // Hours and issuances both come in time order and neither overlaps itself: one pointer finds a clash.
  let i = 0;
  for (const h of hours) {
    const end = new Date(h.start.getTime() + HOUR_MS);
    while (i < issued.length && issued[i]!.e <= h.start) i++;
    if (i < issued.length && issued[i]!.s < end) continue;
    const wh = Math.floor(h.wh);
    const reason: PendingReason = elsewhere.has(h.start.getTime())
      ? 'issued_under_another_device'
      : end > now
        ? 'hour_not_over'
        : !h.complete
          ? 'incomplete_hour'
          : wh < 1
            ? 'nothing_to_issue'
            : // One reading beyond its own interval's capacity is as impossible as an hour beyond the hour's.
              overCapacity(device, { start: h.start, end, wh: Math.max(wh, h.peak) }) !== undefined
              ? 'over_capacity'
              : device.issuance_metadata_id === null
                ? 'issuance_metadata_missing'
                : !device.auto_issue
                  ? 'auto_issue_off'
                  : 'ready';
    out.push({
      device_id: device.id,
      production_starting_interval: h.start.toISOString(),
      production_ending_interval: end.toISOString(),
      wh,
      reason,
      start: h.start,
      end,
    });
  }
  return out;
}

/** The whole UTC hours that overlap [from, to); an end not given is as far as Tally's times go. */
function hoursOverlapping(from: string | undefined, to: string | undefined): Hours | undefined {
  if (from === undefined && to === undefined) return undefined;
  const start = from === undefined ? Date.UTC(EARLIEST_YEAR, 0, 1) : Date.parse(from);
  const end = to === undefined ? Date.UTC(LATEST_YEAR + 1, 0, 1) : Date.parse(to);
  checkPeriod(new Date(start), new Date(end), 'querystring/to');
  return {
    from: new Date(Math.floor(start / HOUR_MS) * HOUR_MS),
    to: new Date(Math.ceil(end / HOUR_MS) * HOUR_MS),
  };
}

/** Pending hours of every device the caller may read, or of one device, within a period if given. */
export async function listPending(
  db: Db,
  principal: Principal,
  filter: { device_id?: number | undefined; from?: string | undefined; to?: string | undefined },
  now: Date,
): Promise<PendingHour[]> {
  const within = hoursOverlapping(filter.from, filter.to);
  const visible = await readableAccountIds(db, principal);
  let query = registry(db).selectFrom('devices').selectAll().where('device_type', '=', 'production');
  if (visible !== undefined) query = query.where('account_id', 'in', visible.length ? visible : [0]);
  if (filter.device_id !== undefined) query = query.where('id', '=', filter.device_id);
  const devices = await query.orderBy('id').execute();
  const closed = await closedAccounts(
    db,
    devices.map((d) => d.account_id),
  );
  const out: PendingHour[] = [];
  for (const device of devices) {
    for (const { start: _s, end: _e, ...hour } of await pendingHours(
      db,
      device,
      await productionPoints(db, device.id),
      now,
      within,
    )) {
      // A closed account takes no certificates: its devices' hours wait, and the job skips them.
      out.push(hour.reason === 'ready' && closed.has(device.account_id) ? { ...hour, reason: 'account_closed' } : hour);
    }
  }
  return out;
}

/**
 * What one round did; `failed` names each device whose issuance failed and was skipped (its `unit`
 * is the device id).
 */
interface Round {
  bundles_issued: number;
  wh_issued: number;
  failed: UnitFailure[];
}

/** Issues every ready hour of every auto-issuing device. Runs inside the job leader's transaction. */
export async function runAutoIssuance(trx: Db, now: Date, lifetimeDays: number, batch = BATCH): Promise<Round> {
  const devices = await registry(trx)
    .selectFrom('devices')
    .selectAll()
    .where('auto_issue', '=', true)
    .where('device_type', '=', 'production')
    .orderBy('id')
    .forUpdate()
    .execute();
  // A closed account takes no new certificates; its devices wait (listPending says why).
  const closed = await closedAccounts(trx, [...new Set(devices.map((d) => d.account_id))]);
  const round: Round = { bundles_issued: 0, wh_issued: 0, failed: [] };
  const issuing = devices.filter(
    (d): d is DeviceRow & { issuance_metadata_id: number } =>
      d.issuance_metadata_id !== null && !closed.has(d.account_id),
  );
  round.failed = await eachUnit(
    trx,
    issuing,
    (device) => String(device.id),
    async (device) => {
      // The points' rows before their readings: a revision in flight is waited for and seen, a
      // later one sees this issuance.
      const points = await productionPoints(trx, device.id, { lock: true });
      const ready = (await pendingHours(trx, device, points, now)).filter((h) => h.reason === 'ready');
      let bundles = 0,
        wh = 0;
      for (let k = 0; k < ready.length; k += batch) {
        const intervals: Interval[] = ready
          .slice(k, k + batch)
          .map((h, index) => intervalOf(index, h.start, h.end, h.wh));
        // The hours were read from these locked points just now: issuance records them without reading them again.
        const rows = await issueForLockedDevice(trx, device, intervals, null, lifetimeDays, now, points);
        bundles += rows.length;
        wh += rows.reduce((s, r) => s + r.bundle_quantity, 0);
      }
      // Counted only once the whole device succeeded: a failed one is rolled back.
      round.bundles_issued += bundles;
      round.wh_issued += wh;
    },
  );
  return round;
}

export const autoIssuanceJob = (lifetimeDays: number): Job => ({
  name: 'auto-issue',
  run: async (db, now) => {
    const round = await runAutoIssuance(db, now, lifetimeDays);
    return { count: round.bundles_issued, failed: round.failed, committed: () => countIssued(round) };
  },
});

export interface AutoIssuanceResult {
  bundles_issued: number;
  wh_issued: number;
  failed: Array<{ device_id: number; error: string }>;
}

/**
 * One run on demand (API, CLI) as of `now`, as the job's leader: if another instance holds the job,
 * nothing is issued.
 */
export async function runAutoIssuanceNow(db: Db, lifetimeDays: number, now: Date): Promise<AutoIssuanceResult> {
  let round: Round = { bundles_issued: 0, wh_issued: 0, failed: [] };
  await runAsLeader(
    db,
    {
      name: autoIssuanceJob(lifetimeDays).name,
      run: async (trx, at) => {
        round = await runAutoIssuance(trx, at, lifetimeDays);
        return round.bundles_issued;
      },
    },
    now,
  );
  countIssued(round);
  return {
    bundles_issued: round.bundles_issued,
    wh_issued: round.wh_issued,
    failed: round.failed.map((f) => ({ device_id: Number(f.unit), error: f.error })),
  };
}
