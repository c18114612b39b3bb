// What `tally check` proves of the standing orders: every run that moved Wh refers to its own
// action's event (of the order's action, from the order's account, for the Wh the run says), no
// event serves two runs, each order's runs are its periods 0, 1, 2, … in order with the starts
// its schedule gives (so none ran twice and none was skipped), none ran past its number of runs,
// and none ran after the order ended.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';
import { ACTION_RULES } from './actions.ts';
import { periodStart } from './schedule.ts';
import { orders } from './standing-order-tables.ts';

const LIMIT = 20;

async function runsReferToTheirActions(db: Db): Promise<Violation[]> {
  const rows = await sql<{
    order_id: number;
    sequence: number;
    action: 'transfer' | 'cancel';
    event_type: string | null;
    event_account: string | null;
    account_id: number;
    event_wh: number | null;
    wh: number;
    uses: number;
  }>`
    SELECT r.order_id, r.sequence, o.action, o.account_id, r.certificate_quantity AS wh,
           e.type AS event_type, e.subject_id AS event_account,
           (e.payload -> 'request' ->> 'certificate_quantity')::bigint AS event_wh,
           count(*) OVER (PARTITION BY r.action_id)::int AS uses
    FROM standing_order_runs r
    JOIN standing_orders o ON o.id = r.order_id
    LEFT JOIN events e ON e.id = r.action_id
    WHERE r.action_id IS NOT NULL`.execute(db);
  const violations: Violation[] = [];
  for (const r of rows.rows) {
    const expected = ACTION_RULES[r.action].event;
    const wrong =
      r.event_type !== expected
        ? `its action event is ${r.event_type ?? 'missing'}, not ${expected}`
        : r.event_account !== String(r.account_id)
          ? `its action event is of account ${r.event_account}, not the order's ${r.account_id}`
          : r.event_wh !== r.wh
            ? `its action event acted on ${r.event_wh} Wh, the run says ${r.wh}`
            : r.uses > 1
              ? 'its action event serves another run too'
              : undefined;
    if (wrong)
      violations.push({ rule: 'standing_order_run_action', detail: `order ${r.order_id} run ${r.sequence}: ${wrong}` });
    if (violations.length >= LIMIT) break;
  }
  return violations;
}

async function runsFollowTheSchedule(db: Db): Promise<Violation[]> {
  const violations: Violation[] = [];
  const all = await orders(db).selectFrom('standing_orders').selectAll().orderBy('id').execute();
  for (const o of all) {
    const runs = await orders(db)
      .selectFrom('standing_order_runs')
      .select(['sequence', 'period_start', 'ran_at'])
      .where('order_id', '=', o.id)
      .orderBy('sequence')
      .execute();
    const detail = (what: string) =>
      violations.push({ rule: 'standing_order_periods', detail: `order ${o.id}: ${what}` });
    runs.forEach((r, k) => {
      if (r.sequence !== k) detail(`run ${r.sequence} comes where run ${k} belongs: period ${k} never ran`);
      else if (r.period_start.getTime() !== periodStart(o, k).getTime())
        detail(`run ${k} is for ${r.period_start.toISOString()}, its schedule says ${periodStart(o, k).toISOString()}`);
      else if (r.ran_at.getTime() < r.period_start.getTime()) detail(`run ${k} ran before its period started`);
      else if (o.ended_at !== null && r.ran_at.getTime() > o.ended_at.getTime())
        detail(`run ${k} ran after the order ended`);
    });
    if (o.number_of_runs !== null && runs.length > o.number_of_runs)
      detail(`${runs.length} runs of the ${o.number_of_runs} ordered`);
    if (violations.length >= LIMIT) break;
  }
  return violations;
}

export async function checkStandingOrders(db: Db): Promise<Violation[]> {
  return [...(await runsReferToTheirActions(db)), ...(await runsFollowTheSchedule(db))];
}
