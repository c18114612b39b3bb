// Storage Charge Records: what a storage device charged in one hour, and the certificates of that
// hour cancelled to the device to back it, Wh for Wh. The cancel is the registry's own action
// (actOn), so the certificates stay ordinary bundles with their ordinary event; the registry marks
// them as charging the device, so their holder can never claim them as well.
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { conflict, unprocessable } from '../platform/errors.ts';
import { appendEvent } from '../ledger/index.ts';
import { actionableAccount, readableInAccount } from '../accounts/index.ts';
import { actOn } from '../registry/index.ts';
import { chargeViews, type ChargeRecordView } from './records.ts';
import { checkActive, checkRecordInterval, hourOf, recordingDevice } from './rules.ts';
import type { ChargeCertificates, NewChargeRecord } from './schemas.ts';
import { type ChargeRecordRow, storage } from './tables.ts';

type Device = Awaited<ReturnType<typeof recordingDevice>>;

/** Records a charge under the locked device: once per device, interval start and validator. */
export async function insertChargeRecord(
  trx: Db,
  principal: Principal,
  device: Device,
  input: Omit<NewChargeRecord, 'device_id' | 'certificates'>,
  now: Date,
  at = 'body',
): Promise<ChargeRecordRow> {
  const { start } = checkRecordInterval(
    new Date(input.charging_start_datetime),
    new Date(input.charging_end_datetime),
    now,
    { start: `${at}/charging_start_datetime`, end: `${at}/charging_end_datetime` },
  );
  let twin = storage(trx)
    .selectFrom('storage_charge_records')
    .select('id')
    .where('device_id', '=', device.id)
    .where('charging_start_datetime', '=', start)
    .where('status', '=', 'active');
  twin =
    input.validator_id === undefined
      ? twin.where('validator_id', 'is', null)
      : twin.where('validator_id', '=', input.validator_id);
  const existing = await twin.executeTakeFirst();
  if (existing)
    throw conflict(
      'already_recorded',
      `storage device ${device.id} already has charge record ${existing.id} from ${start.toISOString()}` +
        (input.validator_id === undefined ? '' : ` by validator ${input.validator_id}`),
    );
  const row = await storage(trx)
    .insertInto('storage_charge_records')
    .values({
      device_id: device.id,
      account_id: device.account_id,
      charging_start_datetime: start,
      charging_end_datetime: new Date(input.charging_end_datetime),
      charging_energy: input.charging_energy,
      scr_geographic_matching_method: input.scr_geographic_matching_method ?? 'none declared',
      validator_id: input.validator_id ?? null,
      created_by: principal.userId,
      created_at: now,
      withdrawn_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    type: 'storage.charge_recorded',
    subject_type: 'storage_charge_record',
    subject_id: row.id,
    account_ids: [row.account_id],
    actor_id: principal.userId,
    payload: row,
  });
  return row;
}

/**
 * Cancels the certificates to the storage device and records them behind the charge record. Every
 * acted bundle must come from the record's hour (an SD-GC's hour is its discharge hour), and the
 * record's backing may not pass its charged Wh; otherwise the whole request rolls back.
 */
async function back(
  trx: Db,
  principal: Principal,
  device: Device,
  record: ChargeRecordRow,
  certificates: ChargeCertificates,
  now: Date,
  at: string,
): Promise<void> {
  checkActive(record, 'charge');
  const source = certificates.source_id ?? record.account_id;
  await actionableAccount(trx, principal, source);
  const backed = await storage(trx)
    .selectFrom('storage_charge_backings')
    .select((eb) => eb.fn.sum<string | null>('wh').as('wh'))
    .where('scr_id', '=', record.id)
    .executeTakeFirstOrThrow();
  const left = record.charging_energy - Number(backed.wh ?? 0);
  const result = await actOn(
    trx,
    principal.userId,
    'cancel',
    {
      source_id: source,
      granular_certificate_bundle_ids: certificates.granular_certificate_bundle_ids,
      certificate_quantity: certificates.certificate_quantity,
      beneficiary: `storage device ${device.id} (${device.device_name})`,
      purpose: `charging storage device ${device.id}: storage charge record ${record.id}`,
    },
    now,
    { chargesStorageDevice: device.id },
  );
  if (result.certificate_quantity > left)
    throw unprocessable(
      'over_charge',
      `the certificates hold ${result.certificate_quantity} Wh; charge record ${record.id} has ${left} Wh left to back`,
      `${at}/certificate_quantity`,
    );
  const hour = hourOf(record.charging_start_datetime);
  const stray = result.bundles.find(
    (b) => hourOf(b.discharging_starting_interval ?? b.production_starting_interval) !== hour,
  );
  if (stray)
    throw unprocessable(
      'charge_not_of_its_hour',
      `bundle ${stray.id} is of ${stray.discharging_starting_interval ?? stray.production_starting_interval}; ` +
        `charge record ${record.id} is backed only by certificates of the hour from ${new Date(hour).toISOString()}`,
      `${at}/granular_certificate_bundle_ids`,
    );
  // An SD-GC names the Tally production device its energy came from; an imported certificate has none.
  const imported = result.bundles.find((b) => b.device_id === null);
  if (imported)
    throw unprocessable(
      'imported_not_chargeable',
      `bundle ${imported.id} was imported from another registry: only certificates of Tally's own devices back a charge`,
      `${at}/granular_certificate_bundle_ids`,
    );
  const backings = result.bundles.map((b) => ({ bundle_id: b.id, scr_id: record.id, wh: b.bundle_quantity }));
  await storage(trx).insertInto('storage_charge_backings').values(backings).execute();
  await appendEvent(trx, {
    type: 'storage.charge_backed',
    subject_type: 'storage_charge_record',
    subject_id: record.id,
    account_ids: [...new Set([record.account_id, source])],
    actor_id: principal.userId,
    payload: { scr_id: record.id, source_id: source, cancel_event_id: result.action_id, backings },
  });
}

/** Records a charge, backed at once by certificates when the request names them. */
export async function createChargeRecord(
  db: Db,
  principal: Principal,
  input: NewChargeRecord,
  now: Date,
): Promise<ChargeRecordView> {
  const row = await db.transaction().execute(async (trx) => {
    const device = await recordingDevice(trx, principal, input.device_id);
    const record = await insertChargeRecord(trx, principal, device, input, now);
    if (input.certificates) await back(trx, principal, device, record, input.certificates, now, 'body/certificates');
    return record;
  });
  const [view] = await chargeViews(db, [row]);
  return view!;
}

/** Backs a charge record with certificates of its hour cancelled to its storage device. */
export async function backChargeRecord(
  db: Db,
  principal: Principal,
  id: number,
  certificates: ChargeCertificates,
  now: Date,
): Promise<ChargeRecordView> {
  const row = await db.transaction().execute(async (trx) => {
    const { device, record } = await lockedChargeRecord(trx, principal, id);
    await back(trx, principal, device, record, certificates, now, 'body');
    return record;
  });
  const [view] = await chargeViews(db, [row]);
  return view!;
}

/**
 * A charge record the caller may read (404 otherwise) and its storage device, locked as the caller
 * may record for it; the record is read again under the lock, as it stands now.
 */
export async function lockedChargeRecord(trx: Db, principal: Principal, id: number, field = 'path/id') {
  const seen = await storage(trx)
    .selectFrom('storage_charge_records')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  const { device_id } = await readableInAccount(trx, principal, seen, 'scr', id);
  const device = await recordingDevice(trx, principal, device_id, field);
  const record = await storage(trx)
    .selectFrom('storage_charge_records')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { device, record };
}
