// An energy community over HTTP: members, clearing by hand-checked numbers, intervals, statements,
// match states, CSV, and who may see what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus, join } from '../helpers/world.ts';
import { sql } from 'kysely';
import { checkCommunities } from '../../src/community/check.ts';
import { firstEventOf } from '../../src/ledger/index.ts';
import { checkAfter } from '../helpers/check-after.ts';
import { clearingPosition } from '../../src/community/position.ts';

let s: TestServer;
let manager: { id: number; token: string };
let household: { id: number; token: string };
let outsider: { id: number; token: string };
let account: number;
let householdAccount: number;
let id: number;
const members: Record<string, number> = {};
const BASE = Date.parse('2026-03-02T00:00:00Z');

const quarter = (k: number, wh: number) => ({
  interval_start_datetime: new Date(BASE + k * 900_000).toISOString(),
  interval_end_datetime: new Date(BASE + (k + 1) * 900_000).toISOString(),
  interval_usage: wh,
});
const at = (k: number) => new Date(BASE + k * 900_000).toISOString();

async function point(
  token: string,
  accountId: number,
  pointId: string,
  type: 'production' | 'consumption',
  whs: number[],
) {
  await expectStatus(
    s.request('POST', '/api/metering-points', { token, body: { id: pointId, type, account_id: accountId } }),
    201,
  );
  if (whs.length)
    await expectStatus(
      s.request('POST', `/api/metering-points/${pointId}/readings`, {
        token,
        body: { readings: whs.map((wh, k) => quarter(k, wh)) },
      }),
      200,
    );
}

beforeAll(async () => {
  s = await startServer();
  manager = await s.user('trader', 'manager');
  household = await s.user('trader', 'household');
  outsider = await s.user('trader', 'outsider');
  account = (
    await expectStatus(
      s.request('POST', '/api/accounts', { token: manager.token, body: { account_name: 'Cooperative' } }),
      201,
    )
  ).id;
  householdAccount = (
    await expectStatus(
      s.request('POST', '/api/accounts', { token: household.token, body: { account_name: 'Home' } }),
      201,
    )
  ).id;
  // Interval 0: the roof makes 1000 Wh, B needs 600, C 900. Interval 1: the roof makes 2000, B 500, C 500.
  await point(manager.token, account, 'ROOF', 'production', [1000, 2000]);
  await point(manager.token, account, 'B', 'consumption', [600, 500]);
  await point(household.token, householdAccount, 'C', 'consumption', [900, 500]);
});
afterAll(() => s.close());

