// Automatic issuance: every complete metered hour of a device with auto-issue on becomes one
// bundle of floor(Wh) certificates, once. Running it twice, or on two instances at once, issues
// nothing twice: the job runs under an advisory-lock leader, each device's row is locked, and
// the registry's never-twice rule stands behind both.
import type { Db } from '../platform/database.ts';
import { runAsLeader, type Job } from '../platform/jobs.ts';
import type { Principal } from '../identity/principal.ts';
import { hourlyProduction } from '../metering/readings.ts';
import { readableAccountIds } from './access.ts';
import { issueForLockedDevice, overCapacity, type Interval } from './issuance.ts';
import { registry, type DeviceRow } from './tables.ts';

const HOUR_MS = 3_600_000;
/** Hours issued per statement: a year of one device's hours in two. */
const BATCH = 5_000;

export const PENDING_REASONS = ['ready', 'hour_not_over', 'incomplete_hour', 'nothing_to_issue', 'over_capacity', 'issuance_metadata_missing', 'auto_issue_off'] as const;
export type PendingReason = (typeof PENDING_REASONS)[number];

export interface PendingHour { device_id: number; production_starting_interval: string; production_ending_interval: string; wh: number; reason: PendingReason }

/** Metered hours of a device that have no issuance yet, each with what keeps it from issuing ('ready' if nothing). */
async function pendingHours(db: Db, device: DeviceRow, now: Date): Promise<Array<PendingHour & { start: Date; end: Date }>> {
  const hours = await hourlyProduction(db, device.id);
  const first = hours[0], last = hours[hours.length - 1];
  if (!first || !last) return [];
  const issued = await registry(db).selectFrom('issuances').select(['production_starting_interval as s', 'production_ending_interval as e'])
    .where('device_id', '=', device.id)
    .where('production_starting_interval', '>', new Date(first.start.getTime() - HOUR_MS))
    .where('production_starting_interval', '<', new Date(last.start.getTime() + HOUR_MS))
    .orderBy('production_starting_interval').execute();
  const out: Array<PendingHour & { start: Date; end: Date }> = [];
  // Hours and issuances both come in time order and neither overlaps itself: one pointer finds a clash.
  let i = 0;
  for (const h of hours) {
    const end = new Date(h.start.getTime() + HOUR_MS);
    while (i < issued.length && issued[i]!.e <= h.start) i++;
    if (i < issued.length && issued[i]!.s < end) continue;
    const wh = Math.floor(h.wh);
    const reason: PendingReason =
      end > now ? 'hour_not_over'
      : !h.complete ? 'incomplete_hour'
      : wh < 1 ? 'nothing_to_issue'
      : overCapacity(device, { start: h.start, end, wh }) !== undefined ? 'over_capacity'
      : device.issuance_metadata_id === null ? 'issuance_metadata_missing'
      : !device.auto_issue ? 'auto_issue_off'
      : 'ready';
    out.push({ device_id: device.id, production_starting_interval: h.start.toISOString(), production_ending_interval: end.toISOString(), wh, reason, start: h.start, end });
  }
  return out;
}

/** Pending hours of every device the caller may read, or of one device. */
export async function listPending(db: Db, principal: Principal, filter: { device_id?: number | undefined }, now = new Date()): Promise<PendingHour[]> {
  const visible = await readableAccountIds(db, principal);
  let query = registry(db).selectFrom('devices').selectAll().where('device_type', '=', 'production');
  if (visible !== undefined) query = query.where('account_id', 'in', visible.length ? visible : [0]);
  if (filter.device_id !== undefined) query = query.where('id', '=', filter.device_id);
  const out: PendingHour[] = [];
  for (const device of await query.orderBy('id').execute()) {
    for (const { start: _s, end: _e, ...hour } of await pendingHours(db, device, now)) out.push(hour);
  }
  return out;
}

/** Issues every ready hour of every auto-issuing device. Runs inside the job leader's transaction. */
export async function runAutoIssuance(trx: Db, now: Date, lifetimeDays: number, batch = BATCH): Promise<{ bundles_issued: number; wh_issued: number }> {
  const devices = await registry(trx).selectFrom('devices').selectAll().where('auto_issue', '=', true).where('device_type', '=', 'production').orderBy('id').forUpdate().execute();
  let bundles = 0, wh = 0;
  for (const device of devices) {
    if (device.issuance_metadata_id === null) continue;
    const ready = (await pendingHours(trx, device, now)).filter((h) => h.reason === 'ready');
    for (let k = 0; k < ready.length; k += batch) {
      const intervals: Interval[] = ready.slice(k, k + batch).map((h, index) => ({ index, start: h.start, end: h.end, wh: h.wh }));
      const rows = await issueForLockedDevice(trx, device as DeviceRow & { issuance_metadata_id: number }, intervals, null, lifetimeDays);
      bundles += rows.length;
      wh += rows.reduce((s, r) => s + r.bundle_quantity, 0);
    }
  }
  return { bundles_issued: bundles, wh_issued: wh };
}

export const autoIssuanceJob = (lifetimeDays: number): Job => ({ name: 'auto-issue', run: async (db, now) => (await runAutoIssuance(db, now, lifetimeDays)).bundles_issued });

/** One run on demand (API, CLI), as the job's leader: if another instance holds the job, nothing is issued. */
export async function runAutoIssuanceNow(db: Db, lifetimeDays: number): Promise<{ bundles_issued: number; wh_issued: number }> {
  let result = { bundles_issued: 0, wh_issued: 0 };
  await runAsLeader(db, { name: autoIssuanceJob(lifetimeDays).name, run: async (trx, now) => (result = await runAutoIssuance(trx, now, lifetimeDays)).bundles_issued });
  return result;
}
