// What `tally check` proves of the sealed ledger from the database alone: every committed event
// the sealer has passed is in exactly one block, and the blocks verify as an export would.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';
import { verifySource } from './verify-source.ts';

const LIMIT = 20;

/**
 * Below the sealed horizon (the commit-order position of the last block's last event) the sealer
 * has decided every event: an event there in no block was skipped, one in two was sealed twice.
 */
async function sealedOnce(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ id: number; height: number | null; blocks: number[] }>`
    WITH horizon AS (SELECT height, last_xact_id, last_event_id FROM ledger_blocks ORDER BY height DESC LIMIT 1)
    SELECT * FROM (
      SELECT e.id, h.height,
             array_agg(l.block_height ORDER BY l.block_height) FILTER (WHERE l.block_height IS NOT NULL) AS blocks
      FROM horizon h JOIN events e ON (e.xact_id, e.id) <= (h.last_xact_id, h.last_event_id)
      LEFT JOIN ledger_leaves l ON l.event_id = e.id
      GROUP BY e.id, h.height HAVING count(l.event_id) <> 1
      UNION ALL
      -- Above the horizon nothing may be sealed yet, so an event there with leaves is wrong too.
      SELECT l.event_id, NULL, array_agg(l.block_height ORDER BY l.block_height)
      FROM ledger_leaves l JOIN events e ON e.id = l.event_id
      WHERE NOT EXISTS (SELECT 1 FROM horizon h WHERE (e.xact_id, e.id) <= (h.last_xact_id, h.last_event_id))
      GROUP BY l.event_id) v
    ORDER BY id LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'events_sealed_once',
    detail:
      r.blocks === null
        ? `event ${r.id} is below the sealed horizon (block ${r.height}) but in no block`
        : r.height === null
          ? `event ${r.id} is sealed in block ${r.blocks.join(', ')} beyond the sealed horizon`
          : `event ${r.id} is sealed ${r.blocks.length} times (blocks ${r.blocks.join(', ')})`,
  }));
}

/** The stored blocks and their signed heads, checked exactly as `tally ledger verify` checks this database. */
async function blocksVerify(db: Db): Promise<Violation[]> {
  const report = await verifySource(db);
  return report.break ? [{ rule: 'ledger_verifies', detail: report.break }] : [];
}

export async function checkLedger(db: Db): Promise<Violation[]> {
  return [...(await sealedOnce(db)), ...(await blocksVerify(db))];
}
