// Cumulative register readings over HTTP: inserts, no-op re-sends, refused revisions, registers
// that may never decrease (within a request and against stored neighbours), all or nothing, and
// the same access as interval readings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, type World } from '../helpers/world.ts';
import { MAX_REGISTER_WH } from '../../src/metering/limits.ts';

let s: TestServer;
let w: World;
const POINT = '571313174000000101';
const STORAGE = '571313174000000102';
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: POINT, type: 'consumption', account_id: w.producerAccount },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: STORAGE, type: 'storage', account_id: w.producerAccount, device_id: w.device },
    }),
    201,
  );
});
afterAll(() => s.close());

const at = (h: number, m = 0) =>
  new Date(Date.parse('2025-06-01T00:00:00Z') + h * 3_600_000 + m * 60_000).toISOString();
const reading = (h: number, importWh: number, exportWh: number, m = 0) => ({
  read_at: at(h, m),
  import_wh: importWh,
  export_wh: exportWh,
});
const upload = (readings: unknown[], token = w.producer.token, point = POINT) =>
  s.request('POST', `/api/metering-points/${point}/registers`, { token, body: { readings } });
const list = async (from = at(0), to = at(48), point = POINT) =>
  (
    await expectStatus(
      s.request('GET', `/api/metering-points/${point}/registers?from=${from}&to=${to}`, { token: w.producer.token }),
      200,
    )
  ).items;
/** The stored rows as [read_at, import_wh, export_wh]. */
const stored = async (point = POINT) =>
  (await list(at(0), at(48), point)).map((r: any) => [r.read_at, r.import_wh, r.export_wh]);

