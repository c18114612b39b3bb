import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRegistry } from '../../src/registry/check.ts';
import { checkAfter } from '../helpers/check-after.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, hour, issue, CAPACITY_W, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
});
afterAll(() => s.close());

const post = (path: string, token: string, body: unknown) => s.request('POST', path, { token, body });

describe('issuance', () => {
  it('issues one bundle per interval with contiguous id ranges from 1', async () => {
    const bundles = await issue(s, w, [
      [2, 300],
      [0, 100],
      [1, 200],
    ]);
    // Ids are allocated in interval order, whatever order the request lists them in.
    expect(
      bundles.map((b) => [
        b.production_starting_interval,
        b.certificate_bundle_id_range_start,
        b.certificate_bundle_id_range_end,
        b.bundle_quantity,
      ]),
    ).toEqual([
      ['2025-06-01T00:00:00.000Z', 1, 100, 100],
      ['2025-06-01T01:00:00.000Z', 101, 300, 200],
      ['2025-06-01T02:00:00.000Z', 301, 600, 300],
    ]);
    for (const b of bundles) {
      expect(b).toMatchObject({
        account_id: w.producerAccount,
        device_id: w.device,
        certificate_bundle_status: 'active',
        energy_source: 'solar_pv',
      });
    }
    const next = await issue(s, w, [[3, 50]]);
    expect(next[0]).toMatchObject({ certificate_bundle_id_range_start: 601, certificate_bundle_id_range_end: 650 });
    // The answer's ids are the stored bundles' ids, each with its own range and interval, and the
    // event recorded them so: replaying the ledger rebuilds the table.
    for (const b of [...bundles, ...next])
      expect(
        await expectStatus(s.request('GET', `/api/certificates/${b.id}`, { token: w.producer.token }), 200),
      ).toMatchObject(b);
    expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
  });

  it('shows every interval in UTC with milliseconds, however the request wrote it, as stored and as the ledger replays it', async () => {
    const written = [
      ['2025-05-01T10:30:00.500000Z', '2025-05-01T12:00:00.000+01:00'],
      ['2025-05-01T12:00:00+02:00', '2025-05-01T10:30:00.5Z'],
      ['2025-05-01T11:00:00Z', '2025-05-01T12:00:00.000Z'],
    ];
    const { bundles } = await expectStatus(
      post('/api/certificates/issue', w.issuer.token, {
        device_id: w.device,
        intervals: written.map(([from, to]) => ({
          production_starting_interval: from,
          production_ending_interval: to,
          wh: 10,
        })),
      }),
      201,
    );
    expect(bundles.map((b: any) => [b.production_starting_interval, b.production_ending_interval])).toEqual([
      ['2025-05-01T10:00:00.000Z', '2025-05-01T10:30:00.500Z'],
      ['2025-05-01T10:30:00.500Z', '2025-05-01T11:00:00.000Z'],
      ['2025-05-01T11:00:00.000Z', '2025-05-01T12:00:00.000Z'],
    ]);
    // Three lengths, so three runs in the event: the checker below replays each against the rows.
    const events = await expectStatus(
      s.request('GET', '/api/events?type=certificates.issued&order=desc&limit=1', { token: w.issuer.token }),
      200,
    );
    expect(
      events.items[0].payload.runs.map((r: any) => [r.bundle_id, r.production_starting_interval, r.interval_ms]),
    ).toEqual([
      [bundles[0].id, '2025-05-01T10:00:00.000Z', 1_800_500],
      [bundles[1].id, '2025-05-01T10:30:00.500Z', 1_799_500],
      [bundles[2].id, '2025-05-01T11:00:00.000Z', 3_600_000],
    ]);
    for (const b of bundles)
      expect(
        await expectStatus(s.request('GET', `/api/certificates/${b.id}`, { token: w.producer.token }), 200),
      ).toMatchObject(b);
    expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
  });

  it('is named by the checker where a bundle covers another interval than its issuance', async () => {
    const {
      bundles: [bundle],
    } = await expectStatus(
      post('/api/certificates/issue', w.issuer.token, {
        device_id: w.device,
        intervals: [
          {
            production_starting_interval: '2025-04-01T10:00:00Z',
            production_ending_interval: '2025-04-01T11:00:00Z',
            wh: 10,
          },
        ],
      }),
      201,
    );
    const found = await checkAfter(s.db.database.kysely, (trx) =>
      sql`UPDATE bundles SET production_starting_interval = production_starting_interval - interval '1 hour',
                             production_ending_interval = production_ending_interval - interval '1 hour'
          WHERE id = ${bundle.id}`.execute(trx),
    );
    expect(found.filter((v) => v.rule === 'bundle_interval_of_issuance')).toEqual([
      {
        rule: 'bundle_interval_of_issuance',
        detail: `bundle ${bundle.id} covers another interval than its issuance ${bundle.issuance_id}`,
      },
    ]);
  });

  it('refuses an interval issued before, and an overlapping one, changing nothing', async () => {
    const before = await s.eventCount();
    const again = await post('/api/certificates/issue', w.issuer.token, {
      device_id: w.device,
      intervals: [{ ...hour(0), wh: 10 }],
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_issued');
    const overlapping = await post('/api/certificates/issue', w.issuer.token, {
      device_id: w.device,
      intervals: [
        { ...hour(10), wh: 5 },
        {
          production_starting_interval: '2025-06-01T00:30:00Z',
          production_ending_interval: '2025-06-01T01:00:00Z',
          wh: 5,
        },
      ],
    });
    expect(overlapping.status).toBe(409);
    expect(await s.eventCount()).toBe(before);
    // The valid interval of the refused request was not issued either: all or nothing.
    const q = await post('/api/certificates/query', w.producer.token, {
      source_id: w.producerAccount,
      certificate_period_start: hour(10).production_starting_interval,
    });
    expect(q.body.items).toEqual([]);
  });

  it('allows exactly capacity × hours × 1.1 and refuses one Wh more', async () => {
    const limit = (CAPACITY_W * 11) / 10; // one hour
    const over = await post('/api/certificates/issue', w.issuer.token, {
      device_id: w.device,
      intervals: [{ ...hour(20), wh: limit + 1 }],
    });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'over_capacity', errors: [{ field: 'body/intervals/0/wh' }] });
    const [ok] = await issue(s, w, [[20, limit]]);
    expect(ok.bundle_quantity).toBe(1_100_000);
    // A quarter hour allows a quarter of that.
    const quarter = {
      production_starting_interval: '2025-06-01T21:00:00Z',
      production_ending_interval: '2025-06-01T21:15:00Z',
    };
    const q = await post('/api/certificates/issue', w.issuer.token, {
      device_id: w.device,
      intervals: [{ ...quarter, wh: 275_001 }],
    });
    expect(q.status).toBe(422);
    await expectStatus(
      post('/api/certificates/issue', w.issuer.token, {
        device_id: w.device,
        intervals: [{ ...quarter, wh: 275_000 }],
      }),
      201,
    );
  });

  it.each([
    [
      'reversed interval',
      {
        production_starting_interval: '2025-05-01T01:00:00Z',
        production_ending_interval: '2025-05-01T00:00:00Z',
        wh: 1,
      },
      400,
      'reversed_interval',
    ],
    [
      'longer than one hour',
      {
        production_starting_interval: '2025-05-01T00:00:00Z',
        production_ending_interval: '2025-05-01T01:00:01Z',
        wh: 1,
      },
      400,
      'interval_too_long',
    ],
    [
      'in the future',
      {
        production_starting_interval: '2099-07-01T00:00:00Z',
        production_ending_interval: '2099-07-01T01:00:00Z',
        wh: 1,
      },
      422,
      'future_interval',
    ],
    ['zero Wh', { ...hour(30), wh: 0 }, 400, 'invalid_request'],
    ['fractional Wh', { ...hour(30), wh: 1.5 }, 400, 'invalid_request'],
  ])('refuses %s', async (_name, interval, status, code) => {
    const before = await s.eventCount();
    const r = await post('/api/certificates/issue', w.issuer.token, { device_id: w.device, intervals: [interval] });
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    expect(r.body.errors[0].field).toMatch(/^body\/intervals\/0\//);
    expect(await s.eventCount()).toBe(before);
  });

  it('lets only issuers and admins issue', async () => {
    const r = await post('/api/certificates/issue', w.producer.token, {
      device_id: w.device,
      intervals: [{ ...hour(40), wh: 1 }],
    });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('role_required');
  });

  it('refuses a device without issuance metadata until it is set, and keeps the old version on old certificates', async () => {
    const d = await expectStatus(
      post('/api/devices', w.producer.token, {
        device_name: 'Wind',
        account_id: w.producerAccount,
        technology_code: 'T020001',
        fuel_code: 'F01050100',
        capacity: 2_000_000,
        operational_date: '2021-05-01',
        country: 'DK',
        grid: 'DK2',
        location: { latitude: 55.1, longitude: 11.2 },
        time_zone: 'Europe/Copenhagen',
      }),
      201,
    );
    expect(d.energy_source).toBe('wind');
    const refused = await post('/api/certificates/issue', w.issuer.token, {
      device_id: d.id,
      intervals: [{ ...hour(0), wh: 1 }],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('issuance_metadata_missing');
    await expectStatus(
      s.request('PATCH', `/api/devices/${d.id}`, {
        token: w.producer.token,
        body: { issuance_metadata: { issuing_body: 'Energinet', legal_status: 'v1' } },
      }),
      200,
    );
    const [first] = (
      await expectStatus(
        post('/api/certificates/issue', w.issuer.token, { device_id: d.id, intervals: [{ ...hour(0), wh: 10 }] }),
        201,
      )
    ).bundles;
    await expectStatus(
      s.request('PATCH', `/api/devices/${d.id}`, {
        token: w.producer.token,
        body: { issuance_metadata: { issuing_body: 'Energinet', legal_status: 'v2' } },
      }),
      200,
    );
    const [second] = (
      await expectStatus(
        post('/api/certificates/issue', w.issuer.token, { device_id: d.id, intervals: [{ ...hour(1), wh: 10 }] }),
        201,
      )
    ).bundles;
    const a = await expectStatus(s.request('GET', `/api/certificates/${first.id}`, { token: w.producer.token }), 200);
    const b = await expectStatus(s.request('GET', `/api/certificates/${second.id}`, { token: w.producer.token }), 200);
    expect([a.issuance_metadata.legal_status, b.issuance_metadata.legal_status]).toEqual(['v1', 'v2']);
    expect(a.device.id).toBe(d.id);
    expect(a.device_location).toEqual([55.1, 11.2]);
    // Certificate ids are per device: the wind device starts at 1 again.
    expect([first.certificate_bundle_id_range_start, second.certificate_bundle_id_range_start]).toEqual([1, 11]);
  });

  it('rejects a technology that is not in the EECS table or disagrees with energy_source', async () => {
    const base = {
      device_name: 'X',
      account_id: w.producerAccount,
      capacity: 1000,
      operational_date: '2020-01-01',
      country: 'DK',
      grid: 'DK1',
      location: { latitude: 1, longitude: 1 },
      time_zone: 'UTC',
    };
    const unknown = await post('/api/devices', w.producer.token, {
      ...base,
      technology_code: 'T999999',
      fuel_code: 'F01040100',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'unknown_technology', errors: [{ field: 'body/technology_code' }] });
    const mismatch = await post('/api/devices', w.producer.token, {
      ...base,
      technology_code: 'T010101',
      fuel_code: 'F01040100',
      energy_source: 'wind',
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.code).toBe('energy_source_mismatch');
    const badZone = await post('/api/devices', w.producer.token, {
      ...base,
      technology_code: 'T010101',
      fuel_code: 'F01040100',
      time_zone: 'Mars/Olympus',
    });
    expect(badZone.body).toMatchObject({ code: 'invalid_time_zone', errors: [{ field: 'body/time_zone' }] });
  });
});

describe('withdraw and re-issue', () => {
  it('re-issues a withdrawn bundle once, linked to it, within capacity', async () => {
    const [b] = await issue(s, w, [[100, 1000]]);
    const withdrawn = await expectStatus(
      post('/api/certificates/withdraw', w.issuer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [b.id],
      }),
      200,
    );
    expect(withdrawn.bundles[0].certificate_bundle_status).toBe('withdrawn');
    // The interval still counts as issued: a plain issuance is refused.
    const plain = await post('/api/certificates/issue', w.issuer.token, {
      device_id: w.device,
      intervals: [{ ...hour(100), wh: 900 }],
    });
    expect(plain.status).toBe(409);
    const re = await expectStatus(
      post('/api/certificates/reissue', w.issuer.token, { granular_certificate_bundle_id: b.id, bundle_quantity: 900 }),
      201,
    );
    expect(re).toMatchObject({
      bundle_quantity: 900,
      certificate_bundle_status: 'active',
      account_id: w.producerAccount,
      production_starting_interval: b.production_starting_interval,
    });
    expect(re.issuance_id).not.toBe(b.issuance_id);
    const detail = await expectStatus(s.request('GET', `/api/certificates/${re.id}`, { token: w.producer.token }), 200);
    expect(detail.reissue_of_bundle_id).toBe(b.id);
    const twice = await post('/api/certificates/reissue', w.issuer.token, { granular_certificate_bundle_id: b.id });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('already_reissued');
  });

  it('refuses to re-issue a bundle that is not withdrawn, or past the capacity of the interval', async () => {
    const [b] = await issue(s, w, [[101, 1_000_000]]);
    const active = await post('/api/certificates/reissue', w.issuer.token, { granular_certificate_bundle_id: b.id });
    expect(active.status).toBe(409);
    expect(active.body.code).toBe('invalid_status');
    // Withdraw 600,000 Wh of it; 400,000 stay live, so at most 700,000 may be re-issued.
    const part = await expectStatus(
      post('/api/certificates/withdraw', w.issuer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [b.id],
        certificate_quantity: 600_000,
      }),
      200,
    );
    const withdrawnId = part.bundles[0].id;
    const over = await post('/api/certificates/reissue', w.issuer.token, {
      granular_certificate_bundle_id: withdrawnId,
      bundle_quantity: 700_001,
    });
    expect(over.status).toBe(422);
    await expectStatus(
      post('/api/certificates/reissue', w.issuer.token, {
        granular_certificate_bundle_id: withdrawnId,
        bundle_quantity: 700_000,
      }),
      201,
    );
  });

  it('lets only the issuing body withdraw', async () => {
    const [b] = await issue(s, w, [[102, 10]]);
    const r = await post('/api/certificates/withdraw', w.producer.token, {
      source_id: w.producerAccount,
      granular_certificate_bundle_ids: [b.id],
    });
    expect(r.status).toBe(403);
  });
});
