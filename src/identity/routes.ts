import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { IdParams, Page, PageQuery } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import { refuseAuditorChanges } from './auditors.ts';
import { authenticate } from './principal.ts';
import {
  ApiKey,
  ApiKeyRequest,
  Login,
  NewApiKey,
  NewUser,
  Refresh,
  Registered,
  Registration,
  UserChange,
  TokenPair,
  User,
  VerificationQuery,
} from './schemas.ts';
import { changeUser, createUser, deactivateUser, verifyEmail, checkLogin, getUser, listUsers } from './users.ts';
import { startSession, refreshSession } from './tokens.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';

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
        request.db,
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
        body: Registration,
        response: { 201: Registered },
        problems: ['email_taken'],
      },
    },
    async (request, reply) => {
      const { user, verificationToken } = await createUser(request.db, request.body, null);
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
        querystring: VerificationQuery,
        response: { 200: User },
        problems: ['invalid_verification_token'],
      },
    },
    async (request) => verifyEmail(request.db, request.query.token, ctx.clock.now()),
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
        body: Login,
        response: { 200: TokenPair },
        problems: ['unauthorized', 'email_not_verified'],
      },
    },
    async (request) => {
      const user = await checkLogin(request.db, request.body.email, request.body.password);
      return startSession(request.db, ctx.tokens, user.id, ctx.clock.now());
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
        body: Refresh,
        response: { 200: TokenPair },
        problems: ['unauthorized'],
      },
    },
    async (request) => refreshSession(request.db, ctx.tokens, request.body.refresh, ctx.clock.now()),
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
    async (request) => getUser(request.db, caller(request).userId),
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
    async (request) => listUsers(request.db, pageRequest(request.query, 'querystring')),
  );

  app.post(
    '/api/users',
    {
      config: { access: ['admin'] },
      schema: {
        operationId: 'createUser',
        tags: ['identity'],
        summary: 'Create a verified user with a role (admin)',
        description:
          'The user can log in at once; there is no verification step. ' +
          'With `organisation_id`, the user belongs to that (live) organisation.',
        body: NewUser,
        response: { 201: User },
        problems: ['email_taken', 'organisation_not_found'],
      },
    },
    async (request, reply) => {
      const { user } = await createUser(
        request.db,
        { ...request.body, verifiedAt: ctx.clock.now() },
        caller(request).userId,
      );
      return reply.status(201).send(user);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      config: { access: ['admin'] },
      schema: {
        operationId: 'changeUser',
        tags: ['identity'],
        summary: "Change a user's role or organisation (admin)",
        description:
          'Takes effect at once: every request reads the role from the database. ' +
          '`organisation_id` moves the user into a live organisation, or out of any (null). ' +
          'The organisation grants nothing on accounts: their members act on them.',
        params: IdParams,
        body: UserChange,
        response: { 200: User },
        problems: ['user_not_found', 'organisation_not_found', 'user_deactivated'],
      },
    },
    async (request) => changeUser(request.db, request.params.id, request.body, caller(request).userId),
  );

  app.delete(
    '/api/users/:id',
    {
      config: { access: ['admin'] },
      schema: {
        operationId: 'deactivateUser',
        tags: ['identity'],
        summary: 'Deactivate a user (admin)',
        description:
          'The user cannot log in any more, and its tokens and API keys stop working at once. ' +
          'It is never erased: the ledger names it as the actor of its events. Again: no change.',
        params: IdParams,
        response: { 200: User },
        problems: ['user_not_found', 'self_deactivation'],
      },
    },
    async (request) => deactivateUser(request.db, request.params.id, caller(request).userId, ctx.clock.now()),
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
        body: ApiKeyRequest,
        response: { 201: NewApiKey },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createApiKey(request.db, caller(request).userId, request.body.name)),
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
    async (request) => listApiKeys(request.db, caller(request).userId, pageRequest(request.query, 'querystring')),
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
    async (request) => revokeApiKey(request.db, caller(request).userId, request.params.id, ctx.clock.now()),
  );
}
