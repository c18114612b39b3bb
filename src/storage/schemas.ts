// The storage module's API shapes: what a caller sends to record charge and discharge, back a
// charge with certificates, and what a storage record looks like.
import { type Static, Type } from 'typebox';
import { component, Id, Nullable, OneOf, Timestamp } from '../platform/http/schemas.ts';
import { ALLOCATION_METHODOLOGIES, RECORD_STATUSES } from './tables.ts';

const Wh = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 500, description });
const Validator = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'The meter or validator that reported the reading; a device records each interval once per validator',
});

const hour = { start: '2026-06-01T10:00:00.000Z', end: '2026-06-01T11:00:00.000Z' };
const later = { start: '2026-06-01T20:00:00.000Z', end: '2026-06-01T21:00:00.000Z' };

export const ChargeCertificates = Type.Object(
  {
    source_id: Type.Optional(Id('The account holding the certificates (default: the storage device’s account)')),
    granular_certificate_bundle_ids: Type.Array(Id('Bundle id'), {
      minItems: 1,
      maxItems: 1000,
      uniqueItems: true,
      description: 'Active or reserved bundles produced in the charge record’s hour, taken in this order',
    }),
    certificate_quantity: Type.Optional(
      Wh('Wh to take, whole bundles first then the lowest ids of the next (default: all of them)'),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Certificates cancelled to the storage device (beneficiary: the device) to back a charge record, Wh for Wh',
    examples: [{ granular_certificate_bundle_ids: [1], certificate_quantity: 400000 }],
  },
);
export type ChargeCertificates = Static<typeof ChargeCertificates>;

export const NewChargeRecord = Type.Object(
  {
    device_id: Id('The storage device'),
    charging_start_datetime: Timestamp('Start of the charge (UTC); the record lies within one UTC hour'),
    charging_end_datetime: Timestamp('End of the charge (UTC)'),
    charging_energy: Wh('Wh charged'),
    scr_geographic_matching_method: Type.Optional(
      Text('The geographic matching applied (EnergyTag GC Matching Standard); default "none declared"'),
    ),
    validator_id: Type.Optional(Validator),
    certificates: Type.Optional(ChargeCertificates),
  },
  {
    additionalProperties: false,
    description: 'A charge of a storage device, optionally backed at once by cancelled certificates of its hour',
    examples: [
      {
        device_id: 2,
        charging_start_datetime: hour.start,
        charging_end_datetime: hour.end,
        charging_energy: 400000,
        certificates: { granular_certificate_bundle_ids: [1] },
      },
    ],
  },
);
export type NewChargeRecord = Static<typeof NewChargeRecord>;

export const NewDischargeRecord = Type.Object(
  {
    device_id: Id('The storage device'),
    discharging_start_datetime: Timestamp('Start of the discharge (UTC); the record lies within one UTC hour'),
    discharging_end_datetime: Timestamp('End of the discharge (UTC)'),
    discharge_energy: Wh('Wh discharged'),
    scr_allocation_methodology: Type.Optional(
      OneOf(ALLOCATION_METHODOLOGIES, { description: 'Which charge is taken first: oldest (FIFO, default) or newest' }),
    ),
    efficiency_factor_methodology: Type.Optional(Text('How losses are measured; default the EnergyTag Standard’s')),
    efficiency_factor_interval_start: Type.Optional(
      Timestamp('Start of the efficiency period (default: 180 days before the discharge ends)'),
    ),
    efficiency_factor_interval_end: Type.Optional(Timestamp('End of the efficiency period (default: discharge end)')),
    storage_efficiency_factor: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: 'A declared efficiency, at most the measured one (default: the measured one)',
      }),
    ),
    validator_id: Type.Optional(Validator),
  },
  {
    additionalProperties: false,
    description: 'A discharge of a storage device; it is allocated from the charge backed before it at once',
    examples: [
      {
        device_id: 2,
        discharging_start_datetime: later.start,
        discharging_end_datetime: later.end,
        discharge_energy: 300000,
      },
    ],
  },
);
export type NewDischargeRecord = Static<typeof NewDischargeRecord>;

export const MutableChargeRecord = Type.Object(
  { scr_geographic_matching_method: Text('The geographic matching applied') },
  {
    additionalProperties: false,
    description: 'What may change of a charge record: its description only',
    examples: [{ scr_geographic_matching_method: 'same bidding zone' }],
  },
);
export const MutableDischargeRecord = Type.Object(
  { efficiency_factor_methodology: Text('How losses are measured') },
  {
    additionalProperties: false,
    description: 'What may change of a discharge record: its description only',
    examples: [{ efficiency_factor_methodology: 'EnergyTag Standard: discharge ÷ charge over the period' }],
  },
);

const Status = OneOf(RECORD_STATUSES, { description: 'active, or withdrawn by the issuing body' });

