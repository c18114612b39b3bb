// A community is safe by itself, whatever its members' meters say (the reading import has its own
// bounds; this is the other end): every price has a documented maximum, a member whose interval
// energy is beyond what a community member can move takes no part, money stays exact, and a
// community that cannot clear never stops another on the clearing job's path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus } from '../helpers/world.ts';
import { api, HOUR, iso, MIN, trades, type User } from '../helpers/community.ts';
import { clearAllCommunities } from '../../src/community/jobs.ts';
import { clearLoaded } from '../../src/community/clear.ts';
import { MECHANISMS } from '../../src/community/clearing.ts';
import type { CommunityMemberRow, CommunityRow } from '../../src/community/tables.ts';
import { MAX_MEMBER_WH, MAX_MEMBERS, MAX_PRICE } from '../../src/community/limits.ts';
import { MAX_READING_WH, MAX_REGISTER_WH } from '../../src/metering/limits.ts';

let s: TestServer;
let owner: User;
let a: ReturnType<typeof api>;

beforeAll(async () => {
  s = await startServer();
  owner = await s.user('trader', 'owner');
  const account = (
    await expectStatus(s.request('POST', '/api/accounts', { token: owner.token, body: { account_name: 'Own' } }), 201)
  ).id;
  a = api(s, owner, account);
});
afterAll(() => s.close());

describe('prices', () => {
  const terms = {
    name: 'Dear',
    interval_minutes: 60,
    time_zone: 'UTC',
    mechanism: 'static_keys',
    grid_price: MAX_PRICE,
    feed_in_price: 0,
    currency: 'EUR',
    move_certificates: false,
  };
  let id: number;
  beforeAll(async () => {
    id = await a.community({ ...terms, peer_price: MAX_PRICE });
  });

  it("are at most MAX_PRICE per kWh, which no product with a member's interval energy can take past 2^53 millionths", () => {
    expect(MAX_PRICE).toBe(1000);
    // A member's net energy is export − import, each at most MAX_MEMBER_WH.
    expect(2 * MAX_MEMBER_WH * MAX_PRICE * 1000).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
  });

  const over = MAX_PRICE + 0.000001;
  const cases: Array<[string, string, () => string, Record<string, unknown>, string]> = [
    ['a grid price', 'POST', () => '/api/communities', { ...terms, grid_price: over }, 'body/grid_price'],
    ['a feed-in price', 'POST', () => '/api/communities', { ...terms, feed_in_price: over }, 'body/feed_in_price'],
    ['a peer price', 'POST', () => '/api/communities', { ...terms, peer_price: over }, 'body/peer_price'],
    [
      'a changed grid price',
      'PATCH',
      () => `/api/communities/${id}`,
      { grid_price: Number.MAX_SAFE_INTEGER },
      'body/grid_price',
    ],
    ['a changed peer price', 'PATCH', () => `/api/communities/${id}`, { peer_price: 1e300 }, 'body/peer_price'],
  ];
  it.each(cases)(
    'refuses %s above MAX_PRICE, naming the field, changing nothing',
    async (_name, method, path, body, field) => {
      const events = await s.eventCount();
      const before = await expectStatus(s.request('GET', '/api/communities', { token: owner.token }), 200);
      const r = await s.request(method, path(), { token: owner.token, body });
      expect([r.status, r.body.code, [...new Set(r.body.errors.map((e: any) => e.field))]]).toEqual([
        400,
        'invalid_request',
        [field],
      ]);
      expect(await s.eventCount()).toBe(events);
      expect(await expectStatus(s.request('GET', '/api/communities', { token: owner.token }), 200)).toEqual(before);
    },
  );
});

