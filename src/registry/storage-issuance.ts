// Storage-discharge GCs (SD-GCs): certificates a storage device issues for energy it discharged,
// each from one allocation of a discharge record to a cancelled charge bundle (the storage module
// decides the allocations and their Wh). An SD-GC is an ordinary bundle: numbered from the storage
// device's own counter under its row lock like any issuance, with its own issuance row and event,
// and it inherits the charge bundle's energy source, production device and production hour.
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { unprocessable } from '../platform/errors.ts';
import { lockOpenAccount } from '../accounts/index.ts';
import { bundleView, type BundleView } from './bundles.ts';
import { readableDevice, refuseAfterDecommissioning } from './devices.ts';
import { advanceCounter, allocateIds } from './issuance.ts';
import { registry, type BundleRow, type DeviceRow } from './tables.ts';

const DAY_MS = 86_400_000;

/** The storage device, locked for the caller's transaction: every storage record of a device is written under this lock. */
export async function lockStorageDevice(
  trx: Db,
  principal: Principal,
  deviceId: number,
  field = 'body/device_id',
): Promise<DeviceRow> {
  const device = await readableDevice(trx, principal, deviceId, { forUpdate: true });
  if (device.device_type !== 'storage')
    throw unprocessable('not_a_storage_device', `device ${deviceId} is a production device`, field);
  return device;
}

/** One SD-GC to issue: the allocation it comes from, its Wh, and what it inherits. */
export interface DischargeIssue {
  storageAllocationId: number;
  sdrId: number;
  wh: number;
  /** The cancelled charge bundle the allocation draws on, with its production device (never an imported one). */
  charge: Pick<BundleView, 'energy_source' | 'production_starting_interval' | 'production_ending_interval'> & {
    device_id: number;
  };
  dischargingStart: Date;
  dischargingEnd: Date;
  efficiencyFactor: number;
}

/**
 * Issues SD-GCs into the storage device's account, for a device the caller's transaction locked
 * (lockStorageDevice). Each allocation is issued once: the issuance's unique storage_allocation_id
 * stands behind it. One `certificates.issued_from_storage` event carries the bundles as issued.
 */
export async function issueFromStorage(
  trx: Db,
  device: DeviceRow,
  items: DischargeIssue[],
  actorId: number | null,
  lifetimeDays: number,
  issuedAt: Date,
): Promise<BundleView[]> {
  if (device.issuance_metadata_id === null)
    throw unprocessable(
      'issuance_metadata_missing',
      `storage device ${device.id} has no issuance metadata; set it with PATCH /api/devices/${device.id}`,
    );
  const lastEnd = items.reduce<Date | undefined>(
    (latest, i) => (latest && latest >= i.dischargingEnd ? latest : i.dischargingEnd),
    undefined,
  );
  refuseAfterDecommissioning(device, lastEnd, 'discharged');
  await lockOpenAccount(trx, device.account_id);
  const { starts, next } = allocateIds(
    device,
    items.map((i) => i.wh),
  );
  const rows: BundleRow[] = [];
  for (const [k, item] of items.entries()) {
    const start = starts[k]!;
    const end = start + item.wh - 1;
    const productionStart = new Date(item.charge.production_starting_interval);
    const productionEnd = new Date(item.charge.production_ending_interval);
    const issuance = await registry(trx)
      .insertInto('issuances')
      .values({
        device_id: device.id,
        issuance_metadata_id: device.issuance_metadata_id,
        production_starting_interval: productionStart,
        production_ending_interval: productionEnd,
        bundle_quantity: item.wh,
        certificate_bundle_id_range_start: start,
        certificate_bundle_id_range_end: end,
        reissue_of_bundle_id: null,
        issued_by: actorId,
        issued_at: issuedAt,
        storage_allocation_id: item.storageAllocationId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const row = await registry(trx)
      .insertInto('bundles')
      .values({
        issuance_id: issuance.id,
        device_id: device.id,
        account_id: device.account_id,
        certificate_bundle_id_range_start: start,
        certificate_bundle_id_range_end: end,
        energy_source: item.charge.energy_source,
        production_starting_interval: productionStart,
        production_ending_interval: productionEnd,
        issuance_datestamp: issuedAt,
        // A discharge certificate lives as long after its discharge as any certificate after its production.
        expiry_datestamp: new Date(item.dischargingEnd.getTime() + lifetimeDays * DAY_MS),
        split_from_bundle_id: null,
        beneficiary: null,
        cancellation_purpose: null,
        cancelled_at: null,
        cancellation_statement_id: null,
        claim_consumer: null,
        claim_metering_point_id: null,
        claim_period_start: null,
        claim_period_end: null,
        claimed_at: null,
        charged_storage_device_id: null,
        origin_device_id: item.charge.device_id,
        sdr_id: item.sdrId,
        discharging_starting_interval: item.dischargingStart,
        discharging_ending_interval: item.dischargingEnd,
        storage_efficiency_factor: item.efficiencyFactor,
        updated_at: issuedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    rows.push(row);
  }
  await advanceCounter(trx, device, next);
  const bundles = rows.map(bundleView);
  await appendEvent(trx, {
    type: 'certificates.issued_from_storage',
    subject_type: 'device',
    subject_id: device.id,
    account_ids: [device.account_id],
    actor_id: actorId,
    payload: { device_id: device.id, sdr_ids: [...new Set(items.map((i) => i.sdrId))], bundles },
  });
  return bundles;
}

/** What was issued from one allocation: its SD-GC bundles and the Wh of them not withdrawn. */
export interface IssuedFromAllocation {
  bundleIds: number[];
  liveWh: number;
}

/** The SD-GCs issued from each of these allocations (absent: never issued), split bundles included. */
export async function issuedFromAllocations(
  db: Db,
  allocationIds: number[],
): Promise<Map<number, IssuedFromAllocation>> {
  const issued = new Map<number, IssuedFromAllocation>();
  if (allocationIds.length === 0) return issued;
  const rows = await registry(db)
    .selectFrom('issuances as i')
    .innerJoin('bundles as b', 'b.issuance_id', 'i.id')
    .select(['i.storage_allocation_id', 'b.id', 'b.bundle_quantity', 'b.certificate_bundle_status'])
    .where('i.storage_allocation_id', 'in', allocationIds)
    .orderBy('b.id')
    .execute();
  for (const r of rows) {
    const id = r.storage_allocation_id!;
    const entry = issued.get(id) ?? { bundleIds: [], liveWh: 0 };
    entry.bundleIds.push(r.id);
    if (r.certificate_bundle_status !== 'withdrawn') entry.liveWh += r.bundle_quantity;
    issued.set(id, entry);
  }
  return issued;
}
