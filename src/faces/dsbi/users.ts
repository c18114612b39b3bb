// DSBI's authentication and user routes (reference §2), onto identity's functions: its tokens are
// Tally's tokens, its registration Tally's (first and last name as Tally's one name), its
// verification link a working link of this Tally.
import {
  checkLogin,
  createUser,
  findUserByEmail,
  listUsers,
  PASSWORD_RULE,
  refreshSession,
  renewVerification,
  startSession,
  verifyEmail,
} from '../../identity/index.ts';
import { uuidsOf } from '../../market/index.ts';
import { readsEverything } from '../../platform/principal.ts';
import type { Face } from './face.ts';
import { slashOptional } from './face.ts';
import { email, text } from './fields.ts';
import { whole } from './views.ts';
import { answer, answering, detail, dsbiTime, VERIFIED_PAGE } from './wire.ts';

const INVALID_LOGIN = answer(400, { non_field_errors: ['Invalid login credentials'] });
const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

export function userRoutes(face: Face): void {
  const { ctx } = face;
  const now = () => ctx.clock.now();
  const authLimit = { max: ctx.config.authRateLimit, timeWindow: '1 minute' };
  /** A link that verifies `email` on this Tally, in DSBI's form: …/verify/<base64url(email)>/<token>. */
  const verificationLink = (address: string, token: string) =>
    `${ctx.config.publicUrl}/dsbi/api/user/verify/${base64url(address)}/${token}`;

  const password = text({
    max: PASSWORD_RULE.maxLength,
    min: PASSWORD_RULE.minLength,
    minMessage: `This password is too short. It must contain at least ${PASSWORD_RULE.minLength} characters.`,
  });

  // Any path under api/token is DSBI's token view (the engine logs in at /api/token/login).
  for (const path of ['/api/token', '/api/token/*'])
    face.route({
      method: 'POST',
      path,
      access: 'public',
      wrapped: false,
      token: true,
      rateLimit: authLimit,
      mintsSecrets: true,
      body: { email: text(), password: text() },
      handler: async ({ body, db }) => {
        const user = await answering(
          {
            unauthorized: () => INVALID_LOGIN,
            email_not_verified: () => answer(400, { non_field_errors: ['Email not verified'] }),
          },
          () => checkLogin(db, body.email, body.password),
        );
        const pair = await startSession(db, ctx.tokens, user.id, now());
        return { refresh: pair.refresh, access: pair.access };
      },
    });

  face.route({
    method: 'POST',
    path: slashOptional('/api/token/refresh'),
    access: 'public',
    wrapped: false,
    token: true,
    rateLimit: authLimit,
    mintsSecrets: true,
    body: { refresh: text() },
    handler: async ({ body, db }) => {
      const pair = await answering(
        { unauthorized: () => answer(401, { detail: 'Token is invalid or expired', code: 'token_not_valid' }) },
        () => refreshSession(db, ctx.tokens, body.refresh, now()),
      );
      return { access: pair.access, refresh: pair.refresh };
    },
  });

  face.route({
    method: 'POST',
    path: slashOptional('/api/user/register'),
    access: 'public',
    status: 201,
    rateLimit: authLimit,
    mintsSecrets: true,
    body: { email: email(), password, first_name: text({ max: 30 }), last_name: text({ max: 30 }) },
    handler: async ({ body, db }) => {
      const { user, verificationToken } = await answering(
        { email_taken: () => detail(409, `The email '${body.email}' already exists!`) },
        () =>
          createUser(
            db,
            { email: body.email, password: body.password, name: `${body.first_name} ${body.last_name}` },
            null,
          ),
      );
      return { email: user.email, verification_link: verificationLink(user.email, verificationToken ?? '') };
    },
  });

  face.route({
    method: 'GET',
    path: '/api/user/verify/:uid/:token',
    access: 'public',
    handler: async ({ params, reply, db }) => {
      const address = Buffer.from(params.uid ?? '', 'base64url').toString('utf8');
      const user = await findUserByEmail(db, address);
      if (user?.email_verified) throw answer(400, { response: 'User is already verified' });
      await answering(
        { invalid_verification_token: () => answer(400, { message: 'Validation token is invalid.' }) },
        () => verifyEmail(db, params.token ?? '', now()),
      );
      return reply.type('text/html; charset=utf-8').send(VERIFIED_PAGE);
    },
  });

  face.route({
    method: 'POST',
    path: slashOptional('/api/user/verify/generate-link'),
    access: 'public',
    rateLimit: authLimit,
    mintsSecrets: true,
    body: { email: email(), password: text() },
    handler: async ({ body, db }) => {
      const { user, verificationToken } = await answering(
        {
          unauthorized: () => INVALID_LOGIN,
          email_already_verified: () => answer(400, { response: 'User is already verified' }),
        },
        () => renewVerification(db, body.email, body.password),
      );
      return { email: user.email, verification_link: verificationLink(user.email, verificationToken) };
    },
  });

  // Staff only; never the password hashes DSBI's list shows.
  face.route({
    method: 'GET',
    path: slashOptional('/api/user/list'),
    access: ['admin'],
    handler: async ({ db }) => {
      const users = await whole((page) => listUsers(db, page));
      const uuids = await uuidsOf(
        db,
        users.map((u) => u.id),
      );
      return users.map((u) => {
        const [first, ...rest] = u.name.split(' ');
        return {
          id: uuids.get(u.id) ?? '',
          last_login: null,
          is_superuser: readsEverything({ userId: u.id, role: u.role, email: u.email }),
          first_name: first ?? '',
          last_name: rest.join(' '),
          is_staff: u.role === 'admin',
          is_active: u.email_verified,
          date_joined: dsbiTime(u.created_at),
          email: u.email,
          is_verified: u.email_verified,
          groups: [],
          user_permissions: [],
        };
      });
    },
  });

  // Password reset: DSBI mails a reset link; Tally has no mail server and never hands a reset link
  // to whoever asks, so a request is acknowledged as DSBI does and no token is ever valid.
  face.route({
    method: 'POST',
    path: '/api/user/request-reset-email/',
    access: 'public',
    wrapped: false,
    rateLimit: authLimit,
    body: { email: email() },
    handler: async () => ({ success: 'If your email exists on the system an email has been sent to you' }),
  });
  face.redirectToSlash('/api/user/request-reset-email');
  face.route({
    method: 'GET',
    path: '/api/user/password-reset-confirm/:uidb64/:token/',
    access: 'public',
    wrapped: false,
    rateLimit: authLimit,
    handler: async () => {
      throw answer(400, { error: 'Token is not valid' });
    },
  });
  face.redirectToSlash('/api/user/password-reset-confirm/:uidb64/:token');
  face.route({
    method: 'PATCH',
    path: '/api/user/password-reset-complete/',
    access: 'public',
    wrapped: false,
    rateLimit: authLimit,
    body: { password: text({ min: 6, max: 68 }), uidb64: text(), token: text() },
    handler: async () => {
      throw answer(400, { token: ['Invalid token'] });
    },
  });
  face.redirectToSlash('/api/user/password-reset-complete');

  face.route({
    method: 'GET',
    path: '/api/test/',
    access: 'public',
    wrapped: false,
    handler: async () => ({ message: 'Welcome to Predico!' }),
  });
  face.redirectToSlash('/api/test');
}
