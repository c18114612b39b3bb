// The standing orders' job: each open order runs every period that has started and not run, once
// each and in order, under the job runner's leader lock. After downtime the missed periods run
// one after the other at the next tick (each as of then); none is skipped, none runs twice: the
// order's row lock serialises its runs, and (order, period_start) is the runs table's primary key.
import { sql } from 'kysely';
import { lockAcceptingAccount } from '../accounts/index.ts';
import { appendEvent } from '../ledger/index.ts';
import type { Db } from '../platform/database.ts';
import { TallyError, unprocessable } from '../platform/errors.ts';
import type { Job, JobOutcome } from '../platform/jobs.ts';
import { eachUnit } from '../platform/units.ts';
import { actOnSelection, type ActionResult } from './actions.ts';
import { periodStart } from './schedule.ts';
import type { OrderSelection } from './standing-order-schemas.ts';
import { orders, type RunOutcome, type StandingOrderRow } from './standing-order-tables.ts';
import { runView } from './standing-orders.ts';

/** The most periods one order catches up in one tick, so one long-stopped hourly order cannot hold the job for ever. */
export const MAX_RUNS_PER_TICK = 1000;

/** What one period's run did: the action, or why it took nothing. */
type Attempt = { result: ActionResult } | { refused: TallyError };

/**
 * The order's action on its selection, as of `now`, inside a savepoint: a refusal (too few Wh, no
 * match, the target no longer accepting, the account closed) rolls back what the attempt wrote and
 * is returned; anything else is a bug and fails the order's unit.
 */
async function attempt(trx: Db, o: StandingOrderRow, now: Date): Promise<Attempt> {
  const selection = { ...(o.selection as OrderSelection), source_id: o.account_id };
  await sql`SAVEPOINT tally_standing_order_run`.execute(trx);
  try {
    let result: ActionResult;
    const options = { partial: o.partial };
    const wanted = { ...selection, certificate_quantity: o.certificate_quantity };
    if (o.action === 'transfer') {
      const target = o.target_id!;
      // The action for Tally's own work skips the caller's checks: the whitelist is asked at every run
      // (and a target closed since is refused as account_closed).
      if (!(await lockAcceptingAccount(trx, target, o.account_id)))
        throw unprocessable(
          'transfer_not_accepted',
          `account ${target} no longer accepts transfers from account ${o.account_id}`,
          'body/target_id',
        );
      result = await actOnSelection(trx, null, 'transfer', wanted, { target_id: target }, now, options);
    } else {
      const fields = { beneficiary: o.beneficiary!, purpose: o.purpose ?? undefined };
      result = await actOnSelection(trx, null, 'cancel', wanted, fields, now, options);
    }
    await sql`RELEASE SAVEPOINT tally_standing_order_run`.execute(trx);
    return { result };
  } catch (err) {
    await sql`ROLLBACK TO SAVEPOINT tally_standing_order_run`.execute(trx);
    await sql`RELEASE SAVEPOINT tally_standing_order_run`.execute(trx);
    if (err instanceof TallyError && err.status < 500) return { refused: err };
    throw err;
  }
}

/** Runs period `sequence` of order `o` and records it: a row and an event, whatever it did. */
async function runPeriod(trx: Db, o: StandingOrderRow, sequence: number, now: Date): Promise<void> {
  const tried = await attempt(trx, o, now);
  let outcome: RunOutcome;
  let reason: { code: string; text: string } | null = null;
  if ('refused' in tried) {
    outcome = 'unfulfilled';
    reason = { code: tried.refused.code, text: tried.refused.message };
  } else if (tried.result.certificate_quantity < o.certificate_quantity) {
    outcome = 'partial';
    reason = {
      code: 'insufficient_quantity',
      text: `the selection held ${tried.result.certificate_quantity} Wh of the ${o.certificate_quantity} Wh ordered`,
    };
  } else {
    outcome = 'fulfilled';
  }
  const row = await orders(trx)
    .insertInto('standing_order_runs')
    .values({
      order_id: o.id,
      sequence,
      period_start: periodStart(o, sequence),
      ran_at: now,
      outcome,
      certificate_quantity: 'result' in tried ? tried.result.certificate_quantity : 0,
      action_id: 'result' in tried ? tried.result.action_id : null,
      reason_code: reason?.code ?? null,
      reason: reason?.text ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    type: 'standing_order.ran',
    subject_type: 'standing_order',
    subject_id: o.id,
    account_ids: o.target_id === null ? [o.account_id] : [o.account_id, o.target_id],
    actor_id: null,
    payload: { order_id: o.id, run: runView(row) },
  });
}

/**
 * Runs every period of order `id` that has started by `now` and not run yet, in order; returns how
 * many ran. The order's row lock makes a concurrent run (or end) of the same order wait, and then
 * see what this one did.
 */
export async function runDuePeriods(trx: Db, id: number, now: Date): Promise<number> {
  const o = await orders(trx)
    .selectFrom('standing_orders')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!o || o.ended_at !== null) return 0;
  const last = await orders(trx)
    .selectFrom('standing_order_runs')
    .select((eb) => eb.fn.max('sequence').as('sequence'))
    .where('order_id', '=', id)
    .executeTakeFirst();
  let next = last?.sequence === null || last?.sequence === undefined ? 0 : last.sequence + 1;
  let ran = 0;
  while (
    ran < MAX_RUNS_PER_TICK &&
    (o.number_of_runs === null || next < o.number_of_runs) &&
    periodStart(o, next).getTime() <= now.getTime()
  ) {
    await runPeriod(trx, o, next, now);
    next += 1;
    ran += 1;
  }
  return ran;
}

/** One round: each open order whose first period has started is a unit; a failing one is skipped and retried next tick. */
export async function runStandingOrders(trx: Db, now: Date): Promise<JobOutcome> {
  const due = await orders(trx)
    .selectFrom('standing_orders')
    .select('id')
    .where('ended_at', 'is', null)
    .where('first_period_start', '<=', now)
    // An order that ran every period it has stays as it is, but takes no more of the job's time.
    .where(
      sql<boolean>`number_of_runs IS NULL OR number_of_runs >
        (SELECT count(*) FROM standing_order_runs r WHERE r.order_id = standing_orders.id)`,
    )
    .orderBy('id')
    .execute();
  let count = 0;
  const failed = await eachUnit(
    trx,
    due.map((o) => o.id),
    (id) => `standing order ${id}`,
    async (id) => {
      count += await runDuePeriods(trx, id, now);
    },
  );
  return { count, failed };
}

export const standingOrdersJob: Job = { name: 'standing-orders', run: runStandingOrders };
