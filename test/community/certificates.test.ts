// A community that moves certificates: the Wh a seller's roof sold a flat in an hour leave the
// producer's account as that hour's certificates and arrive claimed for the flat's metering point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, join, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let id: number;
let roof: number;
let flat: number;
// Hours 10 and 11 of 2025-06-01 (UTC); the device's certificates are issued for hour 10 only.
const HOUR = Date.parse('2025-06-01T10:00:00Z');
const at = (k: number) => new Date(HOUR + k * 900_000).toISOString();
const quarters = (whs: number[]) => ({
  readings: whs.map((wh, k) => ({
    interval_start_datetime: at(k),
    interval_end_datetime: at(k + 1),
    interval_usage: wh,
  })),
});

beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: 'ROOF', type: 'production', account_id: w.producerAccount, device_id: w.device },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.trader.token,
      body: { id: 'FLAT', type: 'consumption', account_id: w.traderAccount },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points/ROOF/readings', {
      token: w.producer.token,
      body: quarters([250, 250, 250, 250, 300, 300, 300, 300]),
    }),
    200,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points/FLAT/readings', {
      token: w.trader.token,
      body: quarters([150, 150, 150, 150, 100, 100, 100, 100]),
    }),
    200,
  );
  await issue(s, w, [[10, 1000]]);
  // The flat's household lets the community's manager (the producer) see its point.
  await join(s, w.traderAccount, w.trader, w.producer);
  id = (
    await expectStatus(
      s.request('POST', '/api/communities', {
        token: w.producer.token,
        body: {
          name: 'Rooftop club',
          interval_minutes: 15,
          time_zone: 'UTC',
          mechanism: 'mmr',
          grid_price: 0.2,
          feed_in_price: 0.04,
          currency: 'EUR',
          move_certificates: true,
        },
      }),
      201,
    )
  ).id;
  roof = (
    await expectStatus(
      s.request('POST', `/api/communities/${id}/members`, {
        token: w.producer.token,
        body: { metering_point_id: 'ROOF', name: 'Roof', valid_from: '2025-06-01' },
      }),
      201,
    )
  ).id;
  flat = (
    await expectStatus(
      s.request('POST', `/api/communities/${id}/members`, {
        token: w.producer.token,
        body: { metering_point_id: 'FLAT', name: 'Flat C', valid_from: '2025-06-01' },
      }),
      201,
    )
  ).id;
});
afterAll(() => s.close());

describe('moving certificates with matched energy', () => {
  it('moves and claims exactly the Wh traded in each fully cleared hour', async () => {
    // Three quarters of hour 10 clear nothing yet: the hour is not complete.
    await expectStatus(
      s.request('POST', `/api/communities/${id}/clear`, { token: w.producer.token, body: { from: at(0), to: at(3) } }),
      200,
    );
    const none = await expectStatus(
      s.request('GET', `/api/communities/${id}/certificate-moves?from=${at(0)}&to=${at(8)}`, {
        token: w.producer.token,
      }),
      200,
    );
    expect(none.items).toEqual([]);

    await expectStatus(
      s.request('POST', `/api/communities/${id}/clear`, { token: w.producer.token, body: { from: at(0), to: at(8) } }),
      200,
    );
    const moves = await expectStatus(
      s.request('GET', `/api/communities/${id}/certificate-moves?from=${at(0)}&to=${at(8)}`, {
        token: w.producer.token,
      }),
      200,
    );
    expect(
      moves.items.map((m: any) => [m.hour_start, m.seller, m.buyer, m.matched_wh, m.moved_wh, m.bundle_ids.length]),
    ).toEqual([
      [at(0), roof, flat, 600, 600, 1],
      // Hour 11 has no certificates yet: the trade stands, nothing moves.
      [at(4), roof, flat, 400, 0, 0],
    ]);
    const claimed = await expectStatus(
      s.request('GET', `/api/certificates/${moves.items[0].bundle_ids[0]}`, { token: w.trader.token }),
      200,
    );
    expect(claimed).toMatchObject({
      account_id: w.traderAccount,
      certificate_bundle_status: 'claimed',
      bundle_quantity: 600,
      beneficiary: 'Flat C',
      claim_metering_point_id: 'FLAT',
      claim_period_start: at(0),
      claim_period_end: at(4),
      production_starting_interval: at(0),
    });
    const producerHeld = await expectStatus(
      s.request('POST', '/api/certificates/query', { token: w.producer.token, body: { source_id: w.producerAccount } }),
      200,
    );
    expect(producerHeld.items.map((b: any) => [b.certificate_bundle_status, b.bundle_quantity])).toEqual([
      ['active', 400],
    ]);
    // The ledger names the manager, who acts for the members, as the actor of each step.
    const steps = await expectStatus(
      s.request('GET', `/api/events?account_id=${w.traderAccount}`, { token: w.trader.token }),
      200,
    );
    expect(
      steps.items.filter((e: any) => e.type.startsWith('certificates.')).map((e: any) => [e.type, e.actor_id]),
    ).toEqual([
      ['certificates.transferred', w.producer.id],
      ['certificates.cancelled', w.producer.id],
      ['certificates.claimed', w.producer.id],
    ]);
  });

  it("stops moving once the buyer's owner takes the manager out of its account", async () => {
    const later = (whs: number[]) => ({
      readings: whs.map((wh, k) => ({
        interval_start_datetime: at(8 + k),
        interval_end_datetime: at(9 + k),
        interval_usage: wh,
      })),
    });
    await expectStatus(
      s.request('POST', '/api/metering-points/ROOF/readings', {
        token: w.producer.token,
        body: later([200, 200, 200, 200]),
      }),
      200,
    );
    await expectStatus(
      s.request('POST', '/api/metering-points/FLAT/readings', {
        token: w.trader.token,
        body: later([100, 100, 100, 100]),
      }),
      200,
    );
    await issue(s, w, [[12, 800]]);
    await expectStatus(
      s.request('DELETE', `/api/accounts/${w.traderAccount}/members/${w.producer.id}`, { token: w.trader.token }),
      200,
    );
    await expectStatus(
      s.request('POST', `/api/communities/${id}/clear`, { token: w.producer.token, body: { from: at(8), to: at(12) } }),
      200,
    );
    const moves = await expectStatus(
      s.request('GET', `/api/communities/${id}/certificate-moves?from=${at(8)}&to=${at(12)}`, {
        token: w.producer.token,
      }),
      200,
    );
    expect(moves.items.map((m: any) => [m.hour_start, m.matched_wh, m.moved_wh])).toEqual([[at(8), 400, 0]]);
    const held = await expectStatus(
      s.request('POST', '/api/certificates/query', { token: w.producer.token, body: { source_id: w.producerAccount } }),
      200,
    );
    expect(held.items.map((b: any) => [b.certificate_bundle_status, b.bundle_quantity])).toEqual([
      ['active', 400],
      ['active', 800],
    ]);
  });
});
