// Storage over Tally's own API: charge records backed by certificates of their hour cancelled to
// the storage device, discharge records allocated FIFO with the measured efficiency, SD-GCs issued
// from them that act like any certificate and count at their discharge hour, withdrawals refused
// while SD-GCs live, the storage readings template, and every refusal changing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEverything } from '../../src/check.ts';
import { claimedByHour, originsOf } from '../../src/registry/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { charging, discharging, storageDevice } from '../helpers/storage.ts';
import { buildWorld, expectStatus, hour, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let battery: number;
let charge0: any;
let charge1: any;
let b0: any;
let b1: any;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  battery = await storageDevice(s, w);
  [b0, b1] = await issue(s, w, [
    [0, 1000],
    [1, 600],
  ]);
  // The producer sells the first two hours to the trader, who runs the battery.
  await expectStatus(
    s.request('POST', '/api/certificates/transfer', {
      token: w.producer.token,
      body: {
        source_id: w.producerAccount,
        target_id: w.traderAccount,
        granular_certificate_bundle_ids: [b0.id, b1.id],
      },
    }),
    200,
  );
});
afterAll(() => s.close());

const post = (path: string, token: string, body?: unknown) =>
  s.request('POST', path, { token, ...(body === undefined ? {} : { body }) });
const bundle = async (id: number) =>
  expectStatus(s.request('GET', `/api/certificates/${id}`, { token: w.issuer.token }), 200);

/** Asserts a refusal with `status` and `code` that changed nothing: no event, and `rows` as before. */
async function refused(reply: Promise<{ status: number; body: any }>, status: number, code: string) {
  const before = await s.eventCount();
  const r = await reply;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.code).toBe(code);
  expect(await s.eventCount()).toBe(before);
  return r.body;
}

