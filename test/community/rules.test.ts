// Community rules no other test pins: every match state transition, one community per point when a
// membership is extended, the shape of a member, the clearing grid and period bound, the one-side
// rule of `tally check`, and CSV quoting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus } from '../helpers/world.ts';
import { checkCommunities } from '../../src/community/check.ts';
import { toCsv } from '../../src/platform/csv.ts';

let s: TestServer;
let manager: { id: number; token: string };
let account: number;
const BASE = Date.parse('2026-03-02T00:00:00Z');
/** Intervals cleared in the market community: three matches each. */
const INTERVALS = 9;

const quarter = (k: number, wh: number) => ({
  interval_start_datetime: new Date(BASE + k * 900_000).toISOString(),
  interval_end_datetime: new Date(BASE + (k + 1) * 900_000).toISOString(),
  interval_usage: wh,
});
const at = (k: number) => new Date(BASE + k * 900_000).toISOString();
const TERMS = {
  interval_minutes: 15,
  time_zone: 'UTC',
  mechanism: 'mmr',
  grid_price: 0.2,
  feed_in_price: 0.04,
  currency: 'EUR',
  move_certificates: false,
};

async function point(pointId: string, type: 'production' | 'consumption' | 'storage', whs: number[] = []) {
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: manager.token,
      body: { id: pointId, type, account_id: account },
    }),
    201,
  );
  if (whs.length)
    await expectStatus(
      s.request('POST', `/api/metering-points/${pointId}/readings`, {
        token: manager.token,
        body: { readings: whs.map((wh, k) => quarter(k, wh)) },
      }),
      200,
    );
}
const newCommunity = async (name: string): Promise<number> =>
  (await expectStatus(s.request('POST', '/api/communities', { token: manager.token, body: { name, ...TERMS } }), 201))
    .id;
const addMember = (community: number, body: Record<string, unknown>) =>
  s.request('POST', `/api/communities/${community}/members`, { token: manager.token, body });
const membersOf = async (community: number) =>
  (await expectStatus(s.request('GET', `/api/communities/${community}/members`, { token: manager.token }), 200)).items;

// The market: a roof making 2000 Wh and two flats using 500 each, every quarter hour. Each interval
// clears to three matches: B ← roof 500, C ← roof 500, grid ← roof 1000.
let market: number;
const m: Record<string, number> = {};

beforeAll(async () => {
  s = await startServer();
  manager = await s.user('trader', 'manager');
  account = (
    await expectStatus(
      s.request('POST', '/api/accounts', { token: manager.token, body: { account_name: 'Cooperative' } }),
      201,
    )
  ).id;
  await point('ROOF', 'production', Array(INTERVALS).fill(2000));
  await point('B', 'consumption', Array(INTERVALS).fill(500));
  await point('C', 'consumption', Array(INTERVALS).fill(500));
  market = await newCommunity('Market');
  for (const [key, id] of [
    ['roof', 'ROOF'],
    ['b', 'B'],
    ['c', 'C'],
  ] as const) {
    m[key] = (
      await expectStatus(addMember(market, { metering_point_id: id, name: id, valid_from: '2026-03-01' }), 201)
    ).id;
  }
  expect(
    await expectStatus(
      s.request('POST', `/api/communities/${market}/clear`, {
        token: manager.token,
        body: { from: at(0), to: at(INTERVALS) },
      }),
      200,
    ),
  ).toEqual({ intervals_cleared: INTERVALS });
});
afterAll(() => s.close());

async function allMatches(): Promise<any[]> {
  return (
    await expectStatus(
      s.request('GET', `/api/communities/${market}/matches?from=${at(0)}&to=${at(INTERVALS)}&limit=1000`, {
        token: manager.token,
      }),
      200,
    )
  ).items;
}
const setState = (ids: number[], state: string) =>
  s.request('PATCH', `/api/communities/${market}/matches`, { token: manager.token, body: { match_ids: ids, state } });

