// Request and answer schemas of the registry routes; field names follow the EnergyTag GC API draft.
import { type Static, type TSchema, Type } from 'typebox';
import {
  component,
  DateOnly,
  Id,
  Nullable,
  NullableId,
  OneOf,
  PointId,
  requiredAs,
  strict,
  Timestamp,
} from '../platform/http/schemas.ts';
import * as example from './examples.ts';
import { COUNTRY_PATTERN, DEVICE_TYPES, ENERGY_SOURCES, STATUSES } from './tables.ts';

export const EnergySource = component(
  'EnergySource',
  OneOf(ENERGY_SOURCES, { description: 'The energy source of the production device' }),
);
export const Status = component(
  'CertificateStatus',
  OneOf(STATUSES, { description: 'active, reserved, locked, cancelled, claimed, withdrawn or expired' }),
);
export const Wh = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });

export const IssuanceMetadataInput = Type.Object(
  {
    country_of_issuance: Type.Optional(
      Type.String({ minLength: 1, description: 'Domain of the issuing body; defaults to the device country' }),
    ),
    connected_grid_identification: Type.Optional(
      Type.String({ minLength: 1, description: 'Grid the energy was injected into; defaults to the device grid' }),
    ),
    issuing_body: Type.String({ minLength: 1, description: 'The issuing body' }),
    legal_status: Type.Optional(Type.String({ description: 'Legal status of the certificates' })),
    issuance_purpose: Type.Optional(Type.String({ description: 'Why they are issued, e.g. disclosure or compliance' })),
    support_received: Type.Optional(Type.String({ description: 'Public support the device received' })),
    quality_scheme_reference: Type.Optional(Type.String({ description: 'Quality scheme the device takes part in' })),
    dissemination_level: Type.Optional(Type.String({ description: 'Dissemination level' })),
    issue_market_zone: Type.Optional(
      Type.String({ minLength: 1, description: 'Bidding zone; defaults to the device grid' }),
    ),
  },
  {
    ...strict,
    description:
      'Issuance metadata; each change is a new version, and certificates keep the version they were issued with',
  },
);

export const IssuanceMetadata = component(
  'IssuanceMetadata',
  Type.Object(
    {
      id: Id('Metadata version id'),
      country_of_issuance: Type.String({ description: 'Domain of the issuing body' }),
      connected_grid_identification: Type.String({ description: 'Grid the energy was injected into' }),
      issuing_body: Type.String({ description: 'The issuing body' }),
      legal_status: Nullable(Type.String({ description: 'Legal status' })),
      issuance_purpose: Nullable(Type.String({ description: 'Issuance purpose' })),
      support_received: Nullable(Type.String({ description: 'Support received' })),
      quality_scheme_reference: Nullable(Type.String({ description: 'Quality scheme' })),
      dissemination_level: Nullable(Type.String({ description: 'Dissemination level' })),
      issue_market_zone: Type.String({ description: 'Market zone' }),
      created_at: Timestamp('When this version was set'),
    },
    { description: 'A version of the issuance metadata' },
  ),
);

export const Location = component(
  'Location',
  Type.Object(
    {
      latitude: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude, WGS 84 degrees' }),
      longitude: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, WGS 84 degrees' }),
    },
    { ...strict, description: 'Where the device is (WGS 84)' },
  ),
);

