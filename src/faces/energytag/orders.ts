// The draft's standing orders and mutable updates onto the registry: `recurring_transfer` and
// `recurring_cancel` make a standing order (the registry's job runs it once per period), and
// `update_mutables` sets the holder's reference, the one field of a bundle changed in place: the
// draft's "associated Account ID, status" change only by their actions, so they are refused here
// naming the action to use (docs/decisions/0013-standing-orders-and-mutables.md).
import { type Static, Type } from 'typebox';
import { TallyError } from '../../platform/errors.ts';
import type { Principal } from '../../platform/principal.ts';
import {
  createStandingOrder,
  type NewStandingOrder,
  type PeriodUnit,
  type Selection,
  updateMutablesOfSelection,
} from '../../registry/index.ts';
import { answer, type Filter, filter, holderName, selectionOf } from './certificates.ts';
import type { Face } from './face.ts';
import { readUuid, uuidOf } from './ids.ts';
import { entityId, Uuid } from './shapes.ts';
import { refuse } from './wire.ts';

const Time = Type.String({ format: 'date-time' });
/** Integers as the draft declares them: any; the registry's schema says what it takes, refused naming the draft's field. */
const Count = Type.Integer();

const RecurringTransfer = Type.Object({
  ...filter,
  target_id: Type.Optional(Uuid),
  initial_transfer_datetime: Time,
  recurring_transfer_period_units: Type.Optional(Type.String()),
  recurring_transfer_period_quantity: Type.Optional(Count),
  number_of_recurring_transfers: Type.Optional(Count),
  /** Tally's extension: a run short of Wh takes what there is instead of nothing. */
  partial: Type.Optional(Type.Boolean()),
});
const RecurringCancel = Type.Object({
  ...filter,
  beneficiary: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  initial_cancellation_datetime: Time,
  recurring_cancellation_period_units: Type.Optional(Type.String()),
  recurring_cancellation_period_quantity: Type.Optional(Count),
  number_of_recurring_cancellations: Type.Optional(Count),
  partial: Type.Optional(Type.Boolean()),
});
const UpdateMutables = Type.Object({
  ...filter,
  /** Tally's extension: the holder's reference to set, or null to remove it. */
  holder_reference: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
});

/** The draft's words for a period's unit ('days', 'weeks', …) as the registry's, with how many of them a year is. */
function periodOf(text: string, field: string): { unit: PeriodUnit; times: number } {
  const word = text.trim().toLowerCase().replace(/s$/, '');
  if (word === 'year') return { unit: 'month', times: 12 };
  if (word === 'hour' || word === 'day' || word === 'week' || word === 'month') return { unit: word, times: 1 };
  throw refuse(field, 'one of hours, days, weeks, months, years', 'value_error.period_units');
}

/** The draft's names of one kind of recurring order's fields. */
interface Recurring {
  initial: 'initial_transfer_datetime' | 'initial_cancellation_datetime';
  units: 'recurring_transfer_period_units' | 'recurring_cancellation_period_units';
  quantity: 'recurring_transfer_period_quantity' | 'recurring_cancellation_period_quantity';
  count: 'number_of_recurring_transfers' | 'number_of_recurring_cancellations';
}
const TRANSFER: Recurring = {
  initial: 'initial_transfer_datetime',
  units: 'recurring_transfer_period_units',
  quantity: 'recurring_transfer_period_quantity',
  count: 'number_of_recurring_transfers',
};
const CANCEL: Recurring = {
  initial: 'initial_cancellation_datetime',
  units: 'recurring_cancellation_period_units',
  quantity: 'recurring_cancellation_period_quantity',
  count: 'number_of_recurring_cancellations',
};

/**
 * The registry's standing order a draft request names: its selection (the same reading as every
 * action's filter), a fixed number of Wh, and its schedule. A sparse list names bundles that
 * exist now, not a query each period can ask again: refused.
 */
function orderOf(
  body: Static<typeof Filter> & Record<string, unknown>,
  names: Recurring,
  principal: Principal,
): Omit<NewStandingOrder, 'action'> {
  if (body.sparse_filter_list !== undefined)
    throw refuse('sparse_filter_list', 'a standing order selects with filters each period, not a sparse list');
  const { source_id, certificate_quantity, ...selection } = selectionOf(body, principal);
  if (certificate_quantity === undefined)
    throw refuse(
      'certificate_quantity',
      'a standing order moves a fixed number of Wh each period',
      'value_error.missing',
    );
  const units = body[names.units];
  if (typeof units !== 'string')
    throw refuse(names.units, 'the unit of the period: hours, days, weeks, months or years', 'value_error.missing');
  const period = periodOf(units, names.units);
  const quantity = (body[names.quantity] as number | undefined) ?? 1;
  const count = body[names.count] as number | undefined;
  if (quantity < 1 || quantity * period.times > 1000)
    throw refuse(names.quantity, 'at least 1, and a period of at most 1000 units (a year is 12 months)');
  if (count !== undefined && (count < 1 || count > 100_000))
    throw refuse(names.count, 'from 1 to 100000 runs, the first included');
  return {
    source_id,
    selection: present(selection),
    certificate_quantity,
    first_period_start: body[names.initial] as string,
    period_unit: period.unit,
    period_quantity: quantity * period.times,
    number_of_runs: count,
    partial: body.partial as boolean | undefined,
  };
}

