// Settlement: monthly statements per member, the payment state of each match, CSV exports.
import { sql } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, notFound } from '../platform/errors.ts';
import { afterId, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { localMonth } from '../platform/time-zone.ts';
import { toCsv } from '../platform/csv.ts';
import { managedCommunity, readableCommunity } from './communities.ts';
import { inScope, intervalsHolding, matchesById, matchesOf, matchView, scopeOf, type MatchView } from './intervals.ts';
import { membersDuring } from './members.ts';
import { checkPeriod } from '../platform/period.ts';
import { community, money, type MatchState } from './tables.ts';
import type { Statement as StatementSchema, StatementLine as StatementLineSchema } from './schemas.ts';

/** A monthly statement and a member's line in it, as the API shows them: the static types of their schemas. */
export type StatementLine = Static<typeof StatementLineSchema>;
export type Statement = Static<typeof StatementSchema>;

/**
 * A member's month, in Wh and millionths of the currency. Each match's amount is exact (limits.ts),
 * but a month of them, or the members together, can pass 2^53: they are added in PostgreSQL's
 * numeric and in BigInt, and rounded to a number only in the answer.
 */
interface Sums {
  from_peers: bigint;
  to_peers: bigint;
  from_grid: bigint;
  to_grid: bigint;
  cost: bigint;
  revenue: bigint;
  grid_only: bigint;
  grid_net: bigint;
}
const SUMS: Array<keyof Sums> = [
  'from_peers',
  'to_peers',
  'from_grid',
  'to_grid',
  'cost',
  'revenue',
  'grid_only',
  'grid_net',
];
const NOTHING: Sums = {
  from_peers: 0n,
  to_peers: 0n,
  from_grid: 0n,
  to_grid: 0n,
  cost: 0n,
  revenue: 0n,
  grid_only: 0n,
  grid_net: 0n,
};

export async function monthlyStatement(
  db: Db,
  principal: Principal | undefined,
  id: number,
  month: string,
  memberId?: number,
): Promise<Statement> {
  const readable = await readableCommunity(db, principal, id);
  const c = readable.community;
  const scope = scopeOf(readable, memberId);
  const year = Number(month.slice(0, 4));
  if (year < 2000 || year > 9998)
    throw badRequest('date_out_of_range', `${month} is not between the years 2000 and 9998`, 'querystring/month');
  const { from, to } = localMonth(month, c.time_zone);
  // One scan: each match is a side of its buyer's and of its seller's statement (the grid has none).
  // The grid-only cost prices the same Wh at the interval's own grid and feed-in prices, rounded as
  // clearing rounds (half up, as Math.round; PostgreSQL's round() of a float rounds half to even).
  // grid_net is what the member owes the grid; summed, it is the grid's bill. Sums of bigint are
  // numeric, sent as text so that no driver rounds them. The stored arrays are unnested here
  // directly, not through the view community_matches, which also works out each match's id, price
  // and state: a third less time for a day of 10,000 members (docs/benchmarks.md).
  const { rows } = await sql<Record<keyof Sums, string> & { member_id: number }>`
    SELECT s.member_id,
      coalesce(sum(m.wh) FILTER (WHERE s.buying AND m.seller IS NOT NULL), 0)::text AS from_peers,
      coalesce(sum(m.wh) FILTER (WHERE NOT s.buying AND m.buyer IS NOT NULL), 0)::text AS to_peers,
      coalesce(sum(m.wh) FILTER (WHERE s.buying AND m.seller IS NULL), 0)::text AS from_grid,
      coalesce(sum(m.wh) FILTER (WHERE NOT s.buying AND m.buyer IS NULL), 0)::text AS to_grid,
      coalesce(sum(m.amount) FILTER (WHERE s.buying), 0)::text AS cost,
      coalesce(sum(m.amount) FILTER (WHERE NOT s.buying), 0)::text AS revenue,
      coalesce(sum(CASE WHEN s.buying THEN 1 ELSE -1 END * floor(m.wh * s.price * 1000 + 0.5)::bigint), 0)::text
        AS grid_only,
      coalesce(sum(CASE WHEN s.buying THEN m.amount ELSE -m.amount END)
        FILTER (WHERE m.buyer IS NULL OR m.seller IS NULL), 0)::text AS grid_net
    FROM community_interval_matches x
    JOIN community_intervals i ON i.community_id = x.community_id AND i.interval_start = x.interval_start
    CROSS JOIN LATERAL unnest(x.buyer_member_ids, x.seller_member_ids, x.wh, x.amount_micro) AS m(buyer, seller, wh, amount)
    CROSS JOIN LATERAL (VALUES (m.buyer, true, i.grid_price), (m.seller, false, i.feed_in_price))
      AS s(member_id, buying, price)
    WHERE x.community_id = ${id}
      AND x.interval_start >= ${from.toISOString()}::timestamptz AND x.interval_start < ${to.toISOString()}::timestamptz
      AND s.member_id IS NOT NULL AND ${inScope(scope, 's.member_id')}
    GROUP BY s.member_id`.execute(db);
  const sums = new Map(
    rows.map((r) => [r.member_id, Object.fromEntries(SUMS.map((k) => [k, BigInt(r[k])])) as unknown as Sums]),
  );

  const wanted = scope === 'all' ? undefined : new Set(scope);
  const members = (await membersDuring(db, id, from, to)).filter((m) => wanted === undefined || wanted.has(m.id));
  const lines = members.map((m) => ({ id: m.id, name: m.name, sums: sums.get(m.id) ?? NOTHING }));
  const totals = { ...NOTHING };
  for (const l of lines) for (const k of SUMS) totals[k] += l.sums[k];
  return {
    community_id: id,
    month,
    currency: c.currency,
    period_start: from.toISOString(),
    period_end: to.toISOString(),
    members: lines.map((l) => ({ member_id: l.id, name: l.name, ...amounts(l.sums) })),
    totals: { ...amounts(totals), grid_bill: money(totals.grid_net) },
  };
}

function amounts(s: Sums): Omit<StatementLine, 'member_id' | 'name'> {
  const net = s.cost - s.revenue;
  return {
    from_peers_wh: Number(s.from_peers),
    to_peers_wh: Number(s.to_peers),
    from_grid_wh: Number(s.from_grid),
    to_grid_wh: Number(s.to_grid),
    cost: money(s.cost),
    revenue: money(s.revenue),
    net_cost: money(net),
    grid_only_cost: money(s.grid_only),
    savings: money(s.grid_only - net),
  };
}

export function statementCsv(s: Statement): string {
  const header = [
    'member_id',
    'name',
    'from_peers_wh',
    'to_peers_wh',
    'from_grid_wh',
    'to_grid_wh',
    `cost_${s.currency}`,
    `revenue_${s.currency}`,
    `net_cost_${s.currency}`,
    `grid_only_cost_${s.currency}`,
    `savings_${s.currency}`,
  ];
  return toCsv(
    header,
    s.members.map((l) => [
      l.member_id,
      l.name,
      l.from_peers_wh,
      l.to_peers_wh,
      l.from_grid_wh,
      l.to_grid_wh,
      l.cost,
      l.revenue,
      l.net_cost,
      l.grid_only_cost,
      l.savings,
    ]),
  );
}

// --- matches and their payment states ----------------------------------------------------------

export interface MatchFilter {
  from: Date;
  to: Date;
  member_id?: number | undefined;
  state?: MatchState | undefined;
}

export async function listMatches(
  db: Db,
  principal: Principal | undefined,
  id: number,
  filter: MatchFilter,
  page: PageRequest,
): Promise<Page<MatchView> & { currency: string }> {
  checkPeriod(filter.from, filter.to, 'querystring/to', { bounded: true });
  const readable = await readableCommunity(db, principal, id);
  // Matches are listed by interval, then id (which is id order: a community's match ids grow with
  // its intervals, each clearing once, forward, and taking the next ids); a page starts at the
  // interval holding the cursor's match and reads on from there, not every interval from the start.
  const after = afterId(page);
  const [at] = after > 0 ? await intervalsHolding(db, id, [after]) : [];
  let query = matchesOf(db, id, filter.from, filter.to, scopeOf(readable, filter.member_id));
  query =
    at === undefined
      ? query.where('id', '>', after)
      : query.where('interval_start', '>=', at).where(sql<boolean>`(interval_start, id) > (${at}, ${after})`);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  return {
    ...pageOf(
      (
        await query
          .orderBy('interval_start')
          .orderBy('id')
          .limit(page.limit + 1)
          .execute()
      ).map(matchView),
      page.limit,
    ),
    currency: readable.community.currency,
  };
}

export function matchesCsv(matches: MatchView[], currency: string): string {
  return toCsv(
    [
      'id',
      'interval_start',
      'buyer_member_id',
      'seller_member_id',
      'wh',
      `price_${currency}_per_kwh`,
      `amount_${currency}`,
      'state',
    ],
    matches.map((m) => [
      m.id,
      m.interval_start,
      m.buyer ?? 'grid',
      m.seller ?? 'grid',
      m.wh,
      m.price,
      m.amount,
      m.state,
    ]),
  );
}

/**
 * A match is created, sent to be paid, then paid or not paid; `error` marks a failed send, which
 * may be sent again; an unpaid one may still be paid.
 */
const NEXT: Record<MatchState, readonly MatchState[]> = {
  created: ['sent', 'error'],
  sent: ['paid', 'not_paid', 'error'],
  not_paid: ['paid'],
  error: ['sent'],
  paid: [],
};

/** Moves matches to `state`, all or nothing: any unknown id or refused transition and none change. */
export async function updateMatchStates(
  db: Db,
  principal: Principal,
  id: number,
  matchIds: number[],
  state: MatchState,
  now: Date,
): Promise<MatchView[]> {
  if (new Set(matchIds).size !== matchIds.length)
    throw badRequest('duplicate_match', 'a match id is listed twice', 'body/match_ids');
  return db.transaction().execute(async (trx) => {
    await managedCommunity(trx, principal, id);
    // The intervals holding these ids, locked: a concurrent change of the same matches waits,
    // then reads the state this one leaves.
    await intervalsHolding(trx, id, matchIds, { forUpdate: true });
    const rows = await matchesById(trx, id, matchIds);
    const found = new Set(rows.map((r) => r.id));
    const missing = matchIds.findIndex((m) => !found.has(m));
    if (missing >= 0) throw notFound('match', matchIds[missing]!);
    const refused = rows.find((r) => !NEXT[r.state].includes(state));
    if (refused)
      throw conflict('invalid_state_transition', `match ${refused.id} is ${refused.state}; it cannot become ${state}`);
    await community(trx)
      .insertInto('community_match_states')
      .values(matchIds.map((match_id) => ({ match_id, state, state_changed_at: now })))
      .onConflict((oc) => oc.column('match_id').doUpdateSet({ state, state_changed_at: now }))
      .execute();
    const updated = rows.map((r) => ({ ...r, state, state_changed_at: now })); // in id order, as read
    await appendEvent(trx, {
      type: 'community.matches_updated',
      subject_type: 'community',
      subject_id: id,
      actor_id: principal.userId,
      payload: { community_id: id, state, match_ids: updated.map((m) => m.id) },
    });
    return updated.map(matchView);
  });
}
