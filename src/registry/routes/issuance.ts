import { Type } from 'typebox';
import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { Id, Timestamp, withProblems } from '../../platform/http/schemas.ts';
import { listPending, PENDING_REASONS, runAutoIssuanceNow } from '../auto-issuance.ts';

const tags = ['issuance'];

export async function issuanceRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  const lifetime = ctx.config.certificateLifetimeDays;

  app.post(
    '/api/issuance/run',
    {
      config: { access: ['issuer'] },
      schema: {
        tags,
        summary: 'Run automatic issuance now (issuing body)',
        description:
          'Issues every complete, closed metered hour of each device with auto_issue on, once. The issuance job does the same every TALLY_JOB_INTERVAL seconds; if another instance is running it, this call issues nothing. A device whose issuance fails is rolled back and listed in `failed`; the others still issue.',
        response: withProblems(
          {
            200: Type.Object({
              bundles_issued: Type.Integer({ description: 'Bundles issued' }),
              wh_issued: Type.Integer({ description: 'Wh issued' }),
              failed: Type.Array(
                Type.Object({
                  device_id: Id('Device skipped'),
                  error: Type.String({ description: 'Why its issuance failed' }),
                }),
                { description: 'Devices whose issuance failed and was skipped' },
              ),
            }),
          },
          [401, 403],
        ),
      },
    },
    async () => runAutoIssuanceNow(db, lifetime, ctx.clock.now()),
  );

  app.get(
    '/api/issuance/pending',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Metered hours not yet issued, and why',
        description:
          'For each device the caller may read: hours with readings but no issuance, with the reason: ready (the next run issues it), issued_under_another_device (a point issued this hour under the device it fed before: never again), hour_not_over, incomplete_hour, nothing_to_issue, over_capacity (the hour, or one reading, beyond capacity × length × 1.1), issuance_metadata_missing or auto_issue_off.',
        querystring: Type.Object({ device_id: Type.Optional(Id('Only this device')) }, { additionalProperties: false }),
        response: withProblems(
          {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  device_id: Id('Device'),
                  production_starting_interval: Timestamp('Start of the hour'),
                  production_ending_interval: Timestamp('End of the hour'),
                  wh: Type.Integer({ description: 'Metered Wh, floored' }),
                  reason: Type.Union(
                    PENDING_REASONS.map((r) => Type.Literal(r)),
                    { description: 'What keeps the hour from issuing' },
                  ),
                }),
              ),
            }),
          },
          [400, 401],
        ),
      },
    },
    async (request) => ({ items: await listPending(db, caller(request), request.query, ctx.clock.now()) }),
  );
}