describe('storage charge records', () => {
  it('records a charge backed by certificates of its hour, cancelled to the storage device, Wh for Wh', async () => {
    charge0 = await expectStatus(
      post('/api/storage/charge-records', w.trader.token, {
        device_id: battery,
        ...charging(0),
        charging_energy: 800,
        certificates: { granular_certificate_bundle_ids: [b0.id], certificate_quantity: 800 },
      }),
      201,
    );
    expect(charge0).toMatchObject({
      device_id: battery,
      account_id: w.traderAccount,
      charging_energy: 800,
      status: 'active',
      backed_wh: 800,
      allocated_wh: 0,
      scr_geographic_matching_method: 'none declared',
    });
    expect(charge0.backings).toHaveLength(1);
    const backing = charge0.backings[0];
    expect(backing).toMatchObject({
      wh: 800,
      certificate_bundle_id_range_start: 1,
      certificate_bundle_id_range_end: 800,
    });
    expect(backing.device_id).toBe(w.device);
    // The registry's own cancel: the lowest 800 ids split off, cancelled to the battery; 200 stay active.
    expect(await bundle(backing.bundle_id)).toMatchObject({
      certificate_bundle_status: 'cancelled',
      beneficiary: `storage device ${battery} (Battery)`,
      charged_storage_device_id: battery,
      bundle_quantity: 800,
    });
    expect(await bundle(b0.id)).toMatchObject({ certificate_bundle_status: 'active', bundle_quantity: 200 });
  });

  it('refuses certificates of another hour, more Wh than the charge, and claiming a charge bundle', async () => {
    await refused(
      post(`/api/storage/charge-records/${charge0.id}/certificates`, w.trader.token, {
        granular_certificate_bundle_ids: [b1.id],
      }),
      422,
      'over_charge',
    );
    const second = await expectStatus(
      post('/api/storage/charge-records', w.trader.token, { device_id: battery, ...charging(2), charging_energy: 900 }),
      201,
    );
    await refused(
      post(`/api/storage/charge-records/${second.id}/certificates`, w.trader.token, {
        granular_certificate_bundle_ids: [b1.id],
      }),
      422,
      'charge_not_of_its_hour',
    );
    expect(await bundle(b1.id)).toMatchObject({ certificate_bundle_status: 'active', bundle_quantity: 600 });
    // Certificates of another registry, of the same hour: an SD-GC would have no Tally device to name.
    const imported = await expectStatus(
      s.request('POST', `/api/certificates/import?account_id=${w.traderAccount}&origin_registry=NECS`, {
        token: w.issuer.token,
        raw:
          'issuance_id,bundle_quantity,certificate_bundle_id_range_start,certificate_bundle_id_range_end,' +
          'energy_carrier,energy_source,face_value,issuance_post_energy_carrier_conversion,' +
          'emissions_factor_production_device,emissions_factor_source,production_starting_interval,' +
          'production_ending_interval,local_timezone,expiry_datestamp,is_storage,storage_efficiency_factor,' +
          'country_of_issuance,connected_grid_identification,issuing_body,legal_status,issuance_purpose,' +
          'support_received,quality_scheme_reference,dissemination_level,issue_market_zone\n' +
          'NO-1,900,1,900,electricity,wind,1,FALSE,,,01/06/2025 02:00,01/06/2025 03:00,UTC,01/06/2027 02:00,FALSE,,' +
          'Norway,NO2,Statnett,,,,,,NO2\n',
        headers: { 'content-type': 'text/csv' },
      }),
      201,
    );
    const [foreign] = imported.bundles;
    expect(foreign).toMatchObject({ device_id: null, ...hour(2), bundle_quantity: 900 });
    const refusal = await refused(
      post(`/api/storage/charge-records/${second.id}/certificates`, w.trader.token, {
        granular_certificate_bundle_ids: [foreign.id],
      }),
      422,
      'imported_not_chargeable',
    );
    expect(refusal.errors[0].field).toBe('body/granular_certificate_bundle_ids');
    expect(await bundle(foreign.id)).toMatchObject({
      certificate_bundle_status: 'active',
      charged_storage_device_id: null,
    });
    await refused(
      post('/api/certificates/claim', w.trader.token, {
        source_id: w.traderAccount,
        granular_certificate_bundle_ids: [charge0.backings[0].bundle_id],
        consumer: 'Someone',
      }),
      409,
      'charged_into_storage',
    );
    // Only a storage device keeps storage records; only its account's members (or the issuing body) record.
    await refused(
      post('/api/storage/charge-records', w.producer.token, {
        device_id: w.device,
        ...charging(3),
        charging_energy: 1,
      }),
      422,
      'not_a_storage_device',
    );
    await refused(
      post('/api/storage/charge-records', w.outsider.token, { device_id: battery, ...charging(3), charging_energy: 1 }),
      404,
      'device_not_found',
    );
    await refused(
      post('/api/storage/charge-records', w.trader.token, {
        device_id: battery,
        charging_start_datetime: hour(3).production_starting_interval,
        charging_end_datetime: hour(4).production_ending_interval,
        charging_energy: 1,
      }),
      400,
      'interval_across_hours',
    );
    await refused(
      post('/api/storage/charge-records', w.trader.token, { device_id: battery, ...charging(0), charging_energy: 5 }),
      409,
      'already_recorded',
    );
  });

  it('backs a second hour whole', async () => {
    charge1 = await expectStatus(
      post('/api/storage/charge-records', w.trader.token, {
        device_id: battery,
        ...charging(1),
        charging_energy: 600,
        validator_id: 'meter-1',
      }),
      201,
    );
    charge1 = await expectStatus(
      post(`/api/storage/charge-records/${charge1.id}/certificates`, w.trader.token, {
        granular_certificate_bundle_ids: [b1.id],
      }),
      200,
    );
    expect(charge1).toMatchObject({ backed_wh: 600, backings: [{ bundle_id: b1.id, wh: 600 }] });
  });
});