export const NewDevice = Type.Object(
  {
    device_name: Type.String({ minLength: 1, maxLength: 200, description: 'Name of the device' }),
    account_id: Id('Account that owns the device and receives its certificates'),
    device_type: Type.Optional(
      OneOf(DEVICE_TYPES, { default: 'production', description: 'production (default) or storage' }),
    ),
    technology_code: Type.Optional(
      Type.String({
        pattern: '^T\\d{6}$',
        description: 'EECS technology code, e.g. T010101; required for production devices',
      }),
    ),
    fuel_code: Type.Optional(
      Type.String({
        pattern: '^F\\d{8}$',
        description: 'EECS fuel code, e.g. F01040100; required for production devices',
      }),
    ),
    energy_source: Type.Optional(EnergySource),
    capacity: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Capacity in W' }),
    operational_date: DateOnly('Commissioning date (YYYY-MM-DD)'),
    country: Type.String({ pattern: COUNTRY_PATTERN, description: 'ISO 3166-1 alpha-2 country code' }),
    grid: Type.String({ minLength: 1, description: 'Grid area, e.g. DK1' }),
    location: Location,
    time_zone: Type.String({ minLength: 1, description: 'IANA time zone for local display, e.g. Europe/Copenhagen' }),
    issuance_metadata: Type.Optional(IssuanceMetadataInput),
  },
  { ...strict, examples: [example.newDevice] },
);

/** What PATCH /api/devices/{id} changes; the device module takes all but the metering point. */
export const DeviceChange = Type.Object(
  {
    device_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'New name' })),
    capacity: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'New capacity in W (issuing bodies only)',
      }),
    ),
    auto_issue: Type.Optional(
      Type.Boolean({
        description:
          'Issue the complete metered hours of the linked production points ' +
          'automatically; only an issuing body turns it on, the holder may turn it off',
      }),
    ),
    issuance_metadata: Type.Optional(IssuanceMetadataInput),
  },
  strict,
);
export const DevicePatch = Type.Object(
  {
    ...DeviceChange.properties,
    metering_point_id: Type.Optional({
      ...PointId,
      description: 'Link this metering point of the same account to the device: its readings feed automatic issuance',
    }),
  },
  { ...strict, examples: [{ metering_point_id: '571313174000000001', auto_issue: true }] },
);

export const Device = component(
  'Device',
  Type.Object(
    {
      id: Id('Device id'),
      account_id: Id('Owning account'),
      device_name: Type.String({ description: 'Name' }),
      device_type: OneOf(DEVICE_TYPES, {
        description: 'production or storage',
      }),
      technology_code: Nullable(Type.String({ description: 'EECS technology code' })),
      fuel_code: Nullable(Type.String({ description: 'EECS fuel code' })),
      technology_label: Nullable(Type.String({ description: 'EECS label of the codes, e.g. Solar' })),
      energy_source: EnergySource,
      capacity: Type.Integer({ description: 'Capacity in W' }),
      operational_date: Type.String({ description: 'Commissioning date' }),
      country: Type.String({ description: 'Country' }),
      grid: Type.String({ description: 'Grid area' }),
      location: Location,
      time_zone: Type.String({ description: 'IANA time zone' }),
      next_certificate_id: Type.Integer({ description: 'The id the next issued certificate of this device gets' }),
      auto_issue: Type.Boolean({
        description: "Whether the issuance job issues this device's complete metered hours on its own",
      }),
      issuance_metadata: Type.Union([IssuanceMetadata, Type.Null()], { description: 'Current issuance metadata' }),
      decommissioned_at: Nullable(
        Timestamp('When the device was decommissioned: nothing produced from then on is issued; null while it runs'),
      ),
      created_at: Timestamp('Registration time'),
      updated_at: Timestamp('Last change'),
    },
    { description: 'A production or storage device', examples: [example.device] },
  ),
);

