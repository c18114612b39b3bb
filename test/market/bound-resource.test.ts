// A resource bound to a production metering point takes its series from the readings Tally already
// holds, with no second upload: an hour's Wh is its mean power in W, a partly read hour unknown.
// Only the point's owner may bind it, and only a production point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourlySeries } from '../../src/market/series.ts';
import { market } from '../../src/market/tables.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, type World } from '../helpers/world.ts';

const POINT = '571313174000000777';
const START = new Date('2026-11-01T00:00:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000).toISOString();

describe('a resource bound to a metering point', () => {
  let s: TestServer;
  let w: World;

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    await expectStatus(
      s.request('POST', '/api/metering-points', {
        token: w.producer.token,
        body: { id: POINT, type: 'production', account_id: w.producerAccount, device_id: w.device },
      }),
      201,
    );
    await expectStatus(
      s.request('POST', '/api/metering-points', {
        token: w.producer.token,
        body: { id: 'HOUSE1', type: 'consumption', account_id: w.producerAccount },
      }),
      201,
    );
    // Hour 0 read in full by quarter hours (250 + 250 + 300 + 200 Wh), hour 1 by one hourly reading,
    // hour 2 only half read.
    const quarter = (i: number, wh: number) => ({
      interval_start_datetime: at(15 * i),
      interval_end_datetime: at(15 * (i + 1)),
      interval_usage: wh,
    });
    const readings = [
      quarter(0, 250),
      quarter(1, 250),
      quarter(2, 300),
      quarter(3, 200),
      { interval_start_datetime: at(60), interval_end_datetime: at(120), interval_usage: 1800 },
      quarter(8, 100),
      quarter(9, 100),
    ];
    await expectStatus(
      s.request('POST', `/api/metering-points/${POINT}/readings`, { token: w.producer.token, body: { readings } }),
      200,
    );
  });
  afterAll(async () => s?.close());

  it('is the point’s owner’s to bind, to a production point only', async () => {
    const bind = (token: string, metering_point_id: string) =>
      s.request('POST', '/api/market/resources', {
        token,
        body: { name: 'roof', type: 'measurements', to_forecast: true, metering_point_id },
      });
    const before = await s.eventCount();
    const stranger = await bind(w.outsider.token, POINT);
    expect([stranger.status, stranger.body.code]).toEqual([404, 'metering_point_not_found']);
    const house = await bind(w.producer.token, 'HOUSE1');
    expect([house.status, house.body.code]).toEqual([422, 'resource_point_not_production']);
    expect(await s.eventCount()).toBe(before);

    const bound = await bind(w.producer.token, POINT);
    expect([bound.status, bound.body.metering_point_id]).toEqual([201, POINT]);
    const upload = await s.request('POST', `/api/market/resources/${bound.body.id}/data`, {
      token: w.producer.token,
      body: { units: 'w', time_interval: 60, points: [{ datetime: at(0), value: 1 }] },
    });
    expect([upload.status, upload.body.code]).toEqual([409, 'resource_bound_to_point']);

    const row = await market(s.db.database.kysely)
      .selectFrom('market_resources')
      .selectAll()
      .where('id', '=', bound.body.id)
      .executeTakeFirstOrThrow();
    const series = (await hourlySeries(s.db.database.kysely, [row], START, 4)).get(row.id);
    expect(Array.from(series ?? [])).toEqual([1000, 1800, Number.NaN, Number.NaN]);
  });

  it('makes uploaded values in any units and interval the hour’s mean power in W', async () => {
    const upload = await s.request('POST', '/api/market/resources', {
      token: w.producer.token,
      body: { name: 'mast', type: 'features', to_forecast: false },
    });
    const id = upload.body.id;
    const send = (units: string, time_interval: number, points: Array<[number, number]>) =>
      expectStatus(
        s.request('POST', `/api/market/resources/${id}/data`, {
          token: w.producer.token,
          body: { units, time_interval, points: points.map(([m, value]) => ({ datetime: at(m), value })) },
        }),
        200,
      );
    // Hour 0: four quarter hours in kW (1, 2, 3, 2 kW: 2,000 W). Hour 1: two half hours in MW
    // (0.001 and 0.003 MW: 2,000 W). Hour 2: one quarter hour of 500 W, the mean of what is known.
    await send('kw', 15, [
      [0, 1],
      [15, 2],
      [30, 3],
      [45, 2],
    ]);
    await send('mw', 30, [
      [60, 0.001],
      [90, 0.003],
    ]);
    await send('w', 15, [[135, 500]]);
    const row = await market(s.db.database.kysely)
      .selectFrom('market_resources')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const series = (await hourlySeries(s.db.database.kysely, [row], START, 4)).get(id);
    expect(Array.from(series ?? [])).toEqual([2000, 2000, 500, Number.NaN]);
  });
});
