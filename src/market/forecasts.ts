// Forecasts the runs made, 24 hours ahead for each bid's resource with q10/q50/q90, and how they
// scored against the measurements that arrived since.
import type { Db } from '../platform/database.ts';
import { notFound } from '../platform/errors.ts';
import { type Principal, readsEverything } from '../platform/principal.ts';
import { keyset, type Page, type PageRequest } from '../platform/pagination.ts';
import { scoreForecasts } from './engine/index.ts';
import type { ForecastFilter, ForecastView, ReportView } from './schemas.ts';
import { hourlySeries } from './series.ts';
import { market } from './tables.ts';

const HOUR_MS = 3_600_000;
const byBidAndHour = keyset({ t: 'time', bid: /^[0-9a-f-]{36}$/ });

export async function listForecasts(
  db: Db,
  principal: Principal,
  filter: ForecastFilter & { user_id?: number | undefined },
  page: PageRequest,
): Promise<Page<ForecastView>> {
  let query = market(db)
    .selectFrom('market_forecasts as f')
    .innerJoin('market_bids as b', 'b.id', 'f.bid_id')
    .select(['f.bid_id', 'b.session_id', 'b.resource_id', 'f.datetime', 'f.q10', 'f.q50', 'f.q90']);
  if (!readsEverything(principal)) query = query.where('b.user_id', '=', principal.userId);
  else if (filter.user_id !== undefined) query = query.where('b.user_id', '=', filter.user_id);
  if (filter.resource_id !== undefined) query = query.where('b.resource_id', '=', filter.resource_id.toLowerCase());
  if (filter.session_id !== undefined) query = query.where('b.session_id', '=', filter.session_id);
  if (filter.from !== undefined) query = query.where('f.datetime', '>=', new Date(filter.from));
  if (filter.to !== undefined) query = query.where('f.datetime', '<', new Date(filter.to));
  const after = byBidAndHour.after(page);
  if (after !== undefined)
    query = query.where((e) =>
      e.or([e('f.datetime', '>', after.t), e.and([e('f.datetime', '=', after.t), e('f.bid_id', '>', after.bid)])]),
    );
  const rows = await query
    .orderBy('f.datetime')
    .orderBy('f.bid_id')
    .limit(page.limit + 1)
    .execute();
  const items = rows.map((r) => ({
    bid_id: r.bid_id,
    session_id: r.session_id,
    resource_id: r.resource_id,
    datetime: r.datetime.toISOString(),
    q10: r.q10,
    q50: r.q50,
    q90: r.q90,
  }));
  return byBidAndHour.page(items, page.limit, (f) => ({ t: new Date(f.datetime), bid: f.bid_id }));
}

/** The session's stored report, each run bid scored against the measurements that arrived since. */
export async function sessionReport(db: Db, principal: Principal, id: number): Promise<ReportView> {
  const session = await market(db).selectFrom('market_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!session) throw notFound('market_session', id);
  const stored = (session.report ?? { fee: '0', filled: [], bids: [] }) as Omit<
    ReportView,
    'session_id' | 'seed' | 'inputs_hash'
  >;
  const bids = await market(db).selectFrom('market_bids').selectAll().where('session_id', '=', id).execute();
  const visible = new Set(
    bids.filter((b) => readsEverything(principal) || b.user_id === principal.userId).map((b) => b.id),
  );
  const shown = [];
  for (const b of stored.bids) {
    if (!visible.has(b.bid_id)) continue;
    shown.push({ ...b, score: await scoreOf(db, b.bid_id) });
  }
  return {
    session_id: id,
    seed: session.seed,
    inputs_hash: session.inputs_hash,
    fee: stored.fee,
    filled: stored.filled,
    bids: shown,
  };
}

/** A bid's forecasts against the hours measured since; null before any is. */
async function scoreOf(db: Db, bidId: string) {
  const forecasts = await market(db)
    .selectFrom('market_forecasts')
    .selectAll()
    .where('bid_id', '=', bidId)
    .orderBy('datetime')
    .execute();
  const first = forecasts[0];
  if (!first) return null;
  const bid = await market(db)
    .selectFrom('market_bids')
    .select('resource_id')
    .where('id', '=', bidId)
    .executeTakeFirstOrThrow();
  const resource = await market(db)
    .selectFrom('market_resources')
    .selectAll()
    .where('id', '=', bid.resource_id)
    .executeTakeFirstOrThrow();
  const series = (await hourlySeries(db, [resource], first.datetime, forecasts.length)).get(resource.id) ?? [];
  const actuals = Array.from(series, (value, i) => ({
    datetime: new Date(first.datetime.getTime() + i * HOUR_MS),
    value,
  }));
  const { hours, rmse, pinball10, pinball90 } = scoreForecasts(forecasts, actuals);
  return hours === 0 ? null : { hours_measured: hours, rmse, pinball10, pinball90 };
}
