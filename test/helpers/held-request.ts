// A Tally HTTP app with one extra route, POST /api/test/held, whose handler waits for `release`
// before it answers: a request that has claimed its Idempotency-Key and is still at work.
// Run as a script (DATABASE_URL or TALLY_DATA_DIR naming the database), it sends itself one such
// request with Idempotency-Key `crash`, prints `entered` once the handler runs, and never answers,
// so a test can kill the process mid-request.
import { pino } from 'pino';
import { Type } from 'typebox';
import { loadConfig } from '../../src/platform/config.ts';
import { openDatabase, type Database } from '../../src/platform/database.ts';
import { migrate } from '../../src/platform/migrations.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { authenticationHook } from '../../src/identity/routes.ts';
import type { App } from '../../src/platform/context.ts';
import { testClock } from './clock.ts';

export const HELD_PATH = '/api/test/held';

export async function heldApp(database: Database, entered: () => void, release: Promise<void>): Promise<App> {
  const config = loadConfig({ LOG_LEVEL: 'silent', TALLY_JWT_SECRET: 'test-secret-test-secret-test-secret!' });
  const ctx = {
    database,
    config,
    log: pino({ level: 'silent' }),
    tokens: { secret: new TextEncoder().encode(config.jwtSecret), accessTtl: 60, refreshTtl: 60 },
    clock: testClock(),
  };
  return buildApp(ctx, {
    authenticate: authenticationHook,
    modules: [
      (app) => {
        app.post(
          HELD_PATH,
          { config: { access: 'public' }, schema: { body: Type.Object({ n: Type.Integer() }) } },
          async (request, reply) => {
            entered();
            await release;
            return reply.status(201).send({ served: request.body.n });
          },
        );
      },
    ],
  });
}

if (process.argv[1] === import.meta.filename) {
  const database = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.TALLY_DATA_DIR });
  await migrate(database);
  const app = await heldApp(database, () => console.log('entered'), new Promise(() => {}));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  await fetch(`http://127.0.0.1:${port}${HELD_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'crash' },
    body: JSON.stringify({ n: 1 }),
  });
}
