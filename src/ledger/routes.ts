import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Id, Page, PageQuery, Timestamp, withProblems } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import { readableAccount, readableAccountIds } from '../registry/access.ts';
import { listEvents } from './events.ts';

const Event = Type.Object({
  id: Id('Event id; the log is listed in commit order, which may differ slightly from id order'),
  type: Type.String({ description: 'What happened, e.g. certificates.transferred' }),
  subject_type: Type.String({ description: 'Kind of thing the event is about: account, device, user, registry' }),
  subject_id: Type.String({ description: 'Its id' }),
  account_ids: Type.Array(Type.Integer(), { description: 'Accounts whose holdings the event touches' }),
  actor_id: Type.Union([Type.Integer(), Type.Null()], { description: 'User who caused it; null for jobs' }),
  payload: Type.Unknown({ description: 'The full data of the change' }),
  recorded_at: Timestamp('When it was recorded'),
});

export async function ledgerRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  app.get('/api/events', {
    config: { access: 'user' },
    schema: {
      tags: ['ledger'], summary: 'The event log',
      description: 'Admins, auditors and issuers read every event; other users the events touching their accounts.',
      querystring: Type.Object({
        subject_type: Type.Optional(Type.String({ description: 'Filter by subject kind' })),
        subject_id: Type.Optional(Type.String({ description: 'Filter by subject id' })),
        type: Type.Optional(Type.String({ description: 'Filter by event type' })),
        account_id: Type.Optional(Id('Only events touching this account (its holdings, members or whitelist)')),
        ...PageQuery,
      }, { additionalProperties: false }),
      response: withProblems({ 200: Page(Event, 'Events in id order') }, [400, 401]),
    },
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query;
    const principal = caller(request);
    if (filter.account_id !== undefined) await readableAccount(db, principal, filter.account_id);
    const visible = await readableAccountIds(db, principal);
    return listEvents(db, { ...filter, visible_accounts: visible }, pageRequest({ limit, cursor }, 'querystring'));
  });
}
