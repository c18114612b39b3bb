// The draft's certificate operations onto the registry: create (issuance), query, and the actions
// transfer, cancel, claim, withdraw and reserve (under the draft's misspelt `reseve` and the correct
// `reserve`). The draft acts on the bundles a filter selects; so does the registry's
// `performOnSelection`, which chooses them with its own query (selection.ts) and acts on them with
// its own action, locking only the leading bundles that cover the quantity and checking every rule
// again. The face reads the draft's UUIDs and words into the registry's selection.
import { type Static, Type } from 'typebox';
import { getAccount } from '../../accounts/index.ts';
import type { Db } from '../../platform/database.ts';
import type { Principal } from '../../platform/principal.ts';
import {
  type ActionFields,
  type ActionRequests,
  type BundleView,
  type DeviceView,
  getDevice,
  type ImportedIssuanceView,
  type IssuanceMetadataView,
  type IssuanceRequest,
  issueCertificates,
  type Origin,
  originsOf,
  performAction,
  performOnSelection,
  queryBundles,
  type Selection,
} from '../../registry/index.ts';
import type { Face } from './face.ts';
import { readUuid, uuidOf } from './ids.ts';
import { dateOf, entityId, every, Uuid } from './shapes.ts';
import { draftStatus, refuse, tallySource, tallyStatus } from './wire.ts';

const Time = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** The filter every certificate action and the query take (the draft's GranularCertificateQuery). */
export const filter = {
  /** The account (the draft's `source_id` is both "Source Account Id" and "Source User Id"). */
  source_id: Uuid,
  /** The acting user, when given: must be the caller. */
  user_id: Type.Optional(Uuid),
  /** The draft's device filter (its `id`). */
  id: Type.Optional(Uuid),
  energy_source: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
  certificate_bundle_status: Type.Optional(Type.String()),
  certificate_period_start: Type.Optional(Time),
  certificate_period_end: Type.Optional(Time),
  source_certificate_issuance_id: Type.Optional(Uuid),
  source_certificate_certificate_bundle_id_range_start: Type.Optional(Count),
  source_certificate_certificate_bundle_id_range_end: Type.Optional(Count),
  certificate_quantity: Type.Optional(Count),
  /** Device UUID → a time: the bundles of that device whose production interval holds the time. */
  sparse_filter_list: Type.Optional(Type.Record(Type.String(), Time, { maxProperties: 1000 })),
  // Filled by the registry, never by the caller: read and ignored, as the draft says.
  action_id: Type.Optional(Uuid),
  action_request_datetime: Type.Optional(Time),
  action_completed_datetime: Type.Optional(Time),
};
export const Filter = Type.Object(filter);
export type Filter = Static<typeof Filter>;

const Transfer = Type.Object({ ...filter, target_id: Uuid });
const Cancel = Type.Object({
  ...filter,
  beneficiary: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  purpose: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
});
const Claim = Type.Object({
  ...filter,
  consumer: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  metering_point_id: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  period_start: Type.Optional(Time),
  period_end: Type.Optional(Time),
});
const Reserve = Type.Object({ ...filter, target_registry: Type.Optional(Type.String()) });

const BundleBase = Type.Object({
  /** The draft's collapsed `id` (Account Id, then Device Id): the device, or its account. */
  id: Type.Optional(Uuid),
  device_id: Type.Optional(Uuid),
  account_id: Type.Optional(Uuid),
  production_starting_interval: Time,
  production_ending_interval: Time,
  bundle_quantity: Count,
  certificate_bundle_id_range_start: Type.Optional(Count),
  certificate_bundle_id_range_end: Type.Optional(Count),
  certificate_bundle_status: Type.Optional(Type.String()),
  face_value: Type.Optional(Type.Integer()),
  energy_carrier: Type.Optional(Type.String()),
  issuance_post_energy_carrier_conversion: Type.Optional(Type.Boolean()),
});

/** EnergyTag Standard v2's configuration of a registry that issues GCs itself from metered production. */
const REGISTRY_CONFIGURATION = 1;

const present = <T>(fields: Record<string, T | null>) =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null)) as Record<string, T>;

