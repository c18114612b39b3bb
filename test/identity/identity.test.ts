// Identity over HTTP: registration and verification, password sessions with rotating refresh
// tokens and their lifetimes, API keys, admin-only routes (with the first admin from the
// environment) and the login rate limit. Time passes by the server's clock, never by waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Reply, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const ADMIN = { email: 'root@tally.example', password: 'admin password 123' };

function expectProblem(reply: Reply, status: number, code: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body.code).toBe(code);
}

/** The part of a problem that does not change from one request to the next. */
const stable = (body: any) => ({ ...body, request_id: undefined });

describe('identity', () => {
  let s: TestServer;
  let n = 0;
  const newEmail = () => `person-${++n}@example.com`;
  const login = (email: string, password = PASSWORD) => s.request('POST', '/api/token', { body: { email, password } });

  /** Registers and verifies a user over HTTP; returns its id, email and a fresh token pair. */
  async function registered(): Promise<{ id: number; email: string; access: string; refresh: string }> {
    const email = newEmail();
    const reg = await s.request('POST', '/api/user/register', { body: { email, password: PASSWORD, name: 'Someone' } });
    expect(reg.status).toBe(201);
    const link = new URL(reg.body.verification_link);
    expect((await s.request('GET', link.pathname + link.search)).status).toBe(200);
    const pair = await login(email);
    expect(pair.status).toBe(200);
    return { id: reg.body.id, email, access: pair.body.access, refresh: pair.body.refresh };
  }

  beforeAll(async () => {
    s = await startServer({ TALLY_ADMIN_EMAIL: ADMIN.email, TALLY_ADMIN_PASSWORD: ADMIN.password });
  });
  afterAll(async () => {
    await s?.close();
  });

  describe('registration and verification', () => {
    it('registers an unverified trader, refuses its login until the verification link is opened', async () => {
      const email = newEmail();
      const reg = await s.request('POST', '/api/user/register', { body: { email, password: PASSWORD, name: 'Ada' } });
      expect(reg.status).toBe(201);
      expect(reg.body).toEqual({
        id: expect.any(Number),
        email,
        verification_link: expect.stringMatching(/\/api\/user\/verify\?token=[\w-]+$/),
      });

      expectProblem(await login(email), 403, 'email_not_verified');

      const link = new URL(reg.body.verification_link);
      const verified = await s.request('GET', link.pathname + link.search);
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({
        id: reg.body.id,
        email,
        name: 'Ada',
        role: 'trader',
        email_verified: true,
      });

      // The link works once.
      expectProblem(await s.request('GET', link.pathname + link.search), 400, 'invalid_verification_token');

      const pair = await login(email);
      expect(pair.status).toBe(200);
      expect(pair.body).toEqual({
        access: expect.any(String),
        refresh: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
      });
      const me = await s.request('GET', '/api/user/me', { token: pair.body.access });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: reg.body.id, email, role: 'trader', email_verified: true });
    });

    it('refuses a second user with the same email, whatever its case, with 409 email_taken', async () => {
      const email = newEmail();
      expect(
        (await s.request('POST', '/api/user/register', { body: { email, password: PASSWORD, name: 'First' } })).status,
      ).toBe(201);
      const before = await s.eventCount();
      expectProblem(
        await s.request('POST', '/api/user/register', { body: { email, password: PASSWORD, name: 'Second' } }),
        409,
        'email_taken',
      );
      expectProblem(
        await s.request('POST', '/api/user/register', {
          body: { email: email.toUpperCase(), password: PASSWORD, name: 'Third' },
        }),
        409,
        'email_taken',
      );
      expect(await s.eventCount()).toBe(before);
    });

    it('refuses an unknown verification token', async () => {
      expectProblem(await s.request('GET', '/api/user/verify?token=not-a-token'), 400, 'invalid_verification_token');
    });
  });

  describe('password login', () => {
    it('answers a wrong password and an unknown email alike: 401 unauthorized, same detail', async () => {
      const { email } = await registered();
      const wrongPassword = await login(email, 'not the password');
      const unknownEmail = await login('nobody-here@example.com', PASSWORD);
      expectProblem(wrongPassword, 401, 'unauthorized');
      expectProblem(unknownEmail, 401, 'unauthorized');
      expect(stable(wrongPassword.body)).toEqual(stable(unknownEmail.body));
    });

    it('refuses a request with an invalid access token with 401', async () => {
      expectProblem(await s.request('GET', '/api/user/me', { token: 'not.a.jwt' }), 401, 'unauthorized');
      expectProblem(await s.request('GET', '/api/user/me'), 401, 'unauthorized');
    });
  });

  describe('refresh tokens', () => {
    it('rotates: a refresh token works once and yields a working access token', async () => {
      const u = await registered();
      const next = await s.request('POST', '/api/token/refresh', { body: { refresh: u.refresh } });
      expect(next.status).toBe(200);
      expect(next.body).toEqual({
        access: expect.any(String),
        refresh: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
      });
      expect(next.body.refresh).not.toBe(u.refresh);
      const me = await s.request('GET', '/api/user/me', { token: next.body.access });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(u.id);

      expectProblem(
        await s.request('POST', '/api/token/refresh', { body: { refresh: u.refresh } }),
        401,
        'unauthorized',
      );
    });

    it('revokes the newer token too when a used one is replayed', async () => {
      const u = await registered();
      const second = await s.request('POST', '/api/token/refresh', { body: { refresh: u.refresh } });
      expect(second.status).toBe(200);
      // Someone replays the first (used) token: the whole login is revoked ...
      expectProblem(
        await s.request('POST', '/api/token/refresh', { body: { refresh: u.refresh } }),
        401,
        'unauthorized',
      );
      // ... so the legitimate holder's newer token no longer works either.
      expectProblem(
        await s.request('POST', '/api/token/refresh', { body: { refresh: second.body.refresh } }),
        401,
        'unauthorized',
      );
    });

    it('leaves other logins of the same user alone', async () => {
      const u = await registered();
      const other = await login(u.email);
      await s.request('POST', '/api/token/refresh', { body: { refresh: u.refresh } });
      await s.request('POST', '/api/token/refresh', { body: { refresh: u.refresh } }); // replay: revokes u's family
      const fromOther = await s.request('POST', '/api/token/refresh', { body: { refresh: other.body.refresh } });
      expect(fromOther.status).toBe(200);
    });

    it('refuses an unknown refresh token', async () => {
      expectProblem(
        await s.request('POST', '/api/token/refresh', { body: { refresh: 'made-up' } }),
        401,
        'unauthorized',
      );
    });
  });

  describe('API keys', () => {
    it('shows the key once, lists it without the key, accepts it as Bearer and X-API-Key until revoked', async () => {
      const u = await registered();
      const created = await s.request('POST', '/api/api-keys', { token: u.access, body: { name: 'meter uploader' } });
      expect(created.status).toBe(201);
      const key: string = created.body.key;
      expect(key).toMatch(/^tly_[\w-]{43}$/);
      expect(created.body).toMatchObject({
        id: expect.any(Number),
        name: 'meter uploader',
        prefix: key.slice(0, 10),
        revoked_at: null,
      });

      const list = await s.request('GET', '/api/api-keys', { token: u.access });
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({
        id: created.body.id,
        name: 'meter uploader',
        prefix: key.slice(0, 10),
        revoked_at: null,
      });
      expect(list.body.items[0]).not.toHaveProperty('key');
      expect(JSON.stringify(list.body)).not.toContain(key);

      const asBearer = await s.request('GET', '/api/user/me', { token: key });
      expect(asBearer.status).toBe(200);
      expect(asBearer.body.id).toBe(u.id);
      const asHeader = await s.request('GET', '/api/user/me', { headers: { 'x-api-key': key } });
      expect(asHeader.status).toBe(200);
      expect(asHeader.body.id).toBe(u.id);

      const revoked = await s.request('DELETE', `/api/api-keys/${created.body.id}`, { token: u.access });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: created.body.id, revoked_at: expect.any(String) });

      expectProblem(await s.request('GET', '/api/user/me', { token: key }), 401, 'unauthorized');
      expectProblem(await s.request('GET', '/api/user/me', { headers: { 'x-api-key': key } }), 401, 'unauthorized');
      const after = await s.request('GET', '/api/api-keys', { token: u.access });
      expect(after.body.items[0]).toMatchObject({ id: created.body.id, revoked_at: revoked.body.revoked_at });
    });

    it("does not let a user see or revoke another user's key", async () => {
      const owner = await registered();
      const other = await registered();
      const created = await s.request('POST', '/api/api-keys', { token: owner.access, body: { name: 'mine' } });
      expect((await s.request('GET', '/api/api-keys', { token: other.access })).body.items).toEqual([]);
      expectProblem(
        await s.request('DELETE', `/api/api-keys/${created.body.id}`, { token: other.access }),
        404,
        'api_key_not_found',
      );
      expect((await s.request('GET', '/api/user/me', { token: created.body.key })).status).toBe(200);
    });

    it('refuses a made-up key in either header', async () => {
      expectProblem(await s.request('GET', '/api/user/me', { token: 'tly_made-up' }), 401, 'unauthorized');
      expectProblem(
        await s.request('GET', '/api/user/me', { headers: { 'x-api-key': 'tly_made-up' } }),
        401,
        'unauthorized',
      );
    });
  });

  describe('admin-only routes', () => {
    it('refuse a trader with 403 role_required and change nothing', async () => {
      const trader = await registered();
      const before = await s.eventCount();
      expectProblem(await s.request('GET', '/api/users', { token: trader.access }), 403, 'role_required');
      expectProblem(
        await s.request('PATCH', `/api/users/${trader.id}`, { token: trader.access, body: { role: 'admin' } }),
        403,
        'role_required',
      );
      expect((await s.request('GET', '/api/user/me', { token: trader.access })).body.role).toBe('trader');
      expect(await s.eventCount()).toBe(before);
    });

    it('refuse an anonymous caller with 401', async () => {
      expectProblem(await s.request('GET', '/api/users'), 401, 'unauthorized');
    });

    it('work for the admin created from TALLY_ADMIN_EMAIL/PASSWORD, who logs in over HTTP', async () => {
      const adminLogin = await login(ADMIN.email, ADMIN.password);
      expect(adminLogin.status).toBe(200);
      const admin = adminLogin.body.access as string;
      const trader = await registered();

      const users = await s.request('GET', '/api/users', { token: admin });
      expect(users.status).toBe(200);
      expect(users.body.items).toContainEqual(
        expect.objectContaining({ email: ADMIN.email, role: 'admin', email_verified: true }),
      );
      expect(users.body.items).toContainEqual(
        expect.objectContaining({ id: trader.id, email: trader.email, role: 'trader' }),
      );

      const changed = await s.request('PATCH', `/api/users/${trader.id}`, { token: admin, body: { role: 'auditor' } });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id: trader.id, email: trader.email, role: 'auditor' });
      // The role is read per request: the user's existing token now carries the new role.
      expect((await s.request('GET', '/api/user/me', { token: trader.access })).body.role).toBe('auditor');

      expectProblem(
        await s.request('PATCH', '/api/users/999999', { token: admin, body: { role: 'auditor' } }),
        404,
        'user_not_found',
      );
      const badRole = await s.request('PATCH', `/api/users/${trader.id}`, {
        token: admin,
        body: { role: 'superuser' },
      });
      expectProblem(badRole, 400, 'invalid_request');
      expect(badRole.body.errors.map((e: any) => e.field)).toContain('body/role');
    });
  });
});

