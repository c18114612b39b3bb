// Issuance: one bundle per (device, production interval ≤ 1 h), ids allocated contiguously per
// device under the device's row lock, never twice for the same interval, and never twice for the
// same metered hour of a point (point-hours.ts).
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, notFound, unprocessable } from '../platform/errors.ts';
import { integerArray } from '../platform/array-literal.ts';
import { isoText, isoTextAfter, TIMESTAMP_RULE, timestampMs } from '../platform/timestamp.ts';
import { lockOpenAccount } from '../accounts/index.ts';
import { readableDevice, refuseAfterDecommissioning } from './devices.ts';
import { issuedView, type BundleView } from './bundles.ts';
import { capacityLimitWh, type Interval, intervalOf, overCapacity } from './capacity.ts';
import { countIssued } from './metrics.ts';
import { checkReissueMetered, claimMeteredHours, recordPointHours } from './point-hours.ts';
import type { IntervalInput, IssuanceRequest, ReissueRequest } from './schemas.ts';
import { registry, type DeviceRow, type EnergySource } from './tables.ts';

const HOUR_MS = 3_600_000;

/** Where a refusal of an interval's field points; written only when refusing. */
const intervalField = (index: number, name: keyof IntervalInput) => `body/intervals/${index}/${name}`;

/** Parses and checks the intervals alone; returns them sorted by start. */
function checkIntervals(inputs: IntervalInput[], now: Date): Interval[] {
  const intervals = inputs.map((i, index) => {
    const startMs = timestampMs(i.production_starting_interval);
    const endMs = timestampMs(i.production_ending_interval);
    if (startMs === undefined)
      throw badRequest(
        'invalid_interval',
        `production_starting_interval is not ${TIMESTAMP_RULE}`,
        intervalField(index, 'production_starting_interval'),
      );
    if (endMs === undefined)
      throw badRequest(
        'invalid_interval',
        `production_ending_interval is not ${TIMESTAMP_RULE}`,
        intervalField(index, 'production_ending_interval'),
      );
    if (endMs <= startMs)
      throw badRequest(
        'reversed_interval',
        'production_ending_interval must be after production_starting_interval',
        intervalField(index, 'production_ending_interval'),
      );
    if (endMs - startMs > HOUR_MS)
      throw badRequest(
        'interval_too_long',
        'a production interval is at most one hour',
        intervalField(index, 'production_ending_interval'),
      );
    if (endMs > now.getTime())
      throw unprocessable(
        'future_interval',
        'certificates are issued for production that has happened',
        intervalField(index, 'production_ending_interval'),
      );
    const from = isoText(i.production_starting_interval, startMs),
      to = isoText(i.production_ending_interval, endMs);
    return { index, start: new Date(startMs), end: new Date(endMs), from, to, wh: i.wh };
  });
  intervals.sort((a, b) => a.start.getTime() - b.start.getTime());
  for (let k = 1; k < intervals.length; k++) {
    const prev = intervals[k - 1]!,
      cur = intervals[k]!;
    if (cur.start < prev.end)
      throw badRequest(
        'overlapping_intervals',
        `intervals ${prev.index} and ${cur.index} overlap`,
        `body/intervals/${cur.index}`,
      );
  }
  return intervals;
}

function checkCapacity(device: DeviceRow, intervals: Interval[]): void {
  for (const i of intervals) {
    const limit = overCapacity(device, i);
    if (limit !== undefined)
      throw unprocessable(
        'over_capacity',
        `${i.wh} Wh exceeds the device's limit of ${limit} Wh for this interval (capacity × hours × 1.1)`,
        `body/intervals/${i.index}/wh`,
      );
  }
}

