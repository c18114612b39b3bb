// The checker's access rules: who may hold and who may claim. Wired into checkRegistry, so
// `tally check` proves them from the database alone.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';
import { LIVE_STATUSES } from './tables.ts';

const LIMIT = 20;

/**
 * A claim against a metering point counts for that point's consumer, so the point must be a
 * consumption point of the claiming account.
 */
async function claimsInReach(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{
    id: number;
    account_id: number;
    point: string;
    type: string | null;
    point_account: number | null;
  }>`
    SELECT b.id, b.account_id, b.claim_metering_point_id AS point, p.type, p.account_id AS point_account
    FROM bundles b LEFT JOIN metering_points p ON p.id = b.claim_metering_point_id
    WHERE b.claim_metering_point_id IS NOT NULL
      AND (p.id IS NULL OR p.type <> 'consumption' OR p.account_id <> b.account_id)
    ORDER BY b.id LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'claims_in_reach',
    detail:
      r.type === null
        ? `bundle ${r.id} is claimed against metering point ${r.point}, which does not exist`
        : `bundle ${r.id} of account ${r.account_id} is claimed against ` +
          `${r.type} metering point ${r.point} of account ${r.point_account}`,
  }));
}

/** Nobody acts on a closed account, so a live certificate in one would be stranded. */
async function closedAccountsHoldNothingLive(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ account_id: number; bundles: number; wh: number }>`
    SELECT b.account_id, count(*)::bigint AS bundles, sum(b.bundle_quantity)::bigint AS wh
    FROM bundles b JOIN accounts a ON a.id = b.account_id
    WHERE a.closed_at IS NOT NULL AND b.certificate_bundle_status = ANY(${LIVE_STATUSES}::text[])
    GROUP BY b.account_id ORDER BY b.account_id LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'closed_accounts_hold_nothing_live',
    detail: `closed account ${r.account_id} holds ${r.bundles} live bundles (${r.wh} Wh)`,
  }));
}

export async function checkAccess(db: Db): Promise<Violation[]> {
  return [...(await claimsInReach(db)), ...(await closedAccountsHoldNothingLive(db))];
}