export const Bundle = component(
  'Bundle',
  Type.Object(
    {
      id: Id('Bundle id'),
      issuance_id: Id('The issuance the certificates come from'),
      device_id: NullableId('Production device; null for a bundle imported from another registry'),
      account_id: Id('Holding account'),
      certificate_bundle_id_range_start: Type.Integer({
        description: 'First certificate id in the bundle (inclusive)',
      }),
      certificate_bundle_id_range_end: Type.Integer({ description: 'Last certificate id in the bundle (inclusive)' }),
      bundle_quantity: Type.Integer({ description: 'Number of certificates = Wh; range end − range start + 1' }),
      certificate_bundle_status: Status,
      energy_source: EnergySource,
      production_starting_interval: Timestamp('Start of the production interval (UTC, inclusive)'),
      production_ending_interval: Timestamp('End of the production interval (UTC, exclusive)'),
      issuance_datestamp: Timestamp('When the certificates were issued'),
      expiry_datestamp: Timestamp('When active certificates expire'),
      split_from_bundle_id: NullableId('The bundle this one was split from'),
      beneficiary: Nullable(Type.String({ description: 'Beneficiary of a cancellation' })),
      cancellation_purpose: Nullable(Type.String({ description: 'Purpose of a cancellation' })),
      cancelled_at: Type.Union([Timestamp('Cancellation time'), Type.Null()]),
      cancellation_statement_id: NullableId('The cancellation statement'),
      claim_consumer: Nullable(Type.String({ description: 'Consumer the certificates were claimed for' })),
      claim_metering_point_id: Nullable(Type.String({ description: 'Consumption metering point of the claim' })),
      claim_period_start: Type.Union([Timestamp('Start of the claimed consumption period'), Type.Null()]),
      claim_period_end: Type.Union([Timestamp('End of the claimed consumption period'), Type.Null()]),
      claimed_at: Type.Union([Timestamp('Claim time'), Type.Null()]),
      charged_storage_device_id: NullableId(
        'A cancelled bundle that charged this storage device (backs a storage charge record); it is never claimed',
      ),
      origin_device_id: NullableId(
        'An SD-GC (storage-discharge certificate): the production device of the charge certificates it came from; ' +
          'device_id is the storage device that issued it',
      ),
      sdr_id: NullableId('An SD-GC: the storage discharge record it was issued for'),
      discharging_starting_interval: Type.Union([
        Timestamp('An SD-GC: start of the discharge (disclosures count it at this hour)'),
        Type.Null(),
      ]),
      discharging_ending_interval: Type.Union([Timestamp('An SD-GC: end of the discharge'), Type.Null()]),
      storage_efficiency_factor: Type.Union([
        Type.Number({
          exclusiveMinimum: 0,
          maximum: 1,
          description: 'An SD-GC: the round-trip efficiency applied (discharge ÷ charge over the period)',
        }),
        Type.Null(),
      ]),
      imported_issuance_id: NullableId(
        'For a bundle imported from another registry, its origin record (GET /api/certificates/{id} shows it); ' +
          'an imported bundle is never exported again',
      ),
      holder_reference: Nullable(
        Type.String({
          description:
            "The holder's own reference (e.g. a contract or customer id): the one field changed in place, " +
            'by PATCH /api/certificates/mutables; a transfer clears it',
        }),
      ),
    },
    {
      description:
        'A bundle: a contiguous range of certificate ids of one device (or one imported origin bundle) and interval, ' +
        'in one status',
      examples: [example.bundle],
    },
  ),
);

/** One interval of metered production to issue certificates for. */
export const IntervalInput = Type.Object(
  {
    production_starting_interval: Timestamp('Start (UTC, inclusive)'),
    production_ending_interval: Timestamp('End (UTC, exclusive), at most one hour after the start'),
    wh: Wh('Metered production in whole Wh'),
  },
  strict,
);
export type IntervalInput = Static<typeof IntervalInput>;

/** What POST /api/certificates/issue takes: a production device and its intervals, all issued or none. */
export const IssuanceRequest = Type.Object(
  {
    device_id: Id('Production device'),
    intervals: Type.Array(IntervalInput, {
      minItems: 1,
      maxItems: 50_000,
      description: 'Intervals to issue, in any order, not overlapping',
    }),
  },
  { ...strict, examples: [{ device_id: 1, intervals: [{ ...example.hour, wh: 1200000 }] }] },
);
export type IssuanceRequest = Static<typeof IssuanceRequest>;

/** What POST /api/certificates/reissue takes: the withdrawn bundle, and its corrected quantity if any. */
export const ReissueRequest = Type.Object(
  {
    granular_certificate_bundle_id: Id('The withdrawn bundle'),
    bundle_quantity: Type.Optional(Wh('Corrected Wh; defaults to the withdrawn quantity')),
  },
  { ...strict, examples: [{ granular_certificate_bundle_id: 3, bundle_quantity: 1400000 }] },
);
export type ReissueRequest = Static<typeof ReissueRequest>;

