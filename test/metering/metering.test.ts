// Metering points and readings over HTTP: JSON and CSV uploads, no-op re-sends, revisions with
// their history, and revisions refused while certificates cover the interval.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';
import { importReadingsFile } from '../../src/metering/import-file.ts';

let s: TestServer;
let w: World;
const POINT = '571313174000000001';
const CONSUMER = '571313174000000002';
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: {
        id: POINT,
        type: 'production',
        account_id: w.producerAccount,
        device_id: w.device,
        grid_area: 'DK1',
        time_zone: 'Europe/Copenhagen',
      },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.trader.token,
      body: { id: CONSUMER, type: 'consumption', account_id: w.traderAccount },
    }),
    201,
  );
});
afterAll(() => s.close());

const quarter = (k: number, wh: number, base = Date.parse('2025-06-01T10:00:00Z')) => ({
  interval_start_datetime: new Date(base + k * 900_000).toISOString(),
  interval_end_datetime: new Date(base + (k + 1) * 900_000).toISOString(),
  interval_usage: wh,
});
const upload = (body: unknown, token = w.producer.token, point = POINT) =>
  s.request('POST', `/api/metering-points/${point}/readings`, { token, body });
const csv = (text: string, token = w.producer.token, path = `/api/metering-points/${POINT}/readings`) =>
  s.request('POST', path, { token, raw: text, headers: { 'content-type': 'text/csv' } });
const readings = async (from: string, to: string) =>
  (
    await expectStatus(
      s.request('GET', `/api/metering-points/${POINT}/readings?from=${from}&to=${to}`, { token: w.producer.token }),
      200,
    )
  ).items;

describe('metering points', () => {
  it('registers points in accounts the caller acts on, once, and hides them from others', async () => {
    const again = await s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: POINT, type: 'production', account_id: w.producerAccount },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('metering_point_exists');
    const otherDevice = await s.request('POST', '/api/metering-points', {
      token: w.trader.token,
      body: { id: 'X1', type: 'production', account_id: w.traderAccount, device_id: w.device },
    });
    expect(otherDevice.status).toBe(404); // the trader cannot see the producer's device
    const inOthers = await s.request('POST', '/api/metering-points', {
      token: w.outsider.token,
      body: { id: 'X2', type: 'consumption', account_id: w.producerAccount },
    });
    expect(inOthers.status).toBe(404);
    expect((await s.request('GET', `/api/metering-points/${POINT}`, { token: w.outsider.token })).status).toBe(404);
    const mine = await expectStatus(s.request('GET', '/api/metering-points', { token: w.producer.token }), 200);
    expect(mine.items.map((p: any) => [p.id, p.device_id, p.time_zone])).toEqual([
      [POINT, w.device, 'Europe/Copenhagen'],
    ]);
  });

  it('removes a point registered by mistake, but not one with readings or of another account', async () => {
    await expectStatus(
      s.request('POST', '/api/metering-points', {
        token: w.producer.token,
        body: { id: 'MISTAKE1', type: 'consumption', account_id: w.producerAccount },
      }),
      201,
    );
    expect((await s.request('DELETE', '/api/metering-points/MISTAKE1', { token: w.outsider.token })).status).toBe(404);
    const removed = await expectStatus(
      s.request('DELETE', '/api/metering-points/MISTAKE1', { token: w.producer.token }),
      200,
    );
    expect(removed.id).toBe('MISTAKE1');
    expect((await s.request('GET', '/api/metering-points/MISTAKE1', { token: w.producer.token })).status).toBe(404);
    await expectStatus(
      s.request('POST', '/api/metering-points', {
        token: w.producer.token,
        body: { id: 'KEEPER1', type: 'consumption', account_id: w.producerAccount },
      }),
      201,
    );
    await expectStatus(
      s.request('POST', '/api/metering-points/KEEPER1/readings', {
        token: w.producer.token,
        body: {
          readings: [
            {
              interval_start_datetime: '2025-01-01T00:00:00Z',
              interval_end_datetime: '2025-01-01T01:00:00Z',
              interval_usage: 1,
            },
          ],
        },
      }),
      200,
    );
    const kept = await s.request('DELETE', '/api/metering-points/KEEPER1', { token: w.producer.token });
    expect(kept.status).toBe(409);
    expect(kept.body.code).toBe('metering_point_has_readings');
  });
});