describe('public routes with a stale credential', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  // An expired and a forged access token fail alike (401 from the same check): both are tried.
  it('refreshes a session and logs in even when a dead access token is still sent', async () => {
    const u = await s.user('trader');
    const login = await s.request('POST', '/api/token', { body: { email: u.email, password: PASSWORD } });
    const dead = `${login.body.access.slice(0, -4)}AAAA`;
    expect((await s.request('GET', '/api/user/me', { token: dead })).status).toBe(401);
    const refreshed = await s.request('POST', '/api/token/refresh', {
      token: dead,
      body: { refresh: login.body.refresh },
    });
    expect(refreshed.status).toBe(200);
    expect((await s.request('GET', '/api/user/me', { token: refreshed.body.access })).status).toBe(200);
    const again = await s.request('POST', '/api/token', { token: dead, body: { email: u.email, password: PASSWORD } });
    expect(again.status).toBe(200);
  });

  it('refreshes a session and logs in even when the expired access token is still sent', async () => {
    const u = await s.user('trader');
    const login = await s.request('POST', '/api/token', { body: { email: u.email, password: PASSWORD } });
    s.clock.advance(s.config.accessTokenTtl * 1000);
    const expired = login.body.access;
    expect((await s.request('GET', '/api/user/me', { token: expired })).status).toBe(401);
    const refreshed = await s.request('POST', '/api/token/refresh', {
      token: expired,
      body: { refresh: login.body.refresh },
    });
    expect(refreshed.status).toBe(200);
    expect((await s.request('GET', '/api/user/me', { token: refreshed.body.access })).status).toBe(200);
    const again = await s.request('POST', '/api/token', {
      token: expired,
      body: { email: u.email, password: PASSWORD },
    });
    expect(again.status).toBe(200);
  });
});

