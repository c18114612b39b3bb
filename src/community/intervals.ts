// Reading cleared intervals: the matches, each member's energy from and to peers and the grid,
// and the prices the interval cleared at. Readers who see only their own members see only the
// matches those members are part of.
import { sql } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { notFound } from '../platform/errors.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from '../platform/pagination.ts';
import { readableCommunity, type Readable } from './communities.ts';
import { community, MATCH_ID_BLOCK, money, type CommunityMatchRow } from './tables.ts';
import type { Flows, Interval, Match } from './schemas.ts';
import { checkPeriod } from '../platform/period.ts';

/** A match, a member's flows and an interval as the API shows them: the static types of their schemas. */
export type MatchView = Static<typeof Match>;
export type MemberFlows = Static<typeof Flows>;
export type IntervalView = Static<typeof Interval>;

export const matchView = (m: CommunityMatchRow): MatchView => ({
  id: m.id,
  interval_start: m.interval_start.toISOString(),
  buyer: m.buyer_member_id,
  seller: m.seller_member_id,
  wh: m.wh,
  price: m.price,
  amount: money(m.amount_micro),
  state: m.state,
});

/** The members a request looks at: all of them, or these ids. */
export type Scope = number[] | 'all';

/** The member ids a request may look at: those it names (if readable) or all it may read. */
export function scopeOf(readable: Readable, memberId: number | undefined): Scope {
  if (memberId === undefined) return readable.members;
  if (readable.members !== 'all' && !readable.members.includes(memberId)) throw notFound('member', memberId);
  return [memberId];
}

/** SQL that holds when `column` names a member in scope. */
export const inScope = (scope: Scope, column: string) =>
  scope === 'all' ? sql<boolean>`true` : sql<boolean>`${sql.ref(column)} = ANY(${scope}::bigint[])`;

/** SQL that holds when a match involves a member in scope, as buyer or seller. */
export const involving = (scope: Scope) =>
  sql<boolean>`(${inScope(scope, 'buyer_member_id')} OR ${inScope(scope, 'seller_member_id')})`;

/** The matches of [from, to) that involve `scope`: the one query behind intervals, match lists and CSV. */
export const matchesOf = (db: Db, communityId: number, from: Date, to: Date, scope: Scope) =>
  community(db)
    .selectFrom('community_matches')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('interval_start', '>=', from)
    .where('interval_start', '<', to)
    .where(involving(scope));

/**
 * The cleared intervals of community `communityId` that hold any of the match ids `ids`, found by
 * their block of ids (or, cleared before migration 0039, the ids they list); locked with `forUpdate`.
 */
