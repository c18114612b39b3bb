// Certificates follow the energy: when a community moves certificates, each hour that is fully
// cleared moves the Wh its members traded from the seller's device's certificates for that hour to
// the buyer's account, cancelled for and claimed by the buyer. A seller without a device, or without
// certificates for the hour yet, moves fewer Wh than it traded; the record says how many.
import { sql } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { pointsById } from '../metering/index.ts';
import { moveAndClaim } from '../registry/index.ts';
import { mayActOn } from '../accounts/index.ts';
import { getUser } from '../identity/index.ts';
import { readableCommunity } from './communities.ts';
import { checkPeriod } from '../platform/period.ts';
import { keyset, mapPage, type Page, type PageRequest } from '../platform/pagination.ts';
import { involving, scopeOf } from './intervals.ts';
import { community, type CommunityRow } from './tables.ts';
import { memberPoints } from './members.ts';
import type { CertificateMove } from './schemas.ts';

const HOUR_MS = 3_600_000;

/** Hours among `starts` whose every interval is now cleared. */
async function completedHours(trx: Db, c: CommunityRow, starts: Date[]): Promise<Date[]> {
  const hours = [...new Set(starts.map((s) => Math.floor(s.getTime() / HOUR_MS) * HOUR_MS))].map((h) =>
    new Date(h).toISOString(),
  );
  if (hours.length === 0) return [];
  const { rows } = await sql<{ hour: Date }>`
    SELECT h.hour FROM unnest(${hours}::timestamptz[]) AS h(hour)
    WHERE (SELECT count(*) FROM community_intervals i WHERE i.community_id = ${c.id}
           AND i.interval_start >= h.hour AND i.interval_start < h.hour + interval '1 hour')
          = ${60 / c.interval_minutes}
    ORDER BY h.hour`.execute(trx);
  return rows.map((r) => r.hour);
}

/**
 * Moves the certificates of the hours completed by clearing the intervals starting at `starts`, at
 * `now`; returns the Wh moved.
 */
export async function moveCertificates(trx: Db, c: CommunityRow, starts: Date[], now: Date): Promise<number> {
  if (!c.move_certificates) return 0;
  const hours = await completedHours(trx, c, starts);
  if (hours.length === 0) return 0;
  // Every member that may have traded in these hours, whatever its membership dates.
  const members = await community(trx)
    .selectFrom('community_members')
    .selectAll()
    .where('community_id', '=', c.id)
    .execute();
  const byId = new Map(members.map((m) => [m.id, m]));
  const points = new Map((await pointsById(trx, [...new Set(members.flatMap(memberPoints))])).map((p) => [p.id, p]));
  // The manager acts for the members, so only while it still may act on both accounts: an owner
  // who takes the manager out of its account stops the moves.
  const user = await getUser(trx, c.manager_id);
  const manager: Principal = { userId: user.id, role: user.role, email: user.email };
  const mayAct = new Map<number, boolean>();
  const consents = async (accountId: number) => {
    if (!mayAct.has(accountId)) mayAct.set(accountId, await mayActOn(trx, manager, accountId));
    return mayAct.get(accountId)!;
  };
  let moved = 0;
  for (const hour of hours) {
    const end = new Date(hour.getTime() + HOUR_MS);
    const { rows: pairs } = await sql<{ seller: number; buyer: number; wh: number }>`
      SELECT seller_member_id AS seller, buyer_member_id AS buyer, sum(wh)::bigint AS wh FROM community_matches
      WHERE community_id = ${c.id}
        AND interval_start >= ${hour.toISOString()}::timestamptz AND interval_start < ${end.toISOString()}::timestamptz
        AND seller_member_id IS NOT NULL AND buyer_member_id IS NOT NULL
      GROUP BY 1, 2 ORDER BY 1, 2`.execute(trx);
    for (const pair of pairs) {
      const seller = byId.get(pair.seller)!,
        buyer = byId.get(pair.buyer)!;
      const from = points.get(seller.export_metering_point_id ?? seller.metering_point_id)!;
      const to = points.get(buyer.metering_point_id)!;
      // A claim speaks for a consumer: certificates follow only into a buyer's consumption point.
      const movable =
        from.device_id !== null &&
        to.type === 'consumption' &&
        (await consents(from.account_id)) &&
        (await consents(to.account_id));
      const result = !movable
        ? { wh: 0, bundle_ids: [] }
        : await moveAndClaim(trx, c.manager_id, now, {
            deviceId: from.device_id!,
            fromAccount: from.account_id,
            toAccount: to.account_id,
            start: hour,
            end,
            wh: pair.wh,
            beneficiary: buyer.name,
            purpose: `energy shared in community ${c.name}`,
            meteringPointId: to.id,
          });
      await sql`INSERT INTO community_certificate_moves
          (community_id, hour_start, seller_member_id, buyer_member_id, matched_wh, moved_wh, bundle_ids)
        VALUES (${c.id}, ${hour.toISOString()}::timestamptz, ${pair.seller}, ${pair.buyer}, ${pair.wh}, ${result.wh},
                ${result.bundle_ids}::bigint[])`.execute(trx);
      moved += result.wh;
    }
  }
  return moved;
}

/** A certificate move as the API shows it: the static type of its schema. */
export type CertificateMoveView = Static<typeof CertificateMove>;

/** Moves are listed by (hour, seller, buyer), their key within the community. */
const byHourAndPair = keyset({ t: 'time', seller: 'int', buyer: 'int' });

export async function listCertificateMoves(
  db: Db,
  principal: Principal | undefined,
  id: number,
  q: { from: Date; to: Date; member_id?: number | undefined },
  page: PageRequest,
): Promise<Page<CertificateMoveView>> {
  checkPeriod(q.from, q.to, 'querystring/to', { bounded: true });
  const scope = scopeOf(await readableCommunity(db, principal, id), q.member_id);
  const after = byHourAndPair.after(page);
  const afterCursor =
    after === undefined
      ? sql`true`
      : sql`(hour_start, seller_member_id, buyer_member_id)
          > (${after.t.toISOString()}::timestamptz, ${after.seller}::bigint, ${after.buyer}::bigint)`;
  const { rows } = await sql<{
    hour_start: Date;
    seller: number;
    buyer: number;
    matched_wh: number;
    moved_wh: number;
    bundle_ids: number[];
  }>`
    SELECT hour_start, seller_member_id AS seller, buyer_member_id AS buyer, matched_wh, moved_wh, bundle_ids
    FROM community_certificate_moves
    WHERE community_id = ${id}
      AND hour_start >= ${q.from.toISOString()}::timestamptz AND hour_start < ${q.to.toISOString()}::timestamptz
      AND ${involving(scope)} AND ${afterCursor}
    ORDER BY hour_start, seller_member_id, buyer_member_id LIMIT ${page.limit + 1}`.execute(db);
  return mapPage(
    byHourAndPair.page(rows, page.limit, (r) => ({ t: r.hour_start, seller: r.seller, buyer: r.buyer })),
    (r) => ({ ...r, hour_start: r.hour_start.toISOString() }),
  );
}