describe('readings', () => {
  it('inserts, ignores a re-send, and keeps a revision with its history', async () => {
    const first = await expectStatus(
      upload({ readings: [quarter(0, 100), quarter(1, 110), quarter(2, 120), quarter(3, 130)] }),
      200,
    );
    expect(first).toEqual({ inserted: 4, unchanged: 0, revised: 0 });
    const before = await s.eventCount();
    expect(await expectStatus(upload({ readings: [quarter(0, 100), quarter(1, 110)] }), 200)).toEqual({
      inserted: 0,
      unchanged: 2,
      revised: 0,
    });
    expect(await s.eventCount()).toBe(before);
    expect(await expectStatus(upload({ readings: [quarter(1, 115), quarter(4, 140)] }), 200)).toEqual({
      inserted: 1,
      unchanged: 0,
      revised: 1,
    });
    const rows = await readings('2025-06-01T10:00:00Z', '2025-06-01T11:15:00Z');
    expect(rows.map((r: any) => [r.interval_usage, r.quality, r.revision, r.issued])).toEqual([
      [100, 'measured', 0, false],
      [115, 'revised', 1, false],
      [120, 'measured', 0, false],
      [130, 'measured', 0, false],
      [140, 'measured', 0, false],
    ]);
    const history = await sql<{
      wh: number;
      revision: number;
    }>`SELECT wh, revision FROM reading_revisions WHERE metering_point_id = ${POINT}`.execute(s.db.database.kysely);
    expect(history.rows).toEqual([{ wh: 110, revision: 0 }]);
  });

  it('reads the CSV template, and refuses a bad row by number, writing nothing', async () => {
    const ok = await expectStatus(
      csv(
        'interval_start_datetime,interval_end_datetime,interval_usage,gross_net_indicator\n' +
          '2025-06-02T00:00:00Z,2025-06-02T01:00:00Z,1000,NET\n' +
          '2025-06-02T01:00:00Z,2025-06-02T02:00:00Z,1200,NET\n',
      ),
      200,
    );
    expect(ok).toEqual({ inserted: 2, unchanged: 0, revised: 0 });
    const before = await s.eventCount();
    const bad = await csv(
      'interval_start_datetime,interval_end_datetime,interval_usage,gross_net_indicator\n' +
        '2025-06-02T02:00:00Z,2025-06-02T03:00:00Z,1000,NET\n' +
        '2025-06-02T03:00:00Z,2025-06-02T04:00:00Z,12.5,NET\n',
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_reading', errors: [{ field: 'csv/row/3/interval_usage' }] });
    expect(await s.eventCount()).toBe(before);
    expect(await readings('2025-06-02T02:00:00Z', '2025-06-02T05:00:00Z')).toEqual([]);
  });

  it.each([
    [
      'a 20-minute interval',
      {
        interval_start_datetime: '2025-06-03T00:00:00Z',
        interval_end_datetime: '2025-06-03T00:20:00Z',
        interval_usage: 1,
      },
      'body/readings/0/interval_end_datetime',
    ],
    [
      'a misaligned quarter hour',
      {
        interval_start_datetime: '2025-06-03T00:05:00Z',
        interval_end_datetime: '2025-06-03T00:20:00Z',
        interval_usage: 1,
      },
      'body/readings/0/interval_start_datetime',
    ],
    [
      'negative production',
      {
        interval_start_datetime: '2025-06-03T00:00:00Z',
        interval_end_datetime: '2025-06-03T00:15:00Z',
        interval_usage: -1,
      },
      'body/readings/0/interval_usage',
    ],
  ])('refuses %s naming the field', async (_n, reading, field) => {
    const r = await upload({ readings: [reading] });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe(field);
  });

  it('refuses a reading overlapping a stored one of another length', async () => {
    const r = await upload({
      readings: [
        {
          interval_start_datetime: '2025-06-02T00:30:00Z',
          interval_end_datetime: '2025-06-02T00:45:00Z',
          interval_usage: 5,
        },
      ],
    });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('overlapping_readings');
  });

  it('refuses to revise an interval with live certificates until they are withdrawn', async () => {
    // 2025-06-01 10:00 is hour 10 from the world's base; the point metered 100 + 115 + 120 + 130 Wh in it.
    const [bundle] = await issue(s, w, [[10, 465]]);
    const covered = await readings('2025-06-01T10:00:00Z', '2025-06-01T11:00:00Z');
    expect(covered.every((r: any) => r.issued && r.bundle_ids.includes(bundle.id))).toBe(true);
    const before = await s.eventCount();
    const refused = await upload({ readings: [quarter(2, 999)] });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('reading_issued');
    expect(refused.body.detail).toContain(`bundles ${bundle.id}`);
    expect(await s.eventCount()).toBe(before);
    await expectStatus(
      s.request('POST', '/api/certificates/withdraw', {
        token: w.issuer.token,
        body: { source_id: w.producerAccount, granular_certificate_bundle_ids: [bundle.id] },
      }),
      200,
    );
    expect(await expectStatus(upload({ readings: [quarter(2, 999)] }), 200)).toEqual({
      inserted: 0,
      unchanged: 0,
      revised: 1,
    });
  });

  it('takes a multi-point CSV, all or nothing across points', async () => {
    const header = 'metering_point_id,interval_start_datetime,interval_end_datetime,interval_usage\n';
    const both =
      `${header}${POINT},2025-06-05T00:00:00Z,2025-06-05T01:00:00Z,10\n` +
      `${CONSUMER},2025-06-05T00:00:00Z,2025-06-05T01:00:00Z,20\n`;
    // The producer may not write the trader's consumption point: nothing of the file is written.
    const refused = await csv(both, w.producer.token, '/api/readings');
    expect(refused.status).toBe(404);
    expect(await readings('2025-06-05T00:00:00Z', '2025-06-06T00:00:00Z')).toEqual([]);
    const admin = await s.user('admin');
    expect(await expectStatus(csv(both, admin.token, '/api/readings'), 200)).toEqual({
      inserted: 2,
      unchanged: 0,
      revised: 0,
    });
    // The same as JSON: each reading names its point.
    const json = await expectStatus(
      s.request('POST', '/api/readings', {
        token: admin.token,
        body: {
          readings: [
            {
              metering_point_id: POINT,
              interval_start_datetime: '2025-06-05T01:00:00Z',
              interval_end_datetime: '2025-06-05T02:00:00Z',
              interval_usage: 11,
            },
            {
              metering_point_id: CONSUMER,
              interval_start_datetime: '2025-06-05T00:00:00Z',
              interval_end_datetime: '2025-06-05T01:00:00Z',
              interval_usage: 20,
            },
          ],
        },
      }),
      200,
    );
    expect(json).toEqual({ inserted: 1, unchanged: 1, revised: 0 });
  });
});

describe('CSV uploads pass the checks JSON uploads pass', () => {
  const HEADER = 'interval_start_datetime,interval_end_datetime,interval_usage';
  const stored = () => readings('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z');

  it.each([
    ['a free-text date', '"September 2, 2026 00:00 UTC"', '2026-09-02T01:00:00Z', 'csv/row/2/interval_start_datetime'],
    [
      'a time without a zone, which would be read as server-local',
      '2026-09-02T00:00:00',
      '2026-09-02T01:00:00Z',
      'csv/row/2/interval_start_datetime',
    ],
    ['a leap second', '2026-06-30T23:59:60Z', '2026-07-01T01:00:00Z', 'csv/row/2/interval_start_datetime'],
    ['a year out of range', '2026-09-02T00:00:00Z', '10000-01-01T00:00:00Z', 'csv/row/2/interval_end_datetime'],
  ])('refuses %s with 400 naming the cell, storing nothing', async (_name, start, end, field) => {
    const before = await s.eventCount();
    const r = await csv(`${HEADER}\n${start},${end},5\n`);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body).toMatchObject({ code: 'invalid_reading', errors: [{ field }] });
    expect(await s.eventCount()).toBe(before);
    expect(await stored()).toEqual([]);
  });

  it('refuses a reading of an interval that has not ended yet, as a JSON upload, with 422 future_reading', async () => {
    const before = await s.eventCount();
    const fromCsv = await csv(`${HEADER}\n2099-07-01T00:00:00Z,2099-07-01T01:00:00Z,5\n`);
    expect(fromCsv.status, JSON.stringify(fromCsv.body)).toBe(422);
    expect(fromCsv.body).toMatchObject({
      code: 'future_reading',
      errors: [{ field: 'csv/row/2/interval_end_datetime' }],
    });
    const fromJson = await upload({
      readings: [
        {
          interval_start_datetime: '2099-07-01T00:00:00Z',
          interval_end_datetime: '2099-07-01T01:00:00Z',
          interval_usage: 5,
        },
      ],
    });
    expect(fromJson.status).toBe(422);
    expect(fromJson.body).toMatchObject({
      code: 'future_reading',
      errors: [{ field: 'body/readings/0/interval_end_datetime' }],
    });
    expect(await s.eventCount()).toBe(before);
    expect(await readings('2099-07-01T00:00:00Z', '2099-07-02T00:00:00Z')).toEqual([]);
  });

  it('refuses a CSV of more than 100,000 rows as JSON refuses more than 100,000 readings', async () => {
    const base = Date.parse('2024-01-01T00:00:00Z');
    const rows = Array.from(
      { length: 100_001 },
      (_, k) => `${new Date(base + k * 900_000).toISOString()},${new Date(base + (k + 1) * 900_000).toISOString()},1`,
    );
    const before = await s.eventCount();
    const r = await csv(`${HEADER}\n${rows.join('\n')}\n`);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body).toMatchObject({ code: 'too_many_rows', errors: [{ field: 'csv/row/100002' }] });
    expect(await s.eventCount()).toBe(before);
  });
});