/** Refuses any interval that overlaps one issued before, in whatever state its bundles are now. */
async function checkNeverIssued(db: Db, deviceId: number, intervals: Interval[]): Promise<void> {
  const first = intervals[0]!,
    last = intervals[intervals.length - 1]!;
  const existing = await registry(db)
    .selectFrom('issuances')
    .select(['production_starting_interval as start', 'production_ending_interval as end'])
    .where('device_id', '=', deviceId)
    .where('production_starting_interval', '<', last.end)
    .where('production_starting_interval', '>', new Date(first.start.getTime() - HOUR_MS))
    .orderBy('production_starting_interval')
    .execute();
  // Both lists are sorted by start: one merge pass finds any overlap.
  let e = 0;
  for (const i of intervals) {
    while (e < existing.length && existing[e]!.end <= i.start) e++;
    const hit = existing[e];
    if (hit && hit.start < i.end) {
      throw conflict(
        'already_issued',
        `device ${deviceId} already has an issuance for ` +
          `${hit.start.toISOString()}–${hit.end.toISOString()}, which overlaps interval ${i.index}`,
      );
    }
  }
}

async function lockedIssuingDevice(
  db: Db,
  principal: Principal,
  deviceId: number,
): Promise<DeviceRow & { issuance_metadata_id: number }> {
  const device = await readableDevice(db, principal, deviceId, { forUpdate: true });
  if (device.device_type !== 'production')
    throw unprocessable('not_a_production_device', `device ${deviceId} is a storage device`, 'body/device_id');
  if (device.issuance_metadata_id === null)
    throw unprocessable(
      'issuance_metadata_missing',
      `device ${deviceId} has no issuance metadata; set it with PATCH /api/devices/${deviceId}`,
      'body/device_id',
    );
  return device as DeviceRow & { issuance_metadata_id: number };
}

interface NewBundles {
  device: DeviceRow & { issuance_metadata_id: number };
  accountId: number;
  intervals: Interval[];
  reissueOf?: number;
  /** Who issues: a user, or null for the automatic issuance job. */
  actorId: number | null;
  lifetimeDays: number;
  issuedAt: Date;
}

/**
 * The first id of each quantity, taken in turn from the locked device's counter, and the counter
 * after them. Every issuance, of production or from storage, numbers its certificates here.
 */
export function allocateIds(device: DeviceRow, quantities: number[]): { starts: number[]; next: number } {
  let next = device.next_certificate_id;
  const starts = quantities.map((q) => {
    const start = next;
    next += q;
    return start;
  });
  if (!Number.isSafeInteger(next))
    throw unprocessable('id_space_exhausted', `device ${device.id} would pass the largest certificate id`);
  return { starts, next };
}

/** Moves the locked device's counter past the ids just issued, in the table and in the row in hand. */
export async function advanceCounter(db: Db, device: DeviceRow, next: number): Promise<void> {
  await registry(db).updateTable('devices').set({ next_certificate_id: next }).where('id', '=', device.id).execute();
  // The locked row in hand stays true to the table, so a caller issuing again in the same
  // transaction continues from here.
  device.next_certificate_id = next;
}

/**
 * The `certificates.issued` event's payload: the issued bundles in runs, since an issuance may
 * create thousands of them, mostly one after another in every respect (`IssuedRun`), and
 * everything but these fields is what issuing always makes. A bulk issuance of 5,000 hours is one
 * run of 5,000 quantities, some 30 kB, where a row per bundle took 460 kB that PostgreSQL parsed
 * into the events table and the ledger later hashed. Events recorded before runs name each bundle
 * in `bundles`; replay reads both.
 */
export type IssuedEvent = {
  device_id: number;
  account_id: number;
  energy_source: EnergySource;
  issuance_datestamp: string;
  reissue_of_bundle_id: number | null;
  /** Every bundle of one issuance request expires the same time after its interval ends. */
  lifetime_ms: number;
} & (
  | { runs: IssuedRun[] }
  | {
      /** Before runs: [bundle id, issuance id, range start, range end, production start, production end] */
      bundles: Array<[number, number, number, number, string, string]>;
    }
);

/**
 * Bundles issued one after another: each next bundle's id and issuance id are one more, its range
 * starts after the one before ends, and its interval, as long as the first, starts where the one
 * before ended.
 */
export interface IssuedRun {
  /** The run's first bundle. */
  bundle_id: number;
  issuance_id: number;
  certificate_bundle_id_range_start: number;
  production_starting_interval: string;
  /** How long each of the run's intervals is. */
  interval_ms: number;
  /** Each bundle's Wh, in order. */
  bundle_quantities: number[];
}

