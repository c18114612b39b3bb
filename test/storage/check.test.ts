// `tally check` over storage: a sound world passes, and each way of counting a Wh twice, written
// into the database behind the API's back (in a transaction rolled back after), is named.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEverything } from '../../src/check.ts';
import type { Db } from '../../src/platform/database.ts';
import { checkAfter } from '../helpers/check-after.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { charging, discharging, storageDevice } from '../helpers/storage.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let scr: any;
let sdr: any;
let sdgc: any;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  const battery = await storageDevice(s, w, w.producerAccount);
  const [b0] = await issue(s, w, [[0, 1000]]);
  scr = await expectStatus(
    s.request('POST', '/api/storage/charge-records', {
      token: w.producer.token,
      body: {
        device_id: battery,
        ...charging(0),
        charging_energy: 1000,
        certificates: { granular_certificate_bundle_ids: [b0.id] },
      },
    }),
    201,
  );
  sdr = await expectStatus(
    s.request('POST', '/api/storage/discharge-records', {
      token: w.producer.token,
      body: { device_id: battery, ...discharging(2), discharge_energy: 900 },
    }),
    201,
  );
  [sdgc] = (
    await expectStatus(
      s.request('POST', `/api/storage/discharge-records/${sdr.id}/issue`, { token: w.producer.token }),
      201,
    )
  ).items;
});
afterAll(() => s.close());

const rules = (found: Array<{ rule: string }>) => [...new Set(found.map((v) => v.rule))];