/** The most bundles one action or change takes: their ids are one statement's parameters. */
export const MAX_BUNDLES_PER_ACTION = 10_000;

const BundleIds = Type.Array(Id('Bundle id'), {
  minItems: 1,
  maxItems: MAX_BUNDLES_PER_ACTION,
  description: 'Bundles to act on, all or nothing; a partial quantity splits them in this order',
});
const Quantity = Type.Optional(
  Wh('Act on this many Wh only: whole bundles first, then the lowest ids of the next one, which is split'),
);

export const ACTIONS = ['transfer', 'cancel', 'claim', 'withdraw', 'reserve', 'unreserve', 'lock', 'unlock'] as const;
export type Action = (typeof ACTIONS)[number];

/** What every lifecycle action takes; each action adds its own fields. */
const actionFields = {
  source_id: Id('Account holding the bundles'),
  granular_certificate_bundle_ids: BundleIds,
  certificate_quantity: Quantity,
};
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 500, description });

export const TransferRequest = Type.Object(
  { ...actionFields, target_id: requiredAs('target_required', Id('Receiving account')) },
  { ...strict, examples: [example.transfer] },
);
export const CancelRequest = Type.Object(
  {
    ...actionFields,
    beneficiary: requiredAs('beneficiary_required', Text('Who the energy is retired for')),
    purpose: Type.Optional(Text('Why, e.g. Scope 2 reporting')),
  },
  { ...strict, examples: [example.cancel] },
);
export const ClaimRequest = Type.Object(
  {
    ...actionFields,
    consumer: Type.Optional(Text('Named consumer; this or metering_point_id, or both')),
    metering_point_id: Type.Optional(Text('Consumption metering point of the claiming account')),
    period_start: Type.Optional(Timestamp('Start of the consumption period; with period_end')),
    period_end: Type.Optional(Timestamp('End of the consumption period; with period_start')),
  },
  { ...strict, examples: [example.claim] },
);
/** Withdraw, reserve, unreserve, lock and unlock take the common fields only: one request schema in the document. */
export const BundleActionRequest = component(
  'BundleActionRequest',
  Type.Object(actionFields, { ...strict, examples: [example.bundleAction] }),
);

/** Each action's request: the schema its route validates and documents, and the type actions.ts takes. */
export const ACTION_REQUESTS = {
  transfer: TransferRequest,
  cancel: CancelRequest,
  claim: ClaimRequest,
  withdraw: BundleActionRequest,
  reserve: BundleActionRequest,
  unreserve: BundleActionRequest,
  lock: BundleActionRequest,
  unlock: BundleActionRequest,
} as const satisfies Record<Action, TSchema>;
export type ActionRequests = { [A in Action]: Static<(typeof ACTION_REQUESTS)[A]> };

export const ActionResult = component(
  'ActionResult',
  Type.Object(
    {
      action: OneOf(ACTIONS, { description: 'The action performed' }),
      action_id: Id('The ledger event recording this action'),
      source_id: Id('Source account'),
      target_id: NullableId('Target account of a transfer'),
      certificate_quantity: Type.Integer({ description: 'Wh acted on' }),
      bundles: Type.Array(Bundle, { description: 'The bundles acted on, as they are now' }),
      remainders: Type.Array(Bundle, { description: 'Parts of split bundles left in the source account' }),
      statement_id: NullableId('The cancellation statement of a cancel'),
    },
    {
      description: 'The action, the bundles it changed and the remainders of a split',
      examples: [example.actionResult],
    },
  ),
);

