// A decommissioned storage device issues no SD-GC for what it discharged after its decommissioning,
// as a production device issues nothing it produced after; the refusal changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { charging, storageDevice } from '../helpers/storage.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
});
afterAll(() => s.close());

/** 2026-12-01T10:00Z, two hours before the test clock, as an hour offset from the world's 2025-06-01. */
const TEN_AM = 548 * 24 + 10;

describe('a decommissioned storage device', () => {
  it('issues no SD-GC for a discharge after its decommissioning', async () => {
    const battery = await storageDevice(s, w);
    const [b] = await issue(s, w, [[TEN_AM, 1000]]);
    await expectStatus(
      s.request('POST', '/api/certificates/transfer', {
        token: w.producer.token,
        body: { source_id: w.producerAccount, target_id: w.traderAccount, granular_certificate_bundle_ids: [b.id] },
      }),
      200,
    );
    await expectStatus(
      s.request('POST', '/api/storage/charge-records', {
        token: w.trader.token,
        body: {
          device_id: battery,
          ...charging(TEN_AM),
          charging_energy: 800,
          certificates: { granular_certificate_bundle_ids: [b.id], certificate_quantity: 800 },
        },
      }),
      201,
    );
    const gone = await expectStatus(s.request('DELETE', `/api/devices/${battery}`, { token: w.issuer.token }), 200);
    expect(gone.decommissioned_at).toBe('2026-12-01T12:00:00.000Z');

    s.clock.advance(10 * 60_000);
    const discharge = await expectStatus(
      s.request('POST', '/api/storage/discharge-records', {
        token: w.trader.token,
        body: {
          device_id: battery,
          discharging_start_datetime: '2026-12-01T12:00:00Z',
          discharging_end_datetime: '2026-12-01T12:10:00Z',
          discharge_energy: 100,
        },
      }),
      201,
    );
    expect(discharge.allocated_wh).toBeGreaterThan(0);
    const events = await s.eventCount();
    const refused = await s.request('POST', `/api/storage/discharge-records/${discharge.id}/issue`, {
      token: w.trader.token,
    });
    expect([refused.status, refused.body.code]).toEqual([409, 'device_decommissioned']);
    expect(await s.eventCount()).toBe(events);
  });
});
