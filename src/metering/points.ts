// Metering points: where readings come from. Access follows the owning account, as in the registry.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, unprocessable } from '../platform/errors.ts';
import { checkTimeZone } from '../platform/time-zone.ts';
import { POINT_ID_PATTERN } from '../platform/http/schemas.ts';
import { keyset, mapPage, type Page, type PageRequest } from '../platform/pagination.ts';
import { readableAccountIds, readableInAccount, registrableAccount } from '../accounts/index.ts';
import { certificates } from './certificates.ts';
import { metering, type MeteringPointRow, type PointType } from './tables.ts';
import type { MeteringPointChange, MeteringPointView, NewMeteringPoint } from './schemas.ts';

export type { MeteringPointView, NewMeteringPoint };

const view = (p: MeteringPointRow): MeteringPointView => ({
  ...p,
  created_at: p.created_at.toISOString(),
  updated_at: p.updated_at.toISOString(),
});

/** A linked device must be a production or storage device of the point's own account. */
async function checkDevice(
  db: Db,
  principal: Principal,
  accountId: number,
  deviceId: number,
  type: PointType,
): Promise<void> {
  const deviceAccount = await certificates().deviceAccount(db, principal, deviceId);
  if (deviceAccount !== accountId)
    throw unprocessable(
      'device_of_another_account',
      `device ${deviceId} belongs to account ${deviceAccount}, not ${accountId}`,
      'body/device_id',
    );
  if (type === 'consumption')
    throw unprocessable(
      'consumption_point_with_device',
      'a consumption metering point feeds no device',
      'body/device_id',
    );
}

