// Production and storage devices, with their issuance metadata kept as versions.
import type { Updateable } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { technologyLabel } from '../metering/index.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, forbidden } from '../platform/errors.ts';
import { checkTimeZone } from '../platform/time-zone.ts';
import { afterId, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { readableAccountIds, readableInAccount, registrableAccount } from '../accounts/index.ts';
import { SOURCE_OF_LABEL } from './energy-source.ts';
import { registry, type DeviceRow, type DevicesTable, type EnergySource, type IssuanceMetadataRow } from './tables.ts';
import type {
  Device,
  DeviceChange as DeviceChangeSchema,
  IssuanceMetadata,
  IssuanceMetadataInput as IssuanceMetadataInputSchema,
  NewDevice as NewDeviceSchema,
} from './schemas.ts';

/** What a device is registered with, and the issuance metadata a registration or a change sets. */
export type NewDevice = Static<typeof NewDeviceSchema>;
export type IssuanceMetadataInput = Static<typeof IssuanceMetadataInputSchema>;

/** A metadata version and a device as the API shows them: the static types of their schemas. */
export type IssuanceMetadataView = Static<typeof IssuanceMetadata>;
export type DeviceView = Static<typeof Device>;

export function metadataView(m: IssuanceMetadataRow): IssuanceMetadataView {
  const { device_id: _d, created_at, ...rest } = m;
  return { ...rest, created_at: created_at.toISOString() };
}

async function view(db: Db, d: DeviceRow): Promise<DeviceView> {
  const meta =
    d.issuance_metadata_id === null
      ? undefined
      : await registry(db)
          .selectFrom('issuance_metadata')
          .selectAll()
          .where('id', '=', d.issuance_metadata_id)
          .executeTakeFirst();
  return {
    id: d.id,
    account_id: d.account_id,
    device_name: d.device_name,
    device_type: d.device_type,
    technology_code: d.technology_code,
    fuel_code: d.fuel_code,
    technology_label: d.technology_label,
    energy_source: d.energy_source,
    capacity: d.capacity,
    operational_date: d.operational_date.toISOString().slice(0, 10),
    country: d.country,
    grid: d.grid,
    location: { latitude: d.latitude, longitude: d.longitude },
    time_zone: d.time_zone,
    next_certificate_id: d.next_certificate_id,
    auto_issue: d.auto_issue,
    issuance_metadata: meta ? metadataView(meta) : null,
    decommissioned_at: d.decommissioned_at?.toISOString() ?? null,
    created_at: d.created_at.toISOString(),
    updated_at: d.updated_at.toISOString(),
  };
}

/** Technology label and energy source of a device, checked against the EECS table. */
function classify(input: NewDevice): { label: string | null; source: EnergySource } {
  if ((input.device_type ?? 'production') === 'storage') {
    if (
      input.energy_source !== undefined &&
      input.energy_source !== 'battery_storage' &&
      input.energy_source !== 'hydro'
    ) {
      throw badRequest(
        'invalid_energy_source',
        'a storage device stores battery_storage or hydro (pumped) energy',
        'body/energy_source',
      );
    }
    return { label: null, source: input.energy_source ?? 'battery_storage' };
  }
  if (input.technology_code === undefined)
    throw badRequest(
      'technology_code_required',
      'a production device needs an EECS technology_code',
      'body/technology_code',
    );
  if (input.fuel_code === undefined)
    throw badRequest('fuel_code_required', 'a production device needs an EECS fuel_code', 'body/fuel_code');
  const label = technologyLabel(input.technology_code, input.fuel_code);
  if (!label)
    throw badRequest(
      'unknown_technology',
      `no EECS technology ${input.technology_code} with fuel ${input.fuel_code}; see GET /api/technologies`,
      'body/technology_code',
    );
  const source = SOURCE_OF_LABEL[label];
  if (input.energy_source !== undefined && input.energy_source !== source) {
    throw badRequest(
      'energy_source_mismatch',
      `technology ${input.technology_code}/${input.fuel_code} is ${label}, so energy_source must be ${source}`,
      'body/energy_source',
    );
  }
  return { label, source };
}

async function insertMetadata(db: Db, device: DeviceRow, m: IssuanceMetadataInput): Promise<number> {
  const row = await registry(db)
    .insertInto('issuance_metadata')
    .values({
      device_id: device.id,
      country_of_issuance: m.country_of_issuance ?? device.country,
      connected_grid_identification: m.connected_grid_identification ?? device.grid,
      issuing_body: m.issuing_body,
      legal_status: m.legal_status ?? null,
      issuance_purpose: m.issuance_purpose ?? null,
      support_received: m.support_received ?? null,
      quality_scheme_reference: m.quality_scheme_reference ?? null,
      dissemination_level: m.dissemination_level ?? null,
      issue_market_zone: m.issue_market_zone ?? device.grid,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await registry(db).updateTable('devices').set({ issuance_metadata_id: row.id }).where('id', '=', device.id).execute();
  return row.id;
}

export async function createDevice(
  db: Db,
  principal: Principal,
  input: NewDevice,
  certificateIdStart: number,
): Promise<DeviceView> {
  checkTimeZone(input.time_zone, 'body/time_zone');
  const { label, source } = classify(input);
  if (Number.isNaN(Date.parse(input.operational_date)))
    throw badRequest('invalid_date', 'operational_date is not a date', 'body/operational_date');
  return db.transaction().execute(async (trx) => {
    await registrableAccount(trx, principal, input.account_id);
    const row = await registry(trx)
      .insertInto('devices')
      .values({
        account_id: input.account_id,
        device_name: input.device_name,
        device_type: input.device_type ?? 'production',
        technology_code: input.technology_code ?? null,
        fuel_code: input.fuel_code ?? null,
        technology_label: label,
        energy_source: source,
        capacity: input.capacity,
        operational_date: input.operational_date,
        latitude: input.location.latitude,
        longitude: input.location.longitude,
        grid: input.grid,
        country: input.country,
        time_zone: input.time_zone,
        next_certificate_id: certificateIdStart,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (input.issuance_metadata) row.issuance_metadata_id = await insertMetadata(trx, row, input.issuance_metadata);
    const device = await view(trx, row);
    await appendEvent(trx, {
      type: 'device.created',
      subject_type: 'device',
      subject_id: row.id,
      account_ids: [row.account_id],
      actor_id: principal.userId,
      payload: device,
    });
    return device;
  });
}

/** The device row, if the caller may read its account. */
export async function readableDevice(
  db: Db,
  principal: Principal,
  id: number,
  opts: { forUpdate?: boolean } = {},
): Promise<DeviceRow> {
  let query = registry(db).selectFrom('devices').selectAll().where('id', '=', id);
  if (opts.forUpdate) query = query.forUpdate();
  return readableInAccount(db, principal, await query.executeTakeFirst(), 'device', id);
}

/**
 * Holds a device row against change (FOR KEY SHARE, what linking a point to it takes anyway),
 * before the caller locks any of its points: issuance locks a device and then its points, so a
 * link taken in the other order could deadlock with it.
 */
export async function holdDevice(db: Db, id: number): Promise<void> {
  await registry(db).selectFrom('devices').select('id').where('id', '=', id).forKeyShare().execute();
}

export async function getDevice(db: Db, principal: Principal, id: number): Promise<DeviceView> {
  return view(db, await readableDevice(db, principal, id));
}

/** A device for a reader already entitled to it by other means (the holder of one of its bundles). */
export async function deviceOfBundle(db: Db, deviceId: number): Promise<DeviceView> {
  return view(
    db,
    await registry(db).selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow(),
  );
}

export async function listDevices(
  db: Db,
  principal: Principal,
  filter: { account_id?: number | undefined },
  page: PageRequest,
): Promise<Page<DeviceView>> {
  const visible = await readableAccountIds(db, principal);
  let query = registry(db).selectFrom('devices').selectAll();
  if (visible !== undefined) query = query.where('account_id', 'in', visible.length ? visible : [0]);
  if (filter.account_id !== undefined) query = query.where('account_id', '=', filter.account_id);
  query = query.where('id', '>', afterId(page));
  const rows = await query
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  const found = pageOf(rows, page.limit);
  return { items: await Promise.all(found.items.map((r) => view(db, r))), next_cursor: found.next_cursor };
}

export type DeviceChange = Static<typeof DeviceChangeSchema>;

/**
 * Renames, re-rates or sets new issuance metadata; certificates already issued keep the version
 * they were issued with. Capacity and automatic issuance are the issuing body's to set: capacity
 * bounds what may be issued, and automatic issuance issues without anyone asking, so a holder who
 * could change either would issue to itself.
 */
export async function updateDevice(
  db: Db,
  principal: Principal,
  id: number,
  change: DeviceChange,
  now: Date,
): Promise<DeviceView> {
  return db.transaction().execute((trx) => changeDevice(trx, principal, id, change, now));
}

/** updateDevice inside the caller's transaction, for a change that spans modules (linking a metering point). */
export async function changeDevice(
  trx: Db,
  principal: Principal,
  id: number,
  change: DeviceChange,
  now: Date,
): Promise<DeviceView> {
  const before = await readableDevice(trx, principal, id, { forUpdate: true });
  await registrableAccount(trx, principal, before.account_id);
  refuseDecommissioned(before, 'a decommissioned device is not changed');
  const issuing = principal.role === 'issuer' || principal.role === 'admin';
  if (!issuing && change.capacity !== undefined)
    throw forbidden('role_required', "only an issuing body changes a device's capacity");
  if (!issuing && change.auto_issue === true)
    throw forbidden('role_required', 'only an issuing body turns automatic issuance on');
  const set: Updateable<DevicesTable> = { updated_at: now };
  if (change.device_name !== undefined) set.device_name = change.device_name;
  if (change.capacity !== undefined) set.capacity = change.capacity;
  if (change.auto_issue !== undefined) set.auto_issue = change.auto_issue;
  const row = await registry(trx)
    .updateTable('devices')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (change.issuance_metadata) row.issuance_metadata_id = await insertMetadata(trx, row, change.issuance_metadata);
  const device = await view(trx, row);
  await appendEvent(trx, {
    type: 'device.updated',
    subject_type: 'device',
    subject_id: id,
    account_ids: [row.account_id],
    actor_id: principal.userId,
    payload: device,
  });
  return device;
}

/** Refuses to go on with a device that is decommissioned, saying what would have been done. */
/**
 * A decommissioned device has nothing issued for energy after the instant it was decommissioned
 * (`produced` by a production device, `discharged` by a storage one); `end` is the latest interval end.
 */
export function refuseAfterDecommissioning(device: DeviceRow, end: Date | undefined, energy: string): void {
  if (end && device.decommissioned_at !== null && end > device.decommissioned_at)
    refuseDecommissioned(device, `nothing ${energy} after that is issued (${end.toISOString()})`);
}

export function refuseDecommissioned(device: DeviceRow, what: string): void {
  if (device.decommissioned_at !== null)
    throw conflict(
      'device_decommissioned',
      `device ${device.id} was decommissioned at ${device.decommissioned_at.toISOString()}: ${what}`,
    );
}

/**
 * Decommissions a device: from `now` on nothing it produces is issued (hours before stay
 * issuable, late readings included) and automatic issuance stops. The device stays, with its
 * certificates, readings and events. Its holders or an issuing body do it; again, it changes nothing.
 */
export async function decommissionDevice(db: Db, principal: Principal, id: number, now: Date): Promise<DeviceView> {
  return db.transaction().execute(async (trx) => {
    const before = await readableDevice(trx, principal, id, { forUpdate: true });
    await registrableAccount(trx, principal, before.account_id);
    if (before.decommissioned_at !== null) return view(trx, before);
    const row = await registry(trx)
      .updateTable('devices')
      .set({ decommissioned_at: now, auto_issue: false, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const device = await view(trx, row);
    await appendEvent(trx, {
      type: 'device.decommissioned',
      subject_type: 'device',
      subject_id: id,
      account_ids: [row.account_id],
      actor_id: principal.userId,
      payload: device,
    });
    return device;
  });
}
