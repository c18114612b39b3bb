// The accounts module's invariants for `tally check`: a deleted organisation owns no open account
// and has no active user, whatever path changed them (decision 0014).
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';

const LIMIT = 20;

export async function checkAccounts(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ organisation: number; kind: 'account' | 'user'; id: number }>`
    SELECT o.id AS organisation, 'account' AS kind, a.id
      FROM organisations o JOIN accounts a ON a.organisation_id = o.id
     WHERE o.deleted_at IS NOT NULL AND a.closed_at IS NULL
    UNION ALL
    SELECT o.id, 'user', u.id
      FROM organisations o JOIN users u ON u.organisation_id = o.id
     WHERE o.deleted_at IS NOT NULL AND u.deactivated_at IS NULL
    ORDER BY 1, 2, 3 LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'deleted_organisations_own_nothing_live',
    detail: `deleted organisation ${r.organisation} still has ${r.kind === 'account' ? 'open account' : 'active user'} ${r.id}`,
  }));
}