describe('match states', () => {
  const STATES = ['created', 'sent', 'paid', 'not_paid', 'error'] as const;
  const ALLOWED = new Set([
    'created>sent',
    'created>error',
    'sent>paid',
    'sent>not_paid',
    'sent>error',
    'not_paid>paid',
    'error>sent',
  ]);
  /** An allowed path from created to each state. */
  const PATH: Record<(typeof STATES)[number], string[]> = {
    created: [],
    sent: ['sent'],
    paid: ['sent', 'paid'],
    not_paid: ['sent', 'not_paid'],
    error: ['error'],
  };
  const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to, ALLOWED.has(`${from}>${to}`)] as const));
  let pool: number[] = [];

  it('has a fresh match for every pair', async () => {
    const matches = await allMatches();
    expect(matches).toHaveLength(3 * INTERVALS);
    expect(matches.every((x) => x.state === 'created')).toBe(true);
    pool = matches.map((x) => x.id);
    expect(pool.length).toBeGreaterThanOrEqual(pairs.length);
    expect(pairs.filter(([, , ok]) => ok)).toHaveLength(7);
  });

  it.each(pairs)('%s → %s: allowed %s', async (from, to, allowed) => {
    const id = pool.shift()!;
    for (const step of PATH[from]) await expectStatus(setState([id], step), 200);
    expect((await allMatches()).find((x) => x.id === id).state).toBe(from);
    const events = await s.eventCount();
    const r = await setState([id], to);
    if (allowed) {
      expect(r.status).toBe(200);
      expect(r.body.items.map((x: any) => [x.id, x.state])).toEqual([[id, to]]);
      expect(await s.eventCount()).toBe(events + 1);
      expect((await allMatches()).find((x) => x.id === id).state).toBe(to);
    } else {
      expect([r.status, r.body.code]).toEqual([409, 'invalid_state_transition']);
      expect(await s.eventCount()).toBe(events);
      expect((await allMatches()).find((x) => x.id === id).state).toBe(from);
    }
  });
});

describe('match ids', () => {
  it('answers a changed match whole, and refuses ids past the last match of an interval or in no block, changing nothing', async () => {
    const matches = await allMatches();
    const last = matches[matches.length - 1];
    const events = await s.eventCount();
    for (const unknown of [last.id + 1, last.id + 1_048_576, 7])
      for (const ids of [[unknown], [matches[0].id, unknown]]) {
        const r = await setState(ids, 'error');
        expect([r.status, r.body.code]).toEqual([404, 'match_not_found']);
      }
    expect(await s.eventCount()).toBe(events);
    expect(await allMatches()).toEqual(matches);
    const r = await expectStatus(setState([last.id], 'error'), 200);
    expect(r.items).toEqual([{ ...last, state: 'error' }]);
  });

  it("are a community's own: another community's path finds none of them, even for the same manager", async () => {
    const other = await newCommunity('Other');
    const matches = await allMatches();
    const events = await s.eventCount();
    const r = await s.request('PATCH', `/api/communities/${other}/matches`, {
      token: manager.token,
      body: { match_ids: [matches[0].id], state: 'sent' },
    });
    expect([r.status, r.body.code]).toEqual([404, 'match_not_found']);
    expect(await s.eventCount()).toBe(events);
    expect(await allMatches()).toEqual(matches);
  });
});

describe('one community per point', () => {
  it('refuses to reopen an ended membership once its point has joined another community', async () => {
    await point('X', 'consumption');
    const a = await newCommunity('A');
    const b = await newCommunity('B');
    const x = (await expectStatus(addMember(a, { metering_point_id: 'X', name: 'X', valid_from: '2026-01-01' }), 201))
      .id;
    expect(
      await expectStatus(
        s.request('PATCH', `/api/communities/${a}/members/${x}`, {
          token: manager.token,
          body: { valid_to: '2026-05-31' },
        }),
        200,
      ),
    ).toMatchObject({ valid_to: '2026-05-31' });
    await expectStatus(addMember(b, { metering_point_id: 'X', name: 'X in B', valid_from: '2026-06-01' }), 201);
    const before = await membersOf(a);
    const events = await s.eventCount();
    const r = await s.request('PATCH', `/api/communities/${a}/members/${x}`, {
      token: manager.token,
      body: { valid_to: null },
    });
    expect([r.status, r.body.code]).toEqual([409, 'metering_point_in_community']);
    expect(await s.eventCount()).toBe(events);
    const after = await membersOf(a);
    expect(after).toEqual(before);
    expect(after.find((y: any) => y.id === x)).toMatchObject({ valid_from: '2026-01-01', valid_to: '2026-05-31' });
  });
});