/**
 * An SD-GC's storage attributes as the draft names them: the storage device that discharged it (the
 * device that issued it), the discharge, its SDR and the efficiency applied.
 */
function storageRead(b: BundleView, storage: DeviceView) {
  if (b.sdr_id === null) return {};
  return {
    storage_id: uuidOf('device', storage.id),
    storage_device_location: [storage.location.latitude, storage.location.longitude],
    discharging_start_datetime: b.discharging_starting_interval,
    discharging_end_datetime: b.discharging_ending_interval,
    sdr_allocation_id: uuidOf('sdr', b.sdr_id),
    storage_efficiency_factor: b.storage_efficiency_factor,
  };
}

/**
 * Where a bundle of a Tally device comes from: its device and the metadata it was issued with. An
 * SD-GC (issued by a storage device) shows its production device, the device of origin, as the
 * bundle's device, its device_type `storage` ("released by a storage unit") and its storage
 * attributes.
 */
function deviceOrigin(b: BundleView, issuer: DeviceView, m: IssuanceMetadataView, production: DeviceView | null) {
  const d = production ?? issuer;
  return {
    // The draft's `id` is declared twice (Account Id, then Device Id); JSON keeps the last.
    id: uuidOf('device', d.id),
    device_id: uuidOf('device', d.id),
    energy_carrier: 'Electricity',
    issuance_post_energy_carrier_conversion: false,
    device_name: d.device_name,
    device_technology_type: d.technology_label ?? d.device_type,
    device_production_start_date: d.operational_date,
    device_capacity: d.capacity,
    device_location: [d.location.latitude, d.location.longitude],
    device_type: issuer.device_type,
    ...metadataOf(m),
    ...present({ beneficiary: b.beneficiary }),
    ...storageRead(b, issuer),
  };
}

/**
 * Where an imported bundle comes from: its origin record stands for the device (its UUID is the
 * draft's `id` and `device_id`), with the attributes the import file gave. The draft's device
 * fields show where the file had them (the template has no such columns; conformance doc).
 */
function importedOrigin(b: BundleView, o: ImportedIssuanceView) {
  return {
    id: uuidOf('imported_issuance', o.id),
    device_id: uuidOf('imported_issuance', o.id),
    energy_carrier: 'Electricity',
    issuance_post_energy_carrier_conversion: o.issuance_post_energy_carrier_conversion,
    device_type: o.is_storage ? 'storage' : 'production',
    ...metadataOf(o),
    ...present<unknown>({
      device_name: o.device_name,
      device_technology_type: o.device_technology_type,
      device_production_start_date: o.device_production_start_date,
      device_capacity: o.device_capacity,
      device_location: o.device_latitude === null ? null : [o.device_latitude, o.device_longitude],
      emissions_factor_production_device: o.emissions_factor_production_device,
      emissions_factor_source: o.emissions_factor_source,
      storage_efficiency_factor: o.storage_efficiency_factor,
      beneficiary: b.beneficiary,
    }),
  };
}

/** The issuing body's attributes, from a device's metadata version or an imported origin record. */
function metadataOf(m: IssuanceMetadataView | ImportedIssuanceView) {
  return {
    country_of_issuance: m.country_of_issuance,
    connected_grid_identification: m.connected_grid_identification,
    issuing_body: m.issuing_body,
    issue_market_zone: m.issue_market_zone,
    ...present({
      legal_status: m.legal_status,
      issuance_purpose: m.issuance_purpose,
      support_received: m.support_received,
      quality_scheme_reference: m.quality_scheme_reference,
      dissemination_level: m.dissemination_level,
    }),
  };
}

