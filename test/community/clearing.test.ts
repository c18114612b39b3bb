// Clearing an energy community by hand-computed numbers: members metered by cumulative registers
// (with a missing reading making a member grid-only), import/export pairs netted per interval,
// memberships bounded by local days, the catch-up job waiting for late readings, concurrent
// clearing of the same range, refused clear requests, removing and ending members, and who may
// read a public or a private community.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus } from '../helpers/world.ts';
import { api, HOUR, iso, MIN, trades, type User } from '../helpers/community.ts';
import { clearRange } from '../../src/community/clear.ts';
import { clearAllCommunities } from '../../src/community/jobs.ts';

let s: TestServer;
let manager: User, auditor: User, outsider: User;
let a: ReturnType<typeof api>;

beforeAll(async () => {
  s = await startServer();
  manager = await s.user('trader', 'manager');
  auditor = await s.user('auditor');
  outsider = await s.user('trader', 'outsider');
  const account = (
    await expectStatus(
      s.request('POST', '/api/accounts', { token: manager.token, body: { account_name: 'Cooperative' } }),
      201,
    )
  ).id;
  a = api(s, manager, account);
});
afterAll(() => s.close());

describe('a member metered by cumulative registers', () => {
  const T = Date.parse('2026-03-02T00:00:00Z');
  const q = (k: number) => T + k * 15 * MIN;
  let id: number;
  const m: Record<string, number> = {};

  beforeAll(async () => {
    id = await a.community({ name: 'Registers', interval_minutes: 15, time_zone: 'UTC' });
    await a.point('REG-P', 'production');
    await a.point('REG-Q', 'consumption');
    await a.point('REG-R', 'consumption');
    await a.readings(
      'REG-P',
      [0, 1, 2, 3, 4].map((k) => [q(k), 15, 600]),
    );
    await a.readings(
      'REG-Q',
      [0, 1, 2, 3, 4].map((k) => [q(k), 15, 400]),
    );
    // R's registers: nothing read at the end of interval 2 (q(3)); interval 3 is then the difference since q(2).
    await a.registers('REG-R', [
      [q(0), 10_000, 5_000],
      [q(1), 10_200, 5_000],
      [q(2), 10_200, 5_400],
      [q(4), 10_400, 5_500],
      [q(5), 10_500, 5_500],
    ]);
    for (const [key, point] of [
      ['p', 'REG-P'],
      ['q', 'REG-Q'],
      ['r', 'REG-R'],
    ] as const) {
      m[key] = (await a.member(id, { metering_point_id: point, name: key.toUpperCase(), valid_from: '2026-03-01' })).id;
    }
  });

  it('clears its intervals from register differences, grid-only after a missing reading', async () => {
    expect(await a.clear(id, q(0), q(5))).toBe(5);
    const [i0, i1, i2, i3, i4] = await a.intervals(id, q(0), q(5));

    // R imports 10,200 − 10,000 = 200: with Q's 400 exactly P's 600.
    expect(i0).toMatchObject({
      demand_wh: 600,
      supply_wh: 600,
      peer_wh: 600,
      grid_import_wh: 0,
      grid_export_wh: 0,
      grid_only_member_ids: [],
      missing_member_ids: [],
    });
    expect(trades(i0)).toEqual([
      [m.q, m.p, 400],
      [m.r, m.p, 200],
    ]);

    // R exports 5,400 − 5,000 = 400 and sells beside P: Q's 400 split 600 : 400 between them.
    expect(i1).toMatchObject({
      demand_wh: 400,
      supply_wh: 1000,
      peer_wh: 400,
      grid_import_wh: 0,
      grid_export_wh: 600,
      grid_only_member_ids: [],
      missing_member_ids: [],
    });
    expect(trades(i1)).toEqual([
      [m.q, m.p, 240],
      [m.q, m.r, 160],
      [null, m.p, 360],
      [null, m.r, 240],
    ]);
    expect(i1.members.find((f: any) => f.member_id === m.r)).toEqual({
      member_id: m.r,
      from_peers_wh: 0,
      to_peers_wh: 160,
      from_grid_wh: 0,
      to_grid_wh: 240,
      cost: 0,
      revenue: 0.0288,
    });

    // No reading at the end of interval 2: R is missing, the others trade.
    expect(i2).toMatchObject({
      demand_wh: 400,
      supply_wh: 600,
      peer_wh: 400,
      grid_only_member_ids: [],
      missing_member_ids: [m.r],
    });
    expect(trades(i2)).toEqual([
      [m.q, m.p, 400],
      [null, m.p, 200],
    ]);

    // Interval 3: 10,400 − 10,200 imported and 5,500 − 5,400 exported since q(2), not placeable in time:
    // R's net 100 Wh deficit goes to the grid and P's surplus does not reach it.
    expect(i3).toMatchObject({
      demand_wh: 400,
      supply_wh: 600,
      peer_wh: 400,
      grid_import_wh: 100,
      grid_export_wh: 200,
      grid_only_member_ids: [m.r],
      missing_member_ids: [],
    });
    expect(trades(i3)).toEqual([
      [m.r, null, 100],
      [m.q, m.p, 400],
      [null, m.p, 200],
    ]);
    expect(i3.members.find((f: any) => f.member_id === m.r)).toEqual({
      member_id: m.r,
      from_peers_wh: 0,
      to_peers_wh: 0,
      from_grid_wh: 100,
      to_grid_wh: 0,
      cost: 0.02,
      revenue: 0,
    });

    // Back in step: R imports 100 and buys it from P.
    expect(i4).toMatchObject({
      demand_wh: 500,
      supply_wh: 600,
      peer_wh: 500,
      grid_only_member_ids: [],
      missing_member_ids: [],
    });
    expect(trades(i4)).toEqual([
      [m.q, m.p, 400],
      [m.r, m.p, 100],
      [null, m.p, 100],
    ]);
  });

  it('refuses a member that has taken part in a cleared interval to be deleted', async () => {
    const events = await s.eventCount();
    const r = await s.request('DELETE', `/api/communities/${id}/members/${m.r}`, { token: manager.token });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('member_has_cleared_intervals');
    expect(await s.eventCount()).toBe(events);
    const list = await expectStatus(s.request('GET', `/api/communities/${id}/members`, { token: manager.token }), 200);
    expect(list.items.map((x: any) => x.id)).toEqual([m.p, m.q, m.r]);
  });

  describe('refused clear requests change nothing', () => {
    let events: number;
    let before: any[];
    const lengthMs = 15 * MIN;
    const closed = () => Math.floor(s.clock.now().getTime() / lengthMs) * lengthMs;
    beforeAll(async () => {
      events = await s.eventCount();
      before = await a.intervals(id, q(0), q(8));
      expect(before).toHaveLength(5);
    });
    const unchanged = async () => {
      expect(await s.eventCount()).toBe(events);
      expect(await a.intervals(id, q(0), q(8))).toEqual(before);
      expect(await a.intervals(id, closed() - 2 * HOUR, closed() + HOUR)).toEqual([]);
    };

    it("422 interval_not_closed for a `to` after the current interval's start", async () => {
      // Two intervals past the last closed one, so a quarter hour turning over during the test cannot close it.
      const r = await s.request('POST', `/api/communities/${id}/clear`, {
        token: manager.token,
        body: { from: iso(closed() - HOUR), to: iso(closed() + 2 * lengthMs) },
      });
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ code: 'interval_not_closed', errors: [{ field: 'body/to' }] });
      await unchanged();
    });

    it('400 for a `to` before `from`', async () => {
      const r = await s.request('POST', `/api/communities/${id}/clear`, {
        token: manager.token,
        body: { from: iso(q(4)), to: iso(q(2)) },
      });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'reversed_period', errors: [{ field: 'body/to' }] });
      await unchanged();
    });

    it('403 for a reader who is not the manager, 404 for one who cannot see it', async () => {
      const byAuditor = await s.request('POST', `/api/communities/${id}/clear`, {
        token: auditor.token,
        body: { from: iso(q(5)), to: iso(q(8)) },
      });
      expect(byAuditor.status).toBe(403);
      expect(byAuditor.body.code).toBe('auditors_read_only'); // refused before the community is even looked at
      const byOutsider = await s.request('POST', `/api/communities/${id}/clear`, {
        token: outsider.token,
        body: { from: iso(q(5)), to: iso(q(8)) },
      });
      expect(byOutsider.status).toBe(404);
      const anonymous = await s.request('POST', `/api/communities/${id}/clear`, {
        body: { from: iso(q(5)), to: iso(q(8)) },
      });
      expect(anonymous.status).toBe(401);
      await unchanged();
    });

    it('404 for an unknown community', async () => {
      const r = await s.request('POST', '/api/communities/999999/clear', {
        token: manager.token,
        body: { from: iso(q(5)), to: iso(q(8)) },
      });
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('community_not_found');
      await unchanged();
    });
  });

  it('is private: anonymous readers and outsiders get 404', async () => {
    for (const path of [
      `/api/communities/${id}`,
      `/api/communities/${id}/intervals?from=${iso(q(0))}&to=${iso(q(5))}`,
      `/api/communities/${id}/statements?month=2026-03`,
    ]) {
      expect((await s.request('GET', path)).status).toBe(404);
      expect((await s.request('GET', path, { token: outsider.token })).status).toBe(404);
      expect((await s.request('GET', path, { token: auditor.token })).status).toBe(200);
    }
  });
});

