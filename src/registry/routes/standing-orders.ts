import { Type } from 'typebox';
import { ACTING_PROBLEMS } from '../../accounts/index.ts';
import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { IdParams, Page, PageQuery, strict } from '../../platform/http/schemas.ts';
import { pageRequest } from '../../platform/pagination.ts';
import { NewStandingOrder, StandingOrder, StandingOrderRun } from '../standing-order-schemas.ts';
import {
  createStandingOrder,
  endStandingOrder,
  getStandingOrder,
  listStandingOrderRuns,
  listStandingOrders,
} from '../standing-orders.ts';

const tags = ['standing orders'];

export async function standingOrderRoutes(app: App, ctx: AppContext): Promise<void> {
  app.post(
    '/api/standing-orders',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'createStandingOrder',
        tags,
        summary: 'Make a standing order: transfer or cancel a fixed number of Wh once per period',
        description:
          'Once per period (hour, day, week or month, UTC) from first_period_start, the job transfers or cancels ' +
          "certificate_quantity Wh of the source account's bundles the selection matches, whole bundles first in " +
          'production-time order, as an ordinary action with its own event. Each period runs once; periods missed ' +
          'while Tally was down run once each, in order, at the next tick. A run short of Wh takes nothing ' +
          '(or, with partial, what there is) and records why. The account’s holders make, read and end orders.',
        body: NewStandingOrder,
        response: { 201: StandingOrder },
        problems: [
          'target_required',
          'beneficiary_required',
          'same_account',
          'transfer_not_accepted',
          'status_not_acted_on',
          'first_period_past',
          'reversed_period',
          'range_needs_issuance',
          'reversed_range',
          ...ACTING_PROBLEMS,
        ],
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createStandingOrder(request.db, caller(request), request.body, ctx.clock.now())),
  );

  app.get(
    '/api/standing-orders',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listStandingOrders',
        tags,
        summary: 'Standing orders the caller may read',
        description: 'Orders of the accounts the caller may read (or of one of them), in id order, ended ones too.',
        querystring: Type.Object(
          {
            account_id: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: 'Only orders taking from this account',
                examples: [1],
              }),
            ),
            ...PageQuery,
          },
          strict,
        ),
        response: { 200: Page(StandingOrder, 'Standing orders') },
        problems: ['account_not_found', 'invalid_cursor'],
      },
    },
    async (request) =>
      listStandingOrders(
        request.db,
        caller(request),
        { account_id: request.query.account_id },
        pageRequest(request.query, 'querystring'),
      ),
  );

  app.get(
    '/api/standing-orders/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getStandingOrder',
        tags,
        summary: 'One standing order',
        description: 'With how many periods ran and when the next one starts.',
        params: IdParams,
        response: { 200: StandingOrder },
        problems: ['standing_order_not_found'],
      },
    },
    async (request) => getStandingOrder(request.db, caller(request), request.params.id),
  );

  app.get(
    '/api/standing-orders/:id/runs',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listStandingOrderRuns',
        tags,
        summary: 'The periods a standing order ran',
        description:
          'One run per period, in order: what it took, the action’s ledger event, and why it took less if it did.',
        params: IdParams,
        querystring: Type.Object(PageQuery, strict),
        response: { 200: Page(StandingOrderRun, 'Runs in period order') },
        problems: ['standing_order_not_found', 'invalid_cursor'],
      },
    },
    async (request) =>
      listStandingOrderRuns(request.db, caller(request), request.params.id, pageRequest(request.query, 'querystring')),
  );

  app.post(
    '/api/standing-orders/:id/end',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'endStandingOrder',
        tags,
        summary: 'End a standing order',
        description: 'No period runs after this; the runs made stay. An account holder ends it.',
        params: IdParams,
        response: { 200: StandingOrder },
        problems: ['standing_order_not_found', 'standing_order_ended', ...ACTING_PROBLEMS],
      },
    },
    async (request) => endStandingOrder(request.db, caller(request), request.params.id, ctx.clock.now()),
  );
}