export async function intervalsHolding(
  db: Db,
  communityId: number,
  ids: number[],
  opts: { forUpdate?: boolean } = {},
): Promise<Date[]> {
  const { rows } = await sql<{ interval_start: Date }>`
    SELECT interval_start FROM community_interval_matches
    WHERE community_id = ${communityId}
      AND (first_match_id = ANY(ARRAY(SELECT i - i % ${MATCH_ID_BLOCK} FROM unnest(${ids}::bigint[]) AS i))
           OR match_ids && ${ids}::bigint[])
    ORDER BY interval_start
    ${opts.forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db);
  return rows.map((r) => r.interval_start);
}

/**
 * The matches of community `communityId` with ids `ids` (those that exist), each read at its place
 * in its interval's arrays: the view would unnest every match of each interval it touches, and a
 * member's month of ids touches thousands of intervals. Prices and states as the view gives them.
 */
export async function matchesById(db: Db, communityId: number, ids: number[]): Promise<CommunityMatchRow[]> {
  const { rows } = await sql<CommunityMatchRow>`
    SELECT m.id, m.community_id, m.interval_start, m.buyer_member_id, m.seller_member_id, m.wh,
           coalesce(m.listed_price, community_match_price(m.buyer_member_id, m.seller_member_id, m.grid_price,
                                                          m.feed_in_price, m.peer_price)) AS price,
           m.amount_micro, coalesce(s.state, 'created') AS state, s.state_changed_at
    FROM (
      SELECT want.id, x.community_id, x.interval_start, x.buyer_member_ids[p.k] AS buyer_member_id,
             x.seller_member_ids[p.k] AS seller_member_id, x.wh[p.k] AS wh, x.amount_micro[p.k] AS amount_micro,
             x.prices[p.k] AS listed_price, i.grid_price, i.feed_in_price, i.peer_price
      FROM unnest(${ids}::bigint[]) AS want(id)
      JOIN community_interval_matches x ON x.community_id = ${communityId}
        AND (x.first_match_id = want.id - want.id % ${MATCH_ID_BLOCK} OR x.match_ids @> ARRAY[want.id])
      CROSS JOIN LATERAL (
        SELECT coalesce(array_position(x.match_ids, want.id), want.id - x.first_match_id + 1)::int AS k) p
      JOIN community_intervals i ON i.community_id = x.community_id AND i.interval_start = x.interval_start
      OFFSET 0) m
    LEFT JOIN community_match_states s ON s.match_id = m.id
    -- A place past the interval's last match reads as NULL (every stored Wh is present).
    WHERE m.wh IS NOT NULL
    ORDER BY m.id`.execute(db);
  return rows;
}

/** Sums each member's side of the matches. */
export function flows(matches: CommunityMatchRow[], scope: Scope): MemberFlows[] {
  const by = new Map<number, MemberFlows & { costMicro: number; revenueMicro: number }>();
  const row = (id: number) => {
    let f = by.get(id);
    if (!f) {
      f = {
        member_id: id,
        from_peers_wh: 0,
        to_peers_wh: 0,
        from_grid_wh: 0,
        to_grid_wh: 0,
        cost: 0,
        revenue: 0,
        costMicro: 0,
        revenueMicro: 0,
      };
      by.set(id, f);
    }
    return f;
  };
  const wanted = scope === 'all' ? undefined : new Set(scope);
  const inScope = (id: number | null): id is number => id !== null && (wanted === undefined || wanted.has(id));
  for (const m of matches) {
    if (inScope(m.buyer_member_id)) {
      const f = row(m.buyer_member_id);
      if (m.seller_member_id === null) f.from_grid_wh += m.wh;
      else f.from_peers_wh += m.wh;
      f.costMicro += m.amount_micro;
    }
    if (inScope(m.seller_member_id)) {
      const f = row(m.seller_member_id);
      if (m.buyer_member_id === null) f.to_grid_wh += m.wh;
      else f.to_peers_wh += m.wh;
      f.revenueMicro += m.amount_micro;
    }
  }
  return [...by.values()]
    .sort((a, b) => a.member_id - b.member_id)
    .map(({ costMicro, revenueMicro, ...f }) => ({ ...f, cost: money(costMicro), revenue: money(revenueMicro) }));
}

export async function listIntervals(
  db: Db,
  principal: Principal | undefined,
  id: number,
  q: { from: Date; to: Date; member_id?: number | undefined },
  page: PageRequest,
): Promise<Page<IntervalView>> {
  checkPeriod(q.from, q.to, 'querystring/to', { bounded: true });
  const readable = await readableCommunity(db, principal, id);
  const scope = scopeOf(readable, q.member_id);
  const wanted = scope === 'all' ? undefined : new Set(scope);
  const after = page.cursor === undefined ? q.from : decodeCursor(page.cursor, { t: 'time' }, page.field).t;
  const rows = await community(db)
    .selectFrom('community_intervals')
    .selectAll()
    .where('community_id', '=', id)
    .where('interval_start', page.cursor === undefined ? '>=' : '>', after)
    .where('interval_start', '<', q.to)
    .orderBy('interval_start')
    .limit(page.limit + 1)
    .execute();
  const shown = rows.slice(0, page.limit);
  const first = shown[0],
    last = shown[shown.length - 1];
  const matches =
    first && last
      ? await matchesOf(db, id, first.interval_start, last.interval_end, scope)
          .orderBy('interval_start')
          .orderBy('id')
          .execute()
      : [];
  const byInterval = new Map<number, CommunityMatchRow[]>();
  for (const m of matches) {
    const list = byInterval.get(m.interval_start.getTime());
    if (list) list.push(m);
    else byInterval.set(m.interval_start.getTime(), [m]);
  }
  const items = shown.map((r) => {
    const own = byInterval.get(r.interval_start.getTime()) ?? [];
    const visible = (ids: number[]) => (wanted === undefined ? ids : ids.filter((m) => wanted.has(m)));
    return {
      interval_start: r.interval_start.toISOString(),
      interval_end: r.interval_end.toISOString(),
      mechanism: r.mechanism,
      grid_price: r.grid_price,
      feed_in_price: r.feed_in_price,
      peer_price: r.peer_price,
      buy_price: r.buy_price,
      sell_price: r.sell_price,
      demand_wh: r.demand_wh,
      supply_wh: r.supply_wh,
      peer_wh: r.peer_wh,
      grid_import_wh: r.grid_import_wh,
      grid_export_wh: r.grid_export_wh,
      grid_only_member_ids: visible(r.grid_only_member_ids),
      missing_member_ids: visible(r.missing_member_ids),
      implausible_member_ids: visible(r.implausible_member_ids),
      matches: own.map((m) => {
        const { interval_start: _s, ...v } = matchView(m);
        return v;
      }),
      members: flows(own, scope),
    };
  });
  return {
    items,
    next_cursor: rows.length > page.limit && last ? encodeCursor({ t: last.interval_start.getTime() }) : null,
  };
}
