// The draft's storage operations (27–34) onto the storage module: SCRs and SDRs created, queried,
// described and withdrawn, and SD-GCs issued. An SCR is backed by the bundles of one issuance and
// id range (the draft's one-to-one suggestion), cancelled to the storage device through the
// registry's own cancel; an SDR is allocated from backed charge when it is created. Records are
// shown under UUIDs of kinds `scr` and `sdr`; docs/energytag-conformance.md lists every deviation.
import { type Static, Type } from 'typebox';
import type { Db } from '../../platform/database.ts';
import type { Principal } from '../../platform/principal.ts';
import { getDevice, queryBundles } from '../../registry/index.ts';
import {
  ALLOCATION_METHODOLOGIES,
  type ChargeRecordView,
  createChargeRecord,
  createDischargeRecord,
  type DischargeRecordView,
  getDischargeRecord,
  issueDischargeCertificates,
  listChargeRecords,
  listDischargeRecords,
  updateChargeRecord,
  updateDischargeRecord,
  withdrawRecords,
} from '../../storage/index.ts';
import { bundlesRead } from './certificates.ts';
import type { Face } from './face.ts';
import { readUuid, uuidOf } from './ids.ts';
import { entityId, every, Uuid } from './shapes.ts';
import { refuse, tallySource } from './wire.ts';

const Time = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
/** The nil UUID: what the draft's required references hold when there is nothing to refer to yet. */
const NIL = '00000000-0000-0000-0000-000000000000';

/** The storage device of a create: the draft's collapsed `id` ("Device Id"), or Tally's `device_id`. */
const device = { id: Type.Optional(Uuid), device_id: Type.Optional(Uuid) };
function storageDevice(body: { id?: string | undefined; device_id?: string | undefined }): number {
  const field = body.device_id !== undefined ? 'device_id' : 'id';
  const uuid = body.device_id ?? body.id;
  if (uuid === undefined) throw refuse('id', 'the storage device (a device id)', 'value_error.missing');
  return entityId('device', uuid, ['body', field]);
}

