// Storage Discharge Records: what a storage device discharged in one hour, the round-trip
// efficiency measured for it, its allocation from the charge backed before it (in its declared
// order, losses applied), and the SD-GCs issued from those allocations through the registry.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { badRequest, conflict, unprocessable } from '../platform/errors.ts';
import { appendEvent } from '../ledger/index.ts';
import { readableInAccount } from '../accounts/index.ts';
import {
  type BundleView,
  bundlesById,
  countIssued,
  issuedFromAllocations,
  issueFromStorage,
} from '../registry/index.ts';
import {
  type AvailableCharge,
  measuredEfficiencyPpm,
  type PlannedAllocation,
  planAllocation,
  PPM,
} from './allocation.ts';
import { dischargeViews, type DischargeRecordView } from './records.ts';
import { checkActive, checkRecordInterval, recordingDevice } from './rules.ts';
import type { NewDischargeRecord } from './schemas.ts';
import { type DischargeRecordRow, storage } from './tables.ts';

type Device = Awaited<ReturnType<typeof recordingDevice>>;

const DAY_MS = 86_400_000;
/** The EnergyTag Standard suggests measuring losses over at most six months: the default period. */
const EFFICIENCY_DAYS = 180;
export const STANDARD_METHODOLOGY = 'EnergyTag Standard: discharge ÷ charge over the period, at most 1';

/** Wh charged and discharged by the device's live records starting in [from, to). */
async function energyOver(
  trx: Db,
  deviceId: number,
  from: Date,
  to: Date,
): Promise<{ charged: number; discharged: number }> {
  const { rows } = await sql<{ charged: string | null; discharged: string | null }>`
    SELECT (SELECT sum(charging_energy) FROM storage_charge_records
            WHERE device_id = ${deviceId} AND status = 'active'
              AND charging_start_datetime >= ${from.toISOString()}::timestamptz
              AND charging_start_datetime < ${to.toISOString()}::timestamptz) AS charged,
           (SELECT sum(discharge_energy) FROM storage_discharge_records
            WHERE device_id = ${deviceId} AND status = 'active'
              AND discharging_start_datetime >= ${from.toISOString()}::timestamptz
              AND discharging_start_datetime < ${to.toISOString()}::timestamptz) AS discharged`.execute(trx);
  return { charged: Number(rows[0]?.charged ?? 0), discharged: Number(rows[0]?.discharged ?? 0) };
}

/**
 * Records a discharge under the locked device, once per device, interval start and validator, with
 * its efficiency: measured over its period (this discharge included), or declared, at most that.
 */
