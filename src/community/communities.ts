// Communities and who may see them. The manager (the user who created it) administers it; a user
// who can read a member's metering point reads that member's part; admins and auditors read all;
// anyone reads a community that publishes.
import { sql } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import { type Principal, readsEverything } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { forbidden, notFound, unprocessable } from '../platform/errors.ts';
import { afterId, mapPage, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { visiblePointIds } from '../metering/index.ts';
import { checkTimeZone } from '../platform/time-zone.ts';
import { community, type CommunityRow } from './tables.ts';
import type {
  Community,
  CommunityChange as CommunityChangeSchema,
  NewCommunity as NewCommunitySchema,
} from './schemas.ts';

/** A community as the API shows it, and what creating and changing one take: the static types of their schemas. */
export type CommunityView = Static<typeof Community>;
export type NewCommunity = Static<typeof NewCommunitySchema>;
export type CommunityChange = Static<typeof CommunityChangeSchema>;

const communityView = (c: CommunityRow): CommunityView => ({
  id: c.id,
  name: c.name,
  interval_minutes: c.interval_minutes,
  time_zone: c.time_zone,
  mechanism: c.mechanism,
  grid_price: c.grid_price,
  feed_in_price: c.feed_in_price,
  peer_price: c.peer_price,
  currency: c.currency,
  move_certificates: c.move_certificates,
  public: c.public,
  data_wait_minutes: c.data_wait_minutes,
  manager_id: c.manager_id,
  created_at: c.created_at.toISOString(),
  updated_at: c.updated_at.toISOString(),
});

/** Members never pay more than the grid's price nor earn less than feed-in, so the prices must be ordered. */
function checkPrices(t: Pick<CommunityView, 'grid_price' | 'feed_in_price' | 'peer_price'>): void {
  if (t.feed_in_price > t.grid_price)
    throw unprocessable(
      'feed_in_above_grid_price',
      `the feed-in price ${t.feed_in_price} is above the grid price ${t.grid_price}`,
      'body/feed_in_price',
    );
  if (t.peer_price !== null && (t.peer_price < t.feed_in_price || t.peer_price > t.grid_price)) {
    throw unprocessable(
      'peer_price_out_of_range',
      `the peer price must lie between the feed-in price ${t.feed_in_price} and the grid price ${t.grid_price}`,
      'body/peer_price',
    );
  }
}

export async function createCommunity(db: Db, principal: Principal, input: NewCommunity): Promise<CommunityView> {
  checkTimeZone(input.time_zone, 'body/time_zone');
  const values = {
    ...input,
    peer_price: input.peer_price ?? null,
    public: input.public ?? false,
    data_wait_minutes: input.data_wait_minutes ?? 2880,
    manager_id: principal.userId,
  };
  checkPrices(values);
  return db.transaction().execute(async (trx) => {
    const row = await community(trx).insertInto('communities').values(values).returningAll().executeTakeFirstOrThrow();
    const view = communityView(row);
    await appendEvent(trx, {
      type: 'community.created',
      subject_type: 'community',
      subject_id: row.id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

/** The overseeing roles read every community, as they read every account (platform/principal.ts). */
const sees = (principal: Principal | undefined) => principal !== undefined && readsEverything(principal);
const manages = (principal: Principal | undefined, c: CommunityRow) =>
  principal !== undefined && (principal.role === 'admin' || principal.userId === c.manager_id);

async function communityRow(db: Db, id: number, forUpdate = false): Promise<CommunityRow | undefined> {
  let query = community(db).selectFrom('communities').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Ids of the community's members whose metering points are among `points`. */
async function ownMemberIds(db: Db, communityId: number, points: string[]): Promise<number[]> {
  if (points.length === 0) return [];
  const rows = await community(db)
    .selectFrom('community_members')
    .select('id')
    .where('community_id', '=', communityId)
    .where(sql<boolean>`metering_point_id = ANY(${points}::text[])`)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** What a reader may see of a community: everything, or only some members' part. */
export interface Readable {
  community: CommunityRow;
  members: 'all' | number[];
}

/**
 * The community if `principal` (undefined: anonymous) may read some of it; 404 otherwise, so
 * existence is not disclosed.
 */
export async function readableCommunity(db: Db, principal: Principal | undefined, id: number): Promise<Readable> {
  const c = await communityRow(db, id);
  if (!c) throw notFound('community', id);
  if (c.public || sees(principal) || manages(principal, c)) return { community: c, members: 'all' };
  const points = principal === undefined ? [] : await visiblePointIds(db, principal);
  if (points === undefined) return { community: c, members: 'all' }; // reads every metering point (an issuing body)
  const own = await ownMemberIds(db, id, points);
  if (own.length === 0) throw notFound('community', id);
  return { community: c, members: own };
}

/** The community, locked when asked, if `principal` manages it: 404 for those who cannot see it, 403 for readers. */
export async function managedCommunity(
  db: Db,
  principal: Principal,
  id: number,
  opts: { forUpdate?: boolean } = {},
): Promise<CommunityRow> {
  const c = await communityRow(db, id, opts.forUpdate);
  if (c && manages(principal, c)) return c;
  await readableCommunity(db, principal, id);
  throw forbidden('not_the_manager', `only the manager of community ${id} may change it`);
}

export async function getCommunity(db: Db, principal: Principal | undefined, id: number): Promise<CommunityView> {
  return communityView((await readableCommunity(db, principal, id)).community);
}

/** The communities `principal` may read; without one (a visitor), the public communities. */
export async function listCommunities(
  db: Db,
  principal: Principal | undefined,
  page: PageRequest,
): Promise<Page<CommunityView>> {
  let query = community(db).selectFrom('communities').selectAll().where('id', '>', afterId(page));
  // Those who read every metering point (admins, auditors, issuing bodies) read every community.
  const points = principal && (await visiblePointIds(db, principal));
  if (principal === undefined) {
    query = query.where('public', '=', true);
  } else if (points !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('public', '=', true),
        eb('manager_id', '=', principal.userId),
        eb(
          'id',
          'in',
          eb
            .selectFrom('community_members')
            .select('community_id')
            .where(sql<boolean>`metering_point_id = ANY(${points}::text[])`),
        ),
      ]),
    );
  }
  const rows = await query
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return mapPage(pageOf(rows, page.limit), communityView);
}

/** Changes the terms; intervals already cleared keep the terms they cleared with. */
export async function updateCommunity(
  db: Db,
  principal: Principal,
  id: number,
  change: CommunityChange,
  now: Date,
): Promise<CommunityView> {
  return db.transaction().execute(async (trx) => {
    const before = await managedCommunity(trx, principal, id, { forUpdate: true });
    const after = {
      ...before,
      ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
    } as CommunityRow;
    checkPrices(after);
    const { id: _id, created_at: _c, manager_id: _m, ...set } = after;
    const row = await community(trx)
      .updateTable('communities')
      .set({ ...set, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = communityView(row);
    await appendEvent(trx, {
      type: 'community.updated',
      subject_type: 'community',
      subject_id: id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}