/** The bundles as runs: a new run starts wherever a bundle does not follow the one before. */
export function issuedRuns(intervals: Interval[], ids: number[], issuanceIds: number[], starts: number[]): IssuedRun[] {
  const runs: IssuedRun[] = [];
  let run: IssuedRun | undefined;
  let first = 0;
  for (let k = 0; k < intervals.length; k++) {
    const i = intervals[k]!,
      before = intervals[k - 1],
      lengthMs = i.end.getTime() - i.start.getTime();
    if (
      run &&
      before &&
      ids[k] === run.bundle_id + (k - first) &&
      issuanceIds[k] === run.issuance_id + (k - first) &&
      starts[k] === starts[k - 1]! + before.wh &&
      i.start.getTime() === before.end.getTime() &&
      lengthMs === run.interval_ms
    )
      run.bundle_quantities.push(i.wh);
    else {
      run = {
        bundle_id: ids[k]!,
        issuance_id: issuanceIds[k]!,
        certificate_bundle_id_range_start: starts[k]!,
        production_starting_interval: i.from,
        interval_ms: lengthMs,
        bundle_quantities: [i.wh],
      };
      runs.push(run);
      first = k;
    }
  }
  return runs;
}

/**
 * Issues the bundles: inserts the issuances and their bundles in one statement, advances the
 * device's id counter and records the `certificates.issued` event. The intervals travel once, as
 * integer arrays (instants in milliseconds, which PostgreSQL reads faster than their text); the
 * database returns only the new ids, in the order of the ranges (which is the intervals' order),
 * and the views are assembled here from what we sent, with the intervals' own text, rather than
 * decoded back from the database.
 */
async function issueBundles(db: Db, n: NewBundles): Promise<BundleView[]> {
  const { issuedAt, intervals } = n;
  const lifetimeMs = n.lifetimeDays * 24 * HOUR_MS;
  const { starts, next } = allocateIds(
    n.device,
    intervals.map((i) => i.wh),
  );
  const issuedText = issuedAt.toISOString();
  // Each row takes its issuance's and its bundle's ids from their sequences before either insert,
  // so the bundles name their issuance without reading the inserted issuances back and joining
  // them to the input (a sixth of the statement's time, measured: docs/benchmarks.md).
  const { rows } = await sql<{ ids: number[]; issuance_ids: number[] }>`
    WITH input AS (
      SELECT nextval('issuances_id_seq') AS issuance_id, nextval('bundles_id_seq') AS bundle_id,
             timestamptz 'epoch' + s * interval '1 millisecond' AS s, timestamptz 'epoch' + e * interval '1 millisecond' AS e,
             q, rs
      FROM unnest(${integerArray([intervals], (i) => i.start.getTime())}::bigint[],
                  ${integerArray([intervals], (i) => i.end.getTime())}::bigint[],
                  ${integerArray([intervals], (i) => i.wh)}::bigint[], ${integerArray([starts], (s) => s)}::bigint[])
        AS t(s, e, q, rs)
    ), issued AS (
      INSERT INTO issuances (id, device_id, issuance_metadata_id, production_starting_interval, production_ending_interval,
                             bundle_quantity, certificate_bundle_id_range_start, certificate_bundle_id_range_end,
                             reissue_of_bundle_id, issued_by, issued_at)
      OVERRIDING SYSTEM VALUE
      SELECT issuance_id, ${n.device.id}, ${n.device.issuance_metadata_id}, s, e, q, rs, rs + q - 1,
             ${n.reissueOf ?? null}::bigint, ${n.actorId}::bigint, ${issuedText}::timestamptz
      FROM input
    ), bundled AS (
      INSERT INTO bundles (id, issuance_id, device_id, account_id,
                           certificate_bundle_id_range_start, certificate_bundle_id_range_end, energy_source,
                           production_starting_interval, production_ending_interval,
                           issuance_datestamp, expiry_datestamp)
      OVERRIDING SYSTEM VALUE
      SELECT bundle_id, issuance_id, ${n.device.id}, ${n.accountId}, rs, rs + q - 1, ${n.device.energy_source}, s, e,
             ${issuedText}::timestamptz, e + ${lifetimeMs} * interval '1 millisecond'
      FROM input
    )
    SELECT array_agg(bundle_id ORDER BY rs) AS ids, array_agg(issuance_id ORDER BY rs) AS issuance_ids FROM input`.execute(
    db,
  );
  await advanceCounter(db, n.device, next);
  const { ids, issuance_ids: issuanceIds } = rows[0]!;
  const expiry = isoTextAfter(lifetimeMs);
  const views = intervals.map((i, k) =>
    issuedView({
      id: ids[k]!,
      issuance_id: issuanceIds[k]!,
      device_id: n.device.id,
      account_id: n.accountId,
      certificate_bundle_id_range_start: starts[k]!,
      certificate_bundle_id_range_end: starts[k]! + i.wh - 1,
      energy_source: n.device.energy_source,
      production_starting_interval: i.from,
      production_ending_interval: i.to,
      issuance_datestamp: issuedText,
      expiry_datestamp: expiry(i.to, i.end.getTime()),
    }),
  );
  const event: IssuedEvent = {
    device_id: n.device.id,
    account_id: n.accountId,
    energy_source: n.device.energy_source,
    issuance_datestamp: issuedText,
    reissue_of_bundle_id: n.reissueOf ?? null,
    lifetime_ms: lifetimeMs,
    runs: issuedRuns(intervals, ids, issuanceIds, starts),
  };
  await appendEvent(db, {
    type: 'certificates.issued',
    subject_type: 'device',
    subject_id: n.device.id,
    account_ids: [n.accountId],
    actor_id: n.actorId,
    payload: event,
  });
  return views;
}

