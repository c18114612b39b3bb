// Members: a metering point (or an import point with its export point) with a name, an optional
// static share and the dates it belongs to the community. A point belongs to at most one
// community at a time, so no Wh is ever shared twice.
import { sql, type Updateable } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, notFound, unprocessable } from '../platform/errors.ts';
import { localDate, localMidnight } from '../platform/time-zone.ts';
import { afterId, mapPage, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { lockPoints, readablePoint } from '../metering/index.ts';
import { actionableAccount } from '../accounts/index.ts';
import { managedCommunity, readableCommunity } from './communities.ts';
import { clearingPosition } from './position.ts';
import { inScope } from './intervals.ts';
import { MAX_MEMBERS } from './limits.ts';
import { community, type CommunityMemberRow, type CommunityMembersTable, type CommunityRow } from './tables.ts';
import type { Member, MemberChange as MemberChangeSchema, NewMember as NewMemberSchema } from './schemas.ts';

/** A member as the API shows it, and what adding and changing one take: the static types of their schemas. */
export type MemberView = Static<typeof Member>;
export type NewMember = Static<typeof NewMemberSchema>;
export type MemberChange = Static<typeof MemberChangeSchema>;

const dayBefore = (t: Date, tz: string) => localDate(new Date(t.getTime() - 1), tz);

function memberView(m: CommunityMemberRow, c: CommunityRow): MemberView {
  return {
    id: m.id,
    community_id: m.community_id,
    name: m.name,
    metering_point_id: m.metering_point_id,
    export_metering_point_id: m.export_metering_point_id,
    share: m.share_millionths === null ? null : m.share_millionths / 1_000_000,
    valid_from: localDate(m.valid_from, c.time_zone),
    valid_to: m.valid_to === null ? null : dayBefore(m.valid_to, c.time_zone),
    created_at: m.created_at.toISOString(),
    updated_at: m.updated_at.toISOString(),
  };
}

/**
 * Memberships fall between 2000 and 9998: a typo such as 0026 would otherwise send the clearing job
 * back 2,000 years.
 */
function checkYear(date: string, field: string): void {
  const year = Number(date.slice(0, 4));
  if (year < 2000 || year > 9998)
    throw badRequest('date_out_of_range', `${date} is not between the years 2000 and 9998`, field);
}

/** A member's metering points: its point, and its export point if it has one. */
export const memberPoints = (m: {
  metering_point_id: string;
  export_metering_point_id?: string | null | undefined;
}): string[] =>
  m.export_metering_point_id ? [m.metering_point_id, m.export_metering_point_id] : [m.metering_point_id];

/** Membership as instants: from local midnight of the first day to local midnight after the last. */
function validity(c: CommunityRow, from: string, to: string | null | undefined): { from: Date; to: Date | null } {
  checkYear(from, 'body/valid_from');
  if (to) checkYear(to, 'body/valid_to');
  const start = localMidnight(from, c.time_zone);
  if (to === null || to === undefined) return { from: start, to: null };
  if (to < from) throw badRequest('reversed_validity', 'valid_to is before valid_from', 'body/valid_to');
  const next = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { from: start, to: localMidnight(next, c.time_zone) };
}

/** Refuses if any of the points belongs to a community (this one included) during any of [from, to). */
async function refuseOverlap(trx: Db, points: string[], from: Date, to: Date | null, except?: number): Promise<void> {
  const { rows } = await sql<{ id: number; community_id: number }>`
    SELECT id, community_id FROM community_members
    WHERE (metering_point_id = ANY(${points}::text[]) OR export_metering_point_id = ANY(${points}::text[]))
      AND (valid_to IS NULL OR valid_to > ${from.toISOString()}::timestamptz)
      AND (${to?.toISOString() ?? null}::timestamptz IS NULL OR valid_from < ${to?.toISOString() ?? null}::timestamptz)
      AND id <> ${except ?? 0}
    LIMIT 1`.execute(trx);
  const clash = rows[0];
  if (clash)
    throw conflict(
      'metering_point_in_community',
      'a metering point of this member already belongs to community ' +
        `${clash.community_id} (member ${clash.id}) in that period`,
    );
}

/**
 * The manager must be able to act for each point's account: that is the owner's consent to share
 * its energy (and, where the community moves certificates, its certificates). Reading is not
 * enough: auditors and issuing bodies read every point. The points must hold energy a community
 * can share.
 */
async function checkPoints(trx: Db, principal: Principal, input: NewMember): Promise<void> {
  const main = await readablePoint(trx, principal, input.metering_point_id);
  await actionableAccount(trx, principal, main.account_id);
  if (main.type === 'storage')
    throw unprocessable(
      'storage_point_not_supported',
      'storage metering points cannot be community members yet',
      'body/metering_point_id',
    );
  if (input.export_metering_point_id === undefined) return;
  if (input.export_metering_point_id === input.metering_point_id)
    throw badRequest(
      'same_point_twice',
      'the export point must differ from the import point',
      'body/export_metering_point_id',
    );
  const exporting = await readablePoint(trx, principal, input.export_metering_point_id);
  await actionableAccount(trx, principal, exporting.account_id);
  if (main.type !== 'consumption')
    throw unprocessable(
      'import_point_not_consumption',
      `with an export point, metering_point_id must be a consumption point; ${main.id} is ${main.type}`,
      'body/metering_point_id',
    );
  if (exporting.type !== 'production')
    throw unprocessable(
      'export_point_not_production',
      `the export point must be a production point; ${exporting.id} is ${exporting.type}`,
      'body/export_metering_point_id',
    );
}

export async function addMember(
  db: Db,
  principal: Principal,
  communityId: number,
  input: NewMember,
  now: Date,
): Promise<MemberView> {
  return db.transaction().execute(async (trx) => {
    const c = await managedCommunity(trx, principal, communityId, { forUpdate: true });
    const { members } = await community(trx)
      .selectFrom('community_members')
      .select((eb) => eb.fn.countAll<number>().as('members'))
      .where('community_id', '=', c.id)
      .executeTakeFirstOrThrow();
    if (members >= MAX_MEMBERS)
      throw conflict('community_full', `community ${c.id} has ${MAX_MEMBERS} members, as many as a community may have`);
    await checkPoints(trx, principal, input);
    const points = memberPoints(input);
    // Locking the points serializes concurrent memberships of the same point across communities.
    await lockPoints(trx, points);
    const { from, to } = validity(c, input.valid_from ?? localDate(now, c.time_zone), input.valid_to);
    await refuseOverlap(trx, points, from, to);
    const row = await community(trx)
      .insertInto('community_members')
      .values({
        community_id: c.id,
        name: input.name,
        metering_point_id: input.metering_point_id,
        export_metering_point_id: input.export_metering_point_id ?? null,
        share_millionths: input.share === undefined ? null : Math.round(input.share * 1_000_000),
        valid_from: from,
        valid_to: to,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = memberView(row, c);
    await appendEvent(trx, {
      type: 'community.member_added',
      subject_type: 'community',
      subject_id: c.id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

/** Renames, re-keys or ends a membership; intervals already cleared keep what they cleared with. */
export async function updateMember(
  db: Db,
  principal: Principal,
  communityId: number,
  memberId: number,
  change: MemberChange,
  now: Date,
): Promise<MemberView> {
  return db.transaction().execute(async (trx) => {
    const c = await managedCommunity(trx, principal, communityId, { forUpdate: true });
    const before = await memberRow(trx, c.id, memberId);
    const set: Updateable<CommunityMembersTable> = { updated_at: now };
    if (change.name !== undefined) set.name = change.name;
    if (change.share !== undefined)
      set.share_millionths = change.share === null ? null : Math.round(change.share * 1_000_000);
    if (change.valid_to !== undefined) {
      const { from, to } = validity(c, localDate(before.valid_from, c.time_zone), change.valid_to);
      // Cleared intervals are history: a membership may not shrink back into them, or its point
      // could join another community for time this one has already shared.
      const { last } = await clearingPosition(trx, c);
      if (to !== null && last !== undefined && to < last && (before.valid_to === null || to < before.valid_to)) {
        throw conflict(
          'interval_already_cleared',
          `community ${c.id} has cleared up to ${last.toISOString()}; a membership can end there at the earliest`,
        );
      }
      const points = memberPoints(before);
      await lockPoints(trx, points);
      await refuseOverlap(trx, points, from, to, memberId);
      set.valid_to = to;
    }
    const row = await community(trx)
      .updateTable('community_members')
      .set(set)
      .where('id', '=', memberId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = memberView(row, c);
    await appendEvent(trx, {
      type: 'community.member_updated',
      subject_type: 'community',
      subject_id: c.id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

/** Removes a member added by mistake. One that has taken part in clearing is history: end it with valid_to instead. */
export async function removeMember(
  db: Db,
  principal: Principal,
  communityId: number,
  memberId: number,
): Promise<MemberView> {
  return db.transaction().execute(async (trx) => {
    const c = await managedCommunity(trx, principal, communityId, { forUpdate: true });
    const member = await memberRow(trx, c.id, memberId);
    // Taking part: a match, or being listed as missing, grid-only or implausible in a cleared interval.
    const { rows } = await sql<{ one: number }>`
      SELECT 1 AS one FROM community_matches x
      WHERE x.community_id = ${c.id} AND (x.buyer_member_id = ${memberId} OR x.seller_member_id = ${memberId})
        AND x.interval_start >= ${member.valid_from.toISOString()}::timestamptz
      UNION ALL
      SELECT 1 FROM community_intervals i
      WHERE i.community_id = ${c.id} AND i.interval_start >= ${member.valid_from.toISOString()}::timestamptz
        AND (${memberId}::bigint = ANY(i.missing_member_ids) OR ${memberId}::bigint = ANY(i.grid_only_member_ids)
          OR ${memberId}::bigint = ANY(i.implausible_member_ids))
      LIMIT 1`.execute(trx);
    if (rows.length)
      throw conflict(
        'member_has_cleared_intervals',
        `member ${memberId} has taken part in cleared intervals; end the membership with valid_to instead`,
      );
    await community(trx).deleteFrom('community_members').where('id', '=', memberId).execute();
    const view = memberView(member, c);
    await appendEvent(trx, {
      type: 'community.member_removed',
      subject_type: 'community',
      subject_id: c.id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

async function memberRow(db: Db, communityId: number, memberId: number): Promise<CommunityMemberRow> {
  const row = await community(db)
    .selectFrom('community_members')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('id', '=', memberId)
    .executeTakeFirst();
  if (!row) throw notFound('member', memberId);
  return row;
}

/** The members a reader may see, in id order. */
export async function listMembers(
  db: Db,
  principal: Principal | undefined,
  communityId: number,
  page: PageRequest,
): Promise<Page<MemberView>> {
  const { community: c, members } = await readableCommunity(db, principal, communityId);
  const rows = await community(db)
    .selectFrom('community_members')
    .selectAll()
    .where('community_id', '=', c.id)
    .where(inScope(members, 'id'))
    .where('id', '>', afterId(page))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return mapPage(pageOf(rows, page.limit), (m) => memberView(m, c));
}

/** Members whose membership overlaps [from, to), for clearing. */
export async function membersDuring(db: Db, communityId: number, from: Date, to: Date): Promise<CommunityMemberRow[]> {
  return community(db)
    .selectFrom('community_members')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('valid_from', '<', to)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', from)]))
    .orderBy('id')
    .execute();
}
