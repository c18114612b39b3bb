// Decommissioning a device: nothing it produces afterwards is issued, hours before stay issuable,
// automatic issuance stops, the device is no longer changed, and the device, its certificates and
// its events stay. Refusals change nothing; decommissioning twice is one event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
});
afterAll(() => s.close());

describe('a decommissioned device', () => {
  it('issues only what it produced before, and is no longer changed', async () => {
    const [before] = await issue(s, w, [[0, 1000]]);
    // Decommissioned at the test clock's instant (2026-12-01T12:00Z).
    const device = await expectStatus(
      s.request('DELETE', `/api/devices/${w.device}`, { token: w.producer.token }),
      200,
    );
    expect(device).toMatchObject({ id: w.device, decommissioned_at: '2026-12-01T12:00:00.000Z', auto_issue: false });

    s.clock.advance(10 * 60_000);
    const events = await s.eventCount();
    const late = await s.request('POST', '/api/certificates/issue', {
      token: w.issuer.token,
      body: {
        device_id: w.device,
        intervals: [
          {
            production_starting_interval: '2026-12-01T12:00:00Z',
            production_ending_interval: '2026-12-01T12:10:00Z',
            wh: 500,
          },
        ],
      },
    });
    // Ten minutes that have passed, but were produced after the decommissioning.
    expect([late.status, late.body.code]).toEqual([409, 'device_decommissioned']);
    const patch = await s.request('PATCH', `/api/devices/${w.device}`, {
      token: w.issuer.token,
      body: { auto_issue: true },
    });
    expect([patch.status, patch.body.code]).toEqual([409, 'device_decommissioned']);
    const outsider = await s.request('DELETE', `/api/devices/${w.device}`, { token: w.outsider.token });
    expect([outsider.status, outsider.body.code]).toEqual([403, 'role_required']);
    expect(await s.eventCount()).toBe(events);

    // An hour produced before the decommissioning is still issued (a late reading).
    const [earlier] = await issue(s, w, [[1, 2000]]);
    expect(earlier.certificate_bundle_id_range_start).toBe(before.certificate_bundle_id_range_end + 1);

    // Again: the same device, nothing recorded.
    const again = await expectStatus(s.request('DELETE', `/api/devices/${w.device}`, { token: w.producer.token }), 200);
    expect(again.decommissioned_at).toBe('2026-12-01T12:00:00.000Z');
    expect(await s.eventCount()).toBe(events + 1);
    const recorded = await expectStatus(
      s.request('GET', `/api/events?type=device.decommissioned&subject_id=${w.device}`, { token: w.producer.token }),
      200,
    );
    expect(recorded.items.map((e: { subject_id: string }) => e.subject_id)).toEqual([String(w.device)]);
  });
});