export async function insertDischargeRecord(
  trx: Db,
  principal: Principal,
  device: Device,
  input: Omit<NewDischargeRecord, 'device_id'>,
  now: Date,
  at = 'body',
): Promise<DischargeRecordRow> {
  const { start, end } = checkRecordInterval(
    new Date(input.discharging_start_datetime),
    new Date(input.discharging_end_datetime),
    now,
    { start: `${at}/discharging_start_datetime`, end: `${at}/discharging_end_datetime` },
  );
  const periodEnd = input.efficiency_factor_interval_end ? new Date(input.efficiency_factor_interval_end) : end;
  const periodStart = input.efficiency_factor_interval_start
    ? new Date(input.efficiency_factor_interval_start)
    : new Date(periodEnd.getTime() - EFFICIENCY_DAYS * DAY_MS);
  if (periodEnd <= periodStart)
    throw badRequest(
      'reversed_period',
      'the efficiency period ends before it starts',
      `${at}/efficiency_factor_interval_end`,
    );
  if (periodEnd > now)
    throw unprocessable(
      'future_interval',
      'efficiency is measured over a period that is over',
      `${at}/efficiency_factor_interval_end`,
    );
  let twin = storage(trx)
    .selectFrom('storage_discharge_records')
    .select('id')
    .where('device_id', '=', device.id)
    .where('discharging_start_datetime', '=', start)
    .where('status', '=', 'active');
  twin =
    input.validator_id === undefined
      ? twin.where('validator_id', 'is', null)
      : twin.where('validator_id', '=', input.validator_id);
  const existing = await twin.executeTakeFirst();
  if (existing)
    throw conflict(
      'already_recorded',
      `storage device ${device.id} already has discharge record ${existing.id} from ${start.toISOString()}` +
        (input.validator_id === undefined ? '' : ` by validator ${input.validator_id}`),
    );
  const energy = await energyOver(trx, device.id, periodStart, periodEnd);
  const inPeriod = start >= periodStart && start < periodEnd;
  const measured = measuredEfficiencyPpm(energy.charged, energy.discharged + (inPeriod ? input.discharge_energy : 0));
  let ppm = measured;
  if (input.storage_efficiency_factor !== undefined) {
    const declared = Math.floor(input.storage_efficiency_factor * PPM);
    if (measured === undefined || declared > measured)
      throw unprocessable(
        'efficiency_above_measured',
        `the measured efficiency over the period is ${measured === undefined ? 'unknown (nothing charged)' : measured / PPM}`,
        `${at}/storage_efficiency_factor`,
      );
    ppm = declared > 0 ? declared : undefined;
  }
  const row = await storage(trx)
    .insertInto('storage_discharge_records')
    .values({
      device_id: device.id,
      account_id: device.account_id,
      discharging_start_datetime: start,
      discharging_end_datetime: end,
      discharge_energy: input.discharge_energy,
      scr_allocation_methodology: input.scr_allocation_methodology ?? 'FIFO',
      efficiency_factor_methodology: input.efficiency_factor_methodology ?? STANDARD_METHODOLOGY,
      efficiency_factor_interval_start: periodStart,
      efficiency_factor_interval_end: periodEnd,
      efficiency_ppm: ppm ?? null,
      validator_id: input.validator_id ?? null,
      created_by: principal.userId,
      created_at: now,
      withdrawn_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    type: 'storage.discharge_recorded',
    subject_type: 'storage_discharge_record',
    subject_id: row.id,
    account_ids: [row.account_id],
    actor_id: principal.userId,
    payload: row,
  });
  return row;
}

/**
 * Charge of the device free to allocate to the discharge: each backing bundle of a live charge
 * record that ended before the discharge began, less what live allocations took, in the record's
 * order; only the pieces of one charge record (and one bundle of it) when `only` says so.
 */
async function availableCharge(
  trx: Db,
  record: DischargeRecordRow,
  only?: { scrId: number; bundleId?: number | undefined },
): Promise<AvailableCharge[]> {
  const newestFirst = record.scr_allocation_methodology === 'LIFO';
  const { rows } = await sql<{ scr_id: number; bundle_id: number; free: string }>`
    SELECT b.scr_id, b.bundle_id, b.wh - coalesce(sum(a.charge_wh) FILTER (WHERE a.status = 'live'), 0) AS free
    FROM storage_charge_backings b
    JOIN storage_charge_records c ON c.id = b.scr_id
    LEFT JOIN storage_allocations a ON a.bundle_id = b.bundle_id
    WHERE c.device_id = ${record.device_id} AND c.status = 'active'
      AND c.charging_end_datetime <= ${record.discharging_start_datetime.toISOString()}::timestamptz
      AND (${only?.scrId ?? null}::bigint IS NULL OR c.id = ${only?.scrId ?? null}::bigint)
      AND (${only?.bundleId ?? null}::bigint IS NULL OR b.bundle_id = ${only?.bundleId ?? null}::bigint)
    GROUP BY b.scr_id, b.bundle_id, b.wh, c.charging_start_datetime
    HAVING b.wh - coalesce(sum(a.charge_wh) FILTER (WHERE a.status = 'live'), 0) > 0
    ORDER BY c.charging_start_datetime ${sql.raw(newestFirst ? 'DESC' : 'ASC')},
             b.scr_id ${sql.raw(newestFirst ? 'DESC' : 'ASC')}, b.bundle_id`.execute(trx);
  return rows.map((r) => ({ scrId: r.scr_id, bundleId: r.bundle_id, chargeWh: Number(r.free) }));
}

