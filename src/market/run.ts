// Running a session: gather its confirmed bids and every resource's hourly history, run the
// engine (pure, seeded), then in one transaction store the forecasts, book each bid's payment and
// each seller's revenue, finish the session with its report, and stage the next one with the
// engine's new price and weights. A session with no confirmed bid finishes at once.
import { createHash, randomInt } from 'node:crypto';
import type { Db } from '../platform/database.ts';
import { canonicalJson } from '../platform/canonical-json.ts';
import { appendEvent } from '../ledger/index.ts';
import type { Market } from './context.ts';
import {
  DEFAULT_ENGINE_CONFIG,
  type EngineBid,
  type EngineResource,
  runSession,
  type SessionOutcome,
} from './engine/index.ts';
import { book } from './money.ts';
import { hourlySeries } from './series.ts';
import { sessionView, stageSession } from './sessions.ts';
import { market, money, type SessionRow } from './tables.ts';

const HOUR_MS = 3_600_000;
/** A year of hourly history at most, as DSBI. */
export const HISTORY_HOURS = 8760;

/** The grid's prices: n steps from b_min to b_max, the last exactly b_max. */
export function gridPrices(s: Pick<SessionRow, 'b_min' | 'b_max' | 'n_price_steps'>): bigint[] {
  const lo = money(s.b_min);
  const hi = money(s.b_max);
  const steps = BigInt(s.n_price_steps - 1);
  return Array.from({ length: s.n_price_steps }, (_, i) => lo + ((hi - lo) * BigInt(i)) / steps);
}

