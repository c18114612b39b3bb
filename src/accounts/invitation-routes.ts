import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { IdParams, Page, PageQuery } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import { answerInvitation, myInvitations } from './invitations.ts';
import { Invitation } from './schemas.ts';

const tags = ['accounts'];

export async function invitationRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get(
    '/api/invitations',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listMyInvitations',
        tags,
        summary: 'Pending invitations to join an account, addressed to the caller by id or email',
        description: 'Accept or decline each; an invitation is never shown to anyone else. In id order.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(Invitation, 'Pending invitations in id order') },
        problems: ['invalid_cursor'],
      },
    },
    async (request) => myInvitations(request.db, caller(request), pageRequest(request.query, 'querystring')),
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
          operationId: accept ? 'acceptInvitation' : 'declineInvitation',
          tags,
          summary: accept ? 'Accept an invitation: the caller joins the account' : 'Decline an invitation',
          description: 'Only the invited user answers, once; the answer is recorded in the ledger.',
          params: IdParams,
          response: { 200: Invitation },
          problems: ['invitation_not_found', 'account_closed'],
        },
      },
      async (request) => answerInvitation(request.db, caller(request), request.params.id, accept, ctx.clock.now()),
    );
  }
}