export const ChargeRecord = component(
  'StorageChargeRecord',
  Type.Object(
    {
      id: Id('Charge record id'),
      device_id: Id('The storage device'),
      account_id: Id('The storage device’s account'),
      charging_start_datetime: Timestamp('Start of the charge'),
      charging_end_datetime: Timestamp('End of the charge'),
      charging_energy: Type.Integer({ description: 'Wh charged' }),
      scr_geographic_matching_method: Type.String({ description: 'The geographic matching applied' }),
      validator_id: Nullable(Type.String({ description: 'The meter or validator of the reading' })),
      status: Status,
      created_at: Timestamp('When it was recorded'),
      withdrawn_at: Nullable(Timestamp('When it was withdrawn')),
      backed_wh: Type.Integer({ description: 'Wh backed by cancelled certificates of its hour' }),
      allocated_wh: Type.Integer({ description: 'Backed Wh allocated to discharge records (live allocations)' }),
      backings: Type.Array(
        Type.Object({
          bundle_id: Id('The cancelled bundle'),
          wh: Type.Integer({ description: 'Its Wh' }),
          issuance_id: Id('Its issuance'),
          certificate_bundle_id_range_start: Type.Integer({ description: 'Its first certificate id' }),
          certificate_bundle_id_range_end: Type.Integer({ description: 'Its last certificate id' }),
          energy_source: Type.String({ description: 'Its energy source' }),
          device_id: Id('Its production device'),
        }),
        { description: 'The cancelled certificates behind the charge' },
      ),
    },
    {
      description: 'A storage charge record (SCR)',
      examples: [
        {
          id: 1,
          device_id: 2,
          account_id: 3,
          charging_start_datetime: hour.start,
          charging_end_datetime: hour.end,
          charging_energy: 400000,
          scr_geographic_matching_method: 'none declared',
          validator_id: null,
          status: 'active',
          created_at: '2026-06-01T12:00:00.000Z',
          withdrawn_at: null,
          backed_wh: 400000,
          allocated_wh: 400000,
          backings: [
            {
              bundle_id: 5,
              wh: 400000,
              issuance_id: 1,
              certificate_bundle_id_range_start: 1,
              certificate_bundle_id_range_end: 400000,
              energy_source: 'solar_pv',
              device_id: 1,
            },
          ],
        },
      ],
    },
  ),
);

export const Allocation = Type.Object(
  {
    id: Id('Allocation id'),
    scr_id: Id('The charge record drawn on'),
    bundle_id: Id('The cancelled charge bundle drawn on'),
    energy_source: Type.String({ description: 'Its energy source, which the SD-GCs inherit' }),
    charge_wh: Type.Integer({ description: 'Wh of charge used' }),
    discharge_wh: Type.Integer({ description: 'Wh of discharge covered: at most charge_wh × efficiency' }),
    status: OneOf(['live', 'released'] as const, { description: 'released once a record it joins is withdrawn' }),
    sdgc_bundle_ids: Type.Array(Id('SD-GC bundle'), { description: 'SD-GCs issued from it, split bundles included' }),
  },
  { description: 'Discharge covered by one piece of charge' },
);

export const DischargeRecord = component(
  'StorageDischargeRecord',
  Type.Object(
    {
      id: Id('Discharge record id'),
      device_id: Id('The storage device'),
      account_id: Id('The storage device’s account'),
      discharging_start_datetime: Timestamp('Start of the discharge'),
      discharging_end_datetime: Timestamp('End of the discharge'),
      discharge_energy: Type.Integer({ description: 'Wh discharged' }),
      scr_allocation_methodology: OneOf(ALLOCATION_METHODOLOGIES, { description: 'The order charge is taken in' }),
      efficiency_factor_methodology: Type.String({ description: 'How losses are measured' }),
      efficiency_factor_interval_start: Timestamp('Start of the efficiency period'),
      efficiency_factor_interval_end: Timestamp('End of the efficiency period'),
      storage_efficiency_factor: Nullable(
        Type.Number({ description: 'Discharge ÷ charge over the period (at most 1); null: nothing charged in it' }),
      ),
      validator_id: Nullable(Type.String({ description: 'The meter or validator of the reading' })),
      status: Status,
      created_at: Timestamp('When it was recorded'),
      withdrawn_at: Nullable(Timestamp('When it was withdrawn')),
      allocated_wh: Type.Integer({ description: 'Wh covered by live allocations' }),
      issued_wh: Type.Integer({ description: 'Wh of its SD-GCs not withdrawn' }),
      allocations: Type.Array(Allocation, { description: 'Its allocations, in the order taken' }),
    },
    {
      description: 'A storage discharge record (SDR)',
      examples: [
        {
          id: 1,
          device_id: 2,
          account_id: 3,
          discharging_start_datetime: later.start,
          discharging_end_datetime: later.end,
          discharge_energy: 300000,
          scr_allocation_methodology: 'FIFO',
          efficiency_factor_methodology: 'EnergyTag Standard: discharge ÷ charge over the period',
          efficiency_factor_interval_start: '2025-12-03T21:00:00.000Z',
          efficiency_factor_interval_end: later.end,
          storage_efficiency_factor: 0.75,
          validator_id: null,
          status: 'active',
          created_at: '2026-06-01T22:00:00.000Z',
          withdrawn_at: null,
          allocated_wh: 300000,
          issued_wh: 300000,
          allocations: [
            {
              id: 1,
              scr_id: 1,
              bundle_id: 5,
              energy_source: 'solar_pv',
              charge_wh: 400000,
              discharge_wh: 300000,
              status: 'live',
              sdgc_bundle_ids: [9],
            },
          ],
        },
      ],
    },
  ),
);

export const RecordFilter = Type.Object(
  {
    account_id: Type.Optional({ ...Id('Only records of this account'), examples: [3] }),
    device_id: Type.Optional({ ...Id('Only records of this storage device'), examples: [2] }),
    from: Type.Optional({ ...Timestamp('Only records starting at or after this time'), examples: [hour.start] }),
    to: Type.Optional({ ...Timestamp('Only records starting before this time'), examples: [later.end] }),
    status: Type.Optional({ ...Status, examples: ['active'] }),
  },
  { additionalProperties: false },
);
export type RecordFilter = Static<typeof RecordFilter>;
