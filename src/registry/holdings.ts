// What an account holds, seen from the registry: its Wh by source and status, and whether it may
// close. The accounts module keeps the account itself; knowing what it holds is the registry's.
import { sql } from 'kysely';
import { actionableAccount, type AccountView, markClosed, readableAccount } from '../accounts/index.ts';
import type { Db } from '../platform/database.ts';
import { conflict } from '../platform/errors.ts';
import type { Principal } from '../platform/principal.ts';
import { LIVE_STATUSES, registry } from './tables.ts';

/** Closing is soft and final; an account still holding usable certificates cannot close. */
export async function closeAccount(db: Db, principal: Principal, id: number, now: Date): Promise<AccountView> {
  return db.transaction().execute(async (trx) => {
    // The account's row lock serialises the close with every path that puts bundles into it
    // (registry/migrations/0016_access.sql), so the check below cannot be overtaken.
    await actionableAccount(trx, principal, id, { forUpdate: true });
    const held = await registry(trx)
      .selectFrom('bundles')
      .select('id')
      .where('account_id', '=', id)
      .where('certificate_bundle_status', 'in', LIVE_STATUSES)
      .limit(1)
      .executeTakeFirst();
    if (held)
      throw conflict(
        'account_not_empty',
        `account ${id} still holds active, reserved or locked certificates; transfer or cancel them first`,
      );
    return markClosed(trx, principal, id, now);
  });
}

export interface SummaryRow {
  energy_source: string;
  certificate_bundle_status: string;
  bundles: number;
  wh: number;
}

export async function accountSummary(
  db: Db,
  principal: Principal,
  accountId: number,
): Promise<{ account_id: number; total_wh: number; by_source_and_status: SummaryRow[] }> {
  await readableAccount(db, principal, accountId);
  const rows = await registry(db)
    .selectFrom('bundles')
    .select([
      'energy_source',
      'certificate_bundle_status',
      sql<number>`count(*)::bigint`.as('bundles'),
      sql<number>`sum(bundle_quantity)::bigint`.as('wh'),
    ])
    .where('account_id', '=', accountId)
    .groupBy(['energy_source', 'certificate_bundle_status'])
    .orderBy('energy_source')
    .orderBy('certificate_bundle_status')
    .execute();
  return { account_id: accountId, total_wh: rows.reduce((s, r) => s + r.wh, 0), by_source_and_status: rows };
}
