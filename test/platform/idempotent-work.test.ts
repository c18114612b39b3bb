// An Idempotency-Key's work commits or rolls back with the key: a retry after the first request
// committed but lost its answer (here a 500 after the commit; in life a crash) is not run again,
// and a retry after the first request's work rolled back is run anew.
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { Type } from 'typebox';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { authenticationHook } from '../../src/identity/routes.ts';
import { appendEvent } from '../../src/ledger/events.ts';
import type { App } from '../../src/platform/context.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { testClock } from '../helpers/clock.ts';

let db: TestDatabase;
let app: App;
/** What the route does after writing its event: answer, fail after the commit, or roll back. */
let after: 'answer' | 'fail_after_commit' | 'roll_back' = 'answer';

beforeAll(async () => {
  db = await freshDatabase();
  const config = loadConfig({ LOG_LEVEL: 'silent', TALLY_JWT_SECRET: 'test-secret-test-secret-test-secret!' });
  const ctx = {
    database: db.database,
    config,
    log: pino({ level: 'silent' }),
    tokens: { secret: new TextEncoder().encode(config.jwtSecret), accessTtl: 60, refreshTtl: 60 },
    clock: testClock(),
  };
  app = await buildApp(ctx, {
    authenticate: authenticationHook,
    modules: [
      (a) => {
        a.post(
          '/api/test/work',
          { config: { access: 'public' }, schema: { body: Type.Object({ n: Type.Integer() }) } },
          async (request, reply) => {
            await db.database.kysely.transaction().execute(async (trx) => {
              await appendEvent(trx, {
                type: 'test.work',
                subject_type: 'test',
                subject_id: request.body.n,
                actor_id: null,
                payload: {},
              });
              if (after === 'roll_back') throw new Error('the work fails before it commits');
            });
            if (after === 'fail_after_commit') throw new Error('the answer is lost after the commit');
            return reply.status(201).send({ n: request.body.n });
          },
        );
      },
    ],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

/** Over a real socket, the body in two writes: its end arrives in another turn of the event loop than the headers. */
async function sendInTwoParts(key: string, n = 1): Promise<{ statusCode: number; body: any }> {
  const address = app.server.address() as { port: number };
  const body = JSON.stringify({ n });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: address.port,
        method: 'POST',
        path: '/api/test/work',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'idempotency-key': key,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ statusCode: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    // The rest goes once the server has read the headers and begun the request: a later turn for certain.
    app.server.once('request', () => req.end(body.slice(3)));
    req.write(body.slice(0, 3));
  });
}

const send = (key: string, n = 1) =>
  app.inject({ method: 'POST', url: '/api/test/work', headers: { 'idempotency-key': key }, payload: { n } });
const works = async () =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE type = 'test.work'`.execute(db.database.kysely))
      .rows[0]!.n,
  );

it('never runs again the work of a first request that committed but lost its answer', async () => {
  after = 'fail_after_commit';
  expect((await send('lost')).statusCode).toBe(500);
  expect(await works()).toBe(1);
  after = 'answer';
  const retry = await send('lost');
  expect([retry.statusCode, retry.json().code]).toEqual([409, 'idempotency_outcome_unknown']);
  expect(await works()).toBe(1);
  // The same key for another request is still a misuse, named as such.
  const other = await send('lost', 2);
  expect([other.statusCode, other.json().code]).toEqual([422, 'idempotency_key_reused']);
});

it('runs anew a retry whose first request rolled back, and replays it after', async () => {
  const before = await works();
  after = 'roll_back';
  expect((await send('rolled')).statusCode).toBe(500);
  expect(await works()).toBe(before);
  after = 'answer';
  const retry = await send('rolled');
  expect([retry.statusCode, retry.json()]).toEqual([201, { n: 1 }]);
  const again = await send('rolled');
  expect([again.statusCode, again.headers['idempotent-replayed']]).toEqual([201, 'true']);
  expect(await works()).toBe(before + 1);
});

it('marks the work of a request whose body arrived in parts over a real socket', async () => {
  const before = await works();
  after = 'fail_after_commit';
  expect((await sendInTwoParts('parts')).statusCode).toBe(500);
  after = 'answer';
  const retry = await sendInTwoParts('parts');
  expect([retry.statusCode, retry.body.code]).toEqual([409, 'idempotency_outcome_unknown']);
  expect(await works()).toBe(before + 1);
});
