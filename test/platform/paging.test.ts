// Every list that grows with use pages with the same keyed cursor: walked a few rows at a time over
// a real server, each list gives exactly its rows, in its order, once each, and ends on a null
// cursor; a cursor it did not issue and a limit above the maximum are 400s naming the field; and a
// reader sees only its own rows on every page.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMS } from '../helpers/community.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, join, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let admin: { id: number; token: string };
let auditor: { id: number; token: string };
/** A verified user who belongs to nothing. */
let stranger: { id: number; email: string; token: string };

const HOUR = Date.parse('2025-06-01T10:00:00Z');
const quarter = (k: number) => new Date(HOUR + k * 900_000).toISOString();
const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** Walks `path` `limit` rows at a time as `token`; every page but the last is full and the last ends the walk. */
async function walk(path: string, limit: number, token?: string): Promise<any[][]> {
  const pages: any[][] = [];
  let cursor: string | null = null;
  do {
    const qs = `${path.includes('?') ? '&' : '?'}limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`;
    const page = await expectStatus(s.request('GET', path + qs, { token }), 200);
    expect(Object.keys(page).sort()).toEqual(['items', 'next_cursor']);
    pages.push(page.items);
    cursor = page.next_cursor;
    if (cursor !== null) expect(page.items).toHaveLength(limit);
    // A walk that never ends is a bug too.
    expect(pages.length).toBeLessThanOrEqual(100);
  } while (cursor !== null);
  return pages;
}

/** The rows of a walk, checked to hold each key once. */
function rowsOf(pages: any[][], key: (row: any) => unknown): unknown[] {
  const keys = pages.flat().map(key);
  expect(new Set(keys.map((k) => JSON.stringify(k))).size).toBe(keys.length);
  return keys;
}

const sizes = (pages: any[][]) => pages.map((p) => p.length);

/** The 400 of a cursor this server did not issue, or of a limit above 1000, naming the field. */
async function refuses(path: string, token: string | undefined, cursors: unknown[]): Promise<void> {
  const sep = path.includes('?') ? '&' : '?';
  for (const cursor of ['not-a-cursor', ...cursors.map(cursorOf)]) {
    const r = await s.request('GET', `${path}${sep}cursor=${cursor}`, { token });
    expect(r.status, `${path} with cursor ${cursor}`).toBe(400);
    expect(r.body.code).toBe('invalid_cursor');
    expect(r.body.errors).toEqual([{ field: 'querystring/cursor', message: expect.any(String) }]);
  }
  const r = await s.request('GET', `${path}${sep}limit=1001`, { token });
  expect(r.status).toBe(400);
  expect(r.body.code).toBe('invalid_request');
  expect(r.body.errors.map((e: any) => e.field)).toEqual(['querystring/limit']);
}

/** Ids of the communities, members and points built below. */
const ids = {
  producerCommunities: [] as number[],
  traderCommunity: 0,
  outsiderPublic: 0,
  outsiderPrivate: 0,
  club: 0,
  members: {} as Record<string, number>,
};

async function point(token: string, id: string, type: string, account: number, extra: object = {}) {
  await expectStatus(
    s.request('POST', '/api/metering-points', { token, body: { id, type, account_id: account, ...extra } }),
    201,
  );
}

async function readings(token: string, id: string, whs: number[]) {
  const body = {
    readings: whs.map((wh, k) => ({
      interval_start_datetime: quarter(k),
      interval_end_datetime: quarter(k + 1),
      interval_usage: wh,
    })),
  };
  await expectStatus(s.request('POST', `/api/metering-points/${id}/readings`, { token, body }), 200);
}

async function community(token: string, name: string, extra: object = {}): Promise<number> {
  const body = { ...TERMS, name, interval_minutes: 15, time_zone: 'UTC', ...extra };
  return (await expectStatus(s.request('POST', '/api/communities', { token, body }), 201)).id;
}

beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  admin = await s.user('admin');
  auditor = await s.user('auditor');
  stranger = await s.user('trader', 'stranger');

  // The producer manages a community of its points and two of the trader's, whose account it joins.
  await join(s, w.traderAccount, w.trader, w.producer);
  await point(w.producer.token, 'S1', 'production', w.producerAccount);
  await point(w.producer.token, 'S2', 'production', w.producerAccount);
  await point(w.producer.token, 'B1', 'consumption', w.producerAccount);
  await point(w.trader.token, 'B2', 'consumption', w.traderAccount);
  await point(w.trader.token, 'B3', 'consumption', w.traderAccount);
  await point(w.outsider.token, 'O1', 'consumption', w.outsiderAccount);
  // R1 feeds the producer's device; M1 is read by cumulative registers.
  await point(w.producer.token, 'R1', 'production', w.producerAccount, { device_id: w.device });
  await point(w.producer.token, 'M1', 'consumption', w.producerAccount);

  // Two hours of quarters: each quarter the sellers have 300 Wh each and the buyers need 200 each.
  for (const id of ['S1', 'S2']) await readings(w.producer.token, id, Array(8).fill(300));
  await readings(w.producer.token, 'B1', Array(8).fill(200));
  for (const id of ['B2', 'B3']) await readings(w.trader.token, id, Array(8).fill(200));
  await readings(w.producer.token, 'R1', [250, 250, 250, 250, 300, 300, 300, 300]);
  await issue(s, w, [[10, 1000]]);

  for (let k = 0; k < 5; k++) ids.producerCommunities.push(await community(w.producer.token, `Producer's ${k}`));
  ids.traderCommunity = await community(w.trader.token, "Trader's");
  ids.outsiderPublic = await community(w.outsider.token, "Outsider's public", { public: true });
  ids.outsiderPrivate = await community(w.outsider.token, "Outsider's private");
  ids.club = await community(w.producer.token, 'Club', { move_certificates: true });
  for (const id of ['S1', 'S2', 'B1', 'B2', 'B3']) {
    const body = { metering_point_id: id, name: id, valid_from: '2025-06-01' };
    const member = await expectStatus(
      s.request('POST', `/api/communities/${ids.club}/members`, { token: w.producer.token, body }),
      201,
    );
    ids.members[id] = member.id;
  }
  await expectStatus(
    s.request('POST', `/api/communities/${ids.club}/clear`, {
      token: w.producer.token,
      body: { from: quarter(0), to: quarter(8) },
    }),
    200,
  );
});
afterAll(async () => {
  await s?.close();
});

describe('GET /api/communities', () => {
  const path = '/api/communities';

  it('walks the communities a caller may read, in id order', async () => {
    const mine = [...ids.producerCommunities, ids.outsiderPublic, ids.club];
    const pages = await walk(path, 2, w.producer.token);
    expect(sizes(pages)).toEqual([2, 2, 2, 1]);
    expect(rowsOf(pages, (c) => c.id)).toEqual(mine);
    const all = [...ids.producerCommunities, ids.traderCommunity, ids.outsiderPublic, ids.outsiderPrivate, ids.club];
    expect(rowsOf(await walk(path, 3, auditor.token), (c) => c.id)).toEqual(all);
  });

  it("never shows another's private community on any page", async () => {
    // The trader's points are members of the club, so it reads the club too.
    const pages = await walk(path, 1, w.trader.token);
    expect(rowsOf(pages, (c) => c.id)).toEqual([ids.traderCommunity, ids.outsiderPublic, ids.club]);
    expect(sizes(pages)).toEqual([1, 1, 1]);
  });

  it('refuses a cursor it did not issue and a limit above 1000', async () => {
    await refuses(path, w.producer.token, [{ id: 'x' }, { id: 1.5 }, { t: 1 }]);
  });
});

