// Routes over what an account holds: closing it, and its Wh by source and status. They sit in the
// registry because both answers depend on the account's certificates.
import { Type } from 'typebox';
import { ACTING_PROBLEMS, Account } from '../../accounts/index.ts';
import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { Id, IdParams } from '../../platform/http/schemas.ts';
import { accountSummary, closeAccount } from '../holdings.ts';

export async function holdingRoutes(app: App, ctx: AppContext): Promise<void> {
  const tags = ['accounts'];

  app.delete(
    '/api/accounts/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'closeAccount',
        tags,
        summary: 'Close an account (members)',
        description: 'Soft and final. Refused while the account holds active, reserved or locked certificates.',
        params: IdParams,
        response: { 200: Account },
        problems: [...ACTING_PROBLEMS, 'account_not_empty'],
      },
    },
    async (request) => closeAccount(request.db, caller(request), request.params.id, ctx.clock.now()),
  );

  app.get(
    '/api/accounts/:id/summary',
    {
      config: { readOnly: true, access: 'user' },
      schema: {
        operationId: 'getAccountSummary',
        tags,
        summary: 'Wh held by energy source and status',
        description: 'What the account holds now, summed.',
        params: IdParams,
        response: {
          200: Type.Object(
            {
              account_id: Id('Account'),
              total_wh: Type.Integer({ description: 'Wh of every bundle the account holds, any status' }),
              by_source_and_status: Type.Array(
                Type.Object({
                  energy_source: Type.String({ description: 'Energy source' }),
                  certificate_bundle_status: Type.String({ description: 'Status' }),
                  bundles: Type.Integer({ description: 'Number of bundles' }),
                  wh: Type.Integer({ description: 'Wh' }),
                }),
                { description: 'Wh and bundles by energy source and status' },
              ),
            },
            {
              description: "The account's holdings",
              examples: [
                {
                  account_id: 2,
                  total_wh: 2000000,
                  by_source_and_status: [
                    { energy_source: 'solar_pv', certificate_bundle_status: 'claimed', bundles: 2, wh: 2000000 },
                  ],
                },
              ],
            },
          ),
        },
        problems: ['account_not_found'],
      },
    },
    async (request) => accountSummary(request.db, caller(request), request.params.id),
  );
}