export async function createMeteringPoint(
  db: Db,
  principal: Principal,
  input: NewMeteringPoint,
): Promise<MeteringPointView> {
  if (input.time_zone !== undefined) checkTimeZone(input.time_zone, 'body/time_zone');
  return db.transaction().execute(async (trx) => {
    await registrableAccount(trx, principal, input.account_id);
    if (input.device_id !== undefined) await checkDevice(trx, principal, input.account_id, input.device_id, input.type);
    const row = await metering(trx)
      .insertInto('metering_points')
      .values({
        id: input.id,
        type: input.type,
        account_id: input.account_id,
        device_id: input.device_id ?? null,
        grid_area: input.grid_area ?? null,
        time_zone: input.time_zone ?? 'UTC',
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw conflict('metering_point_exists', `metering point ${input.id} is already registered`);
    const point = view(row);
    await appendEvent(trx, {
      type: 'metering_point.created',
      subject_type: 'metering_point',
      subject_id: point.id,
      account_ids: [point.account_id],
      actor_id: principal.userId,
      payload: point,
    });
    return point;
  });
}

/** The point, if the caller may read its account; 404 otherwise. */
export async function readablePoint(
  db: Db,
  principal: Principal,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<MeteringPointRow> {
  let query = metering(db).selectFrom('metering_points').selectAll().where('id', '=', id);
  if (opts.forUpdate) query = query.forUpdate();
  return readableInAccount(db, principal, await query.executeTakeFirst(), 'metering_point', id);
}

/** Claims and disclosures speak for a consumer, so the points they name must be consumption points. */
export function consumptionOnly(point: MeteringPointRow, field: string): void {
  if (point.type !== 'consumption')
    throw badRequest('not_a_consumption_point', `metering point ${point.id} is a ${point.type} point`, field);
}

/** The point as stored, share-locked until the caller commits so it cannot be deleted meanwhile; no access check. */
export async function sharedPoint(db: Db, id: string): Promise<MeteringPointRow | undefined> {
  return metering(db).selectFrom('metering_points').selectAll().where('id', '=', id).forShare().executeTakeFirst();
}

export async function getMeteringPoint(db: Db, principal: Principal, id: string): Promise<MeteringPointView> {
  return view(await readablePoint(db, principal, id));
}

/** Points are listed by their text id. */
const byPointId = keyset({ id: new RegExp(POINT_ID_PATTERN) });

export async function listMeteringPoints(
  db: Db,
  principal: Principal,
  filter: { account_id?: number | undefined },
  page: PageRequest,
): Promise<Page<MeteringPointView>> {
  const visible = await readableAccountIds(db, principal);
  let query = metering(db).selectFrom('metering_points').selectAll();
  if (visible !== undefined) query = query.where('account_id', 'in', visible.length ? visible : [0]);
  if (filter.account_id !== undefined) query = query.where('account_id', '=', filter.account_id);
  const after = byPointId.after(page);
  if (after !== undefined) query = query.where('id', '>', after.id);
  const rows = await query
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return mapPage(
    byPointId.page(rows, page.limit, (p) => ({ id: p.id })),
    view,
  );
}

export async function updateMeteringPoint(
  db: Db,
  principal: Principal,
  id: string,
  change: MeteringPointChange,
  now: Date,
): Promise<MeteringPointView> {
  return db.transaction().execute((trx) => changeMeteringPoint(trx, principal, id, change, now));
}

/** updateMeteringPoint inside the caller's transaction, for a change that spans modules (linking a device). */
export async function changeMeteringPoint(
  trx: Db,
  principal: Principal,
  id: string,
  change: MeteringPointChange,
  now: Date,
): Promise<MeteringPointView> {
  if (change.time_zone !== undefined) checkTimeZone(change.time_zone, 'body/time_zone');
  if (change.device_id !== undefined && change.device_id !== null)
    await certificates().holdDevice(trx, change.device_id);
  const before = await readablePoint(trx, principal, id, { forUpdate: true });
  await registrableAccount(trx, principal, before.account_id);
  if (change.device_id !== undefined && change.device_id !== null)
    await checkDevice(trx, principal, before.account_id, change.device_id, before.type);
  const set: Partial<MeteringPointRow> = { updated_at: now };
  if (change.device_id !== undefined) set.device_id = change.device_id;
  if (change.grid_area !== undefined) set.grid_area = change.grid_area;
  if (change.time_zone !== undefined) set.time_zone = change.time_zone;
  const row = await metering(trx)
    .updateTable('metering_points')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const point = view(row);
  await appendEvent(trx, {
    type: 'metering_point.updated',
    subject_type: 'metering_point',
    subject_id: id,
    account_ids: [point.account_id],
    actor_id: principal.userId,
    payload: point,
  });
  return point;
}

/** The consumption metering points of an account. */
export async function consumptionPointsOf(db: Db, accountId: number): Promise<string[]> {
  const rows = await metering(db)
    .selectFrom('metering_points')
    .select('id')
    .where('account_id', '=', accountId)
    .where('type', '=', 'consumption')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Removes a point registered by mistake. A point with readings (interval or register) is history and stays. */
export async function deleteMeteringPoint(db: Db, principal: Principal, id: string): Promise<MeteringPointView> {
  return db.transaction().execute(async (trx) => {
    const point = await readablePoint(trx, principal, id, { forUpdate: true });
    await registrableAccount(trx, principal, point.account_id);
    const reading =
      (await metering(trx)
        .selectFrom('readings')
        .select('interval_start')
        .where('metering_point_id', '=', id)
        .limit(1)
        .executeTakeFirst()) ??
      (await metering(trx)
        .selectFrom('register_readings')
        .select('read_at')
        .where('metering_point_id', '=', id)
        .limit(1)
        .executeTakeFirst());
    if (reading)
      throw conflict('metering_point_has_readings', `metering point ${id} has readings; it stays as their history`);
    if (await certificates().claimedAgainst(trx, id))
      throw conflict(
        'metering_point_has_claims',
        `certificates are claimed against metering point ${id}; it stays as their consumer`,
      );
    await sql`DELETE FROM meter_source_state WHERE metering_point_id = ${id}`.execute(trx);
    await metering(trx).deleteFrom('metering_points').where('id', '=', id).execute();
    const removed = view(point);
    await appendEvent(trx, {
      type: 'metering_point.deleted',
      subject_type: 'metering_point',
      subject_id: id,
      account_ids: [point.account_id],
      actor_id: principal.userId,
      payload: removed,
    });
    return removed;
  });
}

/** Locks the points' rows, in id order, so concurrent changes that involve the same points take turns. */
export async function lockPoints(trx: Db, ids: string[]): Promise<void> {
  await metering(trx)
    .selectFrom('metering_points')
    .select('id')
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/**
 * The production points feeding a device, in id order. With `lock`, their rows are locked: the
 * import locks a point's row too, so issuing from a point and revising its readings take turns.
 */
export async function productionPoints(db: Db, deviceId: number, opts: { lock?: boolean } = {}): Promise<string[]> {
  let query = metering(db)
    .selectFrom('metering_points')
    .select('id')
    .where('device_id', '=', deviceId)
    .where('type', '=', 'production')
    .orderBy('id');
  if (opts.lock) query = query.forUpdate();
  return (await query.execute()).map((r) => r.id);
}

/**
 * The production points that once fed a device and feed it no longer, in id order, their rows
 * locked: a device left without points still answers to them when issued by hand.
 */
export async function formerProductionPoints(trx: Db, deviceId: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT p.id FROM metering_points p JOIN point_device_links l ON l.metering_point_id = p.id
    WHERE l.device_id = ${deviceId} AND p.type = 'production' AND p.device_id IS DISTINCT FROM ${deviceId}
    ORDER BY p.id FOR UPDATE OF p`.execute(trx);
  return rows.map((r) => r.id);
}

/** Ids of the points `principal` may read, or undefined for those who read every point. */
export async function visiblePointIds(db: Db, principal: Principal): Promise<string[] | undefined> {
  const accounts = await readableAccountIds(db, principal);
  if (accounts === undefined) return undefined;
  if (accounts.length === 0) return [];
  return (
    await metering(db).selectFrom('metering_points').select('id').where('account_id', 'in', accounts).execute()
  ).map((r) => r.id);
}

/** The given points as stored, for Tally's own work on them (clearing a community); no access check. */
export async function pointsById(db: Db, ids: string[]): Promise<MeteringPointRow[]> {
  if (ids.length === 0) return [];
  // One array parameter, not one parameter per id: a large community has more points than a statement takes parameters.
  return metering(db).selectFrom('metering_points').selectAll().where(sql<boolean>`id = ANY(${ids}::text[])`).execute();
}