/** The Wh of the discharge not yet covered by live allocations. */
async function uncovered(trx: Db, record: DischargeRecordRow): Promise<number> {
  const covered = await storage(trx)
    .selectFrom('storage_allocations')
    .select((eb) => eb.fn.sum<string | null>('discharge_wh').as('wh'))
    .where('sdr_id', '=', record.id)
    .where('status', '=', 'live')
    .executeTakeFirstOrThrow();
  return record.discharge_energy - Number(covered.wh ?? 0);
}

/** Writes planned allocations of the discharge and their event; returns the Wh they cover. */
async function insertAllocations(
  trx: Db,
  principal: Principal,
  record: DischargeRecordRow,
  plan: PlannedAllocation[],
  efficiencyPpm: number,
  methodology: string,
  now: Date,
): Promise<number> {
  if (plan.length === 0) return 0;
  const rows = await storage(trx)
    .insertInto('storage_allocations')
    .values(
      plan.map((p) => ({
        sdr_id: record.id,
        scr_id: p.scrId,
        bundle_id: p.bundleId,
        charge_wh: p.chargeWh,
        discharge_wh: p.dischargeWh,
        efficiency_ppm: efficiencyPpm,
        created_at: now,
        released_at: null,
      })),
    )
    .returningAll()
    .execute();
  await appendEvent(trx, {
    type: 'storage.allocated',
    subject_type: 'storage_discharge_record',
    subject_id: record.id,
    account_ids: [record.account_id],
    actor_id: principal.userId,
    payload: { sdr_id: record.id, methodology, allocations: rows },
  });
  return rows.reduce((sum, r) => sum + r.discharge_wh, 0);
}

/** Allocates what is left of the discharge from the free charge, in its order; returns the Wh it covered now. */
export async function allocate(trx: Db, principal: Principal, record: DischargeRecordRow, now: Date): Promise<number> {
  if (record.efficiency_ppm === null) return 0;
  const wanted = await uncovered(trx, record);
  if (wanted <= 0) return 0;
  const plan = planAllocation(wanted, record.efficiency_ppm, await availableCharge(trx, record));
  return insertAllocations(trx, principal, record, plan, record.efficiency_ppm, record.scr_allocation_methodology, now);
}

/** An allocation an operator declares (the storage allocation template): this much of a discharge from this charge. */
export interface DeclaredAllocation {
  scrId: number;
  /** The charge record's backing bundle to draw on; any of its bundles when absent. */
  bundleId?: number | undefined;
  dischargeWh: number;
  /** At most the discharge record's efficiency; the record's when absent. */
  efficiencyPpm?: number | undefined;
  /** Where a refusal points. */
  at: string;
}

/**
 * Allocates exactly the declared Wh of the discharge from the declared charge, or refuses: the
 * charge must be the same device's, backed, ended before the discharge and free enough, and the
 * discharge must have the Wh left. The caller holds the device's lock (lockedDischargeRecord).
 */
export async function allocateDeclared(
  trx: Db,
  principal: Principal,
  record: DischargeRecordRow,
  declared: DeclaredAllocation,
  now: Date,
): Promise<void> {
  checkActive(record, 'discharge');
  if (record.efficiency_ppm === null)
    throw unprocessable('no_efficiency', `discharge record ${record.id} has no measured efficiency`, declared.at);
  const ppm = declared.efficiencyPpm ?? record.efficiency_ppm;
  if (ppm > record.efficiency_ppm)
    throw unprocessable(
      'efficiency_above_measured',
      `discharge record ${record.id} was measured at ${record.efficiency_ppm / PPM}`,
      `${declared.at}/storage_efficiency_factor`,
    );
  const left = await uncovered(trx, record);
  if (declared.dischargeWh > left)
    throw unprocessable(
      'allocation_too_large',
      `discharge record ${record.id} has ${left} Wh left to allocate, not ${declared.dischargeWh}`,
      `${declared.at}/sdr_proportion`,
    );
  const plan = planAllocation(
    declared.dischargeWh,
    ppm,
    await availableCharge(trx, record, { scrId: declared.scrId, bundleId: declared.bundleId }),
  );
  const covered = plan.reduce((sum, p) => sum + p.dischargeWh, 0);
  if (covered < declared.dischargeWh)
    throw unprocessable(
      'allocation_too_large',
      `charge record ${declared.scrId} has free backed charge for ${covered} Wh of this discharge ` +
        `(same device, ended before it began), not ${declared.dischargeWh}`,
      `${declared.at}/scr_allocation_id`,
    );
  await insertAllocations(trx, principal, record, plan, ppm, 'declared', now);
}

