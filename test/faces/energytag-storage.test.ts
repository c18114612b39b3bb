// The EnergyTag face's storage operations (draft operations 27–34), driven as a client of the draft
// would: SCRs created from an issuance's id range (cancelled to the storage device), an SDR
// allocated from them, SD-GCs issued, queried with a GET body and with query parameters, the one
// mutable field changed and an immutable one refused, and withdrawals refused while SD-GCs live.
// Every answer, success or refusal, is checked against the draft's schemas (Ajv).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEverything } from '../../src/check.ts';
import { readUuid, uuidOf } from '../../src/faces/energytag/index.ts';
import { draftValidator, getWithBody, loadDraft } from '../helpers/energytag.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { charging, discharging, storageDevice } from '../helpers/storage.ts';
import { buildWorld, expectStatus, hour, issue, type World } from '../helpers/world.ts';

const validator = draftValidator(loadDraft());
const PREFIX = '/energytag/v2';
const NIL = '00000000-0000-0000-0000-000000000000';

describe('the EnergyTag face: storage', () => {
  let s: TestServer;
  let w: World;
  let battery: number;
  let bundles: any[];
  const seen = new Set<string>();

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    battery = await storageDevice(s, w);
    bundles = await issue(s, w, [
      [0, 1000],
      [1, 600],
    ]);
    await expectStatus(
      s.request('POST', '/api/certificates/transfer', {
        token: w.producer.token,
        body: {
          source_id: w.producerAccount,
          target_id: w.traderAccount,
          granular_certificate_bundle_ids: bundles.map((b) => b.id),
        },
      }),
      200,
    );
  });
  afterAll(async () => s?.close());

  /** Calls the draft's operation and checks the status and the answer against the draft's schema for it. */
  async function call(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; query?: string; status: number },
  ) {
    const url = `${PREFIX}${path}${opts.query ? `?${opts.query}` : ''}`;
    const r =
      method === 'GET' && opts.body !== undefined
        ? await getWithBody(s.url, url, opts.body, opts.token)
        : await s.request(method, url, {
            ...(opts.token ? { token: opts.token } : {}),
            ...(opts.body !== undefined ? { body: opts.body } : {}),
          });
    expect(r.status, JSON.stringify(r.body)).toBe(opts.status);
    expect(validator.check(method, path, r.status, r.body)).toEqual([]);
    seen.add(`${method} ${path}`);
    return r.body;
  }

  /** A refused call that changed nothing. */
  async function refused(method: string, path: string, opts: { token: string; body?: unknown }, loc: unknown[]) {
    const before = await s.eventCount();
    const body = await call(method, path, { ...opts, status: 422 });
    expect(body.detail[0].loc).toEqual(loc);
    expect(await s.eventCount()).toBe(before);
    return body.detail[0];
  }

  let scr0: any;
  let scr1: any;
  let sdr: any;
  let sdgc: any;

  it('creates SCRs from an issuance’s id range, cancelled to the storage device', async () => {
    scr0 = await call('POST', '/storage/storage/create_scr', {
      token: w.trader.token,
      body: {
        id: uuidOf('device', battery),
        ...charging(0),
        charging_energy: 800,
        charging_energy_source: 'Solar',
        gc_issuance_id: uuidOf('issuance', bundles[0].issuance_id),
        granular_certificate_certificate_bundle_id_range_start: 1,
        granular_certificate_certificate_bundle_id_range_end: 800,
        scr_geographic_matching_method: 'same bidding zone',
      },
      status: 200,
    });
    expect(scr0).toMatchObject({
      id: uuidOf('device', battery),
      account_id: uuidOf('account', w.traderAccount),
      charging_energy: 800,
      charging_energy_source: 'solar_pv',
      gc_issuance_id: uuidOf('issuance', bundles[0].issuance_id),
      granular_certificate_certificate_bundle_id_range_start: 1,
      granular_certificate_certificate_bundle_id_range_end: 800,
      scr_geographic_matching_method: 'same bidding zone',
      backed_wh: 800,
    });
    expect(scr0.scr_allocation_id).toMatch(/^7a11e7a9-000a-8000-8/);
    scr1 = await call('POST', '/storage/storage/create_scr', {
      token: w.trader.token,
      body: {
        id: uuidOf('device', battery),
        ...charging(1),
        charging_energy: 600,
        charging_energy_source: 'solar_pv',
        gc_issuance_id: uuidOf('issuance', bundles[1].issuance_id),
        granular_certificate_certificate_bundle_id_range_start: 1001,
        granular_certificate_certificate_bundle_id_range_end: 1600,
        scr_geographic_matching_method: 'none',
      },
      status: 200,
    });
    expect(scr1.backed_wh).toBe(600);
  });

  it('refuses an SCR the certificates cannot back, changing nothing', async () => {
    await refused(
      'POST',
      '/storage/storage/create_scr',
      {
        token: w.trader.token,
        body: {
          id: uuidOf('device', battery),
          ...charging(2),
          charging_energy: 100,
          charging_energy_source: 'solar_pv',
          gc_issuance_id: uuidOf('issuance', bundles[0].issuance_id),
          granular_certificate_certificate_bundle_id_range_start: 801,
          granular_certificate_certificate_bundle_id_range_end: 900,
          scr_geographic_matching_method: 'none',
        },
      },
      ['body', 'gc_issuance_id'],
    );
    // Storage records are a storage device's: a production device is refused, naming the draft's field.
    const detail = await refused(
      'POST',
      '/storage/storage/create_scr',
      {
        token: w.issuer.token,
        body: {
          id: uuidOf('device', w.device),
          ...charging(2),
          charging_energy: 100,
          charging_energy_source: 'solar_pv',
          scr_geographic_matching_method: 'none',
        },
      },
      ['body', 'id'],
    );
    expect(detail.type).toBe('not_a_storage_device');
  });

  it('creates an SDR allocated FIFO with the measured efficiency, and issues its SD-GCs', async () => {
    sdr = await call('POST', '/storage/storage/create_sdr', {
      token: w.trader.token,
      body: {
        id: uuidOf('device', battery),
        ...discharging(3),
        discharge_energy: 700,
        charging_energy_source: 'solar_pv',
        scr_allocation_methodology: 'fifo',
        efficiency_factor_methodology: 'EnergyTag Standard',
      },
      status: 200,
    });
    expect(sdr).toMatchObject({
      scr_allocation_id: scr0.scr_allocation_id,
      charging_energy_source: 'solar_pv',
      scr_allocation_methodology: 'FIFO',
      storage_efficiency_factor: 0.5,
      allocated_wh: 700,
    });
    expect(sdr.allocations.map((a: any) => [a.scr_allocation_id, a.charge_wh, a.discharge_wh])).toEqual([
      [scr0.scr_allocation_id, 800, 400],
      [scr1.scr_allocation_id, 600, 300],
    ]);
    await refused(
      'POST',
      '/storage/storage/issue_sdgc',
      { token: w.trader.token, body: { sdr_allocation_id: sdr.sdr_allocation_id, bundle_quantity: 5 } },
      ['body', 'bundle_quantity'],
    );
    sdgc = await call('POST', '/storage/storage/issue_sdgc', {
      token: w.trader.token,
      body: { sdr_allocation_id: sdr.sdr_allocation_id, bundle_quantity: 700 },
      status: 200,
    });
    expect(sdgc).toMatchObject({
      id: uuidOf('device', w.device),
      storage_id: uuidOf('device', battery),
      device_type: 'storage',
      device_name: 'Roof array',
      energy_source: 'solar_pv',
      bundle_quantity: 400,
      certificate_bundle_id_range_start: 1,
      ...hour(0),
      discharging_start_datetime: hour(3).production_starting_interval,
      discharging_end_datetime: hour(3).production_ending_interval,
      sdr_allocation_id: sdr.sdr_allocation_id,
      storage_efficiency_factor: 0.5,
      storage_device_location: [55.7, 12.6],
    });
    expect(sdgc.issued_bundle_ids).toHaveLength(2);
  });

  it('queries SCRs and SDRs with a GET body and with query parameters', async () => {
    const account = uuidOf('account', w.traderAccount);
    const scrs = await call('GET', '/storage/storage/query_scr', {
      token: w.trader.token,
      body: { source_id: account, storage_id: uuidOf('device', battery) },
      status: 200,
    });
    expect(scrs.filtered_scrs.map((r: any) => r.scr_allocation_id)).toEqual([
      scr0.scr_allocation_id,
      scr1.scr_allocation_id,
    ]);
    expect(scrs.filtered_scrs[0].sdr_allocation_id).toBeUndefined();
    const one = await call('GET', '/storage/storage/query_scr', {
      token: w.trader.token,
      query: `source_id=${account}&source_allocation_id=${scr1.scr_allocation_id}`,
      status: 200,
    });
    expect(one.filtered_scrs.map((r: any) => r.charging_energy)).toEqual([600]);
    const sdrs = await call('GET', '/storage/storage/query_sdr', {
      token: w.trader.token,
      body: { source_id: account, storage_energy_source: ['Solar'] },
      status: 200,
    });
    expect(sdrs.filtered_sdrs.map((r: any) => [r.sdr_allocation_id, r.issued_wh])).toEqual([
      [sdr.sdr_allocation_id, 700],
    ]);
    const none = await call('GET', '/storage/storage/query_sdr', {
      token: w.outsider.token,
      query: `source_id=${uuidOf('account', w.outsiderAccount)}&storage_id=${uuidOf('device', battery)}`,
      status: 200,
    });
    expect(none.filtered_sdrs).toEqual([]);
  });

  it('claims cancelled certificates by a selection without the charge ones cancelled to the storage device', async () => {
    const [late] = await issue(s, w, [[6, 300]]);
    await expectStatus(
      s.request('POST', '/api/certificates/transfer', {
        token: w.producer.token,
        body: { source_id: w.producerAccount, target_id: w.traderAccount, granular_certificate_bundle_ids: [late.id] },
      }),
      200,
    );
    const account = uuidOf('account', w.traderAccount);
    await call('POST', '/certificates/certificates/cancel', {
      token: w.trader.token,
      body: { source_id: account, source_certificate_issuance_id: uuidOf('issuance', late.issuance_id) },
      status: 202,
    });
    // The account's cancelled certificates: the charge of scr0 and scr1 (never claimed) and these 300 Wh.
    const claim = await call('POST', '/certificates/certificates/claim', {
      token: w.trader.token,
      body: { source_id: account, certificate_bundle_status: 'Cancelled', consumer: 'Harbour Ltd' },
      status: 202,
    });
    expect(claim.certificate_quantity).toBe(300);
    const record = await expectStatus(
      s.request('GET', `/api/storage/charge-records/${readUuid(scr0.scr_allocation_id)!.id}`, {
        token: w.trader.token,
      }),
      200,
    );
    const backing = await expectStatus(
      s.request('GET', `/api/certificates/${record.backings[0].bundle_id}`, { token: w.trader.token }),
      200,
    );
    expect(backing).toMatchObject({ certificate_bundle_status: 'cancelled', charged_storage_device_id: battery });
  });

  it('changes a record’s description, and refuses an immutable field naming it', async () => {
    const before = await s.eventCount();
    const changed = await call('PATCH', '/storage/storage/update_mutables', {
      token: w.trader.token,
      body: {
        source_id: uuidOf('account', w.traderAccount),
        source_allocation_id: sdr.sdr_allocation_id,
        efficiency_factor_methodology: 'measured monthly',
      },
      status: 200,
    });
    expect(changed.action_response_status).toBe('accepted');
    expect(await s.eventCount()).toBe(before + 1);
    const detail = await refused(
      'PATCH',
      '/storage/storage/update_mutables',
      {
        token: w.trader.token,
        body: {
          source_id: uuidOf('account', w.traderAccount),
          source_allocation_id: scr0.scr_allocation_id,
          charging_energy: 1,
        },
      },
      ['body', 'charging_energy'],
    );
    expect(detail.type).toBe('value_error.immutable');
  });

  it('refuses to withdraw records backing live SD-GCs, and withdraws them once those are withdrawn', async () => {
    await refused(
      'POST',
      '/storage/storage/withdraw_scr',
      {
        token: w.issuer.token,
        body: { source_id: uuidOf('account', w.traderAccount), source_allocation_id: scr1.scr_allocation_id },
      },
      ['body'],
    );
    // Withdrawing is the issuing body's: a holder is refused too.
    await call('POST', '/storage/storage/withdraw_sdr', {
      token: w.trader.token,
      body: { source_id: uuidOf('account', w.traderAccount), source_allocation_id: sdr.sdr_allocation_id },
      status: 422,
    });
    await expectStatus(
      s.request('POST', '/api/certificates/withdraw', {
        token: w.issuer.token,
        body: {
          source_id: w.traderAccount,
          granular_certificate_bundle_ids: sdgc.issued_bundle_ids.map((u: string) => readUuid(u)!.id),
        },
      }),
      200,
    );
    const done = await call('POST', '/storage/storage/withdraw_sdr', {
      token: w.issuer.token,
      body: { source_id: uuidOf('account', w.traderAccount), source_allocation_id: sdr.sdr_allocation_id },
      status: 200,
    });
    expect(done.action_response_status).toBe('accepted');
    await call('POST', '/storage/storage/withdraw_scr', {
      token: w.issuer.token,
      body: { source_id: uuidOf('account', w.traderAccount), source_allocation_id: scr1.scr_allocation_id },
      status: 200,
    });
    const scrs = await call('GET', '/storage/storage/query_scr', {
      token: w.trader.token,
      query: `source_id=${uuidOf('account', w.traderAccount)}`,
      status: 200,
    });
    expect(scrs.filtered_scrs.map((r: any) => [r.charging_energy, r.status, r.allocated_wh])).toEqual([
      [800, 'active', 0],
      [600, 'withdrawn', 0],
    ]);
  });

  it('shows an SCR not backed yet (from the storage readings) with the nil issuance and an unknown source', async () => {
    const h = charging(20);
    const made = await expectStatus(
      s.request('POST', `/api/storage/readings?device_id=${battery}`, {
        token: w.trader.token,
        raw: `flow_start_datetime,flow_end_datetime,flow_energy,validator_id\n${h.charging_start_datetime},${h.charging_end_datetime},-250,m1`,
        headers: { 'content-type': 'text/csv' },
      }),
      201,
    );
    const found = await call('GET', '/storage/storage/query_scr', {
      token: w.trader.token,
      body: {
        source_id: uuidOf('account', w.traderAccount),
        source_allocation_id: uuidOf('scr', made.charge_record_ids[0]),
      },
      status: 200,
    });
    expect(found.filtered_scrs).toMatchObject([
      {
        charging_energy: 250,
        gc_issuance_id: NIL,
        granular_certificate_certificate_bundle_id_range_start: 0,
        granular_certificate_certificate_bundle_id_range_end: 0,
        charging_energy_source: 'unknown',
        backed_wh: 0,
      },
    ]);
  });

  it('answers 401 without a token and 404 off the draft, in the draft’s shape', async () => {
    await call('GET', '/storage/storage/query_scr', { query: `source_id=${NIL}`, status: 401 });
    const r = await s.request('POST', `${PREFIX}/nowhere`, { token: w.trader.token, body: {} });
    expect(r.status).toBe(404);
    expect(validator.check('POST', '/nowhere', 404, r.body)).toEqual([]);
  });

  it('served every storage operation of the draft, and left a sound database', async () => {
    expect([...seen].filter((op) => op.includes(' /storage/')).sort()).toEqual(
      [
        'POST /storage/storage/create_scr',
        'POST /storage/storage/create_sdr',
        'POST /storage/storage/issue_sdgc',
        'GET /storage/storage/query_scr',
        'GET /storage/storage/query_sdr',
        'PATCH /storage/storage/update_mutables',
        'POST /storage/storage/withdraw_scr',
        'POST /storage/storage/withdraw_sdr',
      ].sort(),
    );
    expect(await checkEverything(s.db.database.kysely)).toEqual([]);
  });
});
