// Three `tally serve` processes on one PostgreSQL database, each running the jobs, under a mixed
// load sent to all three at once: issuance, partial transfers racing for the same bundles, queries,
// a community whose intervals fall due for clearing, and events to seal. Afterwards every Wh is
// where exactly one accepted request put it, every due interval was cleared once, every event is
// in exactly one block, and `tally check` and `tally ledger verify` find nothing wrong.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createUser } from '../../src/identity/users.ts';
import { openDatabase } from '../../src/platform/database.ts';
import { TALLY } from '../helpers/cli.ts';
import { api, HOUR, MIN } from '../helpers/community.ts';
import { emptyServerDatabase } from '../helpers/database.ts';
import { type Client, freePort, type Reply } from '../helpers/server.ts';
import { serving } from '../helpers/serving.ts';
import { buildWorld, expectStatus, issue } from '../helpers/world.ts';

const run = promisify(execFile);
const TRANSFER_WH = 1_000;

describe.skipIf(!process.env.TEST_DATABASE_URL)('three API processes on one database', () => {
  it('count every Wh once and run every due job unit once under a mixed load', async () => {
    const server = await emptyServerDatabase(process.env.TEST_DATABASE_URL as string);
    const database = await openDatabase({ url: server.url });
    const env = {
      ...process.env,
      DATABASE_URL: server.url,
      TALLY_JOB_INTERVAL: '1',
      // The helpers issue for June 2025: keep those certificates from expiring under the test.
      TALLY_CERTIFICATE_LIFETIME_DAYS: '3650',
      TALLY_AUTH_RATE_LIMIT: '100000',
      TALLY_PUBLIC_RATE_LIMIT: '100000',
      LOG_LEVEL: 'info',
    };
    const ports = [await freePort(), await freePort(), await freePort()];
    const processes: ChildProcess[] = ports.map((port) =>
      spawn('node', [...TALLY, 'serve'], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    try {
      expect(await Promise.all(processes.map(serving))).toEqual([true, true, true]);

      // Requests go round the three processes.
      let next = 0;
      const request: Client['request'] = async (method, path, opts = {}) => {
        const url = `http://127.0.0.1:${ports[next++ % ports.length]}${path}`;
        const headers: Record<string, string> = { ...opts.headers };
        if (opts.token) headers.authorization = `Bearer ${opts.token}`;
        if (opts.body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(url, {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers } as Reply;
      };
      let users = 0;
      const client: Client = {
        request,
        async user(role, name) {
          const email = `${name ?? role}-${++users}@example.com`;
          const password = 'correct horse battery';
          const { user } = await createUser(
            database.kysely,
            { email, password, name: name ?? role, role, verifiedAt: new Date() },
            null,
          );
          const login = await expectStatus(request('POST', '/api/token', { body: { email, password } }), 200);
          return { id: user.id, email, token: login.access };
        },
      };
      const w = await buildWorld(client);
      const issued = await issue(
        client,
        w,
        Array.from({ length: 24 }, (_, h) => [h, 100_000] as [number, number]),
      );

      // A community whose members joined yesterday, metered since: every closed 15-minute interval
      // since yesterday's midnight is due for clearing.
      const manager = await client.user('trader', 'manager');
      const cooperative = (
        await expectStatus(
          request('POST', '/api/accounts', { token: manager.token, body: { account_name: 'Co-op' } }),
          201,
        )
      ).id;
      const c = api(client, manager, cooperative);
      const start = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 24 * HOUR;
      const closed = Math.floor(Date.now() / (15 * MIN)) * 15 * MIN;
      const quarters = Array.from({ length: (closed - start) / (15 * MIN) }, (_, k) => start + k * 15 * MIN);
      const community = await c.community({ name: 'Street', interval_minutes: 15, time_zone: 'UTC' });
      await c.point('SCALE-P', 'production');
      await c.point('SCALE-Q', 'consumption');
      await c.readings(
        'SCALE-P',
        quarters.map((t) => [t, 15, 600]),
      );
      await c.readings(
        'SCALE-Q',
        quarters.map((t) => [t, 15, 400]),
      );
      const yesterday = new Date(start).toISOString().slice(0, 10);
      await c.member(community, { metering_point_id: 'SCALE-P', name: 'P', valid_from: yesterday });
      await c.member(community, { metering_point_id: 'SCALE-Q', name: 'Q', valid_from: yesterday });

      // The mixed load, all at once: partial transfers (several on each bundle), queries, issuance.
      const transfers = Array.from({ length: 60 }, (_, k) =>
        request('POST', '/api/certificates/transfer', {
          token: w.producer.token,
          body: {
            source_id: w.producerAccount,
            target_id: w.traderAccount,
            granular_certificate_bundle_ids: [issued[k % issued.length].id],
            certificate_quantity: TRANSFER_WH,
          },
        }),
      );
      const queries = Array.from({ length: 30 }, () =>
        request('POST', '/api/certificates/query', {
          token: w.trader.token,
          body: { source_id: w.traderAccount },
        }),
      );
      const more = [24, 28, 32].map((h) =>
        issue(
          client,
          w,
          [0, 1, 2, 3].map((k) => [h + k, 50_000] as [number, number]),
        ),
      );
      const [moved, asked] = await Promise.all([Promise.all(transfers), Promise.all(queries), Promise.all(more)]);
      // A transfer that lost a race for its bundle is refused whole, as a retry-able 409.
      const accepted = moved.filter((r) => r.status === 200).length;
      expect(moved.filter((r) => r.status !== 200).map((r) => [r.status, r.body.code])).toEqual(
        moved.filter((r) => r.status !== 200).map(() => [409, 'concurrent_change']),
      );
      expect(accepted).toBeGreaterThan(0);
      expect(asked.map((r) => r.status)).toEqual(asked.map(() => 200));

      // Every Wh is where one accepted request put it.
      const summary = async (account: number, token: string) =>
        (await expectStatus(request('GET', `/api/accounts/${account}/summary`, { token }), 200)).total_wh;
      expect(await summary(w.traderAccount, w.trader.token)).toBe(accepted * TRANSFER_WH);
      expect((await summary(w.producerAccount, w.producer.token)) + accepted * TRANSFER_WH).toBe(
        24 * 100_000 + 12 * 50_000,
      );

      // The jobs catch up: the community's due intervals and every event sealed.
      const caughtUp = async () => {
        const { rows } = await sql<{ intervals: string; unsealed: string }>`
          SELECT (SELECT count(*) FROM community_intervals WHERE community_id = ${community}) AS intervals,
                 (SELECT count(*) FROM events e WHERE NOT EXISTS (
                    SELECT 1 FROM ledger_blocks b WHERE (e.xact_id, e.id) <= (b.last_xact_id, b.last_event_id))) AS unsealed`.execute(
          database.kysely,
        );
        return Number(rows[0]?.intervals) >= quarters.length && Number(rows[0]?.unsealed) === 0;
      };
      while (!(await caughtUp())) await new Promise((resolve) => setTimeout(resolve, 200));

      // Once each: one row per interval, and blocks that cover the log exactly once.
      const { rows } = await sql<{ intervals: string; distinct_starts: string; sealed: string; events: string }>`
        SELECT (SELECT count(*) FROM community_intervals WHERE community_id = ${community}) AS intervals,
               (SELECT count(DISTINCT interval_start) FROM community_intervals WHERE community_id = ${community}) AS distinct_starts,
               (SELECT coalesce(sum(size), 0) FROM ledger_blocks) AS sealed,
               (SELECT count(*) FROM events) AS events`.execute(database.kysely);
      expect(rows[0]?.intervals).toBe(rows[0]?.distinct_starts);
      expect(Number(rows[0]?.sealed)).toBe(Number(rows[0]?.events));
      const lastDay = await c.intervals(community, closed - 24 * HOUR, closed);
      expect(lastDay.map((i) => i.peer_wh)).toEqual(lastDay.map(() => 400));
      expect(lastDay.length).toBe(96);

      const cli = (args: string[]) =>
        run('node', [...TALLY, ...args], { env: { ...process.env, DATABASE_URL: server.url } });
      await expect(cli(['check'])).resolves.toMatchObject({ stderr: '' });
      await expect(cli(['ledger', 'verify'])).resolves.toBeDefined();
    } finally {
      for (const p of processes) p.kill('SIGTERM');
      await Promise.all(
        processes.map((p) => new Promise((resolve) => (p.exitCode === null ? p.once('exit', resolve) : resolve(null)))),
      );
      await database.close();
      await server.drop();
    }
  });
});