/** Which bundles of an account a query or an aggregate reads: the account, and any of the other filters. */
export const BundleFilter = Type.Object(
  {
    source_id: Id('Account to query (required)'),
    device_id: Type.Optional(Id('Only bundles of this device')),
    energy_source: Type.Optional(
      Type.Union([EnergySource, Type.Array(EnergySource)], { description: 'One energy source or a list' }),
    ),
    certificate_bundle_status: Type.Optional(
      Type.Union([Status, Type.Array(Status)], { description: 'One status or a list' }),
    ),
    certificate_period_start: Type.Optional(Timestamp('Only production intervals starting at or after this time')),
    certificate_period_end: Type.Optional(Timestamp('Only production intervals starting before this time')),
    issuance_id: Type.Optional(Id('Only bundles of this issuance')),
    certificate_bundle_id_range_start: Type.Optional(
      Id('Only bundles holding certificate ids from this one on (with issuance_id)'),
    ),
    certificate_bundle_id_range_end: Type.Optional(
      Id('Only bundles holding certificate ids up to this one (with issuance_id)'),
    ),
  },
  strict,
);
export type BundleFilter = Static<typeof BundleFilter>;

export const Statement = component(
  'Statement',
  Type.Object(
    {
      id: Id('Statement id'),
      account_id: Id('The account that cancelled'),
      beneficiary: Type.String({ description: 'Beneficiary' }),
      purpose: Type.Union([Type.String(), Type.Null()], { description: 'Purpose' }),
      cancelled_at: Timestamp('Cancellation time'),
      total_wh: Type.Integer({ description: 'Wh cancelled' }),
      bundles: Type.Array(
        Type.Object({
          id: Id('Bundle id'),
          device_id: NullableId('Device; null for an imported bundle'),
          energy_source: Type.String(),
          certificate_bundle_id_range_start: Type.Integer(),
          certificate_bundle_id_range_end: Type.Integer(),
          bundle_quantity: Type.Integer(),
          production_starting_interval: Type.String(),
          production_ending_interval: Type.String(),
        }),
        { description: 'The bundles cancelled' },
      ),
      by_energy_source: Type.Array(Type.Object({ energy_source: Type.String(), wh: Type.Integer() }), {
        description: 'Wh by energy source',
      }),
      by_hour: Type.Array(Type.Object({ hour: Type.String(), energy_source: Type.String(), wh: Type.Integer() }), {
        description: 'Wh by production hour (UTC) and energy source',
      }),
    },
    { description: 'A cancellation statement', examples: [example.statement] },
  ),
);
export type ActionResult = Static<typeof ActionResult>;

/** The holder's reference: the one field of a bundle changed in place. */
export const HolderReference = Nullable(
  Type.String({
    minLength: 1,
    maxLength: 200,
    description: "The holder's own reference (e.g. a contract or customer id); null removes it",
  }),
);

/** What PATCH /api/certificates/mutables takes: the bundles, and their new holder's reference. */
export const MutablesRequest = Type.Object(
  {
    source_id: Id('Account holding the bundles'),
    granular_certificate_bundle_ids: Type.Array(Id('Bundle id'), {
      minItems: 1,
      maxItems: MAX_BUNDLES_PER_ACTION,
      description: 'Bundles to change, whole, in any status the account holds them in; all or nothing',
    }),
    holder_reference: HolderReference,
  },
  { ...strict, examples: [{ source_id: 1, granular_certificate_bundle_ids: [1], holder_reference: 'PPA-2026-07' }] },
);
export type MutablesRequest = Static<typeof MutablesRequest>;

export const MutablesResult = component(
  'MutablesResult',
  Type.Object(
    {
      action_id: NullableId('The ledger event recording the change; null when every bundle had that reference already'),
      source_id: Id('Account holding the bundles'),
      bundles: Type.Array(Bundle, { description: 'The bundles, as they are now' }),
    },
    {
      description: "The bundles with their holder's reference changed",
      examples: [{ action_id: 12, source_id: 1, bundles: [{ ...example.bundle, holder_reference: 'PPA-2026-07' }] }],
    },
  ),
);
export type MutablesResult = Static<typeof MutablesResult>;
