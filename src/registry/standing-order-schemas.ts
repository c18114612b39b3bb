// Request and answer schemas of the standing orders (`/api/standing-orders`): what an order
// selects and repeats, its schedule, and the runs it made.
import { type Static, Type } from 'typebox';
import { component, Id, Nullable, NullableId, OneOf, strict, Timestamp } from '../platform/http/schemas.ts';
import { PERIOD_UNITS } from './schedule.ts';
import { BundleFilter, Wh } from './schemas.ts';
import { ORDER_ACTIONS, RUN_OUTCOMES } from './standing-order-tables.ts';

const Text = (description: string) => Type.String({ minLength: 1, maxLength: 500, description });

/** The bundle filter each run selects with, without the account (the order's `source_id`). */
const { source_id: _source, ...selection } = BundleFilter.properties;
export const OrderSelection = Type.Object(selection, {
  ...strict,
  description:
    'Which bundles of the account each run takes, as the certificate query filters them; the status, if given, one the action starts from',
});
export type OrderSelection = Static<typeof OrderSelection>;

const example = {
  action: 'transfer',
  source_id: 1,
  target_id: 2,
  selection: { energy_source: 'solar_pv' },
  certificate_quantity: 1_000_000,
  first_period_start: '2026-07-01T00:00:00.000Z',
  period_unit: 'month',
  period_quantity: 1,
  number_of_runs: 12,
};

export const NewStandingOrder = Type.Object(
  {
    action: OneOf(ORDER_ACTIONS, { description: 'What each run does: transfer or cancel' }),
    source_id: Id('Account the certificates are taken from'),
    target_id: Type.Optional(Id('Receiving account of a transfer order; it must whitelist source_id')),
    beneficiary: Type.Optional(Text('Who a cancel order retires the energy for (required for cancel)')),
    purpose: Type.Optional(Text('Why a cancel order retires it, e.g. Scope 2 reporting')),
    selection: Type.Optional(OrderSelection),
    certificate_quantity: Wh('Wh each run transfers or cancels, whole bundles first in query order'),
    partial: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'false (default): a run that cannot take the whole quantity takes nothing; true: it takes what the selection holds',
      }),
    ),
    first_period_start: Timestamp('When the first period starts: its run happens then (not before now)'),
    period_unit: OneOf(PERIOD_UNITS, { description: 'The unit of the period: hour, day, week or month (UTC)' }),
    period_quantity: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'How many units one period lasts' }),
    ),
    number_of_runs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description: 'How many periods run, the first included; without it, until the order is ended',
      }),
    ),
  },
  { ...strict, examples: [example] },
);
export type NewStandingOrder = Static<typeof NewStandingOrder>;

export const StandingOrder = component(
  'StandingOrder',
  Type.Object(
    {
      id: Id('Standing order id'),
      action: OneOf(ORDER_ACTIONS, { description: 'transfer or cancel' }),
      source_id: Id('Account the certificates are taken from'),
      target_id: NullableId('Receiving account of a transfer order'),
      beneficiary: Nullable(Type.String({ description: 'Beneficiary of a cancel order' })),
      purpose: Nullable(Type.String({ description: 'Purpose of a cancel order' })),
      selection: OrderSelection,
      certificate_quantity: Type.Integer({ description: 'Wh each run takes' }),
      partial: Type.Boolean({ description: 'Whether a run short of Wh takes what there is' }),
      first_period_start: Timestamp('When the first period starts'),
      period_unit: OneOf(PERIOD_UNITS, { description: 'hour, day, week or month' }),
      period_quantity: Type.Integer({ description: 'Units per period' }),
      number_of_runs: Type.Union([Type.Integer(), Type.Null()], {
        description: 'Periods to run, or null until ended',
      }),
      runs: Type.Integer({ description: 'Periods run so far' }),
      next_period_start: Type.Union([Timestamp('When the next period starts'), Type.Null()], {
        description: 'The next period to run; null once the order has ended or run every period',
      }),
      created_at: Timestamp('When the order was made'),
      ended_at: Type.Union([Timestamp('When the order was ended'), Type.Null()]),
    },
    {
      description: 'A standing order: once per period, a transfer or cancel of a fixed number of Wh',
      examples: [
        {
          ...example,
          id: 1,
          beneficiary: null,
          purpose: null,
          partial: false,
          runs: 0,
          next_period_start: example.first_period_start,
          created_at: '2026-06-15T09:00:00.000Z',
          ended_at: null,
        },
      ],
    },
  ),
);
export type StandingOrderView = Static<typeof StandingOrder>;

export const StandingOrderRun = component(
  'StandingOrderRun',
  Type.Object(
    {
      sequence: Type.Integer({ description: 'Which period: 0 is the first' }),
      period_start: Timestamp('When the period started'),
      ran_at: Timestamp('When the run happened (later than the start after downtime)'),
      outcome: OneOf(RUN_OUTCOMES, {
        description: 'fulfilled: the whole quantity; partial: less (partial orders); unfulfilled: nothing',
      }),
      certificate_quantity: Type.Integer({ description: 'Wh the run took' }),
      action_id: NullableId('The ledger event of the action it performed; null when it took nothing'),
      reason_code: Nullable(Type.String({ description: 'Why it took less: the refusal’s problem code' })),
      reason: Nullable(Type.String({ description: 'Why it took less, in words' })),
    },
    {
      description: 'One period of a standing order, run once',
      examples: [
        {
          sequence: 0,
          period_start: example.first_period_start,
          ran_at: example.first_period_start,
          outcome: 'fulfilled',
          certificate_quantity: 1_000_000,
          action_id: 42,
          reason_code: null,
          reason: null,
        },
      ],
    },
  ),
);
export type StandingOrderRunView = Static<typeof StandingOrderRun>;
