// /metrics over HTTP: the token rule, request durations by route pattern, the pool, and the exact
// increments known requests make to issuance, readings, the ledger's lag and a community's clearing
// lag (helpers/metrics.ts compares a scrape after some work with one before).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delta, parse, scrape, value } from '../helpers/metrics.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TEST_START } from '../helpers/clock.ts';
import { api } from '../helpers/community.ts';
import { buildWorld, expectStatus, hour, issue, type World } from '../helpers/world.ts';

describe('/metrics', () => {
  let s: TestServer;
  let w: World;
  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
  });
  afterAll(() => s?.close());

  it('times requests by route pattern, method and status; one series for every unknown URL', async () => {
    const route = { route: '/api/devices/:id', method: 'GET', status: '200' };
    const count = 'tally_http_request_duration_seconds_count';
    expect(
      await delta(s, count, route, async () => {
        for (let k = 0; k < 3; k++)
          await expectStatus(s.request('GET', `/api/devices/${w.device}`, { token: w.producer.token }), 200);
      }),
    ).toBe(3);
    expect(
      await delta(s, count, { route: '/api/devices/:id', method: 'GET', status: '404' }, () =>
        s.request('GET', '/api/devices/999999', { token: w.producer.token }),
      ),
    ).toBe(1);
    expect(
      await delta(s, count, { route: 'unmatched', method: 'GET', status: '404' }, async () => {
        await s.request('GET', '/nowhere/1');
        await s.request('GET', '/nowhere/2');
      }),
    ).toBe(2);
    const text = await scrape(s);
    // No URL becomes a label: the device's id appears in no route.
    expect(parse(text).filter((x) => x.labels.route?.includes(String(w.device)) === true)).toEqual([]);
    expect(value(text, 'tally_http_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(
      value(text, count, route),
    );
  });

  it('reports the database pool: PGlite as its one session, PostgreSQL as node-postgres counts it', async () => {
    const text = await scrape(s);
    const total = value(text, 'tally_db_pool_connections')!;
    const idle = value(text, 'tally_db_pool_idle')!;
    if (s.db.database.engine === 'pglite') expect(total).toBe(1);
    else expect(total).toBeGreaterThanOrEqual(1);
    expect(idle).toBeGreaterThanOrEqual(0);
    expect(idle).toBeLessThanOrEqual(total);
    expect(value(text, 'tally_db_pool_waiting')).toBeGreaterThanOrEqual(0);
  });

  it('counts the Wh and bundles issued once committed, and nothing for a refused issuance', async () => {
    const before = await scrape(s);
    await issue(s, w, [
      [0, 1_000],
      [1, 2_500],
    ]);
    // The same hour again is refused: nothing committed, nothing counted.
    const again = await s.request('POST', '/api/certificates/issue', {
      token: w.issuer.token,
      body: { device_id: w.device, intervals: [{ ...hour(1), wh: 5 }] },
    });
    expect(again.status).toBe(409);
    const after = await scrape(s);
    expect(value(after, 'tally_issued_wh_total')! - value(before, 'tally_issued_wh_total')!).toBe(3_500);
    expect(value(after, 'tally_issued_bundles_total')! - value(before, 'tally_issued_bundles_total')!).toBe(2);
  });

  it('counts readings imported by outcome', async () => {
    const point = '571313174000000901';
    const manage = api(s, w.producer, w.producerAccount);
    await manage.point(point, 'consumption');
    const at = Date.parse('2025-07-01T10:00:00Z');
    const quarters = (wh: number[]) =>
      manage.readings(
        point,
        wh.map((v, k) => [at + k * 900_000, 15, v]),
      );
    const before = await scrape(s);
    await quarters([10, 20, 30]);
    await quarters([10, 21, 30]);
    const after = await scrape(s);
    const grew = (outcome: string) =>
      value(after, 'tally_readings_imported_total', { outcome })! -
      (value(before, 'tally_readings_imported_total', { outcome }) ?? 0);
    expect([grew('inserted'), grew('revised'), grew('unchanged')]).toEqual([3, 1, 2]);
  });

  it('counts exactly the committed events not yet sealed, and 0 once sealed', async () => {
    await issue(s, w, [[5, 700]]);
    const sealed = await s.db.database.kysely
      .selectFrom('ledger_leaves' as never)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const unsealed = (await s.eventCount()) - Number(sealed.n);
    expect(unsealed).toBeGreaterThan(0);
    expect(value(await scrape(s), 'tally_ledger_unsealed_events')).toBe(unsealed);
    const seal = await expectStatus(s.request('POST', '/api/ledger/seal', { token: w.issuer.token }), 200);
    expect(seal.events_sealed).toBe(unsealed);
    expect(value(await scrape(s), 'tally_ledger_unsealed_events')).toBe(0);
    await issue(s, w, [[6, 800]]);
    expect(value(await scrape(s), 'tally_ledger_unsealed_events')).toBe(1);
  });

  it("reports each community's clearing lag behind the server's now", async () => {
    const manage = api(s, w.producer, w.producerAccount);
    await manage.point('LAG-POINT', 'consumption');
    const community = await manage.community({ name: 'Lagging club', interval_minutes: 15, time_zone: 'UTC' });
    const lag = async () =>
      value(await scrape(s), 'tally_community_clearing_lag_seconds', { community_id: String(community) });
    expect(await lag()).toBeUndefined(); // no member: nothing to clear
    await manage.member(community, { metering_point_id: 'LAG-POINT', name: 'Flat', valid_from: '2025-06-01' });
    const since = (iso: string) => (TEST_START.getTime() - Date.parse(iso)) / 1000;
    expect(await lag()).toBe(since('2025-06-01T00:00:00Z'));
    expect(await manage.clear(community, Date.parse('2025-06-01T00:00:00Z'), Date.parse('2025-06-01T01:00:00Z'))).toBe(
      4,
    );
    expect(await lag()).toBe(since('2025-06-01T01:00:00Z'));
    s.clock.advance(60_000);
    expect(await lag()).toBe(since('2025-06-01T01:00:00Z') + 60);
  });
});

describe('/metrics with TALLY_METRICS_TOKEN', () => {
  const token = 'scrape-me-please-0123456789';
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ TALLY_METRICS_TOKEN: token });
  });
  afterAll(() => s?.close());

  it('answers 401 unauthorized without the bearer token or with another, 200 with it', async () => {
    const refused: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong' }, { authorization: token }];
    for (const headers of refused) {
      const r = await fetch(`${s.url}/metrics`, { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await r.json()) as { code: string }).code).toBe('unauthorized');
    }
    expect(value(await scrape(s, token), 'tally_ledger_unsealed_events')).toBeGreaterThanOrEqual(0);
  });
});