describe('clearing whatever the energy (property)', () => {
  // What metering may hand clearing: anything within the bound, the bound's edges, register-sized
  // differences either way, and sums of readings past 2^53.
  const wh = fc.oneof(
    fc.integer({ min: -MAX_MEMBER_WH, max: MAX_MEMBER_WH }),
    fc.constantFrom(
      0,
      MAX_MEMBER_WH,
      MAX_MEMBER_WH + 1,
      -MAX_MEMBER_WH - 1,
      MAX_READING_WH,
      MAX_REGISTER_WH,
      -MAX_REGISTER_WH,
      Number.MAX_SAFE_INTEGER,
      2 ** 60,
    ),
  );
  const at = new Date('2026-04-06T00:00:00Z');
  const community = (
    mechanism: CommunityRow['mechanism'],
    grid: number,
    feedIn: number,
    peer: number | null,
  ): CommunityRow => ({
    id: 1,
    name: 'P',
    interval_minutes: 60,
    time_zone: 'UTC',
    mechanism,
    grid_price: grid,
    feed_in_price: feedIn,
    peer_price: peer,
    currency: 'EUR',
    move_certificates: false,
    public: false,
    data_wait_minutes: 0,
    manager_id: 1,
    created_at: at,
    updated_at: at,
  });
  const member = (id: number, share: number): CommunityMemberRow => ({
    id,
    community_id: 1,
    name: `M${id}`,
    metering_point_id: `P${id}`,
    export_metering_point_id: null,
    share_millionths: share,
    valid_from: at,
    valid_to: null,
    created_at: at,
    updated_at: at,
  });

  it('gives every match an exact amount and leaves every implausible member out', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ importWh: wh, exportWh: wh, share: fc.integer({ min: 0, max: 1_000_000 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.constantFrom(...MECHANISMS),
        fc.double({ min: 0, max: MAX_PRICE, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        (energies, mechanism, grid, feedInShare, peerShare) => {
          const feedIn = grid * feedInShare;
          const c = community(
            mechanism,
            grid,
            feedIn,
            peerShare === null ? null : feedIn + (grid - feedIn) * peerShare,
          );
          const members = energies.map((e, k) => member(k + 1, e.share));
          const energy = new Map(
            energies.map((e, k) => [`P${k + 1}`, [{ importWh: e.importWh, exportWh: e.exportWh, gridOnly: false }]]),
          );
          const [cleared] = clearLoaded(c, members, energy, { from: at, count: 1 }).intervals;
          const implausible = energies.flatMap((e, k) =>
            Math.abs(e.importWh) > MAX_MEMBER_WH || Math.abs(e.exportWh) > MAX_MEMBER_WH ? [k + 1] : [],
          );
          expect(cleared!.implausible).toEqual(implausible);
          for (const x of cleared!.result.matches) {
            expect(Number.isSafeInteger(x.amount) && x.amount >= 0 && Number.isSafeInteger(x.wh)).toBe(true);
            expect(implausible.includes(x.buyer ?? 0) || implausible.includes(x.seller ?? 0)).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('a member beyond the most a community member can move in an interval', () => {
  const T = Date.parse('2026-04-06T00:00:00Z');
  const q = (k: number) => T + k * 15 * MIN;
  let id: number;
  const m: Record<string, number> = {};

  beforeAll(async () => {
    id = await a.community({
      name: 'Huge',
      interval_minutes: 15,
      time_zone: 'UTC',
      grid_price: MAX_PRICE,
      feed_in_price: 0,
    });
    // A register that jumps by its whole range in interval 0, then stands still.
    await a.point('HUGE-REG', 'consumption');
    await a.registers('HUGE-REG', [
      [q(0), 0, 0],
      [q(1), MAX_REGISTER_WH, 0],
      [q(2), MAX_REGISTER_WH, 0],
      [q(3), MAX_REGISTER_WH, 0],
    ]);
    // The largest interval reading metering takes, every interval.
    await a.point('HUGE-READ', 'production');
    await a.readings(
      'HUGE-READ',
      [0, 1, 2].map((k) => [q(k), 15, MAX_READING_WH]),
    );
    // The most a member may move: it takes part.
    await a.point('HUGE-MAX', 'consumption');
    await a.readings(
      'HUGE-MAX',
      [0, 1, 2].map((k) => [q(k), 15, MAX_MEMBER_WH]),
    );
    for (const [key, point] of [
      ['reg', 'HUGE-REG'],
      ['read', 'HUGE-READ'],
      ['max', 'HUGE-MAX'],
    ] as const) {
      m[key] = (await a.member(id, { metering_point_id: point, name: key, valid_from: '2026-04-01' })).id;
    }
  });

  it('takes no part and is named, while the others clear with exact amounts', async () => {
    expect(await a.clear(id, q(0), q(3))).toBe(3);
    const [i0, i1, i2] = await a.intervals(id, q(0), q(3));
    expect(i0).toMatchObject({
      demand_wh: MAX_MEMBER_WH,
      supply_wh: 0,
      grid_import_wh: MAX_MEMBER_WH,
      grid_export_wh: 0,
      missing_member_ids: [],
      implausible_member_ids: [m.reg, m.read],
    });
    // The register stands still after its jump: that member takes part with nothing to trade.
    for (const i of [i1, i2]) expect(i).toMatchObject({ demand_wh: MAX_MEMBER_WH, implausible_member_ids: [m.read] });
    for (const i of [i0, i1, i2]) {
      expect(trades(i)).toEqual([[m.max, null, MAX_MEMBER_WH]]);
      // 4,000,000,000 Wh at 1000 per kWh: 4,000,000,000 exactly.
      expect(i.matches[0].amount).toBe((MAX_MEMBER_WH * MAX_PRICE) / 1000);
    }
  });

  it('adds a month of the largest amounts up exactly, past 2^53 millionths', async () => {
    const st = await expectStatus(
      s.request('GET', `/api/communities/${id}/statements?month=2026-04`, { token: owner.token }),
      200,
    );
    const cost = (3 * MAX_MEMBER_WH * MAX_PRICE) / 1000;
    expect(st.members.find((l: any) => l.member_id === m.max)).toEqual({
      member_id: m.max,
      name: 'max',
      from_peers_wh: 0,
      to_peers_wh: 0,
      from_grid_wh: 3 * MAX_MEMBER_WH,
      to_grid_wh: 0,
      cost,
      revenue: 0,
      net_cost: cost,
      grid_only_cost: cost,
      savings: 0,
    });
    expect(st.totals).toMatchObject({ cost, net_cost: cost, grid_bill: cost });
    const csv = await s.request('GET', `/api/communities/${id}/statements.csv?month=2026-04`, { token: owner.token });
    expect((csv.body as string).split('\n')).toContain(
      `${m.max},max,0,0,${3 * MAX_MEMBER_WH},0,${cost},0,${cost},${cost},0`,
    );
  });
});

describe('the clearing job', () => {
  // Its own server: the job clears every community of the database.
  let js: TestServer;
  let ja: ReturnType<typeof api>;
  const P = Date.parse('2025-02-03T00:00:00Z');
  const h = (k: number) => P + k * HOUR;
  const HOURS = 24;
  let poisoned: number, broken: number, victim: number;
  const m: Record<string, number> = {};

  beforeAll(async () => {
    js = await startServer();
    const user = await js.user('trader', 'user');
    const account = (
      await expectStatus(
        js.request('POST', '/api/accounts', { token: user.token, body: { account_name: 'Hers' } }),
        201,
      )
    ).id;
    ja = api(js, user, account);
    const db = js.db.database.kysely;
    const hourly = { interval_minutes: 60, time_zone: 'UTC', data_wait_minutes: 0 };
    // The trial: one's own consumption point in one's own community at the highest grid price, with
    // a reading of 2^53 − 1 Wh every hour. Written straight into the table, as a row imported
    // before metering bounded readings would be.
    poisoned = await ja.community({ name: 'Poisoned', ...hourly, grid_price: MAX_PRICE, feed_in_price: 0 });
    await ja.point('POISON', 'consumption');
    await sql`INSERT INTO readings (metering_point_id, interval_start, interval_end, wh, quality, source)
      SELECT 'POISON', t, t + interval '1 hour', 9007199254740991, 'measured', 'api'
      FROM generate_series(${iso(h(0))}::timestamptz, ${iso(h(HOURS - 1))}::timestamptz, interval '1 hour')
        AS t`.execute(db);
    m.poison = (
      await ja.member(poisoned, { metering_point_id: 'POISON', name: 'Poison', valid_from: '2025-02-03' })
    ).id;
    // A reading no number in TypeScript holds exactly: loading it fails, so this community cannot clear at all.
    broken = await ja.community({ name: 'Broken', ...hourly });
    await ja.point('BROKEN', 'consumption');
    await sql`INSERT INTO readings (metering_point_id, interval_start, interval_end, wh, quality, source)
      VALUES ('BROKEN', ${iso(h(0))}::timestamptz, ${iso(h(1))}::timestamptz,
              9007199254740993, 'measured', 'api')`.execute(db);
    m.broken = (await ja.member(broken, { metering_point_id: 'BROKEN', name: 'Broken', valid_from: '2025-02-03' })).id;
    // The victim, created later: a roof and a home, every hour.
    victim = await ja.community({ name: 'Victim', ...hourly });
    await ja.point('V-SUN', 'production');
    await ja.point('V-HOME', 'consumption');
    await ja.readings(
      'V-SUN',
      Array.from({ length: HOURS }, (_, k) => [h(k), 60, 1000]),
    );
    await ja.readings(
      'V-HOME',
      Array.from({ length: HOURS }, (_, k) => [h(k), 60, 600]),
    );
    m.sun = (await ja.member(victim, { metering_point_id: 'V-SUN', name: 'Sun', valid_from: '2025-02-03' })).id;
    m.home = (await ja.member(victim, { metering_point_id: 'V-HOME', name: 'Home', valid_from: '2025-02-03' })).id;
  });
  afterAll(() => js.close());

  it('clears every interval of the others, skipping and reporting the one that fails', async () => {
    const db = js.db.database.kysely;
    const outcome = await clearAllCommunities(db, new Date(h(HOURS)));
    expect(outcome).toMatchObject({ count: 2 * HOURS, failed: [{ unit: `community ${broken}` }] });
    expect(outcome.failed[0]!.error).toMatch(/9007199254740993/);

    const victims = await ja.intervals(victim, h(0), h(HOURS));
    expect(victims.map((i: any) => i.interval_start)).toEqual(Array.from({ length: HOURS }, (_, k) => iso(h(k))));
    for (const i of victims)
      expect(trades(i)).toEqual([
        [m.home, m.sun, 600],
        [null, m.sun, 400],
      ]);
    // The trial's community clears too, its impossible member taking no part.
    const poisons = await ja.intervals(poisoned, h(0), h(HOURS));
    expect(poisons).toHaveLength(HOURS);
    for (const i of poisons)
      expect(i).toMatchObject({
        demand_wh: 0,
        matches: [],
        implausible_member_ids: [m.poison],
        missing_member_ids: [],
      });
    expect(await ja.intervals(broken, h(0), h(HOURS))).toEqual([]);

    // The next tick: the broken community fails again, the others have nothing left to clear.
    expect(await clearAllCommunities(db, new Date(h(HOURS)))).toMatchObject({
      count: 0,
      failed: [{ unit: `community ${broken}` }],
    });
  });
});

describe('members', () => {
  it('are at most MAX_MEMBERS a community, ended ones included; one more is refused and nothing changes', async () => {
    const id = await a.community({
      name: 'Full',
      interval_minutes: 60,
      time_zone: 'UTC',
      mechanism: 'mmr',
      grid_price: 0.3,
      feed_in_price: 0.04,
      currency: 'EUR',
      move_certificates: false,
    });
    for (const point of ['FULL-1', 'FULL-2', 'FULL-3']) await a.point(point, 'consumption');
    // All but one, as addMember writes them: an hour's membership each, one after another.
    await sql`INSERT INTO community_members (community_id, name, metering_point_id, valid_from, valid_to)
      SELECT ${id}, 'M' || g, 'FULL-1', timestamptz '2000-01-01Z' + g * interval '1 hour',
             timestamptz '2000-01-01Z' + (g + 1) * interval '1 hour'
      FROM generate_series(1, ${MAX_MEMBERS - 1}) AS g`.execute(s.db.database.kysely);
    await a.member(id, { metering_point_id: 'FULL-2', name: 'Last', valid_from: '2026-01-01' });
    const members = async () =>
      (
        await sql<{ n: number }>`SELECT count(*) AS n FROM community_members WHERE community_id = ${id}`.execute(
          s.db.database.kysely,
        )
      ).rows[0]!.n;
    expect(await members()).toBe(MAX_MEMBERS);
    const events = await s.eventCount();
    const r = await s.request('POST', `/api/communities/${id}/members`, {
      token: owner.token,
      body: { metering_point_id: 'FULL-3', name: 'One too many', valid_from: '2026-01-01' },
    });
    expect([r.status, r.body.code]).toEqual([409, 'community_full']);
    expect([await members(), await s.eventCount()]).toEqual([MAX_MEMBERS, events]);
  });
});
