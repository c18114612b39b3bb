// A unique violation no module expects is a bug, not a lost race: the server answers 500 (never a
// 409 that would tell the client to retry) and logs the constraint's name, so the bug is found.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTally, type Tally } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createUser } from '../../src/identity/index.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

describe('a unique violation that is not a known race', () => {
  let db: TestDatabase;
  let tally: Tally;
  let url: string;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    db = await freshDatabase();
    const log = pino(
      { level: 'error' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const config = loadConfig({ TALLY_JWT_SECRET: 'test-secret-test-secret-test-secret!', LOG_LEVEL: 'error' });
    tally = await createTally(config, { database: db.database, log, jobs: false });
    await tally.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(tally.app.server.address() as { port: number }).port}`;
    // A constraint the accounts module does not know of stands for a bug: an insert that a
    // concurrent or repeated request can duplicate without saying what should happen then.
    await sql`CREATE UNIQUE INDEX accounts_name_for_this_test ON accounts (account_name)`.execute(db.database.kysely);
  });
  afterAll(async () => {
    await tally.close();
    await db.drop();
  });

  it('answers 500 internal_error, logs the constraint, and creates nothing', async () => {
    const password = 'correct horse battery';
    await createUser(
      db.database.kysely,
      { email: 'trader@example.com', password, name: 'T', role: 'trader', verifiedAt: new Date() },
      null,
    );
    const login = await fetch(`${url}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'trader@example.com', password }),
    });
    const { access } = (await login.json()) as { access: string };
    const create = () =>
      fetch(`${url}/api/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${access}` },
        body: JSON.stringify({ account_name: 'Twice' }),
      });
    expect((await create()).status).toBe(201);
    const second = await create();
    expect(second.status).toBe(500);
    expect(second.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await second.json()).toMatchObject({ status: 500, code: 'internal_error' });
    expect(lines.find((l) => l.msg === 'request failed')).toMatchObject({ constraint: 'accounts_name_for_this_test' });
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM accounts WHERE account_name = 'Twice'`.execute(db.database.kysely);
    expect(rows[0]!.n).toBe(1);
  });
});
