// What `tally check` proves of the market from the stored rows alone: every balance and running
// total is the sum of its transactions, every finished session's payments are its fee plus its
// revenues to the base unit, and every payout took exactly its amount from its owner's balance.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';

const LIMIT = 20;

export async function checkMarket(db: Db): Promise<Violation[]> {
  const balances = await sql<{ user_id: number }>`
    SELECT p.user_id FROM market_participants p
    LEFT JOIN LATERAL (
      SELECT coalesce(sum(amount), 0) AS balance,
             coalesce(sum(amount) FILTER (WHERE transaction_type = 'transfer_in'), 0) AS deposit,
             coalesce(-sum(amount) FILTER (WHERE transaction_type = 'transfer_out'), 0) AS withdraw,
             coalesce(-sum(amount) FILTER (WHERE transaction_type = 'payment'), 0) AS payment,
             coalesce(sum(amount) FILTER (WHERE transaction_type = 'revenue'), 0) AS revenue
      FROM market_transactions t WHERE t.user_id = p.user_id) t ON true
    WHERE p.balance <> t.balance OR p.total_deposit <> t.deposit OR p.total_withdraw <> t.withdraw
       OR p.total_payment <> t.payment OR p.total_revenue <> t.revenue
    ORDER BY 1 LIMIT ${LIMIT}`.execute(db);
  const budgets = await sql<{ id: number; paid: string; fee: string; shared: string }>`
    SELECT s.id, t.paid::text, s.fee::text, t.shared::text FROM market_sessions s
    LEFT JOIN LATERAL (
      SELECT coalesce(-sum(amount) FILTER (WHERE transaction_type = 'payment'), 0) AS paid,
             coalesce(sum(amount) FILTER (WHERE transaction_type = 'revenue'), 0) AS shared
      FROM market_transactions t WHERE t.session_id = s.id) t ON true
    WHERE s.status = 'finished' AND t.paid <> coalesce(s.fee, 0) + t.shared
    ORDER BY 1 LIMIT ${LIMIT}`.execute(db);
  const payouts = await sql<{ id: number }>`
    SELECT p.id FROM market_payouts p
    WHERE (SELECT count(*) FROM market_transactions t
           WHERE t.transaction_type = 'transfer_out' AND t.user_id = p.user_id AND t.session_id = p.session_id
             AND t.amount = -p.amount) = 0
    ORDER BY 1 LIMIT ${LIMIT}`.execute(db);
  return [
    ...balances.rows.map((r) => ({
      rule: 'market_balance_is_its_transactions',
      detail: `user ${r.user_id}'s balance or totals differ from the sum of their transactions`,
    })),
    ...budgets.rows.map((r) => ({
      rule: 'market_budget_balanced',
      detail: `session ${r.id}: payments ${r.paid} ≠ fee ${r.fee} + revenues ${r.shared}`,
    })),
    ...payouts.rows.map((r) => ({
      rule: 'market_payout_booked',
      detail: `payout ${r.id} has no transfer_out of its amount`,
    })),
  ];
}
