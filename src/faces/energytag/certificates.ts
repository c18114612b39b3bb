// The draft's certificate operations onto the registry: create (issuance), query, and the actions
// transfer, cancel, claim, withdraw and reserve (under the draft's misspelt `reseve` and the correct
// `reserve`). The draft acts on the bundles a filter selects; Tally acts on bundle ids. So every
// action queries with the registry's own query (and its access rule), then acts on what it found
// with the registry's own action, which locks those bundles and checks every rule again.
import { type Static, Type } from 'typebox';
import { getAccount } from '../../accounts/index.ts';
import type { Db } from '../../platform/database.ts';
import type { Principal } from '../../platform/principal.ts';
import {
  ACTION_RULES,
  type Action,
  type ActionRequests,
  type BundleDetail,
  type BundleView,
  type DeviceView,
  getBundle,
  getDevice,
  type ImportedIssuanceView,
  type IssuanceMetadataView,
  type IssuanceRequest,
  issueCertificates,
  performAction,
  queryBundles,
} from '../../registry/index.ts';
import type { Face } from './face.ts';
import { readUuid, uuidOf } from './ids.ts';
import { dateOf, entityId, every, Uuid } from './shapes.ts';
import { draftStatus, refuse, tallySource, tallyStatus } from './wire.ts';