/** The bundles an issued event created, as they were issued: what replaying the event rebuilds. */
export function issuedViews(e: IssuedEvent): BundleView[] {
  const expiry = isoTextAfter(e.lifetime_ms);
  const view = (id: number, issuanceId: number, start: number, end: number, from: string, to: string, toMs: number) =>
    issuedView({
      id,
      issuance_id: issuanceId,
      device_id: e.device_id,
      account_id: e.account_id,
      certificate_bundle_id_range_start: start,
      certificate_bundle_id_range_end: end,
      energy_source: e.energy_source,
      production_starting_interval: from,
      production_ending_interval: to,
      issuance_datestamp: e.issuance_datestamp,
      expiry_datestamp: expiry(to, toMs),
    });
  if ('bundles' in e)
    return e.bundles.map(([id, issuanceId, start, end, from, to]) =>
      view(id, issuanceId, start, end, from, to, Date.parse(to)),
    );
  const views: BundleView[] = [];
  for (const run of e.runs) {
    const firstMs = Date.parse(run.production_starting_interval);
    let start = run.certificate_bundle_id_range_start;
    run.bundle_quantities.forEach((wh, k) => {
      const fromMs = firstMs + k * run.interval_ms,
        toMs = fromMs + run.interval_ms,
        from = new Date(fromMs).toISOString(),
        to = new Date(toMs).toISOString();
      views.push(view(run.bundle_id + k, run.issuance_id + k, start, start + wh - 1, from, to, toMs));
      start += wh;
    });
  }
  return views;
}

/**
 * Issues checked intervals (sorted, not overlapping, in the past) for a device whose row the
 * caller's transaction has locked: the capacity, never-issued and metered-hour rules, the rows
 * and the event. The issuing body's request, the automatic issuance job and `tally issue` all
 * come through here. `meteredBy` names the points the caller locked and read these very hours
 * from (the job's pending hours, complete, within capacity and not issued from them before):
 * their metered-hour checks are not made again, only recorded; the primary key of
 * issued_point_hours still stands behind it.
 */
export async function issueForLockedDevice(
  trx: Db,
  device: DeviceRow & { issuance_metadata_id: number },
  intervals: Interval[],
  actorId: number | null,
  lifetimeDays: number,
  issuedAt: Date,
  meteredBy?: string[],
): Promise<BundleView[]> {
  checkCapacity(device, intervals);
  refuseAfterDecommissioning(device, intervals[intervals.length - 1]?.end, 'produced');
  await lockOpenAccount(trx, device.account_id);
  await checkNeverIssued(trx, device.id, intervals);
  const points = meteredBy ?? (await claimMeteredHours(trx, device, intervals));
  const issued = await issueBundles(trx, {
    device,
    accountId: device.account_id,
    intervals,
    actorId,
    lifetimeDays,
    issuedAt,
  });
  await recordPointHours(trx, points, issued);
  return issued;
}