describe('storage discharge records and SD-GCs', () => {
  let discharge: any;
  let sdgcs: any[];

  it('allocates a discharge FIFO from the backed charge with the measured efficiency', async () => {
    discharge = await expectStatus(
      post('/api/storage/discharge-records', w.trader.token, {
        device_id: battery,
        ...discharging(3),
        discharge_energy: 700,
      }),
      201,
    );
    // Charged 800 + 900 (unbacked) + 600 Wh, discharged 700 Wh over the period: 700 ÷ 2300 = 0.304347.
    expect(discharge.storage_efficiency_factor).toBe(0.304347);
    // Each charge covers its Wh × 0.304347 (rounded down), using the least charge that covers that.
    expect(discharge.allocations.map((a: any) => [a.scr_id, a.charge_wh, a.discharge_wh])).toEqual([
      [charge0.id, 799, 243],
      [charge1.id, 599, 182],
    ]);
    expect(discharge.allocated_wh).toBe(425);
    expect(discharge).toMatchObject({ scr_allocation_methodology: 'FIFO', issued_wh: 0 });
  });

  it('issues SD-GCs that inherit the charge’s attributes, once', async () => {
    const issued = await expectStatus(
      post(`/api/storage/discharge-records/${discharge.id}/issue`, w.trader.token),
      201,
    );
    sdgcs = issued.items;
    const [a, b] = discharge.allocations;
    expect(sdgcs.map((g: any) => [g.certificate_bundle_id_range_start, g.bundle_quantity])).toEqual([
      [1, a.discharge_wh],
      [1 + a.discharge_wh, b.discharge_wh],
    ]);
    for (const [k, g] of sdgcs.entries())
      expect(g).toMatchObject({
        device_id: battery,
        account_id: w.traderAccount,
        origin_device_id: w.device,
        energy_source: 'solar_pv',
        sdr_id: discharge.id,
        certificate_bundle_status: 'active',
        ...hour(k),
        discharging_starting_interval: hour(3).production_starting_interval,
        discharging_ending_interval: hour(3).production_ending_interval,
        storage_efficiency_factor: discharge.storage_efficiency_factor,
      });
    const detail = await bundle(sdgcs[0].id);
    expect(detail.origin_device.id).toBe(w.device);
    expect(detail.device.device_type).toBe('storage');
    await refused(
      post(`/api/storage/discharge-records/${discharge.id}/issue`, w.trader.token),
      409,
      'nothing_to_issue',
    );
    const view = await expectStatus(
      s.request('GET', `/api/storage/discharge-records/${discharge.id}`, { token: w.trader.token }),
      200,
    );
    expect(view.issued_wh).toBe(discharge.allocated_wh);
    expect(view.allocations.map((x: any) => x.sdgc_bundle_ids)).toEqual([[sdgcs[0].id], [sdgcs[1].id]]);
  });

  it('reads SD-GC origins in one call beside a production one: the storage device that issued, the production device', async () => {
    const ids = [b0.issuance_id, ...sdgcs.map((g: any) => g.issuance_id)];
    const origins = await originsOf(s.db.database.kysely, ids);
    expect(
      ids.map((id) => {
        const o = origins.get(id)!;
        return [o.device?.id, o.origin_device?.id ?? null, o.issuance_metadata?.issuing_body, o.imported_from];
      }),
    ).toEqual([
      [w.device, null, 'Energinet', null],
      [battery, w.device, 'Energinet', null],
      [battery, w.device, 'Energinet', null],
    ]);
  });

  it('lets an SD-GC be cancelled and claimed like any certificate, counted at its discharge hour', async () => {
    await expectStatus(
      post('/api/certificates/cancel', w.trader.token, {
        source_id: w.traderAccount,
        granular_certificate_bundle_ids: [sdgcs[0].id],
        beneficiary: 'Trader',
      }),
      200,
    );
    await expectStatus(
      post('/api/certificates/claim', w.trader.token, {
        source_id: w.traderAccount,
        granular_certificate_bundle_ids: [sdgcs[0].id],
        consumer: 'Trader',
      }),
      200,
    );
    const claimed = await claimedByHour(
      s.db.database.kysely,
      { account_id: w.traderAccount, metering_point_ids: [] },
      new Date(hour(0).production_starting_interval),
      new Date(hour(24).production_starting_interval),
    );
    expect(claimed).toEqual([
      {
        hour: new Date(hour(3).production_starting_interval),
        energy_source: 'solar_pv',
        technology: 'Solar',
        wh: sdgcs[0].bundle_quantity,
      },
    ]);
  });

  it('refuses to withdraw a record backing live SD-GCs, and otherwise releases its allocations', async () => {
    await refused(post(`/api/storage/charge-records/${charge1.id}/withdraw`, w.trader.token), 403, 'role_required');
    await refused(
      post(`/api/storage/charge-records/${charge1.id}/withdraw`, w.issuer.token),
      409,
      'backs_live_certificates',
    );
    await refused(
      post(`/api/storage/discharge-records/${discharge.id}/withdraw`, w.issuer.token),
      409,
      'backs_live_certificates',
    );
    await expectStatus(
      post('/api/certificates/withdraw', w.issuer.token, {
        source_id: w.traderAccount,
        granular_certificate_bundle_ids: [sdgcs[1].id],
      }),
      200,
    );
    const withdrawn = await expectStatus(
      post(`/api/storage/charge-records/${charge1.id}/withdraw`, w.issuer.token),
      200,
    );
    expect(withdrawn).toMatchObject({ status: 'withdrawn', allocated_wh: 0, withdrawn_at: expect.any(String) });
    const after = await expectStatus(
      s.request('GET', `/api/storage/discharge-records/${discharge.id}`, { token: w.trader.token }),
      200,
    );
    expect(after.allocations.map((a: any) => a.status)).toEqual(['live', 'released']);
    expect(after.allocated_wh).toBe(discharge.allocations[0].discharge_wh);
    expect(after.issued_wh).toBe(sdgcs[0].bundle_quantity);
    await refused(post(`/api/storage/charge-records/${charge1.id}/withdraw`, w.issuer.token), 409, 'record_withdrawn');
  });

  it('changes only the descriptions, each change an event', async () => {
    const before = await s.eventCount();
    const changed = await expectStatus(
      s.request('PATCH', `/api/storage/discharge-records/${discharge.id}`, {
        token: w.trader.token,
        body: { efficiency_factor_methodology: 'measured monthly' },
      }),
      200,
    );
    expect(changed.efficiency_factor_methodology).toBe('measured monthly');
    expect(await s.eventCount()).toBe(before + 1);
    await refused(
      s.request('PATCH', `/api/storage/discharge-records/${discharge.id}`, {
        token: w.trader.token,
        body: { discharge_energy: 1 },
      }),
      400,
      'invalid_request',
    );
  });
});

