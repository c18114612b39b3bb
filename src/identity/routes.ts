import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Id, IdParams, Timestamp, withProblems } from '../platform/http/schemas.ts';
import { refuseAuditorChanges } from './auditors.ts';
import { authenticate } from './principal.ts';
import { ROLES } from './tables.ts';
import { createUser, verifyEmail, checkLogin, getUser, listUsers, setRole } from './users.ts';
import { startSession, refreshSession } from './tokens.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';

const Email = Type.String({ format: 'email', maxLength: 320, description: 'Email address, used to log in' });
const Password = Type.String({ minLength: 10, maxLength: 1024, description: 'At least 10 characters' });
const Role = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: 'admin, issuer (issuing body), producer, trader or auditor' },
);
const User = Type.Object({
  id: Id('User id'),
  email: Email,
  name: Type.String({ description: 'Display name' }),
  role: Role,
  email_verified: Type.Boolean({ description: 'Whether the email address was verified' }),
  created_at: Timestamp('When the user registered'),
});
const TokenPair = Type.Object({
  access: Type.String({ description: 'JWT access token; send as `Authorization: Bearer <access>`' }),
  refresh: Type.String({ description: 'Refresh token; works once, for POST /api/token/refresh' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
});
const ApiKey = Type.Object({
  id: Id('API key id'),
  name: Type.String({ description: 'What the key is for' }),
  prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
  created_at: Timestamp('Creation time'),
  last_used_at: Type.Union([Timestamp('Last use'), Type.Null()]),
  revoked_at: Type.Union([Timestamp('Revocation time'), Type.Null()]),
});
const strict = { additionalProperties: false } as const;

/**
 * Resolves the caller of every request before any route runs. On a public route a stale or bad
 * credential is ignored rather than refused: a client refreshing an expired session, or logging
 * in again, typically still sends its old token.
 */
export function authenticationHook(app: App, ctx: AppContext): void {
  app.addHook('onRequest', async (request) => {
    const apiKey = request.headers['x-api-key'];
    const access = request.routeOptions.config.access;
    try {
      request.principal = await authenticate(
        ctx.database.kysely,
        ctx.tokens,
        request.headers.authorization,
        typeof apiKey === 'string' ? apiKey : undefined,
        ctx.clock.now(),
      );
    } catch (err) {
      if (access !== undefined && access !== 'public') throw err;
    }
    refuseAuditorChanges(request);
  });
}

export async function identityRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  const authLimit = { max: ctx.config.authRateLimit, timeWindow: '1 minute' };

  app.post(
    '/api/user/register',
    {
      config: { access: 'public', rateLimit: authLimit, mintsSecrets: true },
      schema: {
        tags: ['identity'],
        summary: 'Register a user',
        description:
          'Creates an unverified user with the trader role. No mail server is configured, so the answer carries the `verification_link` to open.',
        body: Type.Object(
          {
            email: Email,
            password: Password,
            name: Type.String({ minLength: 1, maxLength: 200, description: 'Display name' }),
          },
          strict,
        ),
        response: withProblems(
          {
            201: Type.Object({
              id: Id('User id'),
              email: Email,
              verification_link: Type.Optional(Type.String({ description: 'Open (GET) to verify the email address' })),
            }),
          },
          [400, 409, 429],
        ),
      },
    },
    async (request, reply) => {
      const { user, verificationToken } = await createUser(db, request.body, null);
      const verification_link = verificationToken
        ? `${ctx.config.publicUrl}/api/user/verify?token=${verificationToken}`
        : undefined;
      return reply.status(201).send({ id: user.id, email: user.email, verification_link });
    },
  );

  app.get(
    '/api/user/verify',
    {
      config: { access: 'public' },
      schema: {
        tags: ['identity'],
        summary: 'Verify an email address',
        querystring: Type.Object(
          { token: Type.String({ minLength: 1, description: 'The token from the verification link' }) },
          strict,
        ),
        response: withProblems({ 200: User }, [400]),
      },
    },
    async (request) => verifyEmail(db, request.query.token, ctx.clock.now()),
  );

  app.post(
    '/api/token',
    {
      config: { access: 'public', rateLimit: authLimit, mintsSecrets: true },
      schema: {
        tags: ['identity'],
        summary: 'Log in',
        description: 'Trades email and password for a short-lived access token and a rotating refresh token.',
        body: Type.Object(
          { email: Email, password: Type.String({ minLength: 1, maxLength: 1024, description: 'The password' }) },
          strict,
        ),
        response: withProblems({ 200: TokenPair }, [400, 401, 403, 429]),
      },
    },
    async (request) => {
      const user = await checkLogin(db, request.body.email, request.body.password);
      return startSession(db, ctx.tokens, user.id, ctx.clock.now());
    },
  );

  app.post(
    '/api/token/refresh',
    {
      config: { access: 'public', rateLimit: authLimit, mintsSecrets: true },
      schema: {
        tags: ['identity'],
        summary: 'Refresh a session',
        description: 'Each refresh token works once. Presenting a used one revokes every token of that login.',
        body: Type.Object({ refresh: Type.String({ minLength: 1, description: 'The refresh token' }) }, strict),
        response: withProblems({ 200: TokenPair }, [400, 401, 429]),
      },
    },
    async (request) => refreshSession(db, ctx.tokens, request.body.refresh, ctx.clock.now()),
  );

  app.get(
    '/api/user/me',
    {
      config: { access: 'user' },
      schema: { tags: ['identity'], summary: 'The calling user', response: withProblems({ 200: User }, [401]) },
    },
    async (request) => getUser(db, caller(request).userId),
  );

  app.get(
    '/api/users',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['identity'],
        summary: 'List users (admin)',
        response: withProblems({ 200: Type.Object({ items: Type.Array(User) }) }, [401, 403]),
      },
    },
    async () => ({ items: await listUsers(db) }),
  );

  app.post(
    '/api/users',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['identity'],
        summary: 'Create a verified user with a role (admin)',
        body: Type.Object(
          {
            email: Email,
            password: Password,
            name: Type.String({ minLength: 1, maxLength: 200, description: 'Display name' }),
            role: Role,
          },
          strict,
        ),
        response: withProblems({ 201: User }, [400, 401, 403, 409]),
      },
    },
    async (request, reply) => {
      const { user } = await createUser(db, { ...request.body, verifiedAt: ctx.clock.now() }, caller(request).userId);
      return reply.status(201).send(user);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['identity'],
        summary: "Change a user's role (admin)",
        params: IdParams,
        body: Type.Object({ role: Role }, strict),
        response: withProblems({ 200: User }, [400, 401, 403, 404]),
      },
    },
    async (request) => setRole(db, request.params.id, request.body.role, caller(request).userId),
  );

  app.post(
    '/api/api-keys',
    {
      config: { access: 'user', auditorsMay: 'their own API keys', mintsSecrets: true },
      schema: {
        tags: ['identity'],
        summary: 'Create an API key',
        description:
          'The plain key is in this answer only; Tally keeps a digest. Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200, description: 'What the key is for' }) },
          strict,
        ),
        response: withProblems(
          {
            201: Type.Intersect([
              ApiKey,
              Type.Object({ key: Type.String({ description: 'The key itself, shown once' }) }),
            ]),
          },
          [400, 401],
        ),
      },
    },
    async (request, reply) => reply.status(201).send(await createApiKey(db, caller(request).userId, request.body.name)),
  );

  app.get(
    '/api/api-keys',
    {
      config: { access: 'user' },
      schema: {
        tags: ['identity'],
        summary: "The caller's API keys",
        response: withProblems({ 200: Type.Object({ items: Type.Array(ApiKey) }) }, [401]),
      },
    },
    async (request) => ({ items: await listApiKeys(db, caller(request).userId) }),
  );

  app.delete(
    '/api/api-keys/:id',
    {
      config: { access: 'user', auditorsMay: 'their own API keys' },
      schema: {
        tags: ['identity'],
        summary: 'Revoke an API key',
        params: IdParams,
        response: withProblems({ 200: ApiKey }, [401, 404]),
      },
    },
    async (request) => revokeApiKey(db, caller(request).userId, request.params.id, ctx.clock.now()),
  );
}