describe('login rate limit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ TALLY_AUTH_RATE_LIMIT: '3' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers the 4th login within a minute with 429 rate_limited, and leaves other routes alone', async () => {
    const u = await s.user('trader'); // logs in once: attempt 1
    const attempts = [];
    for (let i = 2; i <= 4; i++)
      attempts.push(await s.request('POST', '/api/token', { body: { email: u.email, password: PASSWORD } }));
    expect(attempts.map((r) => r.status)).toEqual([200, 200, 429]);
    expectProblem(attempts[2]!, 429, 'rate_limited');
    expect(attempts[2]!.body).toMatchObject({ status: 429, title: 'Too Many Requests', instance: '/api/token' });
    expect(attempts[2]!.headers.get('retry-after')).toMatch(/^\d+$/);

    const me = await s.request('GET', '/api/user/me', { token: u.token });
    expect(me.status).toBe(200);
  });

  it('logs the address in again once the minute from its first attempt has passed, and not a second before', async () => {
    const attempt = () =>
      s.request('POST', '/api/token', { body: { email: 'nobody@example.com', password: PASSWORD } });
    // Still the minute of the attempts above: the whole of it to wait.
    const refused = await attempt();
    expectProblem(refused, 429, 'rate_limited');
    expect(refused.headers.get('retry-after')).toBe('60');
    s.clock.advance(59_000);
    const lastSecond = await attempt();
    expectProblem(lastSecond, 429, 'rate_limited');
    expect(lastSecond.headers.get('retry-after')).toBe('1');
    s.clock.advance(1_000);
    // A new minute: the attempt is heard (and fails on its own merits).
    expectProblem(await attempt(), 401, 'unauthorized');
  });
});

