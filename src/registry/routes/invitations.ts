import { Type } from 'typebox';
import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { IdParams, withProblems } from '../../platform/http/schemas.ts';
import { answerInvitation, myInvitations } from '../invitations.ts';
import { Invitation } from '../schemas.ts';

const tags = ['accounts'];

export async function invitationRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;

  app.get(
    '/api/invitations',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Pending invitations to join an account, addressed to the caller by id or email',
        response: withProblems({ 200: Type.Object({ items: Type.Array(Invitation) }) }, [401]),
      },
    },
    async (request) => ({ items: await myInvitations(db, caller(request)) }),
  );

  for (const [answer, accept] of [
    ['accept', true],
    ['decline', false],
  ] as const) {
    app.post(
      `/api/invitations/:id/${answer}`,
      {
        config: { access: 'user' },
        schema: {
          tags,
          summary: accept ? 'Accept an invitation: the caller joins the account' : 'Decline an invitation',
          params: IdParams,
          response: withProblems({ 200: Invitation }, [401, 403, 404, 409]),
        },
      },
      async (request) => answerInvitation(db, caller(request), request.params.id, accept, ctx.clock.now()),
    );
  }
}