/** The selection's fields that are set: the registry's stored selection is strict. */
const present = (s: Omit<Selection, 'source_id' | 'certificate_quantity'>) =>
  Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as NewStandingOrder['selection'];

/**
 * The draft's GranularCertificateBundle fields that are not filters of update_mutables: what a
 * registry issued, or what an action decides. None changes in place.
 */
const IMMUTABLE = [
  'account_id',
  'device_id',
  'bundle_id',
  'issuance_id',
  'certificate_bundle_id_range_start',
  'certificate_bundle_id_range_end',
  'bundle_quantity',
  'energy_carrier',
  'face_value',
  'issuance_post_energy_carrier_conversion',
  'registry_configuration',
  'device_name',
  'device_technology_type',
  'device_production_start_date',
  'device_capacity',
  'device_location',
  'device_type',
  'production_starting_interval',
  'production_ending_interval',
  'issuance_datestamp',
  'expiry_datestamp',
  'country_of_issuance',
  'connected_grid_identification',
  'issuing_body',
  'legal_status',
  'issuance_purpose',
  'support_received',
  'quality_scheme_reference',
  'dissemination_level',
  'issue_market_zone',
  'beneficiary',
];

/**
 * The update_mutables request read: the draft's `certificate_bundle_status` ("Update the status")
 * and an account's UUID as `id` ("Update the associated Account") name changes only actions make;
 * an issued field never changes; a device's UUID as `id` is the filter.
 */
function mutablesOf(body: Static<typeof UpdateMutables> & Record<string, unknown>, principal: Principal) {
  if (body.certificate_bundle_status !== undefined)
    throw refuse(
      'certificate_bundle_status',
      "a bundle's status changes only by its actions: /certificates/certificates/cancel, claim, withdraw, reserve",
      'immutable_field',
    );
  if (body.id !== undefined && readUuid(body.id)?.kind === 'account')
    throw refuse('id', "a bundle's account changes only by /certificates/certificates/transfer", 'immutable_field');
  const fixed = IMMUTABLE.find((field) => body[field] !== undefined);
  if (fixed !== undefined)
    throw refuse(fixed, `${fixed} is the bundle's for good; the holder's reference is what changes`, 'immutable_field');
  if (body.holder_reference === undefined)
    throw refuse(
      'holder_reference',
      "the field to change: Tally's holder_reference, a text of at most 200 characters, or null",
      'value_error.missing',
    );
  return { selection: selectionOf(body, principal), reference: body.holder_reference };
}

/** The registry names the first period `first_period_start`; the draft names it after the kind of order. */
async function named<T>(names: Recurring, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof TallyError && err.errors?.some((e) => e.field === 'body/first_period_start'))
      throw refuse(names.initial, err.message, err.code);
    throw err;
  }
}

export function orderRoutes(face: Face): void {
  const { ctx } = face;

  face.route({
    method: 'POST',
    path: '/certificates/certificates/recurring_transfer',
    access: 'user',
    status: 202,
    body: RecurringTransfer,
    handler: async ({ body, caller, db }) => {
      const requested = ctx.clock.now();
      if (body.target_id === undefined) throw refuse('target_id', 'the account to transfer to', 'value_error.missing');
      const target = entityId('account', body.target_id, ['body', 'target_id']);
      const order = await named(TRANSFER, () =>
        createStandingOrder(
          db,
          caller(),
          { ...orderOf(body, TRANSFER, caller()), action: 'transfer', target_id: target },
          ctx.clock.now(),
        ),
      );
      return {
        ...answer(body, requested, ctx.clock.now(), order.source_id),
        action_id: uuidOf('standing_order', order.id),
      };
    },
  });

  face.route({
    method: 'POST',
    path: '/certificates/certificates/recurring_cancel',
    access: 'user',
    status: 202,
    body: RecurringCancel,
    handler: async ({ body, caller, db }) => {
      const requested = ctx.clock.now();
      const order = orderOf(body, CANCEL, caller());
      // "If not specified, the Account holder is treated as the Beneficiary."
      const beneficiary = body.beneficiary ?? (await holderName(db, order.source_id, caller()));
      const made = await named(CANCEL, () =>
        createStandingOrder(db, caller(), { ...order, action: 'cancel', beneficiary }, ctx.clock.now()),
      );
      return {
        ...answer(body, requested, ctx.clock.now(), made.source_id),
        action_id: uuidOf('standing_order', made.id),
      };
    },
  });

  face.route({
    method: 'PATCH',
    path: '/certificates/certificates/update_mutables',
    access: 'user',
    status: 201,
    body: UpdateMutables,
    handler: async ({ body, caller, db }) => {
      const requested = ctx.clock.now();
      const { selection, reference } = mutablesOf(body, caller());
      const result = await updateMutablesOfSelection(db, caller(), selection, reference, ctx.clock.now());
      return {
        ...answer(body, requested, ctx.clock.now(), result.source_id),
        ...(result.action_id === null ? {} : { action_id: uuidOf('action', result.action_id) }),
        certificate_quantity: result.bundles.reduce((wh, b) => wh + b.bundle_quantity, 0),
      };
    },
  });
}
