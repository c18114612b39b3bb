// Read routing against a real streaming replica: a hot standby made with pg_basebackup from a
// throwaway primary. Replay is paused on the standby to make it lag on purpose: the routes that only
// read answer from it for callers who need nothing newer (and show its stale state), and from the
// primary for the caller who just wrote or who sends the write's Tally-Commit-LSN back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/database.ts';
import { migrate } from '../../src/platform/migrations.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { standbyImpossible, startStandbyPair, type StandbyPair } from '../helpers/standby.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

// The pair is a cluster of its own, whatever the suite runs on: the run on PostgreSQL holds it.
const impossible = process.env.TEST_DATABASE_URL
  ? await standbyImpossible()
  : 'it runs in the suite on PostgreSQL (TEST_DATABASE_URL), beside the server binaries it needs';
if (impossible) console.warn(`read replica test skipped: ${impossible}`);

describe.skipIf(impossible !== undefined)('reads from a streaming replica', () => {
  let pair: StandbyPair;
  let s: TestServer;
  let w: World;
  let bundles: any[];

  beforeAll(async () => {
    pair = await startStandbyPair();
    const database = await openDatabase({ url: pair.primaryUrl, readUrl: pair.standbyUrl });
    await migrate(database);
    s = await startServer(
      { TALLY_READ_WAIT_MS: '300' },
      { database: { database, url: pair.primaryUrl, drop: () => database.close() } },
    );
    w = await buildWorld(s);
    bundles = await issue(s, w, [
      [0, 500_000],
      [1, 700_000],
    ]);
    await pair.caughtUp();
  }, 120_000);

  afterAll(async () => {
    await s?.close();
    await pair?.close();
  });

  /** The producer account's bundles as `token` sees them, and which database answered. */
  const holdings = async (token: string, headers: Record<string, string> = {}) => {
    const reply = await s.request('POST', '/api/certificates/query', {
      token,
      headers,
      body: { source_id: w.producerAccount },
    });
    expect(reply.status).toBe(200);
    return {
      from: reply.headers.get('tally-read-from'),
      wh: reply.body.items.map((b: any) => b.bundle_quantity),
    };
  };

  it('answers reads from the replica while it is current', async () => {
    expect(await holdings(w.producer.token)).toEqual({ from: 'replica', wh: [500_000, 700_000] });
  });

  it('reads a caller its own write from the primary while the replica lags, others the replica', async () => {
    await pair.query('standby', 'SELECT pg_wal_replay_pause()');
    const transfer = await s.request('POST', '/api/certificates/transfer', {
      token: w.producer.token,
      body: {
        source_id: w.producerAccount,
        target_id: w.traderAccount,
        granular_certificate_bundle_ids: [bundles[1].id],
        certificate_quantity: 200_000,
      },
    });
    expect(transfer.status).toBe(200);
    const written = transfer.headers.get('tally-commit-lsn');
    expect(written).toMatch(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/);
    // A refused write changed nothing, so it gives no position to read after.
    const refused = await s.request('POST', '/api/certificates/transfer', {
      token: w.producer.token,
      body: { source_id: w.producerAccount, target_id: w.traderAccount, granular_certificate_bundle_ids: [999_999] },
    });
    expect([refused.status, refused.headers.get('tally-commit-lsn')]).toEqual([404, null]);

    // The writer: the replica has not replayed its transfer, so the primary answers, with it.
    expect(await holdings(w.producer.token)).toEqual({ from: 'primary', wh: [500_000, 500_000] });
    // The issuer wrote nothing since the replica caught up: the replica answers, as it stands.
    expect(await holdings(w.issuer.token)).toEqual({ from: 'replica', wh: [500_000, 700_000] });
    // Another client (here the issuer) handed the write's position sees it too.
    expect(await holdings(w.issuer.token, { 'tally-read-after': written! })).toEqual({
      from: 'primary',
      wh: [500_000, 500_000],
    });

    await pair.query('standby', 'SELECT pg_wal_replay_resume()');
    await pair.caughtUp();
    expect(await holdings(w.producer.token)).toEqual({ from: 'replica', wh: [500_000, 500_000] });
    expect(await holdings(w.issuer.token, { 'tally-read-after': written! })).toEqual({
      from: 'replica',
      wh: [500_000, 500_000],
    });
  });

  it('refuses a Tally-Read-After that is no log position, naming the header', async () => {
    const reply = await s.request('POST', '/api/certificates/query', {
      token: w.producer.token,
      headers: { 'tally-read-after': 'yesterday' },
      body: { source_id: w.producerAccount },
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ code: 'invalid_read_after', errors: [{ field: 'header/tally-read-after' }] });
  });

  it('sends reads to the primary once the replica is gone, and never answers 5xx', async () => {
    await pair.stopStandby();
    expect(await holdings(w.producer.token)).toEqual({ from: 'primary', wh: [500_000, 500_000] });
    expect(await holdings(w.issuer.token)).toEqual({ from: 'primary', wh: [500_000, 500_000] });
    const statement = await expectStatus(
      s.request('POST', '/api/certificates/cancel', {
        token: w.producer.token,
        body: {
          source_id: w.producerAccount,
          granular_certificate_bundle_ids: [bundles[0].id],
          beneficiary: 'Hospital',
        },
      }),
      200,
    );
    const read = await s.request('GET', `/api/certificates/statements/${statement.statement_id}`, {
      token: w.producer.token,
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('tally-read-from')).toBe('primary');
    const metrics = await s.request('GET', '/metrics');
    expect(metrics.body).toMatch(/tally_read_routing_total\{target="primary",reason="unreachable"\} [1-9]/);
    expect(metrics.body).toMatch(/tally_read_routing_total\{target="primary",reason="behind"\} [1-9]/);
  });
});
