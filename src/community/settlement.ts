// Settlement: monthly statements per member, the payment state of each match, CSV exports.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../identity/principal.ts';
import { appendEvent } from '../ledger/events.ts';
import { badRequest, conflict, notFound } from '../platform/errors.ts';
import { afterId, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { localMonth } from '../platform/time-zone.ts';
import { toCsv } from '../platform/csv.ts';
import { managedCommunity, readableCommunity } from './communities.ts';
import { matchView, scopeOf, type MatchView } from './intervals.ts';
import { checkPeriod } from '../platform/period.ts';
import { community, money, type MatchState } from './tables.ts';

export interface StatementLine {
  member_id: number;
  name: string;
  from_peers_wh: number;
  to_peers_wh: number;
  from_grid_wh: number;
  to_grid_wh: number;
  /** What the member paid, for energy from peers and the grid. */
  cost: number;
  /** What the member earned, for energy to peers and the grid. */
  revenue: number;
  net_cost: number;
  /** What the member would have paid with the grid alone: its deficits at the grid price less its surpluses at feed-in. */
  grid_only_cost: number;
  savings: number;
}
export interface Statement {
  community_id: number; month: string; currency: string; period_start: string; period_end: string;
  members: StatementLine[];
  /** Sums over the members shown; `grid_bill` is what they owe the grid, which equals `net_cost` for the whole community. */
  totals: Omit<StatementLine, 'member_id' | 'name'> & { grid_bill: number };
}

interface Sums { member_id: number; from_peers: number; to_peers: number; from_grid: number; to_grid: number; cost: number; revenue: number; grid_only: number }

export async function monthlyStatement(db: Db, principal: Principal | undefined, id: number, month: string, memberId?: number): Promise<Statement> {
  const readable = await readableCommunity(db, principal, id);
  const c = readable.community;
  const scope = scopeOf(readable, memberId);
  const year = Number(month.slice(0, 4));
  if (year < 2000 || year > 9998) throw badRequest('date_out_of_range', `${month} is not between the years 2000 and 9998`, 'querystring/month');
  const { from, to } = localMonth(month, c.time_zone);
  const scoped = scope === 'all' ? sql`true` : sql`member_id = ANY(${scope}::bigint[])`;
  // Each match is one side of two members' statements (or one member and the grid). The grid-only
  // cost prices the same Wh at the interval's own grid and feed-in prices, rounded as clearing rounds
  // (half up, as Math.round; PostgreSQL's round() of a float rounds half to even).
  const { rows } = await sql<Sums>`
    WITH sides AS (
      SELECT x.buyer_member_id AS member_id, x.seller_member_id IS NULL AS grid, true AS buying, x.wh, x.amount_micro,
             floor(x.wh * i.grid_price * 1000 + 0.5)::bigint AS grid_only
      FROM community_matches x JOIN community_intervals i ON i.community_id = x.community_id AND i.interval_start = x.interval_start
      WHERE x.community_id = ${id} AND x.interval_start >= ${from.toISOString()}::timestamptz AND x.interval_start < ${to.toISOString()}::timestamptz
        AND x.buyer_member_id IS NOT NULL
      UNION ALL
      SELECT x.seller_member_id, x.buyer_member_id IS NULL, false, x.wh, x.amount_micro, floor(x.wh * i.feed_in_price * 1000 + 0.5)::bigint
      FROM community_matches x JOIN community_intervals i ON i.community_id = x.community_id AND i.interval_start = x.interval_start
      WHERE x.community_id = ${id} AND x.interval_start >= ${from.toISOString()}::timestamptz AND x.interval_start < ${to.toISOString()}::timestamptz
        AND x.seller_member_id IS NOT NULL
    )
    SELECT member_id,
      coalesce(sum(wh) FILTER (WHERE buying AND NOT grid), 0)::bigint AS from_peers,
      coalesce(sum(wh) FILTER (WHERE NOT buying AND NOT grid), 0)::bigint AS to_peers,
      coalesce(sum(wh) FILTER (WHERE buying AND grid), 0)::bigint AS from_grid,
      coalesce(sum(wh) FILTER (WHERE NOT buying AND grid), 0)::bigint AS to_grid,
      coalesce(sum(amount_micro) FILTER (WHERE buying), 0)::bigint AS cost,
      coalesce(sum(amount_micro) FILTER (WHERE NOT buying), 0)::bigint AS revenue,
      (coalesce(sum(grid_only) FILTER (WHERE buying), 0) - coalesce(sum(grid_only) FILTER (WHERE NOT buying), 0))::bigint AS grid_only
    FROM sides WHERE ${scoped} GROUP BY member_id`.execute(db);
  const sums = new Map(rows.map((r) => [r.member_id, r]));

  let members = community(db).selectFrom('community_members').select(['id', 'name']).where('community_id', '=', id)
    .where('valid_from', '<', to).where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', from)]));
  if (scope !== 'all') members = members.where(sql<boolean>`id = ANY(${scope}::bigint[])`);
  const none: Sums = { member_id: 0, from_peers: 0, to_peers: 0, from_grid: 0, to_grid: 0, cost: 0, revenue: 0, grid_only: 0 };
  const lines = (await members.orderBy('id').execute()).map((m) => ({ name: m.name, ...(sums.get(m.id) ?? { ...none, member_id: m.id }) }));

  const total = (k: keyof Sums) => lines.reduce((a, l) => a + l[k], 0);
  const grid = await gridBill(db, id, from, to, scope);
  return {
    community_id: id, month, currency: c.currency, period_start: from.toISOString(), period_end: to.toISOString(),
    members: lines.map((l) => line(l.member_id, l.name, l)),
    totals: { ...omitNames(line(0, '', { ...none, from_peers: total('from_peers'), to_peers: total('to_peers'), from_grid: total('from_grid'), to_grid: total('to_grid'), cost: total('cost'), revenue: total('revenue'), grid_only: total('grid_only') })), grid_bill: money(grid) },
  };
}

const omitNames = ({ member_id: _m, name: _n, ...rest }: StatementLine) => rest;

function line(memberId: number, name: string, s: Sums): StatementLine {
  const net = s.cost - s.revenue;
  return {
    member_id: memberId, name, from_peers_wh: s.from_peers, to_peers_wh: s.to_peers, from_grid_wh: s.from_grid, to_grid_wh: s.to_grid,
    cost: money(s.cost), revenue: money(s.revenue), net_cost: money(net), grid_only_cost: money(s.grid_only), savings: money(s.grid_only - net),
  };
}

/** What the members in scope owe the grid over [from, to): their grid imports less their grid exports, in millionths. */
async function gridBill(db: Db, id: number, from: Date, to: Date, scope: number[] | 'all'): Promise<number> {
  const scoped = scope === 'all' ? sql`true` : sql`coalesce(buyer_member_id, seller_member_id) = ANY(${scope}::bigint[])`;
  const { rows } = await sql<{ bill: number }>`
    SELECT (coalesce(sum(amount_micro) FILTER (WHERE seller_member_id IS NULL), 0) - coalesce(sum(amount_micro) FILTER (WHERE buyer_member_id IS NULL), 0))::bigint AS bill
    FROM community_matches WHERE community_id = ${id}
      AND interval_start >= ${from.toISOString()}::timestamptz AND interval_start < ${to.toISOString()}::timestamptz
      AND (buyer_member_id IS NULL OR seller_member_id IS NULL) AND ${scoped}`.execute(db);
  return rows[0]?.bill ?? 0;
}

export function statementCsv(s: Statement): string {
  const header = ['member_id', 'name', 'from_peers_wh', 'to_peers_wh', 'from_grid_wh', 'to_grid_wh', `cost_${s.currency}`, `revenue_${s.currency}`, `net_cost_${s.currency}`, `grid_only_cost_${s.currency}`, `savings_${s.currency}`];
  return toCsv(header, s.members.map((l) => [l.member_id, l.name, l.from_peers_wh, l.to_peers_wh, l.from_grid_wh, l.to_grid_wh, l.cost, l.revenue, l.net_cost, l.grid_only_cost, l.savings]));
}

// --- matches and their payment states ----------------------------------------------------------

export interface MatchFilter { from: Date; to: Date; member_id?: number | undefined; state?: MatchState | undefined }

export async function listMatches(db: Db, principal: Principal | undefined, id: number, filter: MatchFilter, page: PageRequest): Promise<Page<MatchView>> {
  checkPeriod(filter.from, filter.to, 'querystring/to', { bounded: true });
  const scope = scopeOf(await readableCommunity(db, principal, id), filter.member_id);
  let query = community(db).selectFrom('community_matches').selectAll().where('community_id', '=', id)
    .where('interval_start', '>=', filter.from).where('interval_start', '<', filter.to).where('id', '>', afterId(page));
  if (scope !== 'all') query = query.where(sql<boolean>`(buyer_member_id = ANY(${scope}::bigint[]) OR seller_member_id = ANY(${scope}::bigint[]))`);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  return pageOf((await query.orderBy('id').limit(page.limit + 1).execute()).map(matchView), page.limit);
}

export function matchesCsv(matches: MatchView[], currency: string): string {
  return toCsv(['id', 'interval_start', 'buyer_member_id', 'seller_member_id', 'wh', `price_${currency}_per_kwh`, `amount_${currency}`, 'state'],
    matches.map((m) => [m.id, m.interval_start, m.buyer ?? 'grid', m.seller ?? 'grid', m.wh, m.price, m.amount, m.state]));
}

/** A match is created, sent to be paid, then paid or not paid; `error` marks a failed send, which may be sent again; an unpaid one may still be paid. */
const NEXT: Record<MatchState, readonly MatchState[]> = {
  created: ['sent', 'error'],
  sent: ['paid', 'not_paid', 'error'],
  not_paid: ['paid'],
  error: ['sent'],
  paid: [],
};

/** Moves matches to `state`, all or nothing: any unknown id or refused transition and none change. */
export async function updateMatchStates(db: Db, principal: Principal, id: number, matchIds: number[], state: MatchState): Promise<MatchView[]> {
  if (new Set(matchIds).size !== matchIds.length) throw badRequest('duplicate_match', 'a match id is listed twice', 'body/match_ids');
  return db.transaction().execute(async (trx) => {
    await managedCommunity(trx, principal, id);
    const rows = await community(trx).selectFrom('community_matches').selectAll().where('community_id', '=', id).where('id', 'in', matchIds).orderBy('id').forUpdate().execute();
    const found = new Set(rows.map((r) => r.id));
    const missing = matchIds.findIndex((m) => !found.has(m));
    if (missing >= 0) throw notFound('match', matchIds[missing]!);
    const refused = rows.find((r) => !NEXT[r.state].includes(state));
    if (refused) throw conflict('invalid_state_transition', `match ${refused.id} is ${refused.state}; it cannot become ${state}`);
    const now = new Date();
    const updated = await community(trx).updateTable('community_matches').set({ state, state_changed_at: now }).where('community_id', '=', id).where('id', 'in', matchIds).returningAll().execute();
    updated.sort((a, b) => a.id - b.id);
    await appendEvent(trx, { type: 'community.matches_updated', subject_type: 'community', subject_id: id, actor_id: principal.userId, payload: { community_id: id, state, match_ids: updated.map((m) => m.id) } });
    return updated.map(matchView);
  });
}
