// Organisations: the parties of the registry that own users and accounts (the EnergyTag draft's).
// An admin creates, changes and deletes them (a registry verifies who a party is); a user reads its
// own, the overseeing roles read all. They grant nothing on accounts: access to an account is its
// membership (decision 0014). Deleting only marks one, since the ledger and history name it.
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import { appendEvent } from '../ledger/index.ts';
import { conflict, notFound } from '../platform/errors.ts';
import { afterId, mapPage, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { type Principal, readsEverything } from '../platform/principal.ts';
import { iso } from '../platform/timestamp.ts';
import type { NewOrganisation, Organisation, OrganisationChange } from './schemas.ts';
import { identity, type OrganisationRow } from './tables.ts';

/** The static type of the answer schema (schemas.ts), so the two cannot drift. */
export type OrganisationView = Static<typeof Organisation>;

const view = (o: OrganisationRow): OrganisationView => ({
  id: o.id,
  name: o.name,
  business_id: o.business_id,
  email: o.email,
  address: o.address,
  website: o.website,
  created_at: o.created_at.toISOString(),
  updated_at: o.updated_at.toISOString(),
  deleted_at: iso(o.deleted_at),
});

/** The organisation a user belongs to, or null. */
export async function organisationOf(db: Db, userId: number): Promise<number | null> {
  const row = await identity(db)
    .selectFrom('users')
    .select('organisation_id')
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.organisation_id ?? null;
}

/**
 * The live (not deleted) organisation, locked for the caller's transaction: `share` by whoever
 * puts a user or an account in it, `update` by its change and its deletion, so a deletion waits
 * for them and then sees what they added. Missing or deleted: 404.
 */
export async function lockOrganisation(db: Db, id: number, mode: 'share' | 'update'): Promise<OrganisationRow> {
  const query = identity(db)
    .selectFrom('organisations')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  const row = await (mode === 'share' ? query.forShare() : query.forUpdate()).executeTakeFirst();
  if (!row) throw notFound('organisation', id);
  return row;
}

/**
 * An organisation by id, deleted or not, without an access check: for those who have already
 * decided the caller may see it (an account's reader sees who owns the account).
 */
export async function organisationById(db: Db, id: number): Promise<OrganisationView | undefined> {
  const row = await identity(db).selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? view(row) : undefined;
}

export async function createOrganisation(
  db: Db,
  principal: Principal,
  input: Static<typeof NewOrganisation>,
): Promise<OrganisationView> {
  return db.transaction().execute(async (trx) => {
    const row = await identity(trx)
      .insertInto('organisations')
      .values({
        name: input.name,
        business_id: input.business_id,
        email: input.email,
        address: input.address ?? null,
        website: input.website ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const organisation = view(row);
    await appendEvent(trx, {
      type: 'organisation.created',
      subject_type: 'organisation',
      subject_id: row.id,
      actor_id: principal.userId,
      payload: { organisation },
    });
    return organisation;
  });
}

/** A live organisation the caller may read: its own, or any for the roles that read everything. */
export async function getOrganisation(db: Db, principal: Principal, id: number): Promise<OrganisationView> {
  const row = await identity(db)
    .selectFrom('organisations')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row || (!readsEverything(principal) && (await organisationOf(db, principal.userId)) !== id))
    throw notFound('organisation', id);
  return view(row);
}

/** Live organisations the caller may read, in id order. */
export async function listOrganisations(
  db: Db,
  principal: Principal,
  page: PageRequest,
): Promise<Page<OrganisationView>> {
  let query = identity(db).selectFrom('organisations').selectAll().where('deleted_at', 'is', null);
  if (!readsEverything(principal)) query = query.where('id', '=', (await organisationOf(db, principal.userId)) ?? 0);
  const rows = await query
    .where('id', '>', afterId(page))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return mapPage(pageOf(rows, page.limit), view);
}

export async function updateOrganisation(
  db: Db,
  principal: Principal,
  id: number,
  change: Static<typeof OrganisationChange>,
  now: Date,
): Promise<OrganisationView> {
  return db.transaction().execute(async (trx) => {
    const before = await lockOrganisation(trx, id, 'update');
    // Nothing to change (the EnergyTag face's update may name no field): the organisation as it is.
    if (Object.keys(change).length === 0) return view(before);
    const row = await identity(trx)
      .updateTable('organisations')
      .set({ ...change, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const organisation = view(row);
    await appendEvent(trx, {
      type: 'organisation.updated',
      subject_type: 'organisation',
      subject_id: id,
      actor_id: principal.userId,
      payload: { organisation, changed: Object.keys(change).sort() },
    });
    return organisation;
  });
}

/**
 * Marks an organisation deleted, inside the caller's transaction, which holds its row lock
 * (`lockOrganisation(..., 'update')`) and has checked that it owns no open account (accounts'
 * deleteOrganisation: what an account is, is the accounts module's to know). Refused while an
 * active user belongs to it; deactivated users keep naming it, as closed accounts do.
 */
export async function markOrganisationDeleted(
  trx: Db,
  principal: Principal,
  id: number,
  now: Date,
): Promise<OrganisationView> {
  const users = await identity(trx)
    .selectFrom('users')
    .select('id')
    .where('organisation_id', '=', id)
    .where('deactivated_at', 'is', null)
    .orderBy('id')
    .limit(10)
    .execute();
  if (users.length > 0)
    throw conflict(
      'organisation_has_users',
      `organisation ${id} has users (${users.map((u) => u.id).join(', ')}${users.length === 10 ? ', …' : ''}); ` +
        'move or deactivate them first',
    );
  const row = await identity(trx)
    .updateTable('organisations')
    .set({ deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const organisation = view(row);
  await appendEvent(trx, {
    type: 'organisation.deleted',
    subject_type: 'organisation',
    subject_id: id,
    actor_id: principal.userId,
    payload: { organisation },
  });
  return organisation;
}
