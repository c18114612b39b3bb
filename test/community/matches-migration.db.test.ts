// Migration 0039 moves each interval's matches from a row each into one row of arrays. Matches
// cleared before it must read back exactly as they were (ids, prices, payment states), be found by
// their old ids, and the ids given after it must never meet theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { emptyDatabase, type TestDatabase } from '../helpers/database.ts';
import { migrate } from '../../src/platform/migrations.ts';
import { createUser } from '../../src/identity/users.ts';
import type { Principal } from '../../src/identity/principal.ts';
import { createCommunity } from '../../src/community/communities.ts';
import { listMatches, updateMatchStates } from '../../src/community/settlement.ts';
import { checkCommunities } from '../../src/community/check.ts';
import { type DigestedMatch, matchesDigest } from '../../src/community/matches-digest.ts';
import { appendEvent } from '../../src/ledger/index.ts';

const MIGRATION = '0039_community_matches_per_interval';
const T0 = '2026-06-15T10:00:00.000Z';
const T1 = '2026-06-15T10:15:00.000Z';
const SENT_AT = '2026-06-20T08:00:00.000Z';

describe('matches cleared before migration 0039', () => {
  let t: TestDatabase;
  let manager: Principal;
  let communityId: number;
  let before: unknown[];
  const db = () => t.database.kysely;
  const matches = async () =>
    (
      await sql<Record<string, unknown>>`
        SELECT id, community_id, interval_start, buyer_member_id, seller_member_id, wh, price, amount_micro,
               state, state_changed_at
        FROM community_matches ORDER BY id`.execute(db())
    ).rows;

  beforeAll(async () => {
    t = await emptyDatabase();
    await migrate(t.database, { before: MIGRATION });
    const { user } = await createUser(
      db(),
      {
        email: 'manager@example.org',
        password: 'a long enough password',
        name: 'M',
        role: 'trader',
        verifiedAt: new Date(),
      },
      null,
    );
    manager = { userId: user.id, role: user.role, email: user.email };
    communityId = (
      await createCommunity(db(), manager, {
        name: 'Before 0039',
        interval_minutes: 15,
        time_zone: 'UTC',
        mechanism: 'mmr',
        grid_price: 0.3,
        feed_in_price: 0.06,
        currency: 'EUR',
        move_certificates: false,
      })
    ).id;
    // Two intervals whose match ids have gaps (other communities' matches cleared meanwhile), one
    // match priced apart from its interval's peer price, one sent to be paid.
    await sql`INSERT INTO community_intervals
        (community_id, interval_start, interval_end, mechanism, grid_price, feed_in_price, peer_price,
         demand_wh, supply_wh, peer_wh, grid_import_wh, grid_export_wh, grid_only_member_ids, missing_member_ids)
      VALUES (${communityId}, ${T0}, ${T1}, 'mmr', 0.3, 0.06, 0.12, 500, 300, 300, 200, 0, '{}', '{}'),
             (${communityId}, ${T1}, '2026-06-15T10:30:00Z', 'mmr', 0.3, 0.06, 0.12, 50, 150, 50, 0, 100, '{}', '{}')`.execute(
      db(),
    );
    await sql`INSERT INTO community_matches
        (id, community_id, interval_start, buyer_member_id, seller_member_id, wh, price, amount_micro, state, state_changed_at)
      OVERRIDING SYSTEM VALUE VALUES
        (1, ${communityId}, ${T0}, 11, 12, 300, 0.12, 36000, 'created', NULL),
        (3, ${communityId}, ${T0}, 11, NULL, 200, 0.3, 60000, 'sent', ${SENT_AT}),
        (4, ${communityId}, ${T1}, NULL, 12, 100, 0.06, 6000, 'created', NULL),
        (6, ${communityId}, ${T1}, 11, 12, 50, 0.11, 5500, 'created', NULL)`.execute(db());
    // What their clearing recorded in the ledger: each interval's matches digested in clearing order;
    // T0 as clearing has written it since 25 November 2026 (an event per transaction), T1 as it did
    // on its first day (an event per interval, the same fields beside the community's).
    const interval = (start: string, peer: number, gridIn: number, gridOut: number, cleared: DigestedMatch[]) => ({
      interval_start: start,
      peer_wh: peer,
      grid_import_wh: gridIn,
      grid_export_wh: gridOut,
      matches: cleared.length,
      matches_sha256: matchesDigest(cleared),
    });
    const recorded = (type: string, fields: Record<string, unknown>) =>
      appendEvent(db(), {
        type,
        subject_type: 'community',
        subject_id: communityId,
        actor_id: null,
        payload: { community_id: communityId, mechanism: 'mmr', ...fields },
      });
    await recorded('community.intervals_cleared', {
      interval_minutes: 15,
      intervals: [
        interval(T0, 300, 200, 0, [
          [11, 12, 300, 36000],
          [11, null, 200, 60000],
        ]),
      ],
    });
    await recorded(
      'community.interval_cleared',
      interval(T1, 50, 0, 100, [
        [null, 12, 100, 6000],
        [11, 12, 50, 5500],
      ]),
    );
    before = await matches();
    await migrate(t.database);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('reads them back as they were: ids, prices, amounts and states', async () => {
    expect(before).toHaveLength(4);
    expect(await matches()).toEqual(before);
    expect(before[3]).toMatchObject({ id: 6, price: 0.11, state: 'created' });
    expect(before[1]).toMatchObject({ id: 3, state: 'sent', state_changed_at: new Date(SENT_AT) });
    expect(await checkCommunities(db())).toEqual([]);
  });

  it('finds them by their old ids to change their state, and pages them in id order', async () => {
    const now = new Date('2026-07-01T00:00:00Z');
    const paid = await updateMatchStates(db(), manager, communityId, [3], 'paid', now);
    expect(paid.map((m) => [m.id, m.state, m.amount])).toEqual([[3, 'paid', 0.06]]);
    const sent = await updateMatchStates(db(), manager, communityId, [6, 1], 'sent', now);
    expect(sent.map((m) => [m.id, m.state])).toEqual([
      [1, 'sent'],
      [6, 'sent'],
    ]);
    const period = { from: new Date(T0), to: new Date('2026-06-16T00:00:00Z') };
    const first = await listMatches(db(), manager, communityId, period, { limit: 3, field: 'querystring/cursor' });
    expect(first.items.map((m) => [m.id, m.state])).toEqual([
      [1, 'sent'],
      [3, 'paid'],
      [4, 'created'],
    ]);
    const cursor = first.next_cursor ?? undefined;
    const second = await listMatches(db(), manager, communityId, period, {
      limit: 3,
      cursor,
      field: 'querystring/cursor',
    });
    expect([second.items.map((m) => [m.id, m.state, m.price]), second.next_cursor]).toEqual([
      [[6, 'sent', 0.11]],
      null,
    ]);
  });

  it('refuses the matches of an interval with an element missing, or prices listed for a block of ids', async () => {
    const T2 = '2026-06-15T10:30:00.000Z';
    await sql`INSERT INTO community_intervals
        (community_id, interval_start, interval_end, mechanism, grid_price, feed_in_price, peer_price,
         demand_wh, supply_wh, peer_wh, grid_import_wh, grid_export_wh, grid_only_member_ids, missing_member_ids)
      VALUES (${communityId}, ${T2}, '2026-06-15T10:45:00Z', 'mmr', 0.3, 0.06, 0.12, 5, 5, 5, 0, 0, '{}', '{}')`.execute(
      db(),
    );
    const store = (wh: string, amounts: string, prices: string | null) =>
      sql`INSERT INTO community_interval_matches
          (community_id, interval_start, first_match_id, buyer_member_ids, seller_member_ids, wh, amount_micro, prices)
        VALUES (${communityId}, ${T2}, 1048576 * 1000, '{11,11}', '{12,12}', ${wh}::bigint[], ${amounts}::bigint[],
                ${prices}::float8[])`.execute(db());
    for (const [wh, amounts, prices] of [
      ['{5,NULL}', '{600,0}', null],
      ['{5,1}', '{600,NULL}', null],
      ['{5,1}', '{600,120}', '{0.12,0.12}'],
      ['{5,0}', '{600,0}', null],
    ] as const)
      await expect(store(wh, amounts, prices)).rejects.toThrow(/check constraint/);
    expect(await matches()).toHaveLength(4);
    await store('{4,1}', '{480,120}', null);
    expect(await matches()).toHaveLength(6);
  });

  it('gives later intervals ids above theirs, in blocks of 2^20', async () => {
    const { rows } = await sql<{ next: number }>`SELECT nextval('community_match_blocks') AS next`.execute(db());
    expect(rows[0]!.next).toBe(1_048_576);
  });
});