describe('GET /api/communities/{id}/members', () => {
  const path = () => `/api/communities/${ids.club}/members`;

  it('walks the members in id order', async () => {
    const pages = await walk(path(), 2, w.producer.token);
    expect(sizes(pages)).toEqual([2, 2, 1]);
    expect(rowsOf(pages, (m) => [m.id, m.metering_point_id])).toEqual(
      ['S1', 'S2', 'B1', 'B2', 'B3'].map((p) => [ids.members[p], p]),
    );
  });

  it("shows a member's users only their members, on every page", async () => {
    const pages = await walk(path(), 1, w.trader.token);
    expect(rowsOf(pages, (m) => m.metering_point_id)).toEqual(['B2', 'B3']);
    expect(sizes(pages)).toEqual([1, 1]);
    // Another's cursor does not open the community to a stranger.
    const first = await expectStatus(s.request('GET', `${path()}?limit=1`, { token: w.producer.token }), 200);
    const r = await s.request('GET', `${path()}?limit=1&cursor=${first.next_cursor}`, { token: stranger.token });
    expect(r.status).toBe(404);
  });

  it('refuses a cursor it did not issue and a limit above 1000', async () => {
    await refuses(path(), w.producer.token, [{ id: -1.5 }, { id: '1' }]);
  });
});

describe('GET /api/communities/{id}/certificate-moves', () => {
  const path = () => `/api/communities/${ids.club}/certificate-moves?from=${quarter(0)}&to=${quarter(8)}`;
  const key = (m: any) => [m.hour_start, m.seller, m.buyer];
  // Sellers pair with buyers in member order: S1 → B1, S1 → B2, S2 → B2, S2 → B3, each hour.
  const pairs = (hour: string) =>
    [
      ['S1', 'B1'],
      ['S1', 'B2'],
      ['S2', 'B2'],
      ['S2', 'B3'],
    ].map(([seller, buyer]) => [hour, ids.members[seller!], ids.members[buyer!]]);

  it('walks the moves by hour, seller and buyer', async () => {
    const pages = await walk(path(), 3, w.producer.token);
    expect(sizes(pages)).toEqual([3, 3, 2]);
    expect(rowsOf(pages, key)).toEqual([...pairs(quarter(0)), ...pairs(quarter(4))]);
    // The sellers feed no device: every trade stands, nothing moves.
    // Each hour is four quarters of the same trades.
    expect(pages.flat().map((m) => [m.matched_wh, m.moved_wh, m.bundle_ids])).toEqual(
      [200, 100, 100, 200, 200, 100, 100, 200].map((wh) => [4 * wh, 0, []]),
    );
  });

  it("shows a member's users only the moves of their members, on every page", async () => {
    const theirs = (hour: string) => pairs(hour).filter(([, , buyer]) => buyer !== ids.members.B1);
    const pages = await walk(path(), 4, w.trader.token);
    expect(sizes(pages)).toEqual([4, 2]);
    expect(rowsOf(pages, key)).toEqual([...theirs(quarter(0)), ...theirs(quarter(4))]);
  });

  it('refuses a cursor it did not issue and a limit above 1000', async () => {
    await refuses(path(), w.producer.token, [
      { t: Date.parse(quarter(0)), seller: 1 },
      // A time PostgreSQL cannot hold is a bad cursor, not a failed query.
      { t: 8e15, seller: 1, buyer: 1 },
      { t: -8e15, seller: 1, buyer: 1 },
    ]);
  });
});