/** The sessions the schedule or an admin moved to running, oldest first. */
export async function runningSessions(db: Db): Promise<number[]> {
  const rows = await market(db)
    .selectFrom('market_sessions')
    .select('id')
    .where('status', '=', 'running')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Runs one running session to finished. The engine works outside any transaction; the results are
 * written in one, which first re-checks the session is still running, so two runners never book
 * one session twice.
 */
export async function runMarketSession(m: Market, id: number): Promise<void> {
  const session = await market(m.db)
    .selectFrom('market_sessions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  if (session.status !== 'running') return;
  const bids = await market(m.db)
    .selectFrom('market_bids')
    .selectAll()
    .where('session_id', '=', id)
    .where('confirmed_at', 'is not', null)
    .orderBy('id')
    .execute();
  const launch = session.launch_at ?? m.clock.now();
  const end = new Date(Math.floor(launch.getTime() / HOUR_MS) * HOUR_MS);
  const start = new Date(end.getTime() - HISTORY_HOURS * HOUR_MS);
  const resourceRows = bids.length
    ? await market(m.db)
        .selectFrom('market_resources')
        .selectAll()
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .execute()
    : [];
  const series = await hourlySeries(m.db, resourceRows, start, HISTORY_HOURS);
  const resources: EngineResource[] = resourceRows.map((r) => ({
    id: r.id,
    user: String(r.user_id),
    values: series.get(r.id) ?? new Float64Array(HISTORY_HOURS).fill(Number.NaN),
  }));
  const engineBids: EngineBid[] = bids.map((b) => ({
    id: b.id,
    user: String(b.user_id),
    resource: b.resource_id,
    bidPrice: money(b.bid_price),
    maxPayment: money(b.max_payment),
    gainFunc: b.gain_func,
  }));
  const seed = randomInt(0, 2 ** 32 - 1);
  const grid = {
    prices: gridPrices(session),
    weights: session.weights,
    marketPrice: money(session.market_price),
    delta: session.delta,
  };
  const config = {
    ...DEFAULT_ENGINE_CONFIG,
    feeBasisPoints: m.config.feeBasisPoints,
    redundancyLambda: m.config.redundancyLambda,
  };
  const outcome: SessionOutcome | undefined = bids.length
    ? runSession({ seed, start, hours: HISTORY_HOURS, resources, bids: engineBids, grid, config })
    : undefined;
  // What makes the run reproducible: the seed, and the hash of everything else it read.
  const hash = createHash('sha256').update(
    canonicalJson({
      start: start.toISOString(),
      bids: engineBids.map((b) => ({ ...b, bidPrice: `${b.bidPrice}`, maxPayment: `${b.maxPayment}` })),
      grid: { ...grid, prices: grid.prices.map(String), marketPrice: `${grid.marketPrice}` },
      config,
    }),
  );
  for (const r of resources)
    hash.update(`${r.id}:${r.user}:`).update(new Uint8Array(r.values.buffer, r.values.byteOffset, r.values.byteLength));
  const inputsHash = hash.digest('hex');
  await settle(m, session, outcome, { seed, inputsHash });
}

/** Books the outcome and moves the session on, in one transaction. */
async function settle(
  m: Market,
  session: SessionRow,
  outcome: SessionOutcome | undefined,
  run: { seed: number; inputsHash: string },
): Promise<void> {
  const now = m.clock.now();
  await m.db.transaction().execute(async (trx) => {
    const current = await market(trx)
      .selectFrom('market_sessions')
      .select('status')
      .where('id', '=', session.id)
      .forUpdate()
      .executeTakeFirst();
    if (current?.status !== 'running') return;
    const bidsById = new Map(
      (await market(trx).selectFrom('market_bids').selectAll().where('session_id', '=', session.id).execute()).map(
        (b) => [b.id, b],
      ),
    );
    let fee = 0n;
    if (outcome) {
      const paid = outcome.bids.reduce((sum, b) => sum + b.payment, 0n);
      const shared = outcome.revenues.reduce((sum, r) => sum + r.amount, 0n);
      if (paid !== outcome.fee + shared)
        throw new Error(`session ${session.id}: payments ${paid} ≠ fee ${outcome.fee} + revenues ${shared}`);
      fee = outcome.fee;
      for (const b of outcome.bids) {
        const bid = bidsById.get(b.bid);
        if (!bid) throw new Error(`the engine answered for unknown bid ${b.bid}`);
        if (b.forecasts.length > 0) {
          await market(trx)
            .insertInto('market_forecasts')
            .values(
              b.forecasts.map((f) => ({ bid_id: bid.id, datetime: f.datetime, q10: f.q10, q50: f.q50, q90: f.q90 })),
            )
            .execute();
          await market(trx).updateTable('market_bids').set({ has_forecasts: true }).where('id', '=', bid.id).execute();
        }
        if (b.payment > 0n)
          await book(
            trx,
            {
              session_id: session.id,
              user_id: bid.user_id,
              resource_id: bid.resource_id,
              transaction_type: 'payment',
              amount: -b.payment,
            },
            now,
            null,
          );
      }
      for (const r of outcome.revenues)
        if (r.amount > 0n)
          await book(
            trx,
            {
              session_id: session.id,
              user_id: Number(r.user),
              resource_id: r.resource,
              transaction_type: 'revenue',
              amount: r.amount,
            },
            now,
            null,
          );
    }
    const report = outcome ? reportOf(outcome) : { fee: '0', filled: [], bids: [] };
    const finished = await market(trx)
      .updateTable('market_sessions')
      .set({
        status: 'finished',
        finish_at: now,
        seed: run.seed,
        inputs_hash: run.inputsHash,
        fee,
        report: JSON.stringify(report),
      })
      .where('id', '=', session.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'market.session.finished',
      subject_type: 'market_session',
      subject_id: session.id,
      actor_id: null,
      payload: { ...sessionView(finished), seed: run.seed, inputs_hash: run.inputsHash, fee: fee.toString(), report },
    });
    await stageSession(
      trx,
      null,
      {
        market_price: outcome?.nextPrice ?? money(session.market_price),
        b_min: money(session.b_min),
        b_max: money(session.b_max),
        n_price_steps: session.n_price_steps,
        delta: session.delta,
        weights: outcome?.nextWeights ?? session.weights,
      },
      now,
    );
  });
}

/** The session's report as stored and served: per bid its gain, noise, payment and fee; per seller its share. */
function reportOf(outcome: SessionOutcome) {
  return {
    fee: outcome.fee.toString(),
    filled: outcome.filled.map((f) => ({
      resource_id: f.resource,
      back_filled: f.backFilled,
      mean_filled: f.meanFilled,
    })),
    bids: outcome.bids.map((b) => ({
      bid_id: b.bid,
      ran: b.ran,
      reason: b.reason ?? null,
      filled_hours: b.filledHours,
      gain: b.gain,
      noise: b.noise,
      effective_price: b.effectivePrice.toString(),
      payment: b.payment.toString(),
      fee: b.fee.toString(),
      refund: b.refund.toString(),
      shapley_method: b.shapleyMethod,
      shapley_standard_error: b.shapleyStandardError,
      sellers: b.shares.map((s) => ({
        resource_id: s.resource,
        user_id: Number(s.user),
        shapley: s.shapley,
        share: s.share,
        revenue: s.revenue.toString(),
      })),
    })),
  };
}
