import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { component, Id, IdParams, OneOf, Page, PageQuery, Timestamp } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import { refuseAuditorChanges } from './auditors.ts';
import { authenticate } from './principal.ts';
import { ROLES } from './tables.ts';
import { createUser, verifyEmail, checkLogin, getUser, listUsers, setRole } from './users.ts';
import { startSession, refreshSession } from './tokens.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';

const Email = Type.String({ format: 'email', maxLength: 320, description: 'Email address, used to log in' });
const Password = Type.String({ minLength: 10, maxLength: 1024, description: 'At least 10 characters' });
const Role = OneOf(ROLES, { description: 'admin, issuer (issuing body), producer, trader or auditor' });
const Name = Type.String({ minLength: 1, maxLength: 200, description: 'Display name' });
const User = component(
  'User',
  Type.Object(
    {
      id: Id('User id'),
      email: Email,
      name: Type.String({ description: 'Display name' }),
      role: Role,
      email_verified: Type.Boolean({ description: 'Whether the email address was verified' }),
      created_at: Timestamp('When the user registered'),
    },
    {
      description: 'A user',
      examples: [
        {
          id: 2,
          email: 'producer@example.com',
          name: 'Solar Co operator',
          role: 'producer',
          email_verified: true,
          created_at: '2026-06-01T08:00:00.000Z',
        },
      ],
    },
  ),
);
// Written out in each answer, not shared: a reader of the operation sees the secrets it hands out.
const TokenPair = Type.Object(
  {
    access: Type.String({ description: 'JWT access token; send as `Authorization: Bearer <access>`' }),
    refresh: Type.String({ description: 'Refresh token; works once, for POST /api/token/refresh' }),
    token_type: Type.Literal('Bearer', { description: 'Always Bearer' }),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
  },
  {
    description: 'A new session: an access token and the refresh token that renews it',
    examples: [
      {
        access: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.c2lnbmF0dXJl',
        refresh: 'rt_3q2b7mXwXJ0c9yQ4n1pV',
        token_type: 'Bearer',
        expires_in: 900,
      },
    ],
  },
);
const apiKeyExample = {
  id: 1,
  name: 'meter uploader',
  prefix: 'tk_9f2c',
  created_at: '2026-06-01T09:00:00.000Z',
  last_used_at: null,
  revoked_at: null,
};
const ApiKey = component(
  'ApiKey',
  Type.Object(
    {
      id: Id('API key id'),
      name: Type.String({ description: 'What the key is for' }),
      prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
      created_at: Timestamp('Creation time'),
      last_used_at: Type.Union([Timestamp('Last use'), Type.Null()]),
      revoked_at: Type.Union([Timestamp('Revocation time'), Type.Null()]),
    },
    { description: 'An API key, without the key itself', examples: [apiKeyExample] },
  ),
);
const strict = { additionalProperties: false } as const;
const login = { email: 'producer@example.com', password: 'producer-password' };

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
        operationId: 'registerUser',
        tags: ['identity'],
        summary: 'Register a user',
        description:
          'Creates an unverified user with the trader role. No mail server is ' +
          'configured, so the answer carries the `verification_link` to open.',
        body: Type.Object(
          { email: Email, password: Password, name: Name },
          { ...strict, examples: [{ email: 'buyer@example.com', password: 'buyer-password', name: 'Buyer' }] },
        ),
        response: {
          201: Type.Object(
            {
              id: Id('User id'),
              email: Email,
              verification_link: Type.Optional(Type.String({ description: 'Open (GET) to verify the email address' })),
            },
            {
              description: 'The new, unverified user and the link that verifies it',
              examples: [
                {
                  id: 4,
                  email: 'buyer@example.com',
                  verification_link: 'http://127.0.0.1:3000/api/user/verify?token=vt_8Zk2mQ4r',
                },
              ],
            },
          ),
        },
        problems: ['email_taken'],
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
        operationId: 'verifyEmail',
        tags: ['identity'],
        summary: 'Verify an email address',
        description: 'Opened from the verification link; each token works once.',
        querystring: Type.Object(
          {
            token: Type.String({
              minLength: 1,
              description: 'The token from the verification link',
              examples: ['vt_8Zk2mQ4r'],
            }),
          },
          strict,
        ),
        response: { 200: User },
        problems: ['invalid_verification_token'],
      },
    },
    async (request) => verifyEmail(db, request.query.token, ctx.clock.now()),
  );

  app.post(
    '/api/token',
    {
      config: { access: 'public', rateLimit: authLimit, mintsSecrets: true },
      schema: {
        operationId: 'logIn',
        tags: ['identity'],
        summary: 'Log in',
        description: 'Trades email and password for a short-lived access token and a rotating refresh token.',
        body: Type.Object(
          { email: Email, password: Type.String({ minLength: 1, maxLength: 1024, description: 'The password' }) },
          { ...strict, examples: [login] },
        ),
        response: { 200: TokenPair },
        problems: ['unauthorized', 'email_not_verified'],
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
        operationId: 'refreshSession',
        tags: ['identity'],
        summary: 'Refresh a session',
        description: 'Each refresh token works once. Presenting a used one revokes every token of that login.',
        body: Type.Object(
          { refresh: Type.String({ minLength: 1, description: 'The refresh token' }) },
          { ...strict, examples: [{ refresh: 'rt_3q2b7mXwXJ0c9yQ4n1pV' }] },
        ),
        response: { 200: TokenPair },
        problems: ['unauthorized'],
      },
    },
    async (request) => refreshSession(db, ctx.tokens, request.body.refresh, ctx.clock.now()),
  );

  app.get(
    '/api/user/me',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getMe',
        tags: ['identity'],
        summary: 'The calling user',
        description: 'Who the credentials belong to, with the role that decides what they may do.',
        response: { 200: User },
      },
    },
    async (request) => getUser(db, caller(request).userId),
  );

  app.get(
    '/api/users',
    {
      config: { access: ['admin'] },
      schema: {
        operationId: 'listUsers',
        tags: ['identity'],
        summary: 'List users (admin)',
        description: 'Every user, verified or not, in id order.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(User, 'Users in id order') },
        problems: ['invalid_cursor'],
      },
    },
    async (request) => listUsers(db, pageRequest(request.query, 'querystring')),
  );

  app.post(
    '/api/users',
    {
      config: { access: ['admin'] },
      schema: {
        operationId: 'createUser',
        tags: ['identity'],
        summary: 'Create a verified user with a role (admin)',
        description: 'The user can log in at once; there is no verification step.',
        body: Type.Object(
          { email: Email, password: Password, name: Name, role: Role },
          { ...strict, examples: [{ ...login, name: 'Solar Co operator', role: 'producer' }] },
        ),
        response: { 201: User },
        problems: ['email_taken'],
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
        operationId: 'setUserRole',
        tags: ['identity'],
        summary: "Change a user's role (admin)",
        description: 'Takes effect at once: every request reads the role from the database.',
        params: IdParams,
        body: Type.Object({ role: Role }, { ...strict, examples: [{ role: 'issuer' }] }),
        response: { 200: User },
        problems: ['user_not_found'],
      },
    },
    async (request) => setRole(db, request.params.id, request.body.role, caller(request).userId),
  );

  app.post(
    '/api/api-keys',
    {
      config: { access: 'user', auditorsMay: 'their own API keys', mintsSecrets: true },
      schema: {
        operationId: 'createApiKey',
        tags: ['identity'],
        summary: 'Create an API key',
        description:
          'The plain key is in this answer only; Tally keeps a digest. ' +
          'Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200, description: 'What the key is for' }) },
          { ...strict, examples: [{ name: 'meter uploader' }] },
        ),
        response: {
          201: Type.Intersect(
            [ApiKey, Type.Object({ key: Type.String({ description: 'The key itself, shown once' }) })],
            {
              description: 'The new key, with the key itself shown this once',
              examples: [{ ...apiKeyExample, key: 'tk_9f2c4b1e7a0d5f3c8b6e2a9d1c7f4e0b' }],
            },
          ),
        },
      },
    },
    async (request, reply) => reply.status(201).send(await createApiKey(db, caller(request).userId, request.body.name)),
  );

  app.get(
    '/api/api-keys',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listApiKeys',
        tags: ['identity'],
        summary: "The caller's API keys",
        description: 'Revoked keys included, without the keys themselves. In id order.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(ApiKey, "The caller's API keys in id order") },
        problems: ['invalid_cursor'],
      },
    },
    async (request) => listApiKeys(db, caller(request).userId, pageRequest(request.query, 'querystring')),
  );

  app.delete(
    '/api/api-keys/:id',
    {
      config: { access: 'user', auditorsMay: 'their own API keys' },
      schema: {
        operationId: 'revokeApiKey',
        tags: ['identity'],
        summary: 'Revoke an API key',
        description: 'The key stops working at once; revoking it again changes nothing.',
        params: IdParams,
        response: { 200: ApiKey },
        problems: ['api_key_not_found'],
      },
    },
    async (request) => revokeApiKey(db, caller(request).userId, request.params.id, ctx.clock.now()),
  );
}