describe('GET /api/metering-points', () => {
  const path = '/api/metering-points';

  it('walks the points a caller may read, by id', async () => {
    // The producer belongs to the trader's account too.
    const pages = await walk(path, 2, w.producer.token);
    expect(sizes(pages)).toEqual([2, 2, 2, 1]);
    expect(rowsOf(pages, (p) => p.id)).toEqual(['B1', 'B2', 'B3', 'M1', 'R1', 'S1', 'S2']);
    expect(rowsOf(await walk(`${path}?account_id=${w.traderAccount}`, 1, w.producer.token), (p) => p.id)).toEqual([
      'B2',
      'B3',
    ]);
    expect(rowsOf(await walk(path, 4, auditor.token), (p) => p.id)).toEqual([
      'B1',
      'B2',
      'B3',
      'M1',
      'O1',
      'R1',
      'S1',
      'S2',
    ]);
  });

  it("never shows another account's point on any page", async () => {
    const pages = await walk(path, 1, w.trader.token);
    expect(rowsOf(pages, (p) => p.id)).toEqual(['B2', 'B3']);
    expect(rowsOf(await walk(path, 1, w.outsider.token), (p) => p.id)).toEqual(['O1']);
    // A cursor from the producer's walk shows the outsider nothing of the producer's.
    const first = await expectStatus(s.request('GET', `${path}?limit=1`, { token: w.producer.token }), 200);
    expect(first.items.map((p: any) => p.id)).toEqual(['B1']);
    const after = await expectStatus(
      s.request('GET', `${path}?cursor=${first.next_cursor}`, { token: w.outsider.token }),
      200,
    );
    expect(after).toEqual({ items: [expect.objectContaining({ id: 'O1' })], next_cursor: null });
  });

  it('refuses a cursor it did not issue and a limit above 1000', async () => {
    await refuses(path, w.producer.token, [{ id: 7 }, { id: "B1' OR '1'='1" }, { id: 'B\u00001' }, { id: '' }]);
  });
});

describe('GET /api/metering-points/{id}/readings', () => {
  const path = `/api/metering-points/R1/readings?from=${quarter(0)}&to=${quarter(8)}`;

  it('walks the readings in time order, each with the certificates of its own hour', async () => {
    const pages = await walk(path, 3, w.producer.token);
    expect(sizes(pages)).toEqual([3, 3, 2]);
    expect(rowsOf(pages, (r) => r.interval_start_datetime)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(quarter));
    const [bundle] = pages[0]![0].bundle_ids;
    expect(bundle).toEqual(expect.any(Number));
    // The second page holds the issued hour's last quarter and the next hour's first two.
    expect(pages.flat().map((r) => [r.interval_usage, r.issued, r.bundle_ids])).toEqual([
      ...Array(4).fill([250, true, [bundle]]),
      ...Array(4).fill([300, false, []]),
    ]);
  });

  it('pages within the period asked for', async () => {
    const pages = await walk(
      `/api/metering-points/R1/readings?from=${quarter(2)}&to=${quarter(6)}`,
      2,
      w.producer.token,
    );
    expect(rowsOf(pages, (r) => r.interval_start_datetime)).toEqual([2, 3, 4, 5].map(quarter));
    expect(sizes(pages)).toEqual([2, 2]);
  });

  it("shows no reading of another's point, whatever the cursor", async () => {
    const first = await expectStatus(s.request('GET', `${path}&limit=1`, { token: w.producer.token }), 200);
    const r = await s.request('GET', `${path}&cursor=${first.next_cursor}`, { token: w.outsider.token });
    expect(r.status).toBe(404);
  });

  it('refuses a cursor it did not issue and a limit above 1000', async () => {
    await refuses(path, w.producer.token, [{ t: '2025-06-01T10:00:00Z' }, { t: 8e15 }, { t: 1.5 }, { id: 1 }]);
  });
});