/** The draft's GranularCertificateBundle, with Tally's extensions (account_id, device_id, bundle_id). */
function bundleRead(b: BundleView, from: Origin) {
  const { device: d, issuance_metadata: m, origin_device: production, imported_from: o } = from;
  return {
    account_id: uuidOf('account', b.account_id),
    bundle_id: uuidOf('bundle', b.id),
    issuance_id: uuidOf('issuance', b.issuance_id),
    certificate_bundle_id_range_start: b.certificate_bundle_id_range_start,
    certificate_bundle_id_range_end: b.certificate_bundle_id_range_end,
    bundle_quantity: b.bundle_quantity,
    certificate_bundle_status: draftStatus(b.certificate_bundle_status),
    energy_source: b.energy_source,
    face_value: 1,
    registry_configuration: REGISTRY_CONFIGURATION,
    production_starting_interval: b.production_starting_interval,
    production_ending_interval: b.production_ending_interval,
    issuance_datestamp: dateOf(b.issuance_datestamp),
    expiry_datestamp: dateOf(b.expiry_datestamp),
    ...(o ? importedOrigin(b, o) : deviceOrigin(b, d!, m!, production)),
  };
}

/** Bundles as the draft shows them; their devices and metadata in one registry read (originsOf). */
export async function bundlesRead(db: Db, bundles: BundleView[]) {
  const origins = await originsOf(
    db,
    bundles.map((b) => b.issuance_id),
  );
  return bundles.map((b) => bundleRead(b, origins.get(b.issuance_id)!));
}

const HOUR_MS = 3_600_000;

/** The bundles of each device of a sparse filter list whose production interval holds its time, in the list's order. */
async function sparse(db: Db, principal: Principal, account: number, pairs: Record<string, string>) {
  const found = new Map<number, BundleView>();
  for (const [uuid, time] of Object.entries(pairs)) {
    const device = entityId('device', uuid, ['body', 'sparse_filter_list', uuid]);
    const t = Date.parse(time);
    // An interval is at most an hour: one holding t starts in (t − 1 h, t].
    const bundles = await every((page) =>
      queryBundles(
        db,
        principal,
        {
          source_id: account,
          device_id: device,
          certificate_period_start: new Date(t - HOUR_MS + 1).toISOString(),
          certificate_period_end: new Date(t + 1).toISOString(),
        },
        page,
      ),
    );
    for (const b of bundles) if (Date.parse(b.production_ending_interval) > t) found.set(b.id, b);
  }
  return [...found.values()];
}

/**
 * The registry's selection a draft filter names: its UUIDs and words read as Tally's ids, statuses
 * and energy sources, each refused naming its field. The registry decides the rest (selection.ts):
 * for an action, only bundles in a status it acts on; a range within an issuance; a quantity of Wh.
 */
export function selectionOf(f: Filter, principal: Principal): Selection {
  const account = entityId('account', f.source_id, ['body', 'source_id']);
  if (f.user_id !== undefined && f.user_id.toLowerCase() !== uuidOf('user', principal.userId))
    throw refuse('user_id', 'the acting user is the one the token names', 'value_error.user_id');
  const status = f.certificate_bundle_status === undefined ? undefined : tallyStatus(f.certificate_bundle_status);
  if (f.certificate_bundle_status !== undefined && status === undefined)
    throw refuse(
      'certificate_bundle_status',
      'one of Active, Reserved, Locked, Cancelled, Claimed, Withdrawn, Expired',
    );
  const sources = f.energy_source?.map((s, k) => {
    const source = tallySource(s);
    if (source === undefined) throw refuse(['body', 'energy_source', k], 'unknown energy source');
    return source;
  });
  return {
    source_id: account,
    device_id: f.id === undefined ? undefined : entityId('device', f.id, ['body', 'id']),
    energy_source: sources,
    certificate_bundle_status: status,
    certificate_period_start: f.certificate_period_start,
    certificate_period_end: f.certificate_period_end,
    issuance_id:
      f.source_certificate_issuance_id === undefined
        ? undefined
        : entityId('issuance', f.source_certificate_issuance_id, ['body', 'source_certificate_issuance_id']),
    certificate_bundle_id_range_start: f.source_certificate_certificate_bundle_id_range_start,
    certificate_bundle_id_range_end: f.source_certificate_certificate_bundle_id_range_end,
    certificate_quantity: f.certificate_quantity,
  };
}