describe('storage readings', () => {
  const csv = (rows: string[]) =>
    ['flow_start_datetime,flow_end_datetime,flow_energy,validator_id', ...rows].join('\n');
  const upload = (text: string, token = w.trader.token) =>
    s.request('POST', `/api/storage/readings?device_id=${battery}`, {
      token,
      raw: text,
      headers: { 'content-type': 'text/csv' },
    });

  it('records negative flows as charges and positive ones as discharges, all or nothing', async () => {
    const file = csv([
      `${hour(6).production_starting_interval},${hour(6).production_ending_interval},-1000,m1`,
      `${hour(7).production_starting_interval},${hour(7).production_ending_interval},300,m1`,
      `${hour(8).production_starting_interval},${hour(8).production_ending_interval},0,m1`,
    ]);
    const made = await expectStatus(upload(file), 201);
    expect(made).toMatchObject({
      charge_record_ids: [expect.any(Number)],
      discharge_record_ids: [expect.any(Number)],
      skipped: 1,
    });
    const charge = await expectStatus(
      s.request('GET', `/api/storage/charge-records/${made.charge_record_ids[0]}`, { token: w.trader.token }),
      200,
    );
    expect(charge).toMatchObject({ charging_energy: 1000, validator_id: 'm1', backed_wh: 0 });
    await refused(upload(file), 409, 'already_recorded');
    const bad = await refused(
      upload(csv([`${hour(9).production_starting_interval},${hour(9).production_ending_interval},1.5,m1`])),
      400,
      'invalid_reading',
    );
    expect(JSON.stringify(bad)).toContain('csv/row/2/flow_energy');
    await refused(upload('when,what\n'), 400, 'invalid_csv');
  });

  it('lists the records the caller may read', async () => {
    const mine = await expectStatus(
      s.request('GET', `/api/storage/charge-records?device_id=${battery}`, { token: w.trader.token }),
      200,
    );
    expect(mine.items.map((c: any) => c.charging_energy)).toEqual([800, 900, 600, 1000]);
    const theirs = await expectStatus(
      s.request('GET', '/api/storage/charge-records', { token: w.outsider.token }),
      200,
    );
    expect(theirs.items).toEqual([]);
  });

  it('leaves a database tally check finds sound', async () => {
    expect(await checkEverything(s.db.database.kysely)).toEqual([]);
  });
});

