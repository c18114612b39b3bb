// A real Tally server on a free loopback port, over a fresh database, with helpers to call it.
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import { createTally, type Tally } from '../../src/app.ts';
import { createUser } from '../../src/identity/users.ts';
import type { Role } from '../../src/identity/tables.ts';
import type { SettableClock } from '../../src/platform/clock.ts';
import { freshDatabase, type TestDatabase } from './database.ts';
import { testClock } from './clock.ts';
import { ledger } from '../../src/ledger/tables.ts';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestServer {
  url: string;
  tally: Tally;
  db: TestDatabase;
  config: Config;
  /** The server's only clock: it stands still until the test sets or advances it. */
  clock: SettableClock;
  request<T = any>(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string; signal?: AbortSignal },
  ): Promise<Reply<T>>;
  /** A verified user with `role`, logged in; returns its id and access token. */
  user(role: Role, name?: string): Promise<{ id: number; email: string; token: string }>;
  /** How many events the ledger holds: a refused request must not change it. */
  eventCount(): Promise<number>;
  close(): Promise<void>;
}

/** What the world and community helpers need of a server: requests, and users made and logged in. */
export type Client = Pick<TestServer, 'request' | 'user'>;

let serial = 0;

/** A port no one listens on right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A server on a fresh database, or on `opts.database` (migrated), which `close` then drops. */
export async function startServer(
  env: Record<string, string> = {},
  opts: { database?: TestDatabase } = {},
): Promise<TestServer> {
  const db = opts.database ?? (await freshDatabase());
  const config = loadConfig({
    TALLY_AUTH_RATE_LIMIT: '100000',
    TALLY_PUBLIC_RATE_LIMIT: '100000',
    LOG_LEVEL: 'silent',
    TALLY_JWT_SECRET: 'test-secret-test-secret-test-secret!',
    ...env,
  });
  const clock = testClock();
  const tally = await createTally(config, {
    database: db.database,
    log: pino({ level: 'silent' }),
    jobs: false,
    clock,
  });
  // Port 0 picks a free port, unless the test needs a known one (links the server hands out).
  await tally.app.listen({ port: env.PORT ? config.port : 0, host: '127.0.0.1' });
  const address = tally.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}`;

  const request: TestServer['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body, ...(opts.signal ? { signal: opts.signal } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };

  return {
    url,
    tally,
    db,
    config,
    clock,
    request,
    async user(role, name) {
      const email = `${name ?? role}-${++serial}-${process.pid}@example.com`;
      const password = 'correct horse battery';
      const { user } = await createUser(
        db.database.kysely,
        { email, password, name: name ?? role, role, verifiedAt: clock.now() },
        null,
      );
      const login = await request('POST', '/api/token', { body: { email, password } });
      if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
      return { id: user.id, email, token: login.body.access };
    },
    async eventCount() {
      const row = await ledger(db.database.kysely)
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async close() {
      // A client that gave up mid-request (the simulation's faults) may leave a keep-alive socket
      // the server would otherwise wait out (72 s) before closing: the test is over, drop them all.
      const closing = tally.close();
      tally.app.server.closeAllConnections();
      await closing;
      await db.drop();
    },
  };
}
