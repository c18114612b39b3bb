// Routes over what an account holds: closing it, and its Wh by source and status. They sit in the
// registry because both answers depend on the account's certificates.
import { Type } from 'typebox';
import { Account } from '../../accounts/index.ts';
import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { Id, IdParams, withProblems } from '../../platform/http/schemas.ts';
import { accountSummary, closeAccount } from '../holdings.ts';

export async function holdingRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  const tags = ['accounts'];

  app.delete(
    '/api/accounts/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Close an account (members)',
        description: 'Soft and final. Refused while the account holds active, reserved or locked certificates.',
        params: IdParams,
        response: withProblems({ 200: Account }, [401, 403, 404, 409]),
      },
    },
    async (request) => closeAccount(db, caller(request), request.params.id),
  );

  app.get(
    '/api/accounts/:id/summary',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Wh held by energy source and status',
        params: IdParams,
        response: withProblems(
          {
            200: Type.Object({
              account_id: Id('Account'),
              total_wh: Type.Integer({ description: 'Wh of every bundle the account holds, any status' }),
              by_source_and_status: Type.Array(
                Type.Object({
                  energy_source: Type.String({ description: 'Energy source' }),
                  certificate_bundle_status: Type.String({ description: 'Status' }),
                  bundles: Type.Integer({ description: 'Number of bundles' }),
                  wh: Type.Integer({ description: 'Wh' }),
                }),
              ),
            }),
          },
          [401, 404],
        ),
      },
    },
    async (request) => accountSummary(db, caller(request), request.params.id),
  );
}
