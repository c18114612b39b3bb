// Resources: a user's series on the market, either measurements of a plant (which may be forecast
// and bid for) or features others may learn from. A resource bound to a metering point takes its
// series from the point's readings; others from uploaded data.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { badRequest, conflict, notFound, unprocessable } from '../platform/errors.ts';
import { type Principal, readsEverything } from '../platform/principal.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import { appendEvent } from '../ledger/index.ts';
import { actionableAccount } from '../accounts/index.ts';
import { readablePoint } from '../metering/index.ts';
import type { NewResource, ResourceChange, ResourceFilter, ResourceView } from './schemas.ts';
import { market, type ResourceRow } from './tables.ts';
import { listedUser, pageByUuid } from './lists.ts';

export const resourceView = (r: ResourceRow): ResourceView => ({
  id: r.id,
  user_id: r.user_id,
  name: r.name,
  type: r.type,
  to_forecast: r.to_forecast,
  metering_point_id: r.metering_point_id,
  registered_at: r.registered_at.toISOString(),
});

/** Only measurements are forecast: a feature series is an input, never a target. */
function checkKind(r: { type: string; to_forecast: boolean }): void {
  if (r.to_forecast && r.type !== 'measurements')
    throw badRequest('features_not_forecast', 'only a measurements resource can be forecast', 'body/to_forecast');
}

/**
 * A point may back the owner's resource only if the caller acts for the point's account: reading it
 * (as an auditor does) is not owning it. The point's readings are production, so it must produce.
 */
async function bindablePoint(db: Db, principal: Principal, pointId: string): Promise<void> {
  const point = await readablePoint(db, principal, pointId);
  await actionableAccount(db, principal, point.account_id);
  if (point.type !== 'production')
    throw unprocessable(
      'resource_point_not_production',
      `metering point ${pointId} is a ${point.type} point; a resource is bound to a production point`,
      'body/metering_point_id',
    );
}

const nameTaken = (name: string, type: string) =>
  conflict('resource_name_taken', `you already have a ${type} resource named ${name}`);

async function nameFree(db: Db, userId: number, name: string, type: string, except?: string): Promise<void> {
  let query = market(db)
    .selectFrom('market_resources')
    .select('id')
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .where('type', '=', type as ResourceRow['type'])
    .where('deleted_at', 'is', null);
  if (except !== undefined) query = query.where('id', '<>', except);
  if (await query.executeTakeFirst()) throw nameTaken(name, type);
}

export async function createResource(db: Db, principal: Principal, input: NewResource): Promise<ResourceView> {
  checkKind(input);
  return db.transaction().execute(async (trx) => {
    if (input.metering_point_id !== undefined && input.metering_point_id !== null)
      await bindablePoint(trx, principal, input.metering_point_id);
    // Serialises creations by one user, so the name check below cannot race another one.
    await sql`SELECT pg_advisory_xact_lock(7346101, ${principal.userId}::int)`.execute(trx);
    await nameFree(trx, principal.userId, input.name, input.type);
    const row = await market(trx)
      .insertInto('market_resources')
      .values({
        user_id: principal.userId,
        name: input.name,
        type: input.type,
        to_forecast: input.to_forecast,
        metering_point_id: input.metering_point_id ?? null,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = resourceView(row);
    await appendEvent(trx, {
      type: 'market.resource.created',
      subject_type: 'market_resource',
      subject_id: row.id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

/** A live resource the caller may read (its owner, or a role that reads everything); 404 otherwise. */
export async function readableResource(db: Db, principal: Principal, id: string): Promise<ResourceRow> {
  const row = await market(db)
    .selectFrom('market_resources')
    .selectAll()
    .where('id', '=', id.toLowerCase())
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row || (row.user_id !== principal.userId && !readsEverything(principal))) throw notFound('market_resource', id);
  return row;
}

/** A live resource the caller owns (or an admin), locked for the change; 404 when the caller cannot see it. */
export async function ownedResource(db: Db, principal: Principal, id: string): Promise<ResourceRow> {
  const row = await readableResource(db, principal, id);
  if (row.user_id !== principal.userId && principal.role !== 'admin') throw notFound('market_resource', id);
  return market(db)
    .selectFrom('market_resources')
    .selectAll()
    .where('id', '=', row.id)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function getResource(db: Db, principal: Principal, id: string): Promise<ResourceView> {
  return resourceView(await readableResource(db, principal, id));
}

export async function listResources(
  db: Db,
  principal: Principal,
  filter: ResourceFilter & { id?: string | undefined },
  page: PageRequest,
): Promise<Page<ResourceView>> {
  const user = listedUser(principal, filter.user_id);
  return pageByUuid(
    page,
    (after, limit) => {
      let query = market(db).selectFrom('market_resources').selectAll().where('deleted_at', 'is', null);
      if (filter.id !== undefined) query = query.where('id', '=', filter.id.toLowerCase());
      if (user !== undefined) query = query.where('user_id', '=', user);
      if (filter.name !== undefined) query = query.where('name', '=', filter.name);
      if (filter.type !== undefined) query = query.where('type', '=', filter.type);
      if (filter.to_forecast !== undefined) query = query.where('to_forecast', '=', filter.to_forecast);
      if (after !== undefined) query = query.where('id', '>', after);
      return query.orderBy('id').limit(limit).execute();
    },
    resourceView,
  );
}

export async function updateResource(
  db: Db,
  principal: Principal,
  id: string,
  change: ResourceChange,
): Promise<ResourceView> {
  return db.transaction().execute(async (trx) => {
    const before = await ownedResource(trx, principal, id);
    const after = {
      name: change.name ?? before.name,
      type: change.type ?? before.type,
      to_forecast: change.to_forecast ?? before.to_forecast,
      metering_point_id: change.metering_point_id === undefined ? before.metering_point_id : change.metering_point_id,
    };
    checkKind(after);
    if (after.metering_point_id !== null && after.metering_point_id !== before.metering_point_id)
      await bindablePoint(trx, principal, after.metering_point_id);
    await sql`SELECT pg_advisory_xact_lock(7346101, ${before.user_id}::int)`.execute(trx);
    await nameFree(trx, before.user_id, after.name, after.type, before.id);
    const row = await market(trx)
      .updateTable('market_resources')
      .set(after)
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = resourceView(row);
    await appendEvent(trx, {
      type: 'market.resource.updated',
      subject_type: 'market_resource',
      subject_id: row.id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

/**
 * Deleting a resource drops its uploaded data; the resource itself stays, marked deleted, so the
 * bids, forecasts and revenues that name it keep their meaning.
 */
export async function deleteResource(db: Db, principal: Principal, id: string, now: Date): Promise<ResourceView> {
  return db.transaction().execute(async (trx) => {
    const before = await ownedResource(trx, principal, id);
    await market(trx).deleteFrom('market_data').where('resource_id', '=', before.id).execute();
    const row = await market(trx)
      .updateTable('market_resources')
      .set({ deleted_at: now })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = resourceView(row);
    await appendEvent(trx, {
      type: 'market.resource.deleted',
      subject_type: 'market_resource',
      subject_id: row.id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

/** The names of resources by id, deleted ones included (a transaction or a forecast keeps naming them). */
export async function resourceNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  if (unique.length === 0) return new Map();
  const rows = await market(db)
    .selectFrom('market_resources')
    .select(['id', 'name'])
    .where('id', 'in', unique)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
