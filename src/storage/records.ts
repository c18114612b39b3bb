// Reading storage records: one record or a page of them, shown with what backs and covers them
// (the charge's cancelled certificates, the discharge's allocations and the SD-GCs issued from them).
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { afterId, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { readableAccount, readableAccountIds, readableInAccount } from '../accounts/index.ts';
import { bundlesById, issuedFromAllocations } from '../registry/index.ts';
import { PPM } from './allocation.ts';
import type { ChargeRecord, DischargeRecord, RecordFilter } from './schemas.ts';
import { type ChargeRecordRow, type DischargeRecordRow, storage } from './tables.ts';

export type ChargeRecordView = Static<typeof ChargeRecord>;
export type DischargeRecordView = Static<typeof DischargeRecord>;

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export async function chargeViews(db: Db, rows: ChargeRecordRow[]): Promise<ChargeRecordView[]> {
  const ids = rows.map((r) => r.id);
  const backings = ids.length
    ? await storage(db)
        .selectFrom('storage_charge_backings')
        .selectAll()
        .where('scr_id', 'in', ids)
        .orderBy('bundle_id')
        .execute()
    : [];
  const allocated = ids.length
    ? await storage(db)
        .selectFrom('storage_allocations')
        .select(['scr_id', (eb) => eb.fn.sum<string>('charge_wh').as('wh')])
        .where('scr_id', 'in', ids)
        .where('status', '=', 'live')
        .groupBy('scr_id')
        .execute()
    : [];
  const bundles = new Map(
    (
      await bundlesById(
        db,
        backings.map((b) => b.bundle_id),
      )
    ).map((b) => [b.id, b]),
  );
  return rows.map((r) => {
    const mine = backings.filter((b) => b.scr_id === r.id);
    return {
      id: r.id,
      device_id: r.device_id,
      account_id: r.account_id,
      charging_start_datetime: r.charging_start_datetime.toISOString(),
      charging_end_datetime: r.charging_end_datetime.toISOString(),
      charging_energy: r.charging_energy,
      scr_geographic_matching_method: r.scr_geographic_matching_method,
      validator_id: r.validator_id,
      status: r.status,
      created_at: r.created_at.toISOString(),
      withdrawn_at: iso(r.withdrawn_at),
      backed_wh: mine.reduce((s, b) => s + b.wh, 0),
      allocated_wh: Number(allocated.find((a) => a.scr_id === r.id)?.wh ?? 0),
      backings: mine.map((b) => {
        const bundle = bundles.get(b.bundle_id)!;
        return {
          bundle_id: b.bundle_id,
          wh: b.wh,
          issuance_id: bundle.issuance_id,
          certificate_bundle_id_range_start: bundle.certificate_bundle_id_range_start,
          certificate_bundle_id_range_end: bundle.certificate_bundle_id_range_end,
          energy_source: bundle.energy_source,
          // Never an imported bundle, which has no device: charges.ts refuses one as a backing.
          device_id: bundle.origin_device_id ?? bundle.device_id!,
        };
      }),
    };
  });
}

export async function dischargeViews(db: Db, rows: DischargeRecordRow[]): Promise<DischargeRecordView[]> {
  const ids = rows.map((r) => r.id);
  const allocations = ids.length
    ? await storage(db).selectFrom('storage_allocations').selectAll().where('sdr_id', 'in', ids).orderBy('id').execute()
    : [];
  const issued = await issuedFromAllocations(
    db,
    allocations.map((a) => a.id),
  );
  const charges = new Map(
    (await bundlesById(db, [...new Set(allocations.map((a) => a.bundle_id))])).map((b) => [b.id, b]),
  );
  return rows.map((r) => {
    const mine = allocations.filter((a) => a.sdr_id === r.id);
    return {
      id: r.id,
      device_id: r.device_id,
      account_id: r.account_id,
      discharging_start_datetime: r.discharging_start_datetime.toISOString(),
      discharging_end_datetime: r.discharging_end_datetime.toISOString(),
      discharge_energy: r.discharge_energy,
      scr_allocation_methodology: r.scr_allocation_methodology,
      efficiency_factor_methodology: r.efficiency_factor_methodology,
      efficiency_factor_interval_start: r.efficiency_factor_interval_start.toISOString(),
      efficiency_factor_interval_end: r.efficiency_factor_interval_end.toISOString(),
      storage_efficiency_factor: r.efficiency_ppm === null ? null : r.efficiency_ppm / PPM,
      validator_id: r.validator_id,
      status: r.status,
      created_at: r.created_at.toISOString(),
      withdrawn_at: iso(r.withdrawn_at),
      allocated_wh: mine.filter((a) => a.status === 'live').reduce((s, a) => s + a.discharge_wh, 0),
      issued_wh: mine.reduce((s, a) => s + (issued.get(a.id)?.liveWh ?? 0), 0),
      allocations: mine.map((a) => ({
        id: a.id,
        scr_id: a.scr_id,
        bundle_id: a.bundle_id,
        energy_source: charges.get(a.bundle_id)!.energy_source,
        charge_wh: a.charge_wh,
        discharge_wh: a.discharge_wh,
        status: a.status,
        sdgc_bundle_ids: issued.get(a.id)?.bundleIds ?? [],
      })),
    };
  });
}

export async function getChargeRecord(db: Db, principal: Principal, id: number): Promise<ChargeRecordView> {
  const row = await storage(db)
    .selectFrom('storage_charge_records')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  const [view] = await chargeViews(db, [await readableInAccount(db, principal, row, 'scr', id)]);
  return view!;
}

export async function getDischargeRecord(db: Db, principal: Principal, id: number): Promise<DischargeRecordView> {
  const row = await storage(db)
    .selectFrom('storage_discharge_records')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  const [view] = await dischargeViews(db, [await readableInAccount(db, principal, row, 'sdr', id)]);
  return view!;
}

/** The accounts a filter may read: the one it names (if readable), or every account the caller reads. */
async function visibleAccounts(db: Db, principal: Principal, f: RecordFilter): Promise<number[] | undefined> {
  if (f.account_id !== undefined) {
    await readableAccount(db, principal, f.account_id);
    return [f.account_id];
  }
  return readableAccountIds(db, principal);
}

/** A page of charge records the caller may read, in id order. */
export async function listChargeRecords(
  db: Db,
  principal: Principal,
  f: RecordFilter,
  page: PageRequest,
): Promise<Page<ChargeRecordView>> {
  const accounts = await visibleAccounts(db, principal, f);
  let q = storage(db).selectFrom('storage_charge_records').selectAll().where('id', '>', afterId(page));
  if (accounts !== undefined) q = q.where('account_id', 'in', accounts.length ? accounts : [0]);
  if (f.device_id !== undefined) q = q.where('device_id', '=', f.device_id);
  if (f.from !== undefined) q = q.where('charging_start_datetime', '>=', new Date(f.from));
  if (f.to !== undefined) q = q.where('charging_start_datetime', '<', new Date(f.to));
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  const found = pageOf(
    await q
      .orderBy('id')
      .limit(page.limit + 1)
      .execute(),
    page.limit,
  );
  return { items: await chargeViews(db, found.items), next_cursor: found.next_cursor };
}

/** A page of discharge records the caller may read, in id order. */
export async function listDischargeRecords(
  db: Db,
  principal: Principal,
  f: RecordFilter,
  page: PageRequest,
): Promise<Page<DischargeRecordView>> {
  const accounts = await visibleAccounts(db, principal, f);
  let q = storage(db).selectFrom('storage_discharge_records').selectAll().where('id', '>', afterId(page));
  if (accounts !== undefined) q = q.where('account_id', 'in', accounts.length ? accounts : [0]);
  if (f.device_id !== undefined) q = q.where('device_id', '=', f.device_id);
  if (f.from !== undefined) q = q.where('discharging_start_datetime', '>=', new Date(f.from));
  if (f.to !== undefined) q = q.where('discharging_start_datetime', '<', new Date(f.to));
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  const found = pageOf(
    await q
      .orderBy('id')
      .limit(page.limit + 1)
      .execute(),
    page.limit,
  );
  return { items: await dischargeViews(db, found.items), next_cursor: found.next_cursor };
}