const Time = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** The filter every certificate action and the query take (the draft's GranularCertificateQuery). */
const filter = {
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
const Filter = Type.Object(filter);
type Filter = Static<typeof Filter>;

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

type Origin = Pick<BundleDetail, 'device' | 'issuance_metadata' | 'imported_from'>;

/** Where a bundle of a Tally device comes from: its device and the metadata it was issued with. */
function deviceOrigin(b: BundleView, d: DeviceView, m: IssuanceMetadataView) {
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
    device_type: d.device_type,
    ...metadataOf(m),
    ...present({ beneficiary: b.beneficiary }),
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
  const { device: d, issuance_metadata: m, imported_from: o } = from;
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
    ...(o ? importedOrigin(b, o) : deviceOrigin(b, d!, m!)),
  };
}

/** Bundles as the draft shows them; one registry read per issuance for its device and metadata. */
async function bundlesRead(db: Db, principal: Principal, bundles: BundleView[]) {
  const origins = new Map<number, Origin>();
  const out = [];
  for (const b of bundles) {
    let origin = origins.get(b.issuance_id);
    if (!origin) {
      origin = await getBundle(db, principal, b.id);
      origins.set(b.issuance_id, origin);
    }
    out.push(bundleRead(b, origin));
  }
  return out;
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
 * What a filter selects: the account, its bundles in the order they are acted on, and the Wh a range
 * asks. For an action, only bundles in a status it acts on: "cancel from this account" means its
 * live certificates, not also those it cancelled or withdrew before (the registry refuses a batch
 * holding one of those whole).
 */
async function select(db: Db, principal: Principal, f: Filter, action?: Action) {
  const account = entityId('account', f.source_id, ['body', 'source_id']);
  if (f.user_id !== undefined && f.user_id.toLowerCase() !== uuidOf('user', principal.userId))
    throw refuse('user_id', 'the acting user is the one the token names', 'value_error.user_id');
  // "Overrides all other search criteria."
  if (f.sparse_filter_list !== undefined)
    return {
      account,
      bundles: await sparse(db, principal, account, f.sparse_filter_list),
      quantity: f.certificate_quantity,
    };
  const asked = f.certificate_bundle_status === undefined ? undefined : tallyStatus(f.certificate_bundle_status);
  if (f.certificate_bundle_status !== undefined && asked === undefined)
    throw refuse(
      'certificate_bundle_status',
      'one of Active, Reserved, Locked, Cancelled, Claimed, Withdrawn, Expired',
    );
  const actionable = action === undefined ? undefined : ACTION_RULES[action].from;
  if (asked !== undefined && actionable !== undefined && !actionable.includes(asked))
    throw refuse(
      'certificate_bundle_status',
      `${action} acts on ${actionable.map(draftStatus).join(' or ')} certificates`,
    );
  const statuses = asked ?? (actionable === undefined ? undefined : [...actionable]);
  const sources = f.energy_source?.map((s, k) => {
    const source = tallySource(s);
    if (source === undefined) throw refuse(['body', 'energy_source', k], 'unknown energy source');
    return source;
  });
  const start = f.source_certificate_certificate_bundle_id_range_start;
  const end = f.source_certificate_certificate_bundle_id_range_end;
  if ((start !== undefined || end !== undefined) && f.source_certificate_issuance_id === undefined)
    throw refuse('source_certificate_issuance_id', 'a range of certificate ids is read within an issuance');
  if (start !== undefined && end !== undefined && end < start)
    throw refuse('source_certificate_certificate_bundle_id_range_end', 'the range ends before it starts');
  let bundles = await every((page) =>
    queryBundles(
      db,
      principal,
      {
        source_id: account,
        device_id: f.id === undefined ? undefined : entityId('device', f.id, ['body', 'id']),
        energy_source: sources,
        certificate_bundle_status: statuses,
        certificate_period_start: f.certificate_period_start,
        certificate_period_end: f.certificate_period_end,
        issuance_id:
          f.source_certificate_issuance_id === undefined
            ? undefined
            : entityId('issuance', f.source_certificate_issuance_id, ['body', 'source_certificate_issuance_id']),
      },
      page,
    ),
  );
  let rangeWh: number | undefined;
  if (start !== undefined || end !== undefined) {
    const lo = start ?? 1;
    const hi = end ?? Number.MAX_SAFE_INTEGER;
    bundles = bundles
      .filter((b) => b.certificate_bundle_id_range_end >= lo && b.certificate_bundle_id_range_start <= hi)
      .sort((a, b) => a.certificate_bundle_id_range_start - b.certificate_bundle_id_range_start);
    // Tally splits a bundle at its lowest ids: a range starts where a held bundle starts, or in a gap.
    const first = bundles[0];
    if (first && first.certificate_bundle_id_range_start < lo) {
      const ids = `${first.certificate_bundle_id_range_start}–${first.certificate_bundle_id_range_end}`;
      throw refuse(
        'source_certificate_certificate_bundle_id_range_start',
        `the range starts inside a bundle (ids ${ids}); start it at the bundle's first id`,
      );
    }
    rangeWh = bundles.reduce(
      (wh, b) => wh + Math.min(b.certificate_bundle_id_range_end, hi) - b.certificate_bundle_id_range_start + 1,
      0,
    );
  }
  // A quantity within a range takes its lowest ids; it never reaches past the range.
  if (rangeWh !== undefined && f.certificate_quantity !== undefined && f.certificate_quantity > rangeWh)
    throw refuse('certificate_quantity', `the range holds ${rangeWh} Wh of the account's certificates`);
  return { account, bundles, quantity: f.certificate_quantity ?? rangeWh };
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
const answer = (f: Filter, requested: Date, completed: Date, account: number) => ({
  ...f,
  source_id: uuidOf('account', account),
  action_response_status: 'accepted',
  action_request_datetime: requested.toISOString(),
  action_completed_datetime: completed.toISOString(),
});

type Extra<A extends keyof ActionRequests> = Omit<
  ActionRequests[A],
  'source_id' | 'granular_certificate_bundle_ids' | 'certificate_quantity'
>;

export function certificateRoutes(face: Face): void {
  const { ctx } = face;
  const db = ctx.database.kysely;
  const lifetime = ctx.config.certificateLifetimeDays;

  face.route({
    method: 'POST',
    path: '/certificates/certificates/create',
    access: ['issuer'],
    status: 201,
    body: BundleBase,
    handler: async ({ body, caller }) => {
      const bundles = await issueCertificates(
        db,
        caller(),
        await issuanceOf(db, caller(), body),
        lifetime,
        ctx.clock.now(),
      );
      const [issued] = await bundlesRead(db, caller(), bundles);
      return issued;
    },
  });

  face.route({
    method: 'GET',
    path: '/certificates/certificates/query',
    access: 'user',
    status: 202,
    query: Filter,
    bodyOnGet: true,
    handler: async ({ query, caller }) => {
      const requested = ctx.clock.now();
      const { account, bundles } = await select(db, caller(), query);
      return {
        ...answer(query, requested, ctx.clock.now(), account),
        filtered_certificate_bundles: await bundlesRead(db, caller(), bundles),
      };
    },
  });

  /** One action's route: the filter selects, `extra` adds the action's own fields, the registry acts. */
  function actionRoute<A extends keyof ActionRequests, B extends typeof Filter>(
    paths: string | readonly string[],
    action: A,
    body: B,
    access: 'user' | ['issuer'],
    extra: (body: Static<B>, account: number, principal: Principal) => Promise<Extra<A>>,
  ) {
    face.route({
      method: 'POST',
      path: paths,
      access,
      status: 202,
      body,
      handler: async (call) => {
        const { caller } = call;
        // Validated by `body`: the route's generic type does not narrow past undefined.
        const body = call.body as Static<B>;
        const requested = ctx.clock.now();
        const { account, bundles, quantity } = await select(db, caller(), body, action);
        if (bundles.length === 0)
          throw refuse(['body'], 'no certificates of the account match', 'value_error.no_match');
        const result = await performAction(
          db,
          caller(),
          action,
          {
            source_id: account,
            granular_certificate_bundle_ids: bundles.map((b) => b.id),
            certificate_quantity: quantity,
            ...(await extra(body, account, caller())),
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

  const holder = async (account: number, principal: Principal) =>
    (await getAccount(db, principal, account)).account_name;
  const nothing = async () => ({});

  actionRoute('/certificates/certificates/transfer', 'transfer', Transfer, 'user', async (b) => ({
    target_id: entityId('account', b.target_id, ['body', 'target_id']),
  }));
  // "If not specified, the Account holder is treated as the Beneficiary."
  actionRoute('/certificates/certificates/cancel', 'cancel', Cancel, 'user', async (b, account, principal) => ({
    beneficiary: b.beneficiary ?? (await holder(account, principal)),
    purpose: b.purpose,
  }));
  actionRoute('/certificates/certificates/claim', 'claim', Claim, 'user', async (b, account, principal) => ({
    consumer: b.consumer ?? (b.metering_point_id === undefined ? await holder(account, principal) : undefined),
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
    async (b) => {
      if (b.target_registry !== undefined)
        throw refuse('target_registry', 'reserving for another registry is not served', 'value_error.not_served');
      return {};
    },
  );
}
