import { Type } from 'typebox';
import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { Id, Timestamp, OneOf } from '../../platform/http/schemas.ts';
import { listPending, PENDING_REASONS, runAutoIssuanceNow } from '../auto-issuance.ts';

const tags = ['issuance'];

export async function issuanceRoutes(app: App, ctx: AppContext): Promise<void> {
  const lifetime = ctx.config.certificateLifetimeDays;

  app.post(
    '/api/issuance/run',
    {
      config: { access: ['issuer'] },
      schema: {
        operationId: 'runAutoIssuance',
        tags,
        summary: 'Run automatic issuance now (issuing body)',
        description:
          'Issues every complete, closed metered hour of each device with auto_issue on, once. The issuance job does ' +
          'the same every TALLY_JOB_INTERVAL seconds; if another instance is running it, this call issues nothing. ' +
          'A device whose issuance fails is rolled back and listed in `failed`; the others still issue.',
        response: {
          200: Type.Object(
            {
              bundles_issued: Type.Integer({ description: 'Bundles issued' }),
              wh_issued: Type.Integer({ description: 'Wh issued' }),
              failed: Type.Array(
                Type.Object({
                  device_id: Id('Device skipped'),
                  error: Type.String({ description: 'Why its issuance failed' }),
                }),
                { description: 'Devices whose issuance failed and was skipped' },
              ),
            },
            {
              description: 'What this run issued, and the devices it skipped',
              examples: [{ bundles_issued: 24, wh_issued: 18250000, failed: [] }],
            },
          ),
        },
      },
    },
    async (request) => runAutoIssuanceNow(request.db, lifetime, ctx.clock.now()),
  );

  app.get(
    '/api/issuance/pending',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listPendingIssuance',
        tags,
        summary: 'Metered hours not yet issued, and why',
        description:
          'For each device the caller may read: hours with readings but no issuance, and why (`reason`): ' +
          'ready means the next run issues it; issued_under_another_device is never issued again; ' +
          'over_capacity is an hour or reading beyond capacity × length × 1.1. `from` and `to` keep the hours ' +
          'that overlap [from, to): whole UTC hours, so a time within an hour includes that hour.',
        querystring: Type.Object(
          {
            device_id: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: 'Only this device',
                examples: [1],
              }),
            ),
            from: Type.Optional(
              Type.String({
                format: 'date-time',
                description: 'Only hours ending after this instant',
                examples: ['2026-06-01T00:00:00Z'],
              }),
            ),
            to: Type.Optional(
              Type.String({
                format: 'date-time',
                description: 'Only hours starting before this instant; after `from`',
                examples: ['2026-06-02T00:00:00Z'],
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              items: Type.Array(
                Type.Object({
                  device_id: Id('Device'),
                  production_starting_interval: Timestamp('Start of the hour'),
                  production_ending_interval: Timestamp('End of the hour'),
                  wh: Type.Integer({ description: 'Metered Wh, floored' }),
                  reason: OneOf(PENDING_REASONS, { description: 'What keeps the hour from issuing' }),
                }),
                { description: 'Hours not yet issued' },
              ),
            },
            {
              description: 'The hours that wait, and why',
              examples: [
                {
                  items: [
                    {
                      device_id: 1,
                      production_starting_interval: '2026-06-01T13:00:00.000Z',
                      production_ending_interval: '2026-06-01T14:00:00.000Z',
                      wh: 1480000,
                      reason: 'auto_issue_off',
                    },
                  ],
                },
              ],
            },
          ),
        },
      },
    },
    async (request) => ({ items: await listPending(request.db, caller(request), request.query, ctx.clock.now()) }),
  );
}
