// Liveness and readiness as an orchestrator sees them: live always; ready while the database
// answers with every migration applied, and not ready (503 not_ready, naming the check) otherwise.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readiness } from '../../src/platform/health.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => s?.close());

describe('/health', () => {
  it('is alive, and ready with every check (this server runs no jobs)', async () => {
    expect((await s.request('GET', '/health/live')).body).toEqual({ status: 'alive' });
    const ready = await s.request('GET', '/health/ready');
    expect([ready.status, ready.body]).toEqual([
      200,
      { status: 'ready', checks: { database: 'ok', migrations: 'ok', jobs: 'skipped' } },
    ]);
    expect((await s.request('GET', '/health')).body).toEqual({ status: 'ok', database: s.db.database.engine });
  });

  it('documents /health/live and /health/ready in the OpenAPI document, and not the older /health', async () => {
    const doc = (await s.request('GET', '/openapi.json')).body as { paths: Record<string, { get?: object }> };
    expect(['/health/live', '/health/ready'].filter((path) => doc.paths[path]?.get !== undefined)).toEqual([
      '/health/live',
      '/health/ready',
    ]);
    expect(doc.paths['/health']).toBeUndefined();
  });

  it('is not ready while a migration it knows is not applied', async () => {
    const db = s.db.database.kysely;
    const { rows } = await sql<{ name: string; checksum: string; applied_at: Date }>`
      DELETE FROM schema_migrations WHERE name = '0027_publications' RETURNING *`.execute(db);
    try {
      const res = await s.request('GET', '/health/ready');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect([res.body.code, res.body.detail]).toEqual(['not_ready', 'migrations: not applied: 0027_publications']);
    } finally {
      const [row] = rows;
      if (row)
        await sql`INSERT INTO schema_migrations VALUES (${row.name}, ${row.checksum}, ${row.applied_at})`.execute(db);
    }
    expect((await s.request('GET', '/health/ready')).status).toBe(200);
  });

  it('counts a job runner that missed three ticks as stopped, and one in a long tick as alive', async () => {
    const database = s.db.database;
    const at = 1_000_000;
    const pulse = (lastBeatAt: number, ticking: boolean) => ({ intervalMs: 60_000, lastBeatAt, ticking });
    expect((await readiness(database, pulse(at - 179_000, false), at)).checks.jobs).toBe('ok');
    expect(await readiness(database, pulse(at - 180_000, false), at)).toEqual({
      ready: false,
      checks: { database: 'ok', migrations: 'ok', jobs: 'no tick for 180 s' },
    });
    expect((await readiness(database, pulse(at - 600_000, true), at)).checks.jobs).toBe('ok');
  });
});