/** The ids of a sparse list's bundles, for an action: the list "overrides all other search criteria". */
async function sparseIds(db: Db, principal: Principal, account: number, pairs: Record<string, string>) {
  const bundles = await sparse(db, principal, account, pairs);
  if (bundles.length === 0) throw refuse(['body'], 'no certificates of the account match', 'value_error.no_match');
  return bundles.map((b) => b.id);
}

/** What a query shows: the sparse list's bundles ("overrides all other search criteria"), or the filter's. */
async function queried(db: Db, principal: Principal, f: Filter) {
  const selection = selectionOf(f, principal);
  if (f.sparse_filter_list !== undefined)
    return {
      account: selection.source_id,
      bundles: await sparse(db, principal, selection.source_id, f.sparse_filter_list),
    };
  const { certificate_quantity: _wh, ...filter } = selection;
  return { account: selection.source_id, bundles: await every((page) => queryBundles(db, principal, filter, page)) };
}

/**
 * The registry's issuance request for the draft's bundle: its device (the UUID of kind device
 * among `id` and `device_id`), its one interval and Wh. What the registry decides itself must
 * agree: the device's account, a range of as many ids as Wh, an Active 1-Wh electricity bundle.
 */
async function issuanceOf(db: Db, principal: Principal, body: Static<typeof BundleBase>): Promise<IssuanceRequest> {
  const named = (['id', 'device_id', 'account_id'] as const).flatMap((field) => {
    const uuid = body[field];
    return uuid === undefined ? [] : [{ field, read: readUuid(uuid) }];
  });
  const other = named.find((n) => n.read?.kind !== 'device' && n.read?.kind !== 'account');
  if (other) throw refuse(other.field, 'not a device or account id of this registry', 'value_error.uuid');
  const devices = new Set(named.flatMap((n) => (n.read?.kind === 'device' ? [n.read.id] : [])));
  const [device] = devices;
  if (device === undefined || devices.size > 1)
    throw refuse('id', 'the one device to issue for (a device id)', 'value_error.device');
  const { bundle_quantity: wh, certificate_bundle_id_range_start: first, certificate_bundle_id_range_end: last } = body;
  if (first !== undefined && last !== undefined && last - first + 1 !== wh)
    throw refuse(
      'bundle_quantity',
      'bundle_quantity = certificate_bundle_id_range_end − certificate_bundle_id_range_start + 1',
    );
  if (body.face_value !== undefined && body.face_value !== 1) throw refuse('face_value', 'one certificate is 1 Wh');
  if (body.energy_carrier !== undefined && body.energy_carrier.toLowerCase() !== 'electricity')
    throw refuse('energy_carrier', 'Electricity (Standard v2)');
  if (body.issuance_post_energy_carrier_conversion === true)
    throw refuse('issuance_post_energy_carrier_conversion', 'Tally issues electricity only');
  if (body.certificate_bundle_status !== undefined && tallyStatus(body.certificate_bundle_status) !== 'active')
    throw refuse('certificate_bundle_status', 'an issued bundle is Active');
  const account = named.find((n) => n.read?.kind === 'account');
  if (account && account.read?.id !== (await getDevice(db, principal, device)).account_id)
    throw refuse(account.field, "a device's certificates are issued into the device's account");
  const { production_starting_interval, production_ending_interval } = body;
  return { device_id: device, intervals: [{ production_starting_interval, production_ending_interval, wh }] };
}

/** The draft's answer to a query or an action: the request's filter, as accepted, and what the registry did. */
export const answer = (f: Filter, requested: Date, completed: Date, account: number) => ({
  ...f,
  source_id: uuidOf('account', account),
  action_response_status: 'accepted',
  action_request_datetime: requested.toISOString(),
  action_completed_datetime: completed.toISOString(),
});

/** The account holder's name: the draft's beneficiary or consumer when none is named. */
export const holderName = async (db: Db, account: number, principal: Principal) =>
  (await getAccount(db, principal, account)).account_name;