describe('declared allocations (the storage allocation template)', () => {
  const csv = (rows: string[]) =>
    ['scr_allocation_id,sdr_allocation_id,sdr_proportion,scr_allocation_methodology,gc_allocation_id', ...rows].join(
      '\n',
    );
  const upload = (text: string) =>
    s.request('POST', '/api/storage/allocations', {
      token: w.trader.token,
      raw: text,
      headers: { 'content-type': 'text/csv' },
    });

  it('allocates the declared share of a discharge from the declared charge, all or nothing', async () => {
    const [b10] = await issue(s, w, [[10, 500]]);
    await expectStatus(
      post('/api/certificates/transfer', w.producer.token, {
        source_id: w.producerAccount,
        target_id: w.traderAccount,
        granular_certificate_bundle_ids: [b10.id],
      }),
      200,
    );
    const charge = await expectStatus(
      post('/api/storage/charge-records', w.trader.token, {
        device_id: battery,
        ...charging(10),
        charging_energy: 500,
      }),
      201,
    );
    // Recorded before its charge is backed: nothing to allocate it from yet.
    const discharge = await expectStatus(
      post('/api/storage/discharge-records', w.trader.token, {
        device_id: battery,
        ...discharging(12),
        discharge_energy: 200,
      }),
      201,
    );
    expect(discharge.allocated_wh).toBe(0);
    await expectStatus(
      post(`/api/storage/charge-records/${charge.id}/certificates`, w.trader.token, {
        granular_certificate_bundle_ids: [b10.id],
      }),
      200,
    );
    await refused(upload(csv([`${charge.id},${discharge.id},0.5,LIFO,`])), 422, 'allocation_methodology_fixed');
    await refused(
      upload(csv([`${charge.id},${discharge.id},0.5,FIFO,`, `${charge.id},${discharge.id},0.6,FIFO,`])),
      422,
      'allocation_too_large',
    );
    await refused(upload(csv([`${charge.id},${discharge.id},1.5,,`])), 400, 'invalid_csv');
    const done = await expectStatus(upload(csv([`${charge.id},${discharge.id},0.5,FIFO,${b10.id}`])), 201);
    expect(done).toEqual({ allocations: 1, discharge_wh: 100 });
    const after = await expectStatus(
      s.request('GET', `/api/storage/discharge-records/${discharge.id}`, { token: w.trader.token }),
      200,
    );
    const ppm = Math.round(after.storage_efficiency_factor * 1_000_000);
    expect(after.allocations).toMatchObject([
      { scr_id: charge.id, bundle_id: b10.id, discharge_wh: 100, charge_wh: Math.ceil((100 * 1_000_000) / ppm) },
    ]);
    expect(after.allocated_wh).toBe(100);
    expect(await checkEverything(s.db.database.kysely)).toEqual([]);
  });
});
