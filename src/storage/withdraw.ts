// Withdrawing a storage record (the issuing body's correction) and changing what may change of one.
// A record that backs SD-GCs not withdrawn stays: withdrawing it would leave certificates whose
// energy no record accounts for. Otherwise its live allocations are released, so the Wh they held
// are free again (the charge for other discharges, the discharge for other charge).
import { sql } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { conflict, forbidden } from '../platform/errors.ts';
import { appendEvent } from '../ledger/index.ts';
import { issuedFromAllocations } from '../registry/index.ts';
import { lockedChargeRecord } from './charges.ts';
import { lockedDischargeRecord } from './discharges.ts';
import { chargeViews, type ChargeRecordView, dischargeViews, type DischargeRecordView } from './records.ts';
import { checkActive, issuingBody } from './rules.ts';
import type { MutableChargeRecord, MutableDischargeRecord } from './schemas.ts';
import { storage } from './tables.ts';

type Kind = 'charge' | 'discharge';
const COLUMN = { charge: 'scr_id', discharge: 'sdr_id' } as const;
const TABLE = { charge: 'storage_charge_records', discharge: 'storage_discharge_records' } as const;

/** Releases the record's live allocations, unless one of them backs SD-GCs not withdrawn. */
async function release(trx: Db, kind: Kind, id: number, now: Date): Promise<number[]> {
  const live = await storage(trx)
    .selectFrom('storage_allocations')
    .select('id')
    .where(COLUMN[kind], '=', id)
    .where('status', '=', 'live')
    .orderBy('id')
    .execute();
  const issued = await issuedFromAllocations(
    trx,
    live.map((a) => a.id),
  );
  const backing = [...issued.entries()].find(([, i]) => i.liveWh > 0);
  if (backing)
    throw conflict(
      'backs_live_certificates',
      `${kind} record ${id} backs SD-GC bundles ${backing[1].bundleIds.join(', ')} (allocation ${backing[0]}), ` +
        'which are not withdrawn; withdraw them first',
    );
  if (live.length === 0) return [];
  await storage(trx)
    .updateTable('storage_allocations')
    .set({ status: 'released', released_at: now })
    .where(
      'id',
      'in',
      live.map((a) => a.id),
    )
    .execute();
  return live.map((a) => a.id);
}

/**
 * Withdraws the records of one kind, all or nothing: the issuing body's correction. Each device is
 * locked as its first record is reached; the records are taken in id order.
 */
export async function withdrawRecords(
  db: Db,
  principal: Principal,
  kind: Kind,
  ids: number[],
  now: Date,
): Promise<void> {
  if (!issuingBody(principal)) throw forbidden('role_required', 'only an issuing body withdraws storage records');
  await db.transaction().execute(async (trx) => {
    for (const id of [...ids].sort((a, b) => a - b)) {
      const { record } =
        kind === 'charge'
          ? await lockedChargeRecord(trx, principal, id)
          : await lockedDischargeRecord(trx, principal, id);
      checkActive(record, kind);
      const released = await release(trx, kind, id, now);
      await storage(trx)
        .updateTable(TABLE[kind])
        .set({ status: 'withdrawn', withdrawn_at: now })
        .where('id', '=', id)
        .execute();
      await appendEvent(trx, {
        type: `storage.${kind}_withdrawn`,
        subject_type: `storage_${kind}_record`,
        subject_id: id,
        account_ids: [record.account_id],
        actor_id: principal.userId,
        payload: { id, released_allocation_ids: released },
      });
    }
  });
}

/** A record as it is now, by id (the caller has just been allowed to change it). */
async function chargeRecord(db: Db, id: number): Promise<ChargeRecordView> {
  const row = await storage(db)
    .selectFrom('storage_charge_records')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const [view] = await chargeViews(db, [row]);
  return view!;
}

async function dischargeRecord(db: Db, id: number): Promise<DischargeRecordView> {
  const row = await storage(db)
    .selectFrom('storage_discharge_records')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const [view] = await dischargeViews(db, [row]);
  return view!;
}

export async function withdrawChargeRecord(
  db: Db,
  principal: Principal,
  id: number,
  now: Date,
): Promise<ChargeRecordView> {
  await withdrawRecords(db, principal, 'charge', [id], now);
  return chargeRecord(db, id);
}

export async function withdrawDischargeRecord(
  db: Db,
  principal: Principal,
  id: number,
  now: Date,
): Promise<DischargeRecordView> {
  await withdrawRecords(db, principal, 'discharge', [id], now);
  return dischargeRecord(db, id);
}

/** The one field of each kind of record that may change: its description (decision 11). */
const DESCRIPTION = { charge: 'scr_geographic_matching_method', discharge: 'efficiency_factor_methodology' } as const;

/** Changes a record's description, its only mutable field, under its device's lock; one event. */
async function describeRecord(db: Db, principal: Principal, kind: Kind, id: number, text: string, now: Date) {
  await db.transaction().execute(async (trx) => {
    const { record } =
      kind === 'charge'
        ? await lockedChargeRecord(trx, principal, id)
        : await lockedDischargeRecord(trx, principal, id);
    checkActive(record, kind);
    await sql`UPDATE ${sql.table(TABLE[kind])} SET ${sql.ref(DESCRIPTION[kind])} = ${text} WHERE id = ${id}`.execute(
      trx,
    );
    await appendEvent(trx, {
      type: `storage.${kind}_updated`,
      subject_type: `storage_${kind}_record`,
      subject_id: id,
      account_ids: [record.account_id],
      actor_id: principal.userId,
      payload: { id, change: { [DESCRIPTION[kind]]: text }, at: now.toISOString() },
    });
  });
}

export async function updateChargeRecord(
  db: Db,
  principal: Principal,
  id: number,
  change: Static<typeof MutableChargeRecord>,
  now: Date,
): Promise<ChargeRecordView> {
  await describeRecord(db, principal, 'charge', id, change.scr_geographic_matching_method, now);
  return chargeRecord(db, id);
}

export async function updateDischargeRecord(
  db: Db,
  principal: Principal,
  id: number,
  change: Static<typeof MutableDischargeRecord>,
  now: Date,
): Promise<DischargeRecordView> {
  await describeRecord(db, principal, 'discharge', id, change.efficiency_factor_methodology, now);
  return dischargeRecord(db, id);
}