export function certificateRoutes(face: Face): void {
  const { ctx } = face;
  const lifetime = ctx.config.certificateLifetimeDays;

  face.route({
    method: 'POST',
    path: '/certificates/certificates/create',
    access: ['issuer'],
    status: 201,
    body: BundleBase,
    handler: async ({ body, caller, db }) => {
      const bundles = await issueCertificates(
        db,
        caller(),
        await issuanceOf(db, caller(), body),
        lifetime,
        ctx.clock.now(),
      );
      const [issued] = await bundlesRead(db, bundles);
      return issued;
    },
  });

  face.route({
    method: 'GET',
    path: '/certificates/certificates/query',
    access: 'user',
    readOnly: true,
    status: 202,
    query: Filter,
    bodyOnGet: true,
    handler: async ({ query, caller, db }) => {
      const requested = ctx.clock.now();
      const { account, bundles } = await queried(db, caller(), query);
      return {
        ...answer(query, requested, ctx.clock.now(), account),
        filtered_certificate_bundles: await bundlesRead(db, bundles),
      };
    },
  });

  /** One action's route: the filter selects, `extra` adds the action's own fields, the registry acts. */
  function actionRoute<A extends keyof ActionRequests, B extends typeof Filter>(
    paths: string | readonly string[],
    action: A,
    body: B,
    access: 'user' | ['issuer'],
    extra: (db: Db, body: Static<B>, account: number, principal: Principal) => Promise<ActionFields<A>>,
  ) {
    face.route({
      method: 'POST',
      path: paths,
      access,
      status: 202,
      body,
      handler: async (call) => {
        const { caller, db } = call;
        // Validated by `body`: the route's generic type does not narrow past undefined.
        const body = call.body as Static<B>;
        const requested = ctx.clock.now();
        const selection = selectionOf(body, caller());
        const account = selection.source_id;
        const fields = await extra(db, body, account, caller());
        const result =
          body.sparse_filter_list === undefined
            ? await performOnSelection(db, caller(), action, selection, fields, ctx.clock.now())
            : await performAction(
                db,
                caller(),
                action,
                {
                  ...fields,
                  source_id: account,
                  granular_certificate_bundle_ids: await sparseIds(db, caller(), account, body.sparse_filter_list),
                  certificate_quantity: body.certificate_quantity,
                } as ActionRequests[A],
                ctx.clock.now(),
              );
        return {
          ...answer(body, requested, ctx.clock.now(), account),
          action_id: uuidOf('action', result.action_id),
          certificate_quantity: result.certificate_quantity,
        };
      },
    });
  }

  const nothing = async () => ({});

  actionRoute('/certificates/certificates/transfer', 'transfer', Transfer, 'user', async (_db, b) => ({
    target_id: entityId('account', b.target_id, ['body', 'target_id']),
  }));
  // "If not specified, the Account holder is treated as the Beneficiary."
  actionRoute('/certificates/certificates/cancel', 'cancel', Cancel, 'user', async (db, b, account, principal) => ({
    beneficiary: b.beneficiary ?? (await holderName(db, account, principal)),
    purpose: b.purpose,
  }));
  actionRoute('/certificates/certificates/claim', 'claim', Claim, 'user', async (db, b, account, principal) => ({
    consumer: b.consumer ?? (b.metering_point_id === undefined ? await holderName(db, account, principal) : undefined),
    metering_point_id: b.metering_point_id,
    period_start: b.period_start,
    period_end: b.period_end,
  }));
  actionRoute('/certificates/certificates/withdraw', 'withdraw', Filter, ['issuer'], nothing);
  actionRoute(
    ['/certificates/certificates/reseve', '/certificates/certificates/reserve'],
    'reserve',
    Reserve,
    'user',
    async (_db, b) => {
      if (b.target_registry !== undefined)
        throw refuse('target_registry', 'reserving for another registry is not served', 'value_error.not_served');
      return {};
    },
  );
}