/** Writes `content` to a temporary readings file, imports it as the producer, and removes the file. */
async function importFile(
  content: string,
  opts: { batchSize: number; onProgress?: (bytes: number, total: number, rows: number) => void },
) {
  const dir = mkdtempSync(join(tmpdir(), 'tally-import-'));
  try {
    const file = join(dir, 'readings.csv');
    writeFileSync(file, content);
    return await importReadingsFile(
      s.db.database.kysely,
      { userId: w.producer.id, role: 'producer', email: 'p' },
      file,
      { ...opts, now: s.clock.now() },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('tally import readings', () => {
  it('imports a file in batches, refusing only the batch with a bad row, by its row number', async () => {
    const hourRow = (h: number, wh: string) =>
      `${POINT},${new Date(Date.parse('2025-08-01T00:00:00Z') + h * 3_600_000).toISOString()},` +
      `${new Date(Date.parse('2025-08-01T01:00:00Z') + h * 3_600_000).toISOString()},${wh}`;
    const progress: number[] = [];
    const r = await importFile(
      [
        'metering_point_id,interval_start_datetime,interval_end_datetime,interval_usage',
        hourRow(0, '10'),
        hourRow(1, '11'),
        hourRow(2, '12'),
        hourRow(3, 'x'),
        hourRow(4, '14'),
      ].join('\n'),
      { batchSize: 2, onProgress: (_b, _t, rows) => progress.push(rows) },
    );
    expect(r).toEqual({
      inserted: 3,
      unchanged: 0,
      revised: 0,
      rows: 5,
      batches: 3,
      failed: [{ batch: 2, error: 'csv/row/5/interval_usage row 5: interval_usage "x" is not a whole number of Wh' }],
    });
    expect(progress).toEqual([2, 4, 5]);
    expect((await readings('2025-08-01T00:00:00Z', '2025-08-02T00:00:00Z')).map((x: any) => x.interval_usage)).toEqual([
      10, 11, 14,
    ]);
  });
});

describe('tally import readings: blank lines', () => {
  it('counts rows, not trailing blank lines', async () => {
    const r = await importFile(
      'metering_point_id,interval_start_datetime,interval_end_datetime,interval_usage\n' +
        `${POINT},2025-08-03T00:00:00Z,2025-08-03T01:00:00Z,7\n` +
        `${POINT},2025-08-03T01:00:00Z,2025-08-03T02:00:00Z,8\n\n\n`,
      { batchSize: 2 },
    );
    expect(r).toEqual({ inserted: 2, unchanged: 0, revised: 0, rows: 2, batches: 1, failed: [] });
  });
});

describe('technology labels', () => {
  it('lists the EECS table and looks up one label from its codes', async () => {
    const all = await expectStatus(s.request('GET', '/api/technologies'), 200);
    expect(all.items).toHaveLength(2666); // every row of the shipped table
    const one = await expectStatus(
      s.request('GET', '/api/technologies?technology_code=T020001&fuel_code=F01050100'),
      200,
    );
    expect(one.items).toEqual([{ technology_code: 'T020001', fuel_code: 'F01050100', label: 'Wind' }]);
  });
});
