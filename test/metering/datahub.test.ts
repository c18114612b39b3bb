// The ElOverblik adapter against a local server speaking its wire format: token exchange,
// authorised points, time series, throttling, expired tokens, and syncs that resume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { eloverblikSource, kwhToWh } from '../../src/metering/sources/eloverblik.ts';
import { syncSource } from '../../src/metering/sources/sync.ts';
import { runWithLease } from '../../src/platform/jobs.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, type World } from '../helpers/world.ts';
import { fixtureKwh, REFRESH_TOKEN, startMockDataHub, type MockDataHub } from '../helpers/eloverblik-mock.ts';

const PRODUCTION = '571313180400000001';
const UNKNOWN_TO_TALLY = '571313180400000002';
const UNAVAILABLE = '2025-05-20T12:00:00.000Z';

let s: TestServer;
let w: World;
let hub: MockDataHub;
const sleeps: number[] = [];
const source = () =>
  eloverblikSource(
    { name: 'dk', url: hub.url, refresh_token: REFRESH_TOKEN, scope: 'customerCVR', identifier: '12345678' },
    {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
  );
const db = () => s.db.database.kysely;

beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  hub = await startMockDataHub(
    [
      { id: PRODUCTION, type: 'E18' },
      { id: UNKNOWN_TO_TALLY, type: 'E17' },
    ],
    UNAVAILABLE,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: PRODUCTION, type: 'production', account_id: w.producerAccount, device_id: w.device },
    }),
    201,
  );
});
afterAll(async () => {
  await hub?.close();
  await s?.close();
});

describe('syncing ElOverblik', () => {
  it('imports the last 30 days of the authorised points Tally knows, waiting out throttling', async () => {
    hub.throttleNext(1);
    const r = await syncSource(db(), source(), new Date('2025-06-04T10:00:00Z'));
    // 30 days × 24 hours, less the hour the DataHub marks "not available" (A02).
    expect(r).toEqual({ points: 1, inserted: 719, unchanged: 0, revised: 0, refused: [] });
    expect(sleeps).toEqual([0]);
    expect(hub.requests.filter((q) => q.includes('gettimeseries'))).toEqual([
      'POST /api/meterdata/gettimeseries/2025-05-05/2025-06-04/Actual',
      'POST /api/meterdata/gettimeseries/2025-05-05/2025-06-04/Actual',
    ]);
    const day = await expectStatus(
      s.request(
        'GET',
        `/api/metering-points/${PRODUCTION}/readings?from=2025-05-20T10:00:00Z&to=2025-05-20T14:00:00Z`,
        { token: w.producer.token },
      ),
      200,
    );
    expect(day.items.map((x: any) => [x.interval_start_datetime, x.interval_usage, x.source])).toEqual([
      ['2025-05-20T10:00:00.000Z', kwhToWh(fixtureKwh(Date.parse('2025-05-20T10:00:00Z'))), 'datahub:dk'],
      ['2025-05-20T11:00:00.000Z', kwhToWh(fixtureKwh(Date.parse('2025-05-20T11:00:00Z'))), 'datahub:dk'],
      ['2025-05-20T13:00:00.000Z', kwhToWh(fixtureKwh(Date.parse('2025-05-20T13:00:00Z'))), 'datahub:dk'],
    ]);
    const unknown = await sql`SELECT count(*)::int AS n FROM metering_points WHERE id = ${UNKNOWN_TO_TALLY}`.execute(
      db(),
    );
    expect(unknown.rows).toEqual([{ n: 0 }]);
  });

  it('resumes after the last imported day, and asks for nothing new the same day', async () => {
    hub.requests.length = 0;
    expect(await syncSource(db(), source(), new Date('2025-06-04T23:00:00Z'))).toMatchObject({ inserted: 0 });
    expect(hub.requests.filter((q) => q.includes('gettimeseries'))).toEqual([]);
    const next = await syncSource(db(), source(), new Date('2025-06-05T08:00:00Z'));
    expect(next).toMatchObject({ inserted: 24, unchanged: 0 });
    expect(hub.requests.filter((q) => q.includes('gettimeseries'))).toEqual([
      'POST /api/meterdata/gettimeseries/2025-06-04/2025-06-05/Actual',
    ]);
  });

  it('renews an expired data access token once and carries on', async () => {
    const adapter = source();
    await adapter.authorisedPoints();
    const before = hub.tokensIssued();
    hub.expireToken();
    expect((await adapter.authorisedPoints()).map((p) => p.id)).toEqual([PRODUCTION, UNKNOWN_TO_TALLY]);
    expect(hub.tokensIssued()).toBe(before + 1);
  });

  it('reports a point the DataHub refuses by its error text', async () => {
    await expect(
      source().readings(['571313180499999999'], new Date('2025-06-01T00:00:00Z'), new Date('2025-06-02T00:00:00Z')),
    ).rejects.toThrow('dk: metering point 571313180499999999: WrongMeteringPointIdOrWebAccessCode (20000)');
  });

  it('refuses a wrong refresh token with a clear error and imports nothing', async () => {
    const before = await s.eventCount();
    const bad = eloverblikSource({
      name: 'dk',
      url: hub.url,
      refresh_token: 'wrong',
      scope: 'customerCVR',
      identifier: '12345678',
    });
    await expect(syncSource(db(), bad, new Date('2025-06-06T08:00:00Z'))).rejects.toThrow(
      'dk: token exchange answered 401',
    );
    expect(await s.eventCount()).toBe(before);
  });

  it('runs one sync at a time across instances, by lease', async () => {
    let running = 0,
      most = 0;
    let entered!: () => void, release!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const work = async () => {
      running++;
      most = Math.max(most, running);
      entered();
      // The first run holds the lease until the other two have tried.
      await released;
      running--;
      return 1;
    };
    const first = runWithLease(db(), 'datahub-sync:dk', 60_000, work);
    await inside;
    const others = await Promise.all([1, 2].map(() => runWithLease(db(), 'datahub-sync:dk', 60_000, work)));
    release();
    const results = [await first, ...others];
    expect(results).toEqual([1, undefined, undefined]);
    expect(results.filter((r) => r === 1)).toHaveLength(1);
    expect(most).toBe(1);
    expect(await runWithLease(db(), 'datahub-sync:dk', 60_000, work)).toBe(1); // released after the run
  });

  it("takes a crashed holder's lease once it has lapsed by the database's clock, and not before", async () => {
    // A holder that died mid-sync never released its lease; the row says until when it holds.
    await sql`INSERT INTO job_leases (name, holder, lease_until)
      VALUES ('datahub-sync:dead', 'crashed', now() + interval '1 minute')`.execute(db());
    const work = async () => 1;
    expect(await runWithLease(db(), 'datahub-sync:dead', 60_000, work)).toBeUndefined();
    // The lease's minute passes: the row is moved back rather than waited out.
    await sql`UPDATE job_leases SET lease_until = now() - interval '1 millisecond'
      WHERE name = 'datahub-sync:dead'`.execute(db());
    expect(await runWithLease(db(), 'datahub-sync:dead', 60_000, work)).toBe(1);
  });
});