describe('session lifetimes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s?.close();
  });
  const login = async (email: string) => {
    const pair = await s.request('POST', '/api/token', { body: { email, password: PASSWORD } });
    expect(pair.status).toBe(200);
    return pair.body as { access: string; refresh: string; expires_in: number };
  };

  it('ends an access token TALLY_ACCESS_TOKEN_TTL seconds after it was issued, and its refresh token renews it', async () => {
    const u = await s.user('trader');
    const pair = await login(u.email);
    expect(pair.expires_in).toBe(s.config.accessTokenTtl);
    s.clock.advance(s.config.accessTokenTtl * 1000 - 1);
    expect((await s.request('GET', '/api/user/me', { token: pair.access })).status).toBe(200);
    s.clock.advance(1);
    expectProblem(await s.request('GET', '/api/user/me', { token: pair.access }), 401, 'unauthorized');
    const renewed = await s.request('POST', '/api/token/refresh', { body: { refresh: pair.refresh } });
    expect(renewed.status).toBe(200);
    expect((await s.request('GET', '/api/user/me', { token: renewed.body.access })).body.id).toBe(u.id);
  });

  it('refuses a refresh token TALLY_REFRESH_TOKEN_TTL seconds after it was issued', async () => {
    const u = await s.user('trader');
    const [early, late] = [await login(u.email), await login(u.email)];
    s.clock.advance(s.config.refreshTokenTtl * 1000 - 1);
    expect((await s.request('POST', '/api/token/refresh', { body: { refresh: early.refresh } })).status).toBe(200);
    s.clock.advance(1);
    expectProblem(
      await s.request('POST', '/api/token/refresh', { body: { refresh: late.refresh } }),
      401,
      'unauthorized',
    );
  });
});