describe('GET /api/metering-points/{id}/registers', () => {
  // Times a millisecond apart: the cursor holds them exactly.
  const times = [
    '2025-06-02T00:00:00.001Z',
    '2025-06-02T00:00:00.002Z',
    '2025-06-02T00:00:00.003Z',
    '2025-06-02T00:00:01.000Z',
    '2025-06-02T00:00:02.500Z',
  ];
  const path = '/api/metering-points/M1/registers?from=2025-06-02T00:00:00Z&to=2025-06-03T00:00:00Z';

  beforeAll(async () => {
    const body = { readings: times.map((read_at, k) => ({ read_at, import_wh: 10 * k, export_wh: 0 })) };
    await expectStatus(s.request('POST', '/api/metering-points/M1/registers', { token: w.producer.token, body }), 200);
  });

  it('walks the register readings oldest first', async () => {
    const pages = await walk(path, 2, w.producer.token);
    expect(sizes(pages)).toEqual([2, 2, 1]);
    expect(rowsOf(pages, (r) => [r.read_at, r.import_wh])).toEqual(times.map((t, k) => [t, 10 * k]));
  });

  it("shows no register reading of another's point, whatever the cursor", async () => {
    const first = await expectStatus(s.request('GET', `${path}&limit=1`, { token: w.producer.token }), 200);
    const r = await s.request('GET', `${path}&cursor=${first.next_cursor}`, { token: w.trader.token });
    expect(r.status).toBe(404);
  });

  it('refuses a cursor it did not issue and a limit above 1000', async () => {
    await refuses(path, w.producer.token, [{ t: Date.UTC(1999, 11, 31) }, { t: Date.UTC(9999, 0, 1) }]);
  });
});

describe('GET /api/disclosures', () => {
  const path = '/api/disclosures';
  const made: string[] = [];

  beforeAll(async () => {
    for (let k = 0; k < 5; k++) {
      const body = { account_id: w.producerAccount, period_start: quarter(0), period_end: quarter(8) };
      made.push((await expectStatus(s.request('POST', path, { token: w.producer.token, body }), 201)).id);
    }
    // Publication times that a millisecond cannot tell apart: two at the same microsecond, one
    // 800 µs later in the same millisecond. Only the list's order is at stake, so set them here.
    const times = [
      '2025-07-01T00:00:00.000100Z',
      '2025-07-01T00:00:00.000100Z',
      '2025-07-01T00:00:00.000900Z',
      '2025-07-01T00:00:00.001000Z',
      '2025-07-02T00:00:00Z',
    ];
    for (const [k, id] of made.entries())
      await sql`UPDATE disclosures SET created_at = ${times[k]}::timestamptz WHERE id = ${id}::uuid`.execute(
        s.db.database.kysely,
      );
  });

  it('walks every disclosure newest first, then by id, without losing one that shares a millisecond', async () => {
    const [d0, d1, d2, d3, d4] = made as [string, string, string, string, string];
    const tie = [d0, d1].sort().reverse();
    const pages = await walk(path, 2);
    expect(sizes(pages)).toEqual([2, 2, 1]);
    expect(rowsOf(pages, (d) => d.id)).toEqual([d4, d3, d2, ...tie]);
    expect(rowsOf(await walk(path, 3, w.trader.token), (d) => d.id)).toEqual([d4, d3, d2, ...tie]);
  });

  it('refuses a cursor it did not issue and a limit above 1000', async () => {
    await refuses(path, undefined, [{ us: 1, id: 'not-a-uuid' }, { us: 1.5, id: made[0] }, { us: 1 }]);
  });
});

describe('GET /api/invitations', () => {
  const path = '/api/invitations';
  const invited: number[] = [];

  beforeAll(async () => {
    for (let k = 0; k < 3; k++) {
      const account = await expectStatus(
        s.request('POST', '/api/accounts', { token: w.producer.token, body: { account_name: `Invites ${k}` } }),
        201,
      );
      const body = k === 1 ? { email: stranger.email } : { user_id: stranger.id };
      invited.push(
        (
          await expectStatus(
            s.request('POST', `/api/accounts/${account.id}/members`, { token: w.producer.token, body }),
            202,
          )
        ).id,
      );
    }
  });

  it("walks the caller's pending invitations, by id or email, and no one else's", async () => {
    const pages = await walk(path, 2, stranger.token);
    expect(sizes(pages)).toEqual([2, 1]);
    expect(rowsOf(pages, (i) => i.id)).toEqual(invited);
    expect(await walk(path, 2, w.outsider.token)).toEqual([[]]);
  });

  it('refuses a cursor it did not issue and a limit above 1000', async () => {
    await refuses(path, stranger.token, [{ id: null }]);
  });
});