export async function issueCertificates(
  db: Db,
  principal: Principal,
  request: IssuanceRequest,
  lifetimeDays: number,
  now: Date,
): Promise<BundleView[]> {
  const intervals = checkIntervals(request.intervals, now);
  const issued = await db.transaction().execute(async (trx) => {
    const device = await lockedIssuingDevice(trx, principal, request.device_id);
    return issueForLockedDevice(trx, device, intervals, principal.userId, lifetimeDays, now);
  });
  countIssued(issued);
  return issued;
}

/**
 * Re-issues a withdrawn bundle: a new issuance for the same device and interval, linked to the
 * withdrawn bundle, credited to the account that held it. Each withdrawn bundle is re-issued at
 * most once, and the interval's live certificates stay within the capacity limit.
 */
export async function reissueBundle(
  db: Db,
  principal: Principal,
  request: ReissueRequest,
  lifetimeDays: number,
  now: Date,
): Promise<BundleView> {
  const view = await db.transaction().execute(async (trx) => {
    const withdrawn = await registry(trx)
      .selectFrom('bundles')
      .selectAll()
      .where('id', '=', request.granular_certificate_bundle_id)
      .executeTakeFirst();
    if (!withdrawn) throw notFound('bundle', request.granular_certificate_bundle_id);
    if (withdrawn.device_id === null)
      throw unprocessable(
        'imported_bundle',
        `bundle ${withdrawn.id} was imported from another registry, which corrects it; Tally issues only its devices`,
        'body/granular_certificate_bundle_id',
      );
    const device = await lockedIssuingDevice(trx, principal, withdrawn.device_id);
    const current = await registry(trx)
      .selectFrom('bundles')
      .select('certificate_bundle_status')
      .where('id', '=', withdrawn.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.certificate_bundle_status !== 'withdrawn')
      throw conflict(
        'invalid_status',
        `bundle ${withdrawn.id} is ${current.certificate_bundle_status}; only a withdrawn bundle is re-issued`,
      );
    const again = await registry(trx)
      .selectFrom('issuances')
      .select('id')
      .where('reissue_of_bundle_id', '=', withdrawn.id)
      .executeTakeFirst();
    if (again)
      throw conflict('already_reissued', `bundle ${withdrawn.id} was already re-issued as issuance ${again.id}`);
    await lockOpenAccount(trx, withdrawn.account_id);
    const wh = request.bundle_quantity ?? withdrawn.bundle_quantity;
    const live = await sql<{ wh: number }>`
      SELECT coalesce(sum(b.bundle_quantity), 0)::bigint AS wh FROM bundles b JOIN issuances i ON i.id = b.issuance_id
      WHERE i.device_id = ${device.id} AND i.production_starting_interval = ${withdrawn.production_starting_interval}
        AND b.certificate_bundle_status <> 'withdrawn'`.execute(trx);
    const limit = capacityLimitWh(
      device.capacity,
      withdrawn.production_ending_interval.getTime() - withdrawn.production_starting_interval.getTime(),
    );
    const liveWh = live.rows[0]?.wh ?? 0;
    if (liveWh + wh > limit)
      throw unprocessable(
        'over_capacity',
        `${liveWh} Wh of this interval are live; ${wh} more exceeds the limit of ${limit} Wh`,
        'body/bundle_quantity',
      );
    await checkReissueMetered(trx, device.id, withdrawn.production_starting_interval, liveWh + wh);
    const [reissued] = await issueBundles(trx, {
      device,
      accountId: withdrawn.account_id,
      actorId: principal.userId,
      lifetimeDays,
      issuedAt: now,
      reissueOf: withdrawn.id,
      intervals: [intervalOf(0, withdrawn.production_starting_interval, withdrawn.production_ending_interval, wh)],
    });
    return reissued!;
  });
  countIssued([view]);
  return view;
}