describe('an import/export pair in a public community', () => {
  const T = Date.parse('2026-05-04T00:00:00Z');
  const q = (k: number) => T + k * 15 * MIN;
  let id: number;
  let x: number, y: number;

  beforeAll(async () => {
    id = await a.community({ name: 'Pairs', interval_minutes: 15, time_zone: 'Europe/Lisbon', public: true });
    await a.point('PAIR-XC', 'consumption');
    await a.point('PAIR-XP', 'production');
    await a.point('PAIR-Y', 'consumption');
    await a.readings('PAIR-XC', [
      [q(0), 15, 300],
      [q(1), 15, 300],
      [q(2), 15, 300],
    ]);
    // No export reading for interval 2: the pair is incomplete there.
    await a.readings('PAIR-XP', [
      [q(0), 15, 500],
      [q(1), 15, 100],
    ]);
    await a.readings('PAIR-Y', [
      [q(0), 15, 100],
      [q(1), 15, 100],
      [q(2), 15, 100],
    ]);
    const pair = await a.member(id, {
      metering_point_id: 'PAIR-XC',
      export_metering_point_id: 'PAIR-XP',
      name: 'X',
      valid_from: '2026-05-01',
    });
    expect(pair).toMatchObject({ metering_point_id: 'PAIR-XC', export_metering_point_id: 'PAIR-XP' });
    x = pair.id;
    y = (await a.member(id, { metering_point_id: 'PAIR-Y', name: 'Y', valid_from: '2026-05-01' })).id;
    // Neither point of the pair may join another community meanwhile.
    const other = await a.community({ name: 'Other', interval_minutes: 15, time_zone: 'UTC' });
    const again = await s.request('POST', `/api/communities/${other}/members`, {
      token: manager.token,
      body: { metering_point_id: 'PAIR-XP', name: 'X again', valid_from: '2026-06-01' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('metering_point_in_community');
  });

  it('nets import and export per interval, and needs both points', async () => {
    expect(await a.clear(id, q(0), q(3))).toBe(3);
    const [i0, i1, i2] = await a.intervals(id, q(0), q(3));
    // Exports 500, imports 300: a seller of 200, not a buyer of 300 and a seller of 500.
    expect(i0).toMatchObject({
      demand_wh: 100,
      supply_wh: 200,
      peer_wh: 100,
      grid_import_wh: 0,
      grid_export_wh: 100,
      missing_member_ids: [],
    });
    expect(trades(i0)).toEqual([
      [y, x, 100],
      [null, x, 100],
    ]);
    expect(i0.members).toEqual([
      { member_id: x, from_peers_wh: 0, to_peers_wh: 100, from_grid_wh: 0, to_grid_wh: 100, cost: 0, revenue: 0.016 },
      { member_id: y, from_peers_wh: 100, to_peers_wh: 0, from_grid_wh: 0, to_grid_wh: 0, cost: 0.012, revenue: 0 },
    ]);
    // Exports 100, imports 300: a buyer of 200.
    expect(i1).toMatchObject({
      demand_wh: 300,
      supply_wh: 0,
      peer_wh: 0,
      grid_import_wh: 300,
      grid_export_wh: 0,
      sell_price: null,
      missing_member_ids: [],
    });
    expect(trades(i1)).toEqual([
      [x, null, 200],
      [y, null, 100],
    ]);
    // The export point has no reading: the member is missing although its import point has one.
    expect(i2).toMatchObject({ demand_wh: 100, supply_wh: 0, grid_import_wh: 100, missing_member_ids: [x] });
    expect(trades(i2)).toEqual([[y, null, 100]]);
  });

  it('lets anyone read the community, its intervals and statements, and only the manager clear it', async () => {
    // A visitor's list holds the public communities only: 'Other' is not.
    const listed = await expectStatus(s.request('GET', '/api/communities'), 200);
    expect(listed.items.filter((c: any) => !c.public)).toEqual([]);
    expect(listed.items.map((c: any) => c.id)).toContain(id);
    expect(await expectStatus(s.request('GET', `/api/communities/${id}`), 200)).toMatchObject({
      id,
      public: true,
      time_zone: 'Europe/Lisbon',
    });
    expect(await a.intervals(id, q(0), q(3), undefined)).toEqual(await a.intervals(id, q(0), q(3)));
    const st = await expectStatus(s.request('GET', `/api/communities/${id}/statements?month=2026-05`), 200);
    expect(
      st.members.map((l: any) => [
        l.name,
        l.from_peers_wh,
        l.to_peers_wh,
        l.from_grid_wh,
        l.to_grid_wh,
        l.cost,
        l.revenue,
      ]),
    ).toEqual([
      ['X', 0, 100, 200, 100, 0.04, 0.016],
      ['Y', 100, 0, 200, 0, 0.052, 0],
    ]);
    const events = await s.eventCount();
    const byOutsider = await s.request('POST', `/api/communities/${id}/clear`, {
      token: outsider.token,
      body: { from: iso(q(3)), to: iso(q(4)) },
    });
    expect(byOutsider.status).toBe(403);
    expect(await s.eventCount()).toBe(events);
    expect(await a.intervals(id, q(0), q(8))).toHaveLength(3);
  });
});

describe('membership validity in local days (Europe/Copenhagen, UTC+2 in June)', () => {
  // Local midnight starting 10 June 2025 is 9 June 22:00 UTC; the one ending it is 10 June 22:00 UTC.
  const D9 = Date.parse('2025-06-09T21:00:00Z');
  const D10 = Date.parse('2025-06-10T21:00:00Z');
  let id: number;
  let w: number, u: number, v: number;

  beforeAll(async () => {
    id = await a.community({ name: 'Harbour', interval_minutes: 60, time_zone: 'Europe/Copenhagen' });
    for (const [point, type] of [
      ['VAL-W', 'production'],
      ['VAL-U', 'consumption'],
      ['VAL-V', 'consumption'],
      ['VAL-Z', 'consumption'],
    ] as const)
      await a.point(point, type);
    await a.readings('VAL-W', [
      [D9, 60, 1000],
      [D9 + HOUR, 60, 1000],
      [D10, 60, 1000],
      [D10 + HOUR, 60, 1000],
    ]);
    await a.readings('VAL-U', [
      [D9, 60, 200],
      [D9 + HOUR, 60, 200],
      [D10, 60, 200],
      [D10 + HOUR, 60, 200],
    ]);
    // V has a reading before its membership and none after it.
    await a.readings('VAL-V', [
      [D9, 60, 400],
      [D9 + HOUR, 60, 400],
      [D10, 60, 400],
    ]);
    w = (await a.member(id, { metering_point_id: 'VAL-W', name: 'W', valid_from: '2025-06-01' })).id;
    u = (await a.member(id, { metering_point_id: 'VAL-U', name: 'U', valid_from: '2025-06-01' })).id;
    const vView = await a.member(id, {
      metering_point_id: 'VAL-V',
      name: 'V',
      valid_from: '2025-06-10',
      valid_to: '2025-06-10',
    });
    expect(vView).toMatchObject({ valid_from: '2025-06-10', valid_to: '2025-06-10' });
    v = vView.id;
  });

  it('ends a membership with PATCH valid_to, after the last local day', async () => {
    const events = await s.eventCount();
    const ended = await expectStatus(
      s.request('PATCH', `/api/communities/${id}/members/${u}`, {
        token: manager.token,
        body: { valid_to: '2025-06-09' },
      }),
      200,
    );
    expect(ended).toMatchObject({ id: u, valid_from: '2025-06-01', valid_to: '2025-06-09' });
    expect(await s.eventCount()).toBe(events + 1);
  });

  it('clears each member only in intervals inside its membership', async () => {
    expect(await a.clear(id, D9, D9 + 2 * HOUR)).toBe(2);
    expect(await a.clear(id, D10, D10 + 2 * HOUR)).toBe(2);
    const items = await a.intervals(id, D9 - HOUR, D10 + 3 * HOUR);
    expect(items.map((i: any) => i.interval_start)).toEqual([iso(D9), iso(D9 + HOUR), iso(D10), iso(D10 + HOUR)]);
    const [lastOfNine, firstOfTen, lastOfTen, firstOfEleven] = items;
    // 23:00 local on 9 June: U's last hour, V not yet a member (its reading is not used).
    expect(trades(lastOfNine)).toEqual([
      [u, w, 200],
      [null, w, 800],
    ]);
    // 00:00 local on 10 June: V from its first hour, U gone although its point still has readings.
    expect(trades(firstOfTen)).toEqual([
      [v, w, 400],
      [null, w, 600],
    ]);
    expect(trades(lastOfTen)).toEqual([
      [v, w, 400],
      [null, w, 600],
    ]);
    // 00:00 local on 11 June: V gone, and not missing although it has no reading.
    expect(trades(firstOfEleven)).toEqual([[null, w, 1000]]);
    for (const i of items) expect(i).toMatchObject({ grid_only_member_ids: [], missing_member_ids: [] });
    expect(firstOfEleven).toMatchObject({
      demand_wh: 0,
      supply_wh: 1000,
      peer_wh: 0,
      grid_export_wh: 1000,
      buy_price: null,
    });
  });

  it('deletes a member that was never cleared, and refuses one that was', async () => {
    const z = (await a.member(id, { metering_point_id: 'VAL-Z', name: 'Z', valid_from: '2025-07-01' })).id;
    const events = await s.eventCount();
    for (const member of [u, v]) {
      const r = await s.request('DELETE', `/api/communities/${id}/members/${member}`, { token: manager.token });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('member_has_cleared_intervals');
    }
    expect(await s.eventCount()).toBe(events);
    const byAuditor = await s.request('DELETE', `/api/communities/${id}/members/${z}`, { token: auditor.token });
    expect(byAuditor.status).toBe(403);
    expect(
      await expectStatus(s.request('DELETE', `/api/communities/${id}/members/${z}`, { token: manager.token }), 200),
    ).toMatchObject({ id: z, name: 'Z', valid_from: '2025-07-01', valid_to: null });
    expect(await s.eventCount()).toBe(events + 1);
    const list = await expectStatus(s.request('GET', `/api/communities/${id}/members`, { token: manager.token }), 200);
    expect(list.items.map((x: any) => x.id)).toEqual([w, u, v]);
    expect((await s.request('DELETE', `/api/communities/${id}/members/${z}`, { token: manager.token })).status).toBe(
      404,
    );
  });
});

describe('two clearings of the same range at once', () => {
  const T = Date.parse('2026-04-01T00:00:00Z');
  let id: number;
  let g: number, h: number;

  beforeAll(async () => {
    id = await a.community({ name: 'Race', interval_minutes: 60, time_zone: 'UTC' });
    await a.point('RACE-G', 'production');
    await a.point('RACE-H', 'consumption');
    const hours = [0, 1, 2, 3, 4, 5];
    await a.readings(
      'RACE-G',
      hours.map((k) => [T + k * HOUR, 60, 1000]),
    );
    await a.readings(
      'RACE-H',
      hours.map((k) => [T + k * HOUR, 60, 400]),
    );
    g = (await a.member(id, { metering_point_id: 'RACE-G', name: 'G', valid_from: '2026-04-01' })).id;
    h = (await a.member(id, { metering_point_id: 'RACE-H', name: 'H', valid_from: '2026-04-01' })).id;
  });

  it('never clears an interval twice', async () => {
    const db = s.db.database.kysely;
    const events = await s.eventCount();
    // 30 hours: a day's chunk and six hours of the next, in both callers.
    const to = new Date(T + 30 * HOUR);
    const counts = await Promise.all([
      clearRange(db, id, new Date(T), to, s.clock.now()),
      clearRange(db, id, new Date(T), to, s.clock.now()),
    ]);
    expect(counts[0]! + counts[1]!).toBe(30);
    expect(await clearRange(db, id, new Date(T), to, s.clock.now())).toBe(0);

    const { rows: intervals } = await sql<{ start: Date; n: number }>`
      SELECT interval_start AS start, count(*)::bigint AS n FROM community_intervals
      WHERE community_id = ${id} GROUP BY 1 ORDER BY 1`.execute(db);
    expect(intervals).toHaveLength(30);
    expect(intervals.every((r, k) => r.n === 1 && r.start.getTime() === T + k * HOUR)).toBe(true);
    const { rows: matches } = await sql<{ start: Date; buyer: number | null; seller: number | null; wh: number }>`
      SELECT interval_start AS start, buyer_member_id AS buyer, seller_member_id AS seller, wh FROM community_matches
      WHERE community_id = ${id} ORDER BY interval_start, id`.execute(db);
    // Hours 0–5: H buys 400 from G, G exports 600, once each; the other hours have no readings.
    expect(matches.map((r) => [r.start.getTime(), r.buyer, r.seller, r.wh])).toEqual(
      [0, 1, 2, 3, 4, 5].flatMap((k) => [
        [T + k * HOUR, h, g, 400],
        [T + k * HOUR, null, g, 600],
      ]),
    );
    // One event per day's transaction that cleared something, listing its intervals: 24 + 6.
    const { rows: cleared } = await sql<{ n: number }>`
      SELECT jsonb_array_length(payload->'intervals')::bigint AS n FROM events
      WHERE type = 'community.intervals_cleared' AND subject_id = ${String(id)} ORDER BY id`.execute(db);
    expect(cleared.map((r) => r.n)).toEqual([24, 6]);
    expect(await s.eventCount()).toBe(events + 2);

    const items = await a.intervals(id, T, T + 30 * HOUR);
    expect(items).toHaveLength(30);
    expect(items[6]).toMatchObject({ matches: [], missing_member_ids: [g, h] });
  });
});

describe('the clearing job', () => {
  // Its own server: the job clears every community of the database.
  let js: TestServer;
  let ja: ReturnType<typeof api>;
  let id: number;
  let pa: number, pb: number;
  // Local midnight starting 10 January 2025 in Copenhagen (UTC+1): the first membership.
  const J = Date.parse('2025-01-09T23:00:00Z');
  const hr = (k: number) => J + k * HOUR;

  beforeAll(async () => {
    js = await startServer();
    const boss = await js.user('trader', 'boss');
    const account = (
      await expectStatus(
        js.request('POST', '/api/accounts', { token: boss.token, body: { account_name: 'Village' } }),
        201,
      )
    ).id;
    ja = api(js, boss, account);
    await ja.community({ name: 'No members yet', interval_minutes: 60, time_zone: 'UTC' });
    id = await ja.community({
      name: 'Village',
      interval_minutes: 60,
      time_zone: 'Europe/Copenhagen',
      data_wait_minutes: 120,
    });
    await ja.point('JOB-A', 'production');
    await ja.point('JOB-B', 'consumption');
    // A has a reading before the membership; B none for hour 2.
    await ja.readings('JOB-A', [
      [hr(-1), 60, 700],
      [hr(0), 60, 1000],
      [hr(1), 60, 800],
      [hr(2), 60, 600],
      [hr(3), 60, 400],
    ]);
    await ja.readings('JOB-B', [
      [hr(0), 60, 500],
      [hr(1), 60, 1000],
      [hr(3), 60, 300],
    ]);
    pa = (await ja.member(id, { metering_point_id: 'JOB-A', name: 'A', valid_from: '2025-01-10' })).id;
    pb = (await ja.member(id, { metering_point_id: 'JOB-B', name: 'B', valid_from: '2025-01-10' })).id;
  });
  afterAll(() => js.close());

  const starts = async () => (await ja.intervals(id, hr(-6), hr(12))).map((i: any) => i.interval_start);

  it('catches up from the first membership and stops before an interval still waiting for readings', async () => {
    // Hours 0–3 are closed at 03:10 UTC; hour 2 lacks B's reading and ended 70 minutes ago, within the 120-minute wait.
    expect(await clearAllCommunities(js.db.database.kysely, new Date(hr(4) + 10 * MIN))).toEqual({
      count: 2,
      failed: [],
    });
    expect(await starts()).toEqual([iso(hr(0)), iso(hr(1))]);
    const [h0, h1] = await ja.intervals(id, hr(0), hr(2));
    expect(trades(h0)).toEqual([
      [pb, pa, 500],
      [null, pa, 500],
    ]);
    expect(trades(h1)).toEqual([
      [pb, pa, 800],
      [pb, null, 200],
    ]);
    // A millisecond before the wait is over, still nothing.
    expect(await clearAllCommunities(js.db.database.kysely, new Date(hr(5) - 1))).toEqual({ count: 0, failed: [] });
    expect(await starts()).toEqual([iso(hr(0)), iso(hr(1))]);
  });

  it('clears the interval without the member once the data wait has passed, then waits again', async () => {
    // At 04:00 UTC hour 2 ended 120 minutes ago; hour 4 has no readings at all and ended just now.
    expect(await clearAllCommunities(js.db.database.kysely, new Date(hr(5)))).toEqual({ count: 2, failed: [] });
    expect(await starts()).toEqual([iso(hr(0)), iso(hr(1)), iso(hr(2)), iso(hr(3))]);
    const [h2, h3] = await ja.intervals(id, hr(2), hr(4));
    expect(h2).toMatchObject({ missing_member_ids: [pb], demand_wh: 0, supply_wh: 600, grid_export_wh: 600 });
    expect(trades(h2)).toEqual([[null, pa, 600]]);
    expect(h3).toMatchObject({ missing_member_ids: [] });
    expect(trades(h3)).toEqual([
      [pb, pa, 300],
      [null, pa, 100],
    ]);
    expect(await clearAllCommunities(js.db.database.kysely, new Date(hr(5)))).toEqual({ count: 0, failed: [] });
    // Two hours later hour 4 clears with everyone missing; hour 5, ended an hour ago, waits.
    expect(await clearAllCommunities(js.db.database.kysely, new Date(hr(7)))).toEqual({ count: 1, failed: [] });
    const [h4] = await ja.intervals(id, hr(4), hr(5));
    expect(h4).toMatchObject({ interval_start: iso(hr(4)), matches: [], missing_member_ids: [pa, pb] });
    expect(await clearAllCommunities(js.db.database.kysely, new Date(hr(7)))).toEqual({ count: 0, failed: [] });
  });
});