describe('GET /api/accounts/{id}/members', () => {
  let shared: number;

  beforeAll(async () => {
    shared = (
      await expectStatus(
        s.request('POST', '/api/accounts', { token: w.producer.token, body: { account_name: 'Shared' } }),
        201,
      )
    ).id;
    for (const user of [w.issuer, w.trader, w.outsider]) await join(s, shared, w.producer, user);
  });

  it('walks the members in user id order', async () => {
    const members = [w.producer.id, w.issuer.id, w.trader.id, w.outsider.id].sort((a, b) => a - b);
    const pages = await walk(`/api/accounts/${shared}/members`, 3, w.trader.token);
    expect(sizes(pages)).toEqual([3, 1]);
    expect(rowsOf(pages, (m) => m.user_id)).toEqual(members);
    expect(rowsOf(await walk(`/api/accounts/${shared}/members`, 2, auditor.token), (m) => m.user_id)).toEqual(members);
  });

  it('shows a non-member nothing, whatever the cursor', async () => {
    const first = await expectStatus(
      s.request('GET', `/api/accounts/${shared}/members?limit=1`, { token: w.producer.token }),
      200,
    );
    const r = await s.request('GET', `/api/accounts/${shared}/members?cursor=${first.next_cursor}`, {
      token: stranger.token,
    });
    expect(r.status).toBe(404);
  });

  it('refuses a cursor it did not issue and a limit above 1000', async () => {
    await refuses(`/api/accounts/${shared}/members`, w.producer.token, [{ id: 1 }]);
  });
});

describe('GET /api/users and GET /api/api-keys', () => {
  it('walks every user in id order, for an admin', async () => {
    const users = [w.issuer, w.producer, w.trader, w.outsider, admin, auditor, stranger].map((u) => u.id);
    const pages = await walk('/api/users', 3, admin.token);
    expect(sizes(pages)).toEqual([3, 3, 1]);
    expect(rowsOf(pages, (u) => u.id)).toEqual(users.sort((a, b) => a - b));
    await refuses('/api/users', admin.token, [{ id: 'x' }]);
  });

  it("walks the caller's own API keys, and no one else's", async () => {
    const keys: number[] = [];
    for (const name of ['one', 'two', 'three', 'four'])
      keys.push(
        (await expectStatus(s.request('POST', '/api/api-keys', { token: w.producer.token, body: { name } }), 201)).id,
      );
    const theirs = await expectStatus(
      s.request('POST', '/api/api-keys', { token: w.trader.token, body: { name: 'theirs' } }),
      201,
    );
    const pages = await walk('/api/api-keys', 2, w.producer.token);
    expect(sizes(pages)).toEqual([2, 2]);
    expect(rowsOf(pages, (k) => k.id)).toEqual(keys);
    expect(rowsOf(await walk('/api/api-keys', 1, w.trader.token), (k) => k.id)).toEqual([theirs.id]);
    await refuses('/api/api-keys', w.producer.token, [{ id: '1' }]);
  });
});

describe('the lists that paged already', () => {
  it('take a time beyond what PostgreSQL holds in a cursor as a bad cursor, not a failed query', async () => {
    const query = await s.request('POST', '/api/certificates/query', {
      token: w.producer.token,
      body: { source_id: w.producerAccount, cursor: cursorOf({ t: 8e15, id: 1 }) },
    });
    expect(query.status).toBe(400);
    expect(query.body.errors).toEqual([{ field: 'body/cursor', message: expect.any(String) }]);
    await refuses(`/api/communities/${ids.club}/intervals?from=${quarter(0)}&to=${quarter(8)}`, w.producer.token, [
      { t: 8e15 },
      { t: -8e15 },
    ]);
  });
});