describe('register readings', () => {
  it('inserts readings sent in any order, with one ledger event', async () => {
    const before = await s.eventCount();
    // Out of order on purpose: the rule applies by read_at, not by position.
    expect(
      await expectStatus(upload([reading(12, 1_200, 80), reading(10, 1_000, 0), reading(11, 1_100, 50)]), 200),
    ).toEqual({ inserted: 3, unchanged: 0 });
    expect(await s.eventCount()).toBe(before + 1);
    const events = await sql<{
      type: string;
      subject_type: string;
      subject_id: string;
      account_ids: number[];
      actor_id: number;
      payload: unknown;
    }>`
      SELECT type, subject_type, subject_id, account_ids, actor_id, payload FROM events
      ORDER BY id DESC LIMIT 1`.execute(s.db.database.kysely);
    expect(events.rows).toEqual([
      {
        type: 'register_readings.imported',
        subject_type: 'metering_point',
        subject_id: POINT,
        account_ids: [w.producerAccount],
        actor_id: w.producer.id,
        payload: {
          metering_point_id: POINT,
          source: 'api',
          inserted: [
            [at(10), 1_000, 0],
            [at(11), 1_100, 50],
            [at(12), 1_200, 80],
          ],
        },
      },
    ]);
  });

  it('lists exactly the rows in [from, to)', async () => {
    const rows = await list(at(10), at(12));
    expect(rows).toEqual([
      {
        read_at: at(10),
        import_wh: 1_000,
        export_wh: 0,
        source: 'api',
        recorded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
      {
        read_at: at(11),
        import_wh: 1_100,
        export_wh: 50,
        source: 'api',
        recorded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
    ]);
    expect(await list(at(12, 1), at(13))).toEqual([]);
    const reversed = await s.request('GET', `/api/metering-points/${POINT}/registers?from=${at(12)}&to=${at(10)}`, {
      token: w.producer.token,
    });
    expect(reversed.status).toBe(400);
    expect(reversed.body).toMatchObject({ code: 'reversed_period', errors: [{ field: 'querystring/to' }] });
  });

  it('changes nothing for a re-send, and inserts only what is new', async () => {
    const before = await s.eventCount();
    expect(
      await expectStatus(upload([reading(10, 1_000, 0), reading(11, 1_100, 50), reading(12, 1_200, 80)]), 200),
    ).toEqual({ inserted: 0, unchanged: 3 });
    expect(await s.eventCount()).toBe(before);
    expect(await expectStatus(upload([reading(12, 1_200, 80), reading(13, 1_300, 80)]), 200)).toEqual({
      inserted: 1,
      unchanged: 1,
    });
    expect(await s.eventCount()).toBe(before + 1);
    expect(await stored()).toEqual([
      [at(10), 1_000, 0],
      [at(11), 1_100, 50],
      [at(12), 1_200, 80],
      [at(13), 1_300, 80],
    ]);
  });

  it('refuses a different value at a stored read_at, writing nothing of the request', async () => {
    const before = await s.eventCount();
    const rows = await stored();
    const r = await upload([reading(14, 1_400, 90), reading(11, 1_101, 50)]);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('register_reading_exists');
    expect(r.body.detail).toContain('body/readings/1');
    expect(await stored()).toEqual(rows);
    expect(await s.eventCount()).toBe(before);
  });

  it('refuses a register beyond its documented maximum, naming the field and writing nothing', async () => {
    const before = await s.eventCount();
    const r = await upload([reading(30, 3_000, 100), reading(31, MAX_REGISTER_WH + 1, 100)]);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      code: 'invalid_register_reading',
      errors: [{ field: 'body/readings/1/import_wh' }],
    });
    const exported = await upload([reading(31, 3_100, Number.MAX_SAFE_INTEGER)]);
    expect(exported.body).toMatchObject({
      code: 'invalid_register_reading',
      errors: [{ field: 'body/readings/0/export_wh' }],
    });
    expect(await list(at(30), at(32))).toEqual([]);
    expect(await s.eventCount()).toBe(before);
  });

  it('refuses the same read_at twice in one request, naming the field', async () => {
    const r = await upload([reading(20, 2_000, 100), reading(21, 2_100, 100), reading(20, 2_000, 100)]);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      code: 'duplicate_register_reading',
      errors: [{ field: 'body/readings/2/read_at' }],
    });
    expect(await list(at(20), at(22))).toEqual([]);
  });

  it.each([
    [
      'import decreasing within the request',
      [reading(20, 2_000, 100), reading(22, 2_100, 110), reading(21, 2_200, 105)],
      'body/readings/1/import_wh',
    ],
    [
      'export decreasing within the request',
      [reading(21, 2_100, 100), reading(20, 2_000, 101)],
      'body/readings/0/export_wh',
    ],
    [
      'import below the stored reading before it',
      [reading(20, 2_000, 100), reading(13, 1_300, 80, 30), reading(12, 1_150, 80, 30)],
      'body/readings/2/import_wh',
    ],
    [
      'export above the stored reading after it',
      [reading(20, 2_000, 100), reading(10, 1_050, 51, 30)],
      'body/readings/1/export_wh',
    ],
    ['import above the stored reading after it', [reading(9, 1_001, 0)], 'body/readings/0/import_wh'],
    ['import below the last stored reading', [reading(14, 1_299, 80)], 'body/readings/0/import_wh'],
  ])('refuses %s with 422 naming the field, writing nothing', async (_name, readings, field) => {
    const before = await s.eventCount();
    const rows = await stored();
    const r = await upload(readings);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'register_decreased', errors: [{ field }] });
    expect(await stored()).toEqual(rows);
    expect(await s.eventCount()).toBe(before);
  });

  it('takes readings between stored ones that keep every register from decreasing', async () => {
    expect(
      await expectStatus(upload([reading(10, 1_050, 50, 30), reading(9, 1_000, 0), reading(14, 1_300, 80)]), 200),
    ).toEqual({ inserted: 3, unchanged: 0 });
    expect(await stored()).toEqual([
      [at(9), 1_000, 0],
      [at(10), 1_000, 0],
      [at(10, 30), 1_050, 50],
      [at(11), 1_100, 50],
      [at(12), 1_200, 80],
      [at(13), 1_300, 80],
      [at(14), 1_300, 80],
    ]);
  });

  it('refuses values the schema does not allow, naming the field', async () => {
    const negative = await upload([reading(30, -1, 0)]);
    expect(negative.status).toBe(400);
    expect(negative.body.errors[0].field).toBe('body/readings/0/import_wh');
    const fraction = await upload([reading(30, 1, 0.5)]);
    expect(fraction.status).toBe(400);
    expect(fraction.body.errors[0].field).toBe('body/readings/0/export_wh');
    const extra = await upload([{ ...reading(30, 1, 0), quality: 'measured' }]);
    expect(extra.status).toBe(400);
    const notTime = await upload([{ read_at: 'yesterday', import_wh: 1, export_wh: 0 }]);
    expect(notTime.status).toBe(400);
    expect(notTime.body.errors[0].field).toBe('body/readings/0/read_at');
  });

  it('takes readings of a storage point', async () => {
    expect(await expectStatus(upload([reading(0, 0, 0), reading(1, 5, 300)], w.producer.token, STORAGE), 200)).toEqual({
      inserted: 2,
      unchanged: 0,
    });
    expect(await stored(STORAGE)).toEqual([
      [at(0), 0, 0],
      [at(1), 5, 300],
    ]);
  });

  it('hides the point from anyone who may not read its account', async () => {
    const before = await s.eventCount();
    for (const token of [w.outsider.token, w.trader.token]) {
      const write = await upload([reading(40, 9_000, 900)], token);
      expect(write.status).toBe(404);
      expect(write.body.code).toBe('metering_point_not_found');
      const read = await s.request('GET', `/api/metering-points/${POINT}/registers?from=${at(0)}&to=${at(48)}`, {
        token,
      });
      expect(read.status).toBe(404);
      expect(read.body.code).toBe('metering_point_not_found');
    }
    expect(await list(at(40), at(41))).toEqual([]);
    expect(await s.eventCount()).toBe(before);
  });

  it('keeps a point that has register readings', async () => {
    const r = await s.request('DELETE', `/api/metering-points/${STORAGE}`, { token: w.producer.token });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('metering_point_has_readings');
    await expectStatus(s.request('GET', `/api/metering-points/${STORAGE}`, { token: w.producer.token }), 200);
  });
});