describe('tally check over storage', () => {
  it('finds a sound storage world sound', async () => {
    expect(sdr.allocated_wh).toBe(900);
    expect(sdgc.bundle_quantity).toBe(900);
    expect(await checkEverything(s.db.database.kysely)).toEqual([]);
  });

  it('stays sound when an SD-GC is transferred in part, like any certificate: the split keeps its storage attributes', async () => {
    const moved = await expectStatus(
      s.request('POST', '/api/certificates/transfer', {
        token: w.producer.token,
        body: {
          source_id: w.producerAccount,
          target_id: w.traderAccount,
          granular_certificate_bundle_ids: [sdgc.id],
          certificate_quantity: 400,
        },
      }),
      200,
    );
    const { id: _id, account_id: _a, updated_at: _u, ...inherited } = sdgc;
    expect(moved.bundles).toMatchObject([
      {
        ...inherited,
        id: expect.any(Number),
        account_id: w.traderAccount,
        certificate_bundle_id_range_end: sdgc.certificate_bundle_id_range_start + 399,
        bundle_quantity: 400,
        split_from_bundle_id: sdgc.id,
      },
    ]);
    expect(moved.remainders).toMatchObject([{ id: sdgc.id, bundle_quantity: 500, sdr_id: sdr.id }]);
    expect(await checkEverything(s.db.database.kysely)).toEqual([]);
  });

  it('names charge backed beyond what was charged', async () => {
    const found = await checkAfter(s.db.database.kysely, (trx) =>
      sql`UPDATE storage_charge_records SET charging_energy = 999 WHERE id = ${scr.id}`.execute(trx),
    );
    expect(rules(found)).toContain('storage_charge_backed_within_charge');
  });

  it('names charge allocated twice', async () => {
    const found = await checkAfter(s.db.database.kysely, (trx) =>
      sql`
        INSERT INTO storage_allocations (sdr_id, scr_id, bundle_id, charge_wh, discharge_wh, efficiency_ppm, created_at)
        SELECT sdr_id, scr_id, bundle_id, charge_wh, 1, efficiency_ppm, created_at FROM storage_allocations`.execute(
        trx,
      ),
    );
    expect(rules(found)).toEqual(
      expect.arrayContaining(['storage_charge_allocated_once', 'storage_discharge_allocated_once']),
    );
  });

  it('names an SD-GC beyond its allocation, and one alive after its allocation was released', async () => {
    const more = await checkAfter(s.db.database.kysely, (trx) =>
      sql`UPDATE storage_allocations SET discharge_wh = 800 WHERE sdr_id = ${sdr.id}`.execute(trx),
    );
    expect(rules(more)).toContain('storage_sdgc_within_allocation');
    const released = await checkAfter(s.db.database.kysely, (trx) =>
      sql`UPDATE storage_allocations SET status = 'released', released_at = now() WHERE sdr_id = ${sdr.id}`.execute(
        trx,
      ),
    );
    expect(rules(released)).toContain('storage_sdgc_within_allocation');
  });

  it('names an SD-GC that does not inherit its charge, and a backing that is not cancelled charge', async () => {
    const source = await checkAfter(s.db.database.kysely, (trx) =>
      sql`UPDATE bundles SET energy_source = 'wind' WHERE id = ${sdgc.id}`.execute(trx),
    );
    expect(rules(source)).toContain('storage_sdgc_inherits');
    const backing = await checkAfter(s.db.database.kysely, (trx) =>
      sql`UPDATE bundles SET charged_storage_device_id = NULL WHERE id = ${scr.backings[0].bundle_id}`.execute(trx),
    );
    expect(rules(backing)).toContain('storage_backing_is_its_hours_cancelled_charge');
  });

  /** A copy of the SD-GC's issuance naming allocation `allocation`, inserted by `trx`. */
  const issuanceNaming = (trx: Db, allocation: number) =>
    sql`INSERT INTO issuances (device_id, issuance_metadata_id, production_starting_interval, production_ending_interval,
                               bundle_quantity, certificate_bundle_id_range_start, certificate_bundle_id_range_end,
                               storage_allocation_id)
        SELECT device_id, issuance_metadata_id, production_starting_interval, production_ending_interval,
               bundle_quantity, certificate_bundle_id_range_start, certificate_bundle_id_range_end, ${allocation}
        FROM issuances WHERE id = ${sdgc.issuance_id}`.execute(trx);

  it('keeps every allocation, and refuses an issuance naming one that does not exist, as the foreign key did', async () => {
    const db = s.db.database.kysely;
    await expect(sql`DELETE FROM storage_allocations WHERE sdr_id = ${sdr.id}`.execute(db)).rejects.toThrow(
      'storage allocations are never removed: DELETE refused',
    );
    await expect(sql`TRUNCATE storage_allocations CASCADE`.execute(db)).rejects.toThrow(
      'storage allocations are never removed: TRUNCATE refused',
    );
    await expect(checkAfter(db, (trx) => issuanceNaming(trx, 987_654))).rejects.toThrow(
      /issuance \d+ names a storage allocation that does not exist/,
    );
  });

  it('names an issuance whose allocation does not exist, written with that check off', async () => {
    const found = await checkAfter(s.db.database.kysely, async (trx) => {
      await sql`ALTER TABLE issuances DISABLE TRIGGER issuances_name_existing_allocations`.execute(trx);
      await issuanceNaming(trx, 987_654);
    });
    expect(found.filter((v) => v.rule === 'storage_allocation_exists')).toEqual([
      {
        rule: 'storage_allocation_exists',
        detail: expect.stringMatching(/^issuance \d+ names storage allocation 987654, which does not exist$/),
      },
    ]);
  });

  it('replays a certificate event written before the storage, import and reference fields as holding none of them', async () => {
    const [ordinary] = await issue(s, w, [[1, 500]]);
    const LATER = [
      'charged_storage_device_id',
      'origin_device_id',
      'sdr_id',
      'discharging_starting_interval',
      'discharging_ending_interval',
      'storage_efficiency_factor',
      'imported_issuance_id',
      'holder_reference',
    ];
    const SHOWN_BESIDE = [
      'device',
      'issuance_metadata',
      'device_location',
      'reissue_of_bundle_id',
      'origin_device',
      'imported_from',
    ];
    /** A certificate event as written before those fields existed: the bundle as it is now, without them. */
    const writtenBefore = async (id: number) => {
      const bundle = await expectStatus(s.request('GET', `/api/certificates/${id}`, { token: w.producer.token }), 200);
      const legacy = Object.fromEntries(
        Object.entries(bundle).filter(([k]) => !LATER.includes(k) && !SHOWN_BESIDE.includes(k)),
      );
      return (trx: Parameters<Parameters<typeof checkAfter>[1]>[0]) =>
        sql`INSERT INTO events (type, subject_type, subject_id, payload)
            VALUES ('certificates.transferred', 'bundle', ${String(id)}, ${JSON.stringify({ bundles: [legacy] })}::jsonb)`.execute(
          trx,
        );
    };
    const replayed = (found: Array<{ rule: string; detail: string }>) =>
      found.filter((v) => v.rule === 'replay_rebuilds_state').map((v) => v.detail);
    // An ordinary bundle had none of them: it replays to what the table holds.
    expect(replayed(await checkAfter(s.db.database.kysely, await writtenBefore(ordinary.id)))).toEqual([]);
    // An SD-GC's storage fields are not in such an event, so the event says it was none.
    expect(replayed(await checkAfter(s.db.database.kysely, await writtenBefore(sdgc.id)))).toEqual([
      `bundle ${sdgc.id} differs from the event log in origin_device_id, sdr_id, discharging_starting_interval, ` +
        'discharging_ending_interval, storage_efficiency_factor',
    ]);
  });
});