/** Records a discharge and allocates it at once from the charge backed before it. */
export async function createDischargeRecord(
  db: Db,
  principal: Principal,
  input: NewDischargeRecord,
  now: Date,
): Promise<DischargeRecordView> {
  const row = await db.transaction().execute(async (trx) => {
    const device = await recordingDevice(trx, principal, input.device_id);
    const record = await insertDischargeRecord(trx, principal, device, input, now);
    await allocate(trx, principal, record, now);
    return record;
  });
  const [view] = await dischargeViews(db, [row]);
  return view!;
}

/**
 * A discharge record the caller may read (404 otherwise) and its storage device, locked as the
 * caller may record for it; the record is read again under the lock, as it stands now.
 */
export async function lockedDischargeRecord(trx: Db, principal: Principal, id: number, field = 'path/id') {
  const seen = await storage(trx)
    .selectFrom('storage_discharge_records')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  const { device_id } = await readableInAccount(trx, principal, seen, 'sdr', id);
  const device = await recordingDevice(trx, principal, device_id, field);
  const record = await storage(trx)
    .selectFrom('storage_discharge_records')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { device, record };
}

/** Allocates what is left of a discharge from charge backed since it was recorded. */
export async function allocateDischargeRecord(
  db: Db,
  principal: Principal,
  id: number,
  now: Date,
): Promise<DischargeRecordView> {
  const row = await db.transaction().execute(async (trx) => {
    const { record } = await lockedDischargeRecord(trx, principal, id);
    checkActive(record, 'discharge');
    if (record.efficiency_ppm === null)
      throw unprocessable(
        'no_efficiency',
        `nothing was charged in discharge record ${id}'s efficiency period, so no efficiency can be measured`,
        'path/id',
      );
    await allocate(trx, principal, record, now);
    return record;
  });
  const [view] = await dischargeViews(db, [row]);
  return view!;
}

/**
 * Issues SD-GCs for every live allocation of the discharge not issued yet: each inherits the energy
 * source, production device and hour of the charge bundle it draws on, and carries the discharge's
 * interval and efficiency. Into the storage device's account, through the registry's issuance.
 */
export async function issueDischargeCertificates(
  db: Db,
  principal: Principal,
  id: number,
  lifetimeDays: number,
  now: Date,
): Promise<BundleView[]> {
  const bundles = await db.transaction().execute(async (trx) => {
    const { device, record } = await lockedDischargeRecord(trx, principal, id);
    checkActive(record, 'discharge');
    const live = await storage(trx)
      .selectFrom('storage_allocations')
      .selectAll()
      .where('sdr_id', '=', id)
      .where('status', '=', 'live')
      .orderBy('id')
      .execute();
    const issued = await issuedFromAllocations(
      trx,
      live.map((a) => a.id),
    );
    const pending = live.filter((a) => !issued.has(a.id));
    if (pending.length === 0)
      throw conflict('nothing_to_issue', `discharge record ${id} has no allocated Wh left without SD-GCs`);
    const charges = new Map(
      (
        await bundlesById(
          trx,
          pending.map((a) => a.bundle_id),
        )
      ).map((b) => [b.id, b]),
    );
    return issueFromStorage(
      trx,
      device,
      pending.map((a) => {
        const charge = charges.get(a.bundle_id)!;
        return {
          storageAllocationId: a.id,
          sdrId: id,
          wh: a.discharge_wh,
          charge: {
            // A backing is never imported (charges.ts refuses it): it has a Tally device.
            device_id: charge.origin_device_id ?? charge.device_id!,
            energy_source: charge.energy_source,
            production_starting_interval: charge.production_starting_interval,
            production_ending_interval: charge.production_ending_interval,
          },
          dischargingStart: record.discharging_start_datetime,
          dischargingEnd: record.discharging_end_datetime,
          efficiencyFactor: a.efficiency_ppm / PPM,
        };
      }),
      principal.userId,
      lifetimeDays,
      now,
    );
  });
  countIssued(bundles);
  return bundles;
}
