// The market's round, run by the job runner under its lease (it waits on the chain): check bids'
// payments, close and run the session at gate closure (hourly schedule), run sessions an admin
// moved to running, pay balances out, and open the next session once payouts are settled.
import type { Clock } from '../platform/clock.ts';
import type { MarketConfig } from '../platform/config.ts';
import type { Db } from '../platform/database.ts';
import type { Job, JobOutcome } from '../platform/jobs.ts';
import { eachUnitCommitted, type UnitFailure } from '../platform/units.ts';
import { checkBidPayment, unconfirmedPayments } from './bids.ts';
import type { Market } from './context.ts';
import { payOut, settlePayouts, unsettledPayouts } from './payouts.ts';
import { railFor } from './rails.ts';
import { runMarketSession, runningSessions } from './run.ts';
import { DEFAULT_GRID, moveSession, stageSession } from './sessions.ts';
import { market } from './tables.ts';
import { marketWallet } from './wallets.ts';

const HOUR_MS = 3_600_000;

/** Hourly schedule: stages the first session, and at each hour closes the session opened before it and runs it. */
async function keepSchedule(m: Market, now: Date): Promise<void> {
  const hour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  await m.db.transaction().execute(async (trx) => {
    const any = await market(trx).selectFrom('market_sessions').select('id').executeTakeFirst();
    if (!any) {
      if (m.rail.kind === 'evm' && !(await marketWallet(trx))) return; // bids would have nowhere to be paid
      await stageSession(
        trx,
        null,
        { ...DEFAULT_GRID, weights: Array.from({ length: DEFAULT_GRID.n_price_steps }, () => 1) },
        now,
      );
      return;
    }
    const open = await market(trx)
      .selectFrom('market_sessions')
      .selectAll()
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (open?.open_at && open.open_at < hour) {
      await moveSession(trx, null, open.id, 'closed', now);
      await moveSession(trx, null, open.id, 'running', now);
    }
  });
}

/** Opens the staged session when nothing is open, closed or running and every payout is settled. */
async function openNext(m: Market, now: Date): Promise<void> {
  if ((await unsettledPayouts(m.db)) > 0) return;
  await m.db.transaction().execute(async (trx) => {
    const busy = await market(trx)
      .selectFrom('market_sessions')
      .select('id')
      .where('status', 'in', ['open', 'closed', 'running'])
      .executeTakeFirst();
    const staged = await market(trx)
      .selectFrom('market_sessions')
      .select('id')
      .where('status', '=', 'staged')
      .executeTakeFirst();
    if (!busy && staged) await moveSession(trx, null, staged.id, 'open', now);
  });
}

export async function marketRound(m: Market, now: Date): Promise<JobOutcome> {
  let count = 0;
  const failed: UnitFailure[] = [];
  if (m.rail.kind === 'evm')
    failed.push(
      ...(await eachUnitCommitted(
        await unconfirmedPayments(m.db),
        (id) => `payment of bid ${id}`,
        async (id) => {
          if ((await checkBidPayment(m, id, null)).refusal === null) count++;
        },
      )),
    );
  if (m.config.schedule === 'hourly') await keepSchedule(m, now);
  failed.push(
    ...(await eachUnitCommitted(
      await runningSessions(m.db),
      (id) => `market session ${id}`,
      async (id) => {
        await runMarketSession(m, id);
        count++;
      },
    )),
  );
  // Payouts stored but not known to the chain (a crash before their broadcast) go out again before
  // any new one is signed, so the nonces stay in order.
  count += await settlePayouts(m);
  count += await payOut(m);
  if (m.config.schedule === 'hourly') await openNext(m, now);
  return { count, failed };
}

export const marketJob = (config: MarketConfig, clock: Clock): Job => {
  const rail = railFor(config);
  return {
    name: 'market',
    leaseMs: 15 * 60_000,
    run: (db: Db, now: Date) => marketRound({ db, config, clock, rail }, now),
  };
};