describe('a mid-market-rate community', () => {
  it('is created by its manager and refuses prices out of order', async () => {
    const body = {
      name: 'Lisbon street',
      interval_minutes: 15,
      time_zone: 'UTC',
      mechanism: 'mmr',
      grid_price: 0.2,
      feed_in_price: 0.04,
      currency: 'EUR',
      move_certificates: false,
    };
    const bad = await s.request('POST', '/api/communities', {
      token: manager.token,
      body: { ...body, feed_in_price: 0.3 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('body/feed_in_price');
    const created = await expectStatus(s.request('POST', '/api/communities', { token: manager.token, body }), 201);
    expect(created).toMatchObject({
      ...body,
      manager_id: manager.id,
      public: false,
      peer_price: null,
      data_wait_minutes: 2880,
    });
    id = created.id;
    expect((await s.request('GET', `/api/communities/${id}`)).status).toBe(404);
    expect((await s.request('GET', `/api/communities/${id}`, { token: outsider.token })).status).toBe(404);
  });

  it('takes members the manager can read, each point in one community at a time', async () => {
    members.roof = (
      await expectStatus(
        s.request('POST', `/api/communities/${id}/members`, {
          token: manager.token,
          body: { metering_point_id: 'ROOF', name: 'Roof', valid_from: '2026-03-01' },
        }),
        201,
      )
    ).id;
    members.b = (
      await expectStatus(
        s.request('POST', `/api/communities/${id}/members`, {
          token: manager.token,
          body: { metering_point_id: 'B', name: 'Flat B', valid_from: '2026-03-01' },
        }),
        201,
      )
    ).id;
    // The household's point is not the manager's to see until the household lets the manager in.
    const before = await s.request('POST', `/api/communities/${id}/members`, {
      token: manager.token,
      body: { metering_point_id: 'C', name: 'Flat C', valid_from: '2026-03-01' },
    });
    expect(before.status).toBe(404);
    await join(s, householdAccount, household, manager);
    members.c = (
      await expectStatus(
        s.request('POST', `/api/communities/${id}/members`, {
          token: manager.token,
          body: { metering_point_id: 'C', name: 'Flat C', valid_from: '2026-03-01' },
        }),
        201,
      )
    ).id;
    const twice = await s.request('POST', `/api/communities/${id}/members`, {
      token: manager.token,
      body: { metering_point_id: 'B', name: 'B again', valid_from: '2026-04-01' },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('metering_point_in_community');
    const byHousehold = await s.request('POST', `/api/communities/${id}/members`, {
      token: household.token,
      body: { metering_point_id: 'C', name: 'x' },
    });
    expect(byHousehold.status).toBe(403);
  });

  it('clears closed intervals once, with pro-rata matches and the grid as a party', async () => {
    const events = await s.eventCount();
    const open = await s.request('POST', `/api/communities/${id}/clear`, {
      token: manager.token,
      body: { from: at(0), to: '2999-01-01T00:00:00Z' },
    });
    expect(open.status).toBe(400); // more than a year
    const offGrid = await s.request('POST', `/api/communities/${id}/clear`, {
      token: manager.token,
      body: { from: '2026-03-02T00:05:00Z', to: at(2) },
    });
    expect(offGrid.status).toBe(400);
    expect(offGrid.body.errors[0].field).toBe('body/from');
    expect(await s.eventCount()).toBe(events);
    expect(
      await expectStatus(
        s.request('POST', `/api/communities/${id}/clear`, { token: manager.token, body: { from: at(0), to: at(2) } }),
        200,
      ),
    ).toEqual({ intervals_cleared: 2 });
    expect(
      await expectStatus(
        s.request('POST', `/api/communities/${id}/clear`, { token: manager.token, body: { from: at(0), to: at(4) } }),
        200,
      ),
    ).toEqual({ intervals_cleared: 2 });

    const page = await expectStatus(
      s.request('GET', `/api/communities/${id}/intervals?from=${at(0)}&to=${at(4)}`, { token: manager.token }),
      200,
    );
    expect(page.items).toHaveLength(4);
    const [first, second, empty] = page.items;
    // D = 1500, S = 1000: buyers get 1000 × 600/1500 = 400 and 600 from the roof at (0.20 + 0.04)/2.
    expect(first).toMatchObject({
      demand_wh: 1500,
      supply_wh: 1000,
      peer_wh: 1000,
      grid_import_wh: 500,
      grid_export_wh: 0,
      peer_price: 0.12,
    });
    expect(first.buy_price).toBe(0.146666667); // (1000 × 0.12 + 500 × 0.20) / 1500, to a billionth
    expect(first.sell_price).toBe(0.12);
    expect(first.matches.map((m: any) => [m.buyer, m.seller, m.wh, m.amount, m.state])).toEqual([
      [members.b, members.roof, 400, 0.048, 'created'],
      [members.c, members.roof, 600, 0.072, 'created'],
      [members.b, null, 200, 0.04, 'created'],
      [members.c, null, 300, 0.06, 'created'],
    ]);
    // S = 2000 > D = 1000: the roof sells half and exports the rest at feed-in.
    expect(second).toMatchObject({
      demand_wh: 1000,
      supply_wh: 2000,
      peer_wh: 1000,
      grid_import_wh: 0,
      grid_export_wh: 1000,
    });
    expect(second.members).toEqual([
      {
        member_id: members.roof,
        from_peers_wh: 0,
        to_peers_wh: 1000,
        from_grid_wh: 0,
        to_grid_wh: 1000,
        cost: 0,
        revenue: 0.16,
      },
      {
        member_id: members.b,
        from_peers_wh: 500,
        to_peers_wh: 0,
        from_grid_wh: 0,
        to_grid_wh: 0,
        cost: 0.06,
        revenue: 0,
      },
      {
        member_id: members.c,
        from_peers_wh: 500,
        to_peers_wh: 0,
        from_grid_wh: 0,
        to_grid_wh: 0,
        cost: 0.06,
        revenue: 0,
      },
    ]);
    // No readings yet: everyone is missing, nothing is traded.
    expect(empty).toMatchObject({
      demand_wh: 0,
      supply_wh: 0,
      matches: [],
      missing_member_ids: [members.roof, members.b, members.c],
    });
  });

  it('shows a member only its own part', async () => {
    const page = await expectStatus(
      s.request('GET', `/api/communities/${id}/intervals?from=${at(0)}&to=${at(1)}`, { token: household.token }),
      200,
    );
    expect(page.items[0].matches.map((m: any) => m.wh)).toEqual([600, 300]);
    expect(page.items[0].members.map((m: any) => m.member_id)).toEqual([members.c]);
    const other = await s.request('GET', `/api/communities/${id}/statements?month=2026-03&member_id=${members.b}`, {
      token: household.token,
    });
    expect(other.status).toBe(404);
    // Its statement shows its own line, and only its own grid bill: 300 Wh at 0.20.
    const own = await expectStatus(
      s.request('GET', `/api/communities/${id}/statements?month=2026-03`, { token: household.token }),
      200,
    );
    expect(own.members.map((l: any) => l.member_id)).toEqual([members.c]);
    expect(own.totals.grid_bill).toBe(0.06);
  });

  it('adds up monthly statements to the grid bill', async () => {
    const st = await expectStatus(
      s.request('GET', `/api/communities/${id}/statements?month=2026-03`, { token: manager.token }),
      200,
    );
    expect(
      st.members.map((l: any) => [
        l.name,
        l.from_peers_wh,
        l.to_peers_wh,
        l.from_grid_wh,
        l.to_grid_wh,
        l.cost,
        l.revenue,
        l.grid_only_cost,
        l.savings,
      ]),
    ).toEqual([
      ['Roof', 0, 2000, 0, 1000, 0, 0.28, -0.12, 0.16],
      ['Flat B', 900, 0, 200, 0, 0.148, 0, 0.22, 0.072],
      ['Flat C', 1100, 0, 300, 0, 0.192, 0, 0.28, 0.088],
    ]);
    expect(st.totals.net_cost).toBeCloseTo(st.totals.grid_bill, 9);
    expect(st.totals.grid_bill).toBeCloseTo((500 * 0.2) / 1000 - (1000 * 0.04) / 1000, 9);
    const csv = await s.request('GET', `/api/communities/${id}/statements.csv?month=2026-03`, { token: manager.token });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((csv.body as string).split('\n')[2]).toBe(`${members.b},Flat B,900,0,200,0,0.148,0,0.148,0.22,0.072`);
  });

  it('moves match states along the allowed paths only, all or nothing', async () => {
    const all = await expectStatus(
      s.request('GET', `/api/communities/${id}/matches?from=${at(0)}&to=${at(2)}`, { token: manager.token }),
      200,
    );
    const ids = all.items.map((m: any) => m.id);
    expect(ids).toHaveLength(7);
    const events = await s.eventCount();
    const skip = await s.request('PATCH', `/api/communities/${id}/matches`, {
      token: manager.token,
      body: { match_ids: ids, state: 'paid' },
    });
    expect(skip.status).toBe(409);
    expect(skip.body.code).toBe('invalid_state_transition');
    const unknown = await s.request('PATCH', `/api/communities/${id}/matches`, {
      token: manager.token,
      body: { match_ids: [ids[0], 999_999], state: 'sent' },
    });
    expect(unknown.status).toBe(404);
    expect(await s.eventCount()).toBe(events);
    const sent = await expectStatus(
      s.request('PATCH', `/api/communities/${id}/matches`, {
        token: manager.token,
        body: { match_ids: ids.slice(0, 2), state: 'sent' },
      }),
      200,
    );
    expect(sent.items.map((m: any) => m.state)).toEqual(['sent', 'sent']);
    await expectStatus(
      s.request('PATCH', `/api/communities/${id}/matches`, {
        token: manager.token,
        body: { match_ids: [ids[0]], state: 'paid' },
      }),
      200,
    );
    const paid = await expectStatus(
      s.request('GET', `/api/communities/${id}/matches?from=${at(0)}&to=${at(2)}&state=paid`, { token: manager.token }),
      200,
    );
    expect(paid.items.map((m: any) => m.id)).toEqual([ids[0]]);
    const byMember = await s.request('PATCH', `/api/communities/${id}/matches`, {
      token: household.token,
      body: { match_ids: [ids[1]], state: 'paid' },
    });
    expect(byMember.status).toBe(403);

    // The same matches as CSV, a page at a time; the grid is named as such.
    const page = await s.request('GET', `/api/communities/${id}/matches.csv?from=${at(0)}&to=${at(2)}&limit=2`, {
      token: manager.token,
    });
    expect(page.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((page.body as string).trim().split('\n')).toEqual([
      'id,interval_start,buyer_member_id,seller_member_id,wh,price_EUR_per_kwh,amount_EUR,state',
      `${ids[0]},${at(0)},${members.b},${members.roof},400,0.12,0.048,paid`,
      `${ids[1]},${at(0)},${members.c},${members.roof},600,0.12,0.072,sent`,
    ]);
    const next = await s.request(
      'GET',
      `/api/communities/${id}/matches.csv?from=${at(0)}&to=${at(2)}&limit=2&cursor=${page.headers.get('next-cursor')}`,
      { token: manager.token },
    );
    expect((next.body as string).split('\n')[1]).toBe(`${ids[2]},${at(0)},${members.b},grid,200,0.2,0.04,created`);
  });
});

describe('tally check on communities', () => {
  it('finds the stored matches adding up, and names the interval after tampering', async () => {
    const db = s.db.database.kysely;
    expect(await checkCommunities(db)).toEqual([]);
    // Stored matches are written once: the database refuses to change them, or the interval.
    for (const change of [
      sql`UPDATE community_interval_matches SET wh = wh WHERE community_id = ${id}`,
      sql`DELETE FROM community_interval_matches WHERE community_id = ${id}`,
      sql`UPDATE community_intervals SET peer_wh = peer_wh WHERE community_id = ${id}`,
      sql`DELETE FROM community_intervals WHERE community_id = ${id}`,
      sql`TRUNCATE community_interval_matches`,
      sql`TRUNCATE community_intervals CASCADE`,
    ])
      await expect(change.execute(db)).rejects.toThrow(/is written once by clearing: (UPDATE|DELETE|TRUNCATE) refused/);
    // The first grid purchase of the first interval, one Wh more, behind the triggers' back.
    await sql`ALTER TABLE community_interval_matches DISABLE TRIGGER community_interval_matches_immutable`.execute(db);
    await sql`UPDATE community_interval_matches SET wh[k] = wh[k] + 1
      FROM (SELECT community_id, interval_start, array_position(seller_member_ids, NULL) AS k
            FROM community_interval_matches WHERE community_id = ${id} ORDER BY interval_start LIMIT 1) g
      WHERE community_interval_matches.community_id = g.community_id
        AND community_interval_matches.interval_start = g.interval_start`.execute(db);
    await sql`ALTER TABLE community_interval_matches ENABLE TRIGGER community_interval_matches_immutable`.execute(db);
    const cleared = await firstEventOf(db, {
      subject_type: 'community',
      subject_id: String(id),
      type: 'community.intervals_cleared',
    });
    expect(await checkCommunities(db)).toEqual([
      {
        rule: 'community_energy_balances',
        detail: `community ${id}, interval ${at(0)}: its matches do not add up to its grid and peer totals`,
      },
      {
        rule: 'community_matches_recorded',
        detail: `community ${id}, interval ${at(0)}: its stored matches are not those its clearing recorded in event ${cleared}`,
      },
    ]);
  });

  it('names an interval recorded as cleared and not stored, and one stored that no clearing recorded', async () => {
    const db = s.db.database.kysely;
    const { rows } = await sql<{ start: Date }>`
      SELECT max(interval_start) AS start FROM community_intervals WHERE community_id = ${id}`.execute(db);
    const last = rows[0]!.start;
    const gone = await checkAfter(db, async (trx) => {
      await sql`ALTER TABLE community_interval_matches DISABLE TRIGGER community_interval_matches_immutable`.execute(
        trx,
      );
      await sql`ALTER TABLE community_intervals DISABLE TRIGGER community_intervals_immutable`.execute(trx);
      await sql`DELETE FROM community_interval_matches WHERE community_id = ${id} AND interval_start = ${last}`.execute(
        trx,
      );
      await sql`DELETE FROM community_intervals WHERE community_id = ${id} AND interval_start = ${last}`.execute(trx);
    });
    // (The test above left interval 0 tampered with: only the intervals changed here are looked at.)
    expect(gone.filter((v) => v.detail.includes(last.toISOString())).map((v) => v.detail)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^community ${id}, interval ${last.toISOString()} was recorded as cleared in event \\d+, but is not stored$`,
        ),
      ),
    ]);
    const unrecorded = await checkAfter(db, (trx) =>
      sql`INSERT INTO community_intervals (community_id, interval_start, interval_end, mechanism, grid_price, feed_in_price,
            peer_price, buy_price, sell_price, demand_wh, supply_wh, peer_wh, grid_import_wh, grid_export_wh,
            grid_only_member_ids, missing_member_ids, implausible_member_ids)
          SELECT community_id, interval_start + interval '1 day', interval_end + interval '1 day', mechanism, grid_price,
                 feed_in_price, peer_price, buy_price, sell_price, 0, 0, 0, 0, 0, '{}', '{}', '{}'
          FROM community_intervals WHERE community_id = ${id} AND interval_start = ${last}`.execute(trx),
    );
    const forged = new Date(last.getTime() + 86_400_000).toISOString();
    expect(unrecorded.filter((v) => v.detail.includes(forged))).toEqual([
      {
        rule: 'community_matches_recorded',
        detail: `community ${id}, interval ${forged} is stored, but no clearing recorded it`,
      },
    ]);
  });
});

describe('bad input to communities', () => {
  const community = {
    name: 'X',
    interval_minutes: 15,
    time_zone: 'UTC',
    mechanism: 'mmr',
    grid_price: 0.2,
    feed_in_price: 0.04,
    currency: 'EUR',
    move_certificates: false,
  };
  const cases: Array<[string, string, string, () => unknown, number, string, string]> = [
    [
      'an interval of 20 minutes',
      'POST',
      '/api/communities',
      () => ({ ...community, interval_minutes: 20 }),
      400,
      'invalid_request',
      'body/interval_minutes',
    ],
    [
      'an unknown mechanism',
      'POST',
      '/api/communities',
      () => ({ ...community, mechanism: 'auction' }),
      400,
      'invalid_request',
      'body/mechanism',
    ],
    [
      'a time zone that does not exist',
      'POST',
      '/api/communities',
      () => ({ ...community, time_zone: 'Mars/Olympus' }),
      400,
      'invalid_time_zone',
      'body/time_zone',
    ],
    [
      'a lower-case currency',
      'POST',
      '/api/communities',
      () => ({ ...community, currency: 'eur' }),
      400,
      'invalid_request',
      'body/currency',
    ],
    [
      'a negative grid price',
      'POST',
      '/api/communities',
      () => ({ ...community, grid_price: -0.1 }),
      400,
      'invalid_request',
      'body/grid_price',
    ],
    [
      'a price as a string',
      'POST',
      '/api/communities',
      () => ({ ...community, feed_in_price: '0.04' }),
      400,
      'invalid_request',
      'body/feed_in_price',
    ],
    [
      'a peer price above the grid price',
      'POST',
      '/api/communities',
      () => ({ ...community, mechanism: 'dynamic_keys', peer_price: 0.25 }),
      422,
      'peer_price_out_of_range',
      'body/peer_price',
    ],
    [
      'move_certificates missing',
      'POST',
      '/api/communities',
      () => {
        const { move_certificates: _m, ...rest } = community;
        return rest;
      },
      400,
      'invalid_request',
      'body/move_certificates',
    ],
    [
      'a share above 1',
      'POST',
      '/api/communities/{id}/members',
      () => ({ metering_point_id: 'B', name: 'B', share: 1.5 }),
      400,
      'invalid_request',
      'body/share',
    ],
    [
      'valid_to before valid_from',
      'POST',
      '/api/communities/{id}/members',
      () => ({ metering_point_id: 'ROOF', name: 'R', valid_from: '2027-02-01', valid_to: '2027-01-01' }),
      400,
      'reversed_validity',
      'body/valid_to',
    ],
    [
      'an unknown metering point',
      'POST',
      '/api/communities/{id}/members',
      () => ({ metering_point_id: 'NOPE', name: 'N' }),
      404,
      'metering_point_not_found',
      '',
    ],
    [
      'a clear without to',
      'POST',
      '/api/communities/{id}/clear',
      () => ({ from: at(0) }),
      400,
      'invalid_request',
      'body/to',
    ],
    [
      'an unknown match state',
      'PATCH',
      '/api/communities/{id}/matches',
      () => ({ match_ids: [1], state: 'refunded' }),
      400,
      'invalid_request',
      'body/state',
    ],
    [
      'a match listed twice',
      'PATCH',
      '/api/communities/{id}/matches',
      () => ({ match_ids: [1, 1], state: 'sent' }),
      400,
      'duplicate_match',
      'body/match_ids',
    ],
  ];
  it.each(cases)(
    'refuses %s, naming the field, changing nothing',
    async (_name, method, path, body, status, code, field) => {
      const events = await s.eventCount();
      const communities = (await expectStatus(s.request('GET', '/api/communities', { token: manager.token }), 200))
        .items.length;
      const r = await s.request(method, path.replace('{id}', String(id)), { token: manager.token, body: body() });
      expect([r.status, r.body.code]).toEqual([status, code]);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      if (field) expect(r.body.errors.map((e: any) => e.field)).toContain(field);
      expect(await s.eventCount()).toBe(events);
      expect(
        (await expectStatus(s.request('GET', '/api/communities', { token: manager.token }), 200)).items.length,
      ).toBe(communities);
    },
  );

  it('refuses a month that is not one, naming it', async () => {
    const r = await s.request('GET', `/api/communities/${id}/statements?month=2026-13`, { token: manager.token });
    expect([r.status, r.body.errors[0].field]).toEqual([400, 'querystring/month']);
  });
});

describe('removing a member', () => {
  it('removes one added after its period was cleared, since it took no part', async () => {
    await point(manager.token, account, 'LATE', 'consumption', []);
    const late = await expectStatus(
      s.request('POST', `/api/communities/${id}/members`, {
        token: manager.token,
        body: { metering_point_id: 'LATE', name: 'Late', valid_from: '2026-03-01' },
      }),
      201,
    );
    expect(
      await expectStatus(
        s.request('DELETE', `/api/communities/${id}/members/${late.id}`, { token: manager.token }),
        200,
      ),
    ).toMatchObject({ id: late.id, name: 'Late' });
    const taken = await s.request('DELETE', `/api/communities/${id}/members/${members.b}`, { token: manager.token });
    expect([taken.status, taken.body.code]).toEqual([409, 'member_has_cleared_intervals']);
    const left = await expectStatus(s.request('GET', `/api/communities/${id}/members`, { token: manager.token }), 200);
    expect(left.items.map((m: any) => m.name)).toEqual(['Roof', 'Flat B', 'Flat C']);
  });
});

describe('paging intervals', () => {
  it('pages intervals and follows the cursor to the rest, in time order', async () => {
    const first = await expectStatus(
      s.request('GET', `/api/communities/${id}/intervals?from=${at(0)}&to=${at(4)}&limit=3`, { token: manager.token }),
      200,
    );
    expect(first.items.map((i: any) => i.interval_start)).toEqual([at(0), at(1), at(2)]);
    const rest = await expectStatus(
      s.request(
        'GET',
        `/api/communities/${id}/intervals?from=${at(0)}&to=${at(4)}&limit=3&cursor=${first.next_cursor}`,
        { token: manager.token },
      ),
      200,
    );
    expect(rest.items.map((i: any) => i.interval_start)).toEqual([at(3)]);
    expect(rest.next_cursor).toBeNull();
    const bad = await s.request('GET', `/api/communities/${id}/intervals?from=${at(0)}&to=${at(4)}&cursor=nonsense`, {
      token: manager.token,
    });
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'querystring/cursor']);
  });
});

describe('listing and changing a community', () => {
  it("lists a community to its manager and its members' users, not to others", async () => {
    const names = async (token: string) =>
      (await expectStatus(s.request('GET', '/api/communities', { token }), 200)).items.map((c: any) => c.id);
    expect(await names(manager.token)).toEqual([id]);
    expect(await names(household.token)).toEqual([id]);
    expect(await names(outsider.token)).toEqual([]);
  });

  it('changes the terms for intervals cleared afterwards only, and refuses prices out of order', async () => {
    const events = await s.eventCount();
    const bad = await s.request('PATCH', `/api/communities/${id}`, {
      token: manager.token,
      body: { grid_price: 0.01 },
    });
    expect([bad.status, bad.body.code, bad.body.errors[0].field]).toEqual([
      422,
      'feed_in_above_grid_price',
      'body/feed_in_price',
    ]);
    expect(
      (await s.request('PATCH', `/api/communities/${id}`, { token: household.token, body: { grid_price: 0.3 } }))
        .status,
    ).toBe(403);
    expect(await s.eventCount()).toBe(events);

    const changed = await expectStatus(
      s.request('PATCH', `/api/communities/${id}`, {
        token: manager.token,
        body: { grid_price: 0.3, mechanism: 'bill_sharing' },
      }),
      200,
    );
    expect(changed).toMatchObject({
      grid_price: 0.3,
      mechanism: 'bill_sharing',
      feed_in_price: 0.04,
      name: 'Lisbon street',
    });
    const quarter4 = (wh: number) => ({
      readings: [{ interval_start_datetime: at(4), interval_end_datetime: at(5), interval_usage: wh }],
    });
    await expectStatus(
      s.request('POST', '/api/metering-points/ROOF/readings', { token: manager.token, body: quarter4(300) }),
      200,
    );
    await expectStatus(
      s.request('POST', '/api/metering-points/B/readings', { token: manager.token, body: quarter4(400) }),
      200,
    );
    await expectStatus(
      s.request('POST', '/api/metering-points/C/readings', { token: household.token, body: quarter4(200) }),
      200,
    );
    expect(
      await expectStatus(
        s.request('POST', `/api/communities/${id}/clear`, { token: manager.token, body: { from: at(0), to: at(5) } }),
        200,
      ),
    ).toEqual({ intervals_cleared: 1 });
    const page = await expectStatus(
      s.request('GET', `/api/communities/${id}/intervals?from=${at(0)}&to=${at(5)}`, { token: manager.token }),
      200,
    );
    expect(page.items.map((i: any) => [i.mechanism, i.grid_price, i.peer_price])).toEqual([
      ['mmr', 0.2, 0.12],
      ['mmr', 0.2, 0.12],
      ['mmr', 0.2, 0.12],
      ['mmr', 0.2, 0.12],
      ['bill_sharing', 0.3, 0],
    ]);
    // Bill sharing: D = 600, S = 300; buyers pay 0.30 × 300/600 per Wh, the roof gets nothing for
    // what its neighbours used.
    expect(page.items[4]).toMatchObject({
      demand_wh: 600,
      supply_wh: 300,
      peer_wh: 300,
      buy_price: 0.15,
      sell_price: 0,
    });
  });
});

describe('clearing moves forward only', () => {
  it('never clears an interval behind one already cleared, and the job goes on from the last', async () => {
    // Cleared so far: [0, 5). Starting at 6 leaves 5 behind for good.
    expect(
      await expectStatus(
        s.request('POST', `/api/communities/${id}/clear`, { token: manager.token, body: { from: at(6), to: at(8) } }),
        200,
      ),
    ).toEqual({ intervals_cleared: 2 });
    expect(
      await expectStatus(
        s.request('POST', `/api/communities/${id}/clear`, { token: manager.token, body: { from: at(5), to: at(6) } }),
        200,
      ),
    ).toEqual({ intervals_cleared: 0 });
    const page = await expectStatus(
      s.request('GET', `/api/communities/${id}/intervals?from=${at(4)}&to=${at(9)}`, { token: manager.token }),
      200,
    );
    expect(page.items.map((i: any) => i.interval_start)).toEqual([at(4), at(6), at(7)]);
    const row = await sql<any>`SELECT * FROM communities WHERE id = ${id}`.execute(s.db.database.kysely);
    expect((await clearingPosition(s.db.database.kysely, row.rows[0])).next).toEqual(new Date(at(8)));
  });
});

describe('consent to join', () => {
  it("needs the right to act for a point's account, which reading every point does not give", async () => {
    // An issuing body reads every point; an auditor too, and acts on nothing at all.
    const body = {
      name: 'Squat',
      interval_minutes: 15,
      time_zone: 'UTC',
      mechanism: 'mmr',
      grid_price: 0.2,
      feed_in_price: 0.04,
      currency: 'EUR',
      move_certificates: true,
    };
    const auditor = await s.user('auditor', 'aud');
    const audited = await s.request('POST', '/api/communities', { token: auditor.token, body });
    expect([audited.status, audited.body.code]).toEqual([403, 'auditors_read_only']);
    const issuer = await s.user('issuer', 'iss');
    const theirs = (await expectStatus(s.request('POST', '/api/communities', { token: issuer.token, body }), 201)).id;
    const events = await s.eventCount();
    const r = await s.request('POST', `/api/communities/${theirs}/members`, {
      token: issuer.token,
      body: { metering_point_id: 'FREE', name: 'Not theirs' },
    });
    expect(r.status).toBe(404); // no such point yet: existence first
    await point(household.token, householdAccount, 'FREE', 'consumption', []);
    const refused = await s.request('POST', `/api/communities/${theirs}/members`, {
      token: issuer.token,
      body: { metering_point_id: 'FREE', name: 'Not theirs' },
    });
    expect([refused.status, refused.body.code]).toEqual([403, 'not_a_member']);
    expect(await s.eventCount()).toBe(events + 1); // only the household's new point
  });
});

describe('dates that would rewrite history', () => {
  it('refuses to end a membership inside cleared intervals, and years out of range', async () => {
    const events = await s.eventCount();
    const back = await s.request('PATCH', `/api/communities/${id}/members/${members.b}`, {
      token: manager.token,
      body: { valid_to: '2026-03-01' },
    }); // ends 2026-03-02 00:00, before the cleared 00:00–02:00
    expect([back.status, back.body.code]).toEqual([409, 'interval_already_cleared']);
    const typo = await s.request('POST', `/api/communities/${id}/members`, {
      token: manager.token,
      body: { metering_point_id: 'LATE', name: 'Typo', valid_from: '0026-03-01' },
    });
    expect([typo.status, typo.body.code, typo.body.errors[0].field]).toEqual([
      400,
      'date_out_of_range',
      'body/valid_from',
    ]);
    const far = await s.request('GET', `/api/communities/${id}/statements?month=9999-12`, { token: manager.token });
    expect([far.status, far.body.errors[0].field]).toEqual([400, 'querystring/month']);
    expect(await s.eventCount()).toBe(events);
    // Ending it after what is cleared is fine.
    expect(
      await expectStatus(
        s.request('PATCH', `/api/communities/${id}/members/${members.b}`, {
          token: manager.token,
          body: { valid_to: '2026-12-31' },
        }),
        200,
      ),
    ).toMatchObject({ valid_to: '2026-12-31' });
  });
});
