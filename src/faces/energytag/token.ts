// The draft's OAuth2 password flow (`tokenUrl: token`): form-encoded `username` and `password` give
// `{access_token, token_type}`, onto identity's login. The token is Tally's own access token, so
// it also works on Tally's API (and Tally's on the face); it lives TALLY_ACCESS_TOKEN_TTL. The
// draft has no refresh, so no refresh token is made (it would be stored and never handed out).
import { Type } from 'typebox';
import { checkLogin, signAccess } from '../../identity/index.ts';
import type { Face } from './face.ts';
import { refuse } from './wire.ts';

const TokenRequest = Type.Object({
  grant_type: Type.Optional(Type.String()),
  username: Type.String(),
  password: Type.String(),
  scope: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String()),
  client_secret: Type.Optional(Type.String()),
});

export function tokenRoute(face: Face): void {
  const { ctx } = face;
  face.route({
    method: 'POST',
    path: '/token',
    access: 'public',
    status: 200,
    body: TokenRequest,
    rateLimit: { max: ctx.config.authRateLimit, timeWindow: '1 minute' },
    mintsSecrets: true,
    handler: async ({ body, db }) => {
      if (body.grant_type !== undefined && body.grant_type !== 'password')
        throw refuse('grant_type', 'the password grant only', 'value_error.grant_type');
      const user = await checkLogin(db, body.username, body.password);
      return { access_token: await signAccess(ctx.tokens, user.id, ctx.clock.now()), token_type: 'bearer' };
    },
  });
}
