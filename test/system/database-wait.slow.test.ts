// A server started before its database exists keeps trying and says why: meanwhile it is alive and
// not ready (503 `not_ready` naming the database's answer), and once the database is there it
// migrates, serves and is ready, without a restart.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { TALLY } from '../helpers/cli.ts';
import { serverDatabaseToBe } from '../helpers/database.ts';
import { freePort } from '../helpers/server.ts';

describe.skipIf(!process.env.TEST_DATABASE_URL)('a server whose database is not there yet', () => {
  it('is alive and not ready until the database answers, then serves', async () => {
    const db = serverDatabaseToBe(process.env.TEST_DATABASE_URL as string);
    const port = await freePort();
    const child = spawn('node', [...TALLY, 'serve'], {
      env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'info', TALLY_JOB_INTERVAL: '3600' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    type Line = { msg: string; reason?: string; retry_in_ms?: number };
    const lines: Line[] = [];
    const output = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    output.on('line', (l) => lines.push(JSON.parse(l)));
    /** The first log line with this message, once the server writes it. */
    const said = (msg: string) =>
      new Promise<Line>((resolve) => {
        const seen = lines.find((l) => l.msg === msg);
        if (seen) return resolve(seen);
        output.on('line', (l) => {
          const line = JSON.parse(l) as Line;
          if (line.msg === msg) resolve(line);
        });
      });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return {
        status: r.status,
        type: r.headers.get('content-type'),
        body: (await r.json()) as Record<string, unknown>,
      };
    };
    try {
      const waited = await said('waiting for the database');
      expect(waited.reason).toContain('does not exist');
      expect(waited.retry_in_ms).toBe(1000);

      expect(await get('/health/live')).toMatchObject({ status: 200, body: { status: 'alive' } });
      const ready = await get('/health/ready');
      expect(ready).toMatchObject({ status: 503, type: 'application/problem+json; charset=utf-8' });
      expect(ready.body).toMatchObject({ status: 503, code: 'not_ready', instance: '/health/ready' });
      expect(String(ready.body.detail)).toMatch(/^database: does not answer: .*does not exist/);
      expect((await get('/api/accounts')).status).toBe(503);

      await db.create();
      await said('Tally is serving');
      expect(await get('/health/ready')).toMatchObject({
        status: 200,
        body: { status: 'ready', checks: { database: 'ok', migrations: 'ok' } },
      });
      expect(child.exitCode).toBe(null);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await db.drop();
    }
  });
});
