// Deleting an organisation: identity keeps organisations, but whether one still owns an open
// account is the accounts module's to know, so the deletion is decided here, in one transaction
// with identity's own check of its users (as the registry's closeAccount decides for accounts).
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { lockOrganisation, markOrganisationDeleted, type OrganisationView } from '../identity/index.ts';
import { conflict } from '../platform/errors.ts';
import { accountTables } from './tables.ts';

/**
 * Deletes (marks deleted) an organisation that owns no open account and has no active user;
 * refused otherwise with 409 naming them. Its closed accounts and deactivated users keep naming it.
 * Its row lock makes a concurrent account or user creation in it wait, then fail as not found.
 */
export async function deleteOrganisation(
  db: Db,
  principal: Principal,
  id: number,
  now: Date,
): Promise<OrganisationView> {
  return db.transaction().execute(async (trx) => {
    await lockOrganisation(trx, id, 'update');
    const open = await accountTables(trx)
      .selectFrom('accounts')
      .select('id')
      .where('organisation_id', '=', id)
      .where('closed_at', 'is', null)
      .orderBy('id')
      .limit(10)
      .execute();
    if (open.length > 0)
      throw conflict(
        'organisation_has_accounts',
        `organisation ${id} owns open accounts (${open.map((a) => a.id).join(', ')}${open.length === 10 ? ', …' : ''}); ` +
          'close them first',
      );
    return markOrganisationDeleted(trx, principal, id, now);
  });
}