const ScrBase = Type.Object({
  ...device,
  charging_start_datetime: Time,
  charging_end_datetime: Time,
  charging_energy: Count,
  charging_energy_source: Type.Optional(Type.String()),
  gc_issuance_id: Type.Optional(Uuid),
  granular_certificate_certificate_bundle_id_range_start: Type.Optional(Count),
  granular_certificate_certificate_bundle_id_range_end: Type.Optional(Count),
  scr_geographic_matching_method: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  /** Tally's extension: the account holding the certificates (default: the storage device's). */
  source_id: Type.Optional(Uuid),
  validator_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

const SdrBase = Type.Object({
  ...device,
  discharging_start_datetime: Time,
  discharging_end_datetime: Time,
  discharge_energy: Type.Number(),
  charging_energy_source: Type.Optional(Type.String()),
  scr_allocation_methodology: Type.Optional(Type.String()),
  efficiency_factor_methodology: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  efficiency_factor_interval_start: Type.Optional(Time),
  efficiency_factor_interval_end: Type.Optional(Time),
  storage_efficiency_factor: Type.Optional(Type.Number()),
  validator_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

/** The draft's StorageAction: the filter every query, withdrawal and update takes. */
const filter = {
  /** The account (the draft requires it; its second `source_id`, the user, is `user_id`). */
  source_id: Uuid,
  /** The acting user, when given: must be the caller. */
  user_id: Type.Optional(Uuid),
  storage_id: Type.Optional(Uuid),
  charging_period_start: Type.Optional(Time),
  charging_period_end: Type.Optional(Time),
  source_allocation_id: Type.Optional(Uuid),
  storage_energy_source: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
  sparse_filter_list: Type.Optional(Type.Record(Type.String(), Time, { maxProperties: 1000 })),
  // Filled by the registry, never by the caller: read and ignored.
  action_id: Type.Optional(Uuid),
  action_request_datetime: Type.Optional(Time),
  action_completed_datetime: Type.Optional(Time),
  action_response_status: Type.Optional(Type.String()),
};
const Filter = Type.Object(filter);
type Filter = Static<typeof Filter>;

/** What update_mutables may change: each record's description, nothing else (decision 11). */
const MUTABLE = { scr: 'scr_geographic_matching_method', sdr: 'efficiency_factor_methodology' } as const;
const Mutables = Type.Object({
  ...filter,
  scr_geographic_matching_method: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  efficiency_factor_methodology: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
});
/** Fields of a record that never change through update_mutables, and why. */
const IMMUTABLE: Record<string, string> = {
  id: 'a record stays with its storage device and account',
  account_id: 'a record stays in its storage device’s account',
  status: 'a record’s status changes only by withdraw_scr or withdraw_sdr',
  charging_start_datetime: 'what was metered is withdrawn and recorded again, never rewritten',
  charging_end_datetime: 'what was metered is withdrawn and recorded again, never rewritten',
  charging_energy: 'what was metered is withdrawn and recorded again, never rewritten',
  charging_energy_source: 'the energy source is the backing certificates’',
  discharging_start_datetime: 'what was metered is withdrawn and recorded again, never rewritten',
  discharging_end_datetime: 'what was metered is withdrawn and recorded again, never rewritten',
  discharge_energy: 'what was metered is withdrawn and recorded again, never rewritten',
  gc_issuance_id: 'the backing certificates were cancelled to the storage device for good',
  granular_certificate_certificate_bundle_id_range_start: 'the backing certificates were cancelled for good',
  granular_certificate_certificate_bundle_id_range_end: 'the backing certificates were cancelled for good',
  scr_allocation_id: 'allocations change only by withdrawing a record',
  sdr_allocation_id: 'allocations change only by withdrawing a record',
  scr_allocation_methodology: 'the allocation order is fixed once recorded, so it cannot be gamed',
  efficiency_factor_interval_start: 'the efficiency was measured over this period when recorded',
  efficiency_factor_interval_end: 'the efficiency was measured over this period when recorded',
  storage_efficiency_factor: 'the efficiency was measured when recorded',
};

/** The draft's StorageChargeRecord: the first backing bundle in its one-to-one fields, all of them in Tally's `backings`. */
function scrRead(r: ChargeRecordView, sdr?: number) {
  const first = r.backings[0];
  return {
    id: uuidOf('device', r.device_id),
    account_id: uuidOf('account', r.account_id),
    scr_allocation_id: uuidOf('scr', r.id),
    charging_start_datetime: r.charging_start_datetime,
    charging_end_datetime: r.charging_end_datetime,
    charging_energy: r.charging_energy,
    charging_energy_source: first?.energy_source ?? 'unknown',
    gc_issuance_id: first ? uuidOf('issuance', first.issuance_id) : NIL,
    granular_certificate_certificate_bundle_id_range_start: first?.certificate_bundle_id_range_start ?? 0,
    granular_certificate_certificate_bundle_id_range_end: first?.certificate_bundle_id_range_end ?? 0,
    scr_geographic_matching_method: r.scr_geographic_matching_method,
    ...(sdr === undefined ? {} : { sdr_allocation_id: uuidOf('sdr', sdr) }),
    status: r.status,
    backed_wh: r.backed_wh,
    allocated_wh: r.allocated_wh,
    backings: r.backings.map((b) => ({
      bundle_id: uuidOf('bundle', b.bundle_id),
      issuance_id: uuidOf('issuance', b.issuance_id),
      device_id: uuidOf('device', b.device_id),
      certificate_bundle_id_range_start: b.certificate_bundle_id_range_start,
      certificate_bundle_id_range_end: b.certificate_bundle_id_range_end,
      wh: b.wh,
      energy_source: b.energy_source,
    })),
  };
}

/** The draft's StorageDischargeRecord: its first live allocation in the one-to-one fields, all of them in `allocations`. */
function sdrRead(r: DischargeRecordView) {
  const live = r.allocations.filter((a) => a.status === 'live');
  const first = live[0];
  return {
    id: uuidOf('device', r.device_id),
    account_id: uuidOf('account', r.account_id),
    sdr_allocation_id: uuidOf('sdr', r.id),
    scr_allocation_id: first ? uuidOf('scr', first.scr_id) : NIL,
    discharging_start_datetime: r.discharging_start_datetime,
    discharging_end_datetime: r.discharging_end_datetime,
    discharge_energy: r.discharge_energy,
    charging_energy_source: first?.energy_source ?? 'unknown',
    scr_allocation_methodology: r.scr_allocation_methodology,
    efficiency_factor_methodology: r.efficiency_factor_methodology,
    efficiency_factor_interval_start: r.efficiency_factor_interval_start,
    efficiency_factor_interval_end: r.efficiency_factor_interval_end,
    ...(r.storage_efficiency_factor === null ? {} : { storage_efficiency_factor: r.storage_efficiency_factor }),
    status: r.status,
    allocated_wh: r.allocated_wh,
    issued_wh: r.issued_wh,
    allocations: live.map((a) => ({
      scr_allocation_id: uuidOf('scr', a.scr_id),
      bundle_id: uuidOf('bundle', a.bundle_id),
      energy_source: a.energy_source,
      charge_wh: a.charge_wh,
      discharge_wh: a.discharge_wh,
      sdgc_bundle_ids: a.sdgc_bundle_ids.map((id) => uuidOf('bundle', id)),
    })),
  };
}

/** The bundles of one issuance and id range an SCR is backed by, in id order, and the Wh the range asks. */
async function backingOf(db: Db, principal: Principal, body: Static<typeof ScrBase>, account: number) {
  const start = body.granular_certificate_certificate_bundle_id_range_start;
  const end = body.granular_certificate_certificate_bundle_id_range_end;
  if (body.gc_issuance_id === undefined) {
    if (start !== undefined || end !== undefined)
      throw refuse('gc_issuance_id', 'a range of certificate ids is read within an issuance');
    return undefined;
  }
  const issuance = entityId('issuance', body.gc_issuance_id, ['body', 'gc_issuance_id']);
  const lo = start ?? 1;
  const hi = end ?? Number.MAX_SAFE_INTEGER;
  if (hi < lo) throw refuse('granular_certificate_certificate_bundle_id_range_end', 'the range ends before it starts');
  const bundles = (
    await every((page) =>
      queryBundles(
        db,
        principal,
        { source_id: account, issuance_id: issuance, certificate_bundle_status: ['active', 'reserved'] },
        page,
      ),
    )
  )
    .filter((b) => b.certificate_bundle_id_range_end >= lo && b.certificate_bundle_id_range_start <= hi)
    .sort((a, b) => a.certificate_bundle_id_range_start - b.certificate_bundle_id_range_start);
  const first = bundles[0];
  if (!first) throw refuse('gc_issuance_id', 'no active certificates of the account in this issuance and range');
  // Tally splits a bundle at its lowest ids: a range starts where a held bundle starts.
  if (first.certificate_bundle_id_range_start < lo)
    throw refuse(
      'granular_certificate_certificate_bundle_id_range_start',
      `the range starts inside a bundle (ids ${first.certificate_bundle_id_range_start}–${first.certificate_bundle_id_range_end})`,
    );
  const source = body.charging_energy_source;
  if (source !== undefined && bundles.some((b) => b.energy_source !== tallySource(source)))
    throw refuse('charging_energy_source', 'the energy source of the certificates cancelled to the storage device');
  const wh = bundles.reduce(
    (sum, b) => sum + Math.min(b.certificate_bundle_id_range_end, hi) - b.certificate_bundle_id_range_start + 1,
    0,
  );
  return { granular_certificate_bundle_ids: bundles.map((b) => b.id), certificate_quantity: wh };
}

/** The record ids a filter selects, of one kind, with the caller's read rights; answered in id order. */
async function select(db: Db, principal: Principal, kind: 'scr' | 'sdr', f: Filter) {
  if (f.user_id !== undefined && f.user_id.toLowerCase() !== uuidOf('user', principal.userId))
    throw refuse('user_id', 'the acting user is the one the token names', 'value_error.user_id');
  const account = entityId('account', f.source_id, ['body', 'source_id']);
  const named = f.source_allocation_id === undefined ? undefined : readUuid(f.source_allocation_id);
  if (f.source_allocation_id !== undefined && named?.kind !== kind)
    throw refuse('source_allocation_id', `not the id of an ${kind.toUpperCase()} of this registry`, 'value_error.uuid');
  const sources =
    f.storage_energy_source &&
    new Set<string>(
      f.storage_energy_source.map((s, k) => {
        const source = tallySource(s);
        if (source === undefined) throw refuse(['body', 'storage_energy_source', k], 'unknown energy source');
        return source;
      }),
    );
  const listed = {
    account_id: account,
    device_id: f.storage_id === undefined ? undefined : entityId('device', f.storage_id, ['body', 'storage_id']),
    from: f.charging_period_start,
    to: f.charging_period_end,
  };
  // "Overrides all other search criteria": device → a time its record's interval holds.
  const sparse = f.sparse_filter_list === undefined ? undefined : Object.entries(f.sparse_filter_list);
  const pairs = sparse?.map(([uuid, time]) => ({
    device: entityId('device', uuid, ['body', 'sparse_filter_list', uuid]),
    t: Date.parse(time),
  }));
  const holds = (deviceId: number, start: string, end: string) =>
    pairs!.some((p) => p.device === deviceId && Date.parse(start) <= p.t && p.t < Date.parse(end));
  if (kind === 'scr') {
    const records = await every((page) =>
      listChargeRecords(db, principal, pairs ? { account_id: account } : listed, page),
    );
    return {
      account,
      scrs: records.filter((r) =>
        pairs
          ? holds(r.device_id, r.charging_start_datetime, r.charging_end_datetime)
          : (named === undefined || r.id === named.id) &&
            (sources === undefined || r.backings.some((b) => sources.has(b.energy_source))),
      ),
      sdrs: [],
    };
  }
  const records = await every((page) =>
    listDischargeRecords(db, principal, pairs ? { account_id: account } : listed, page),
  );
  return {
    account,
    scrs: [],
    sdrs: records.filter((r) =>
      pairs
        ? holds(r.device_id, r.discharging_start_datetime, r.discharging_end_datetime)
        : (named === undefined || r.id === named.id) &&
          (sources === undefined || r.allocations.some((a) => sources.has(a.energy_source))),
    ),
  };
}

/** The draft's answer to a storage query or action: the filter as accepted and what the registry did. */
const answer = (f: Filter, requested: Date, completed: Date, account: number) => ({
  ...f,
  source_id: uuidOf('account', account),
  action_response_status: 'accepted',
  action_request_datetime: requested.toISOString(),
  action_completed_datetime: completed.toISOString(),
});

export function storageRoutes(face: Face): void {
  const { ctx } = face;
  const now = () => ctx.clock.now();

  face.route({
    method: 'POST',
    path: '/storage/storage/create_scr',
    access: 'user',
    status: 200,
    body: ScrBase,
    handler: async ({ body, caller, db }) => {
      const deviceId = storageDevice(body);
      const source =
        body.source_id === undefined ? undefined : entityId('account', body.source_id, ['body', 'source_id']);
      const record = await createChargeRecord(
        db,
        caller(),
        {
          device_id: deviceId,
          charging_start_datetime: body.charging_start_datetime,
          charging_end_datetime: body.charging_end_datetime,
          charging_energy: body.charging_energy,
          scr_geographic_matching_method: body.scr_geographic_matching_method,
          validator_id: body.validator_id,
          ...(await backingFor(db, caller(), deviceId, source, body)),
        },
        now(),
      );
      return scrRead(record);
    },
  });

  /** The backing a create_scr asks: the certificates of the account named, else of the storage device's. */
  async function backingFor(
    db: Db,
    principal: Principal,
    deviceId: number,
    source: number | undefined,
    body: Static<typeof ScrBase>,
  ) {
    if (body.gc_issuance_id === undefined && source === undefined) return {};
    const account = source ?? (await getDevice(db, principal, deviceId)).account_id;
    const backing = await backingOf(db, principal, body, account);
    return backing === undefined ? {} : { certificates: { source_id: account, ...backing } };
  }

  face.route({
    method: 'POST',
    path: '/storage/storage/create_sdr',
    access: 'user',
    status: 200,
    body: SdrBase,
    handler: async ({ body, caller, db }) => {
      const deviceId = storageDevice(body);
      if (!Number.isSafeInteger(body.discharge_energy) || body.discharge_energy < 1)
        throw refuse('discharge_energy', 'a whole number of Wh, at least 1');
      const methodology = body.scr_allocation_methodology?.trim().toUpperCase();
      if (methodology !== undefined && !(ALLOCATION_METHODOLOGIES as readonly string[]).includes(methodology))
        throw refuse('scr_allocation_methodology', `one of ${ALLOCATION_METHODOLOGIES.join(', ')}`);
      const factor = body.storage_efficiency_factor;
      if (factor !== undefined && !(factor > 0 && factor <= 1))
        throw refuse('storage_efficiency_factor', 'above 0 and at most 1');
      const record = await createDischargeRecord(
        db,
        caller(),
        {
          device_id: deviceId,
          discharging_start_datetime: body.discharging_start_datetime,
          discharging_end_datetime: body.discharging_end_datetime,
          discharge_energy: body.discharge_energy,
          scr_allocation_methodology: methodology as (typeof ALLOCATION_METHODOLOGIES)[number] | undefined,
          efficiency_factor_methodology: body.efficiency_factor_methodology,
          efficiency_factor_interval_start: body.efficiency_factor_interval_start,
          efficiency_factor_interval_end: body.efficiency_factor_interval_end,
          storage_efficiency_factor: factor,
          validator_id: body.validator_id,
        },
        now(),
      );
      return sdrRead(record);
    },
  });

  face.route({
    method: 'POST',
    path: '/storage/storage/issue_sdgc',
    access: 'user',
    status: 200,
    body: Type.Object({ sdr_allocation_id: Type.Optional(Uuid), bundle_quantity: Type.Optional(Count) }),
    handler: async ({ body, caller, db }) => {
      if (body.sdr_allocation_id === undefined)
        throw refuse(
          'sdr_allocation_id',
          'the SDR whose allocations the SD-GCs are issued from',
          'value_error.missing',
        );
      const sdr = entityId('sdr', body.sdr_allocation_id, ['body', 'sdr_allocation_id']);
      const record = await getDischargeRecord(db, caller(), sdr);
      const pending = record.allocations
        .filter((a) => a.status === 'live' && a.sdgc_bundle_ids.length === 0)
        .reduce((sum, a) => sum + a.discharge_wh, 0);
      if (body.bundle_quantity !== undefined && pending > 0 && body.bundle_quantity !== pending)
        throw refuse('bundle_quantity', `the SDR's allocations not issued yet hold ${pending} Wh`);
      const bundles = await issueDischargeCertificates(db, caller(), sdr, ctx.config.certificateLifetimeDays, now());
      const [first, ...rest] = await bundlesRead(db, bundles);
      // The draft answers one bundle; an SDR drawn on several charges issues one per charge.
      return { ...first, issued_bundle_ids: [first, ...rest].map((b) => b?.bundle_id) };
    },
  });

  for (const kind of ['scr', 'sdr'] as const) {
    face.route({
      method: 'GET',
      path: `/storage/storage/query_${kind}`,
      access: 'user',
      readOnly: true,
      status: 200,
      query: Filter,
      bodyOnGet: true,
      handler: async ({ query, caller, db }) => {
        const requested = now();
        const { account, scrs, sdrs } = await select(db, caller(), kind, query);
        return {
          ...answer(query, requested, now(), account),
          ...(kind === 'scr' ? { filtered_scrs: scrs.map((r) => scrRead(r)) } : { filtered_sdrs: sdrs.map(sdrRead) }),
        };
      },
    });

    face.route({
      method: 'POST',
      path: `/storage/storage/withdraw_${kind}`,
      access: ['issuer'],
      status: 200,
      body: Filter,
      handler: async ({ body, caller, db }) => {
        const requested = now();
        const { account, scrs, sdrs } = await select(db, caller(), kind, body);
        const ids = (kind === 'scr' ? scrs : sdrs).filter((r) => r.status === 'active').map((r) => r.id);
        if (ids.length === 0) throw refuse(['body'], `no live ${kind.toUpperCase()} matches`, 'value_error.no_match');
        await withdrawRecords(db, caller(), kind === 'scr' ? 'charge' : 'discharge', ids, now());
        return answer(body, requested, now(), account);
      },
    });
  }

  face.route({
    method: 'PATCH',
    path: '/storage/storage/update_mutables',
    access: 'user',
    status: 200,
    body: Mutables,
    handler: async ({ body, caller, request, db }) => {
      const requested = now();
      const sent = request.body as Record<string, unknown>;
      const fixed = Object.keys(sent).find((k) => Object.hasOwn(IMMUTABLE, k) && k !== 'source_allocation_id');
      if (fixed !== undefined) throw refuse(fixed, `immutable: ${IMMUTABLE[fixed]}`, 'value_error.immutable');
      const named = body.source_allocation_id === undefined ? undefined : readUuid(body.source_allocation_id);
      if (named?.kind !== 'scr' && named?.kind !== 'sdr')
        throw refuse('source_allocation_id', 'the SCR or SDR to change', 'value_error.uuid');
      const field = MUTABLE[named.kind];
      const value = body[field];
      const foreign = MUTABLE[named.kind === 'scr' ? 'sdr' : 'scr'];
      if (body[foreign] !== undefined) throw refuse(foreign, `not a field of an ${named.kind.toUpperCase()}`);
      if (value === undefined)
        throw refuse(field, `the ${named.kind.toUpperCase()}'s mutable field`, 'value_error.missing');
      const change = await (named.kind === 'scr'
        ? updateChargeRecord(db, caller(), named.id, { scr_geographic_matching_method: value }, now())
        : updateDischargeRecord(db, caller(), named.id, { efficiency_factor_methodology: value }, now()));
      return answer(body, requested, now(), change.account_id);
    },
  });
}