describe('the shape of a member', () => {
  let shapes: number;
  beforeAll(async () => {
    shapes = await newCommunity('Shapes');
    await point('IMP', 'consumption');
    await point('IMP2', 'consumption');
    await point('EXP', 'production');
    await point('BATTERY', 'storage');
  });

  const cases: Array<[string, Record<string, unknown>, number, string, string]> = [
    [
      'an export point equal to the import point',
      { metering_point_id: 'IMP', export_metering_point_id: 'IMP' },
      400,
      'same_point_twice',
      'body/export_metering_point_id',
    ],
    ['a storage point', { metering_point_id: 'BATTERY' }, 422, 'storage_point_not_supported', 'body/metering_point_id'],
    [
      'a production import point with an export point',
      { metering_point_id: 'EXP', export_metering_point_id: 'IMP' },
      422,
      'import_point_not_consumption',
      'body/metering_point_id',
    ],
    [
      'a consumption export point',
      { metering_point_id: 'IMP', export_metering_point_id: 'IMP2' },
      422,
      'export_point_not_production',
      'body/export_metering_point_id',
    ],
  ];
  it.each(cases)('refuses %s, naming the field, changing nothing', async (_name, body, status, code, field) => {
    const events = await s.eventCount();
    const r = await addMember(shapes, { name: 'M', valid_from: '2026-03-01', ...body });
    expect([r.status, r.body.code]).toEqual([status, code]);
    expect(r.body.errors.map((e: any) => e.field)).toContain(field);
    expect(await s.eventCount()).toBe(events);
    expect(await membersOf(shapes)).toEqual([]);
  });

  it('takes a consumption point with a production export point', async () => {
    expect(
      await expectStatus(
        addMember(shapes, {
          metering_point_id: 'IMP',
          export_metering_point_id: 'EXP',
          name: 'Pair',
          valid_from: '2026-03-01',
        }),
        201,
      ),
    ).toMatchObject({ metering_point_id: 'IMP', export_metering_point_id: 'EXP' });
  });
});

describe('clearing ranges', () => {
  const DAY = 86_400_000;
  const cases: Array<[string, string, string, string, string]> = [
    ['from off the 15-minute grid', '2026-03-02T00:05:00Z', at(2), 'not_on_interval', 'body/from'],
    ['to off the 15-minute grid', at(0), '2026-03-02T00:20:00Z', 'not_on_interval', 'body/to'],
    [
      'a range over 366 days',
      new Date(Date.parse('2025-01-01T00:00:00Z')).toISOString(),
      new Date(Date.parse('2025-01-01T00:00:00Z') + 366 * DAY + 900_000).toISOString(),
      'period_too_long',
      'body/to',
    ],
  ];
  it.each(cases)('refuses %s, naming the field, clearing nothing', async (_name, from, to, code, field) => {
    const events = await s.eventCount();
    const intervals = async () =>
      (
        await expectStatus(
          s.request('GET', `/api/communities/${market}/intervals?from=${at(0)}&to=${at(INTERVALS + 4)}&limit=96`, {
            token: manager.token,
          }),
          200,
        )
      ).items.length;
    const before = await intervals();
    const r = await s.request('POST', `/api/communities/${market}/clear`, { token: manager.token, body: { from, to } });
    expect([r.status, r.body.code]).toEqual([400, code]);
    expect(r.body.errors.map((e: any) => e.field)).toEqual([field]);
    expect(await s.eventCount()).toBe(events);
    expect(await intervals()).toBe(before);
  });
});

describe('tally check: one side per interval', () => {
  it('names a member who bought and sold in the same interval', async () => {
    const db = s.db.database.kysely;
    expect(await checkCommunities(db)).toEqual([]);
    // In interval 0, B bought 500 Wh from the roof; a forged match has B selling to the grid too,
    // written behind the trigger that keeps stored matches as cleared.
    await sql`ALTER TABLE community_interval_matches DISABLE TRIGGER community_interval_matches_immutable`.execute(db);
    await sql`UPDATE community_interval_matches
      SET buyer_member_ids = buyer_member_ids || NULL::bigint, seller_member_ids = seller_member_ids || ${m.b}::bigint,
          wh = wh || 1::bigint, amount_micro = amount_micro || 40::bigint
      WHERE community_id = ${market} AND interval_start = ${at(0)}::timestamptz`.execute(db);
    await sql`ALTER TABLE community_interval_matches ENABLE TRIGGER community_interval_matches_immutable`.execute(db);
    const violations = await checkCommunities(db);
    expect(violations.filter((v) => v.rule === 'community_one_side')).toEqual([
      {
        rule: 'community_one_side',
        detail: `community ${market}, interval ${at(0)}: member ${m.b} both bought and sold`,
      },
    ]);
    expect(new Set(violations.map((v) => v.rule))).toEqual(
      new Set(['community_one_side', 'community_energy_balances', 'community_matches_recorded']),
    );
  });
});

describe('tally check: a point in one membership at a time', () => {
  it('names a metering point in two memberships at one instant', async () => {
    const db = s.db.database.kysely;
    expect((await checkCommunities(db)).filter((v) => v.rule === 'community_point_once')).toEqual([]);
    // A second community that took B's point for the same days, written past refuseOverlap.
    const other = await newCommunity('Forged');
    const [b] = (
      await sql<{
        metering_point_id: string;
        valid_from: Date;
      }>`SELECT metering_point_id, valid_from FROM community_members WHERE id = ${m.b}`.execute(db)
    ).rows;
    const forged = (
      await sql<{ id: number }>`INSERT INTO community_members (community_id, name, metering_point_id, valid_from)
      VALUES (${other}, 'B again', ${b!.metering_point_id}, ${b!.valid_from.toISOString()}::timestamptz)
      RETURNING id`.execute(db)
    ).rows[0]!.id;
    expect((await checkCommunities(db)).filter((v) => v.rule === 'community_point_once')).toEqual([
      {
        rule: 'community_point_once',
        detail: `metering point ${b!.metering_point_id} is in members ${m.b} and ${forged} at the same time`,
      },
    ]);
  });
});

describe('CSV', () => {
  it('quotes commas and quotes, defuses formulas, leaves null empty', () => {
    expect(toCsv(['n'], [['=1+1'], ['a,b'], ['say "hi"'], [null], [3]])).toBe(
      'n\n"\'=1+1"\n"a,b"\n"say ""hi"""\n\n3\n',
    );
  });
});

describe('CSV formula guard', () => {
  it('defuses a text cell that a spreadsheet would run after a leading tab, carriage return or line feed', () => {
    expect(toCsv(['n'], [['\t=1+1'], ['\r=1+1'], ['\n=1+1'], ['-2'], ['@SUM(A1)'], ['+1']])).toBe(
      'n\n"\'\t=1+1"\n"\'\r=1+1"\n"\'\n=1+1"\n"\'-2"\n"\'@SUM(A1)"\n"\'+1"\n',
    );
  });

  it('writes the trial\'s member name "\\t=1+1" into statements.csv as text', async () => {
    await point('FORMULA', 'consumption', [100]);
    const community = await newCommunity('Formula');
    const member = (
      await expectStatus(
        addMember(community, { metering_point_id: 'FORMULA', name: '\t=1+1', valid_from: '2026-03-01' }),
        201,
      )
    ).id;
    const csv = await s.request('GET', `/api/communities/${community}/statements.csv?month=2026-03`, {
      token: manager.token,
    });
    expect(csv.status).toBe(200);
    expect((csv.body as string).split('\n')[1]).toBe(`${member},"'\t=1+1",0,0,0,0,0,0,0,0,0`);
  });
});
