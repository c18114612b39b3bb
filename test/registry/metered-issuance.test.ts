// A metered hour is issued at most once, whatever device its point feeds later and whatever path
// issues it; readings stay within physical bounds; one failing device never stops the others; and
// `tally check` sees a metered hour issued twice or a device's issuances overlapping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, CAPACITY_W, expectStatus, registerDevice, SOLAR, type World } from '../helpers/world.ts';
import { checkRegistry } from '../../src/registry/check.ts';
import { MAX_READING_WH } from '../../src/metering/limits.ts';
import { migrate } from '../../src/platform/migrations.ts';
import { syncSource } from '../../src/metering/sources/sync.ts';
import type { MeterDataSource } from '../../src/metering/sources/source.ts';

let s: TestServer;
let w: World;
const HOUR_MS = 3_600_000;
const DAY = Date.parse('2025-09-01T00:00:00Z');
const at = (h: number, m = 0) => new Date(DAY + h * HOUR_MS + m * 60_000).toISOString();
const hourReading = (h: number, wh: number) => ({
  interval_start_datetime: at(h),
  interval_end_datetime: at(h + 1),
  interval_usage: wh,
});
const quarter = (h: number, k: number, wh: number) => ({
  interval_start_datetime: at(h, 15 * k),
  interval_end_datetime: at(h, 15 * (k + 1)),
  interval_usage: wh,
});
const db = () => s.db.database.kysely;

const post = (path: string, token: string, body?: unknown) => s.request('POST', path, { token, body });
const upload = (point: string, readings: unknown[]) =>
  post(`/api/metering-points/${point}/readings`, w.producer.token, { readings });
const run = () => expectStatus(post('/api/issuance/run', w.issuer.token), 200);
const pending = async (device: number) =>
  (
    await expectStatus(s.request('GET', `/api/issuance/pending?device_id=${device}`, { token: w.producer.token }), 200)
  ).items.map((p: any) => [p.production_starting_interval, p.wh, p.reason]);
/** Live (not withdrawn) Wh per production hour of a device. */
const liveWh = async (device: number) =>
  (
    await sql<{ s: Date; wh: number }>`
  SELECT production_starting_interval AS s, sum(bundle_quantity)::bigint AS wh FROM bundles
  WHERE device_id = ${device} AND certificate_bundle_status <> 'withdrawn' GROUP BY 1 ORDER BY 1`.execute(db())
  ).rows.map((r) => [r.s.toISOString(), r.wh]);

async function newDevice(name: string): Promise<number> {
  const device = { device_name: name, account_id: w.producerAccount, ...SOLAR, capacity: CAPACITY_W, time_zone: 'UTC' };
  return registerDevice(s, w.producer.token, device);
}

/** A new auto-issuing device fed by a new production point. */
async function meteredDevice(point: string): Promise<number> {
  const device = await newDevice(`Plant ${point}`);
  await expectStatus(
    post('/api/metering-points', w.producer.token, {
      id: point,
      type: 'production',
      account_id: w.producerAccount,
      device_id: device,
    }),
    201,
  );
  await expectStatus(
    s.request('PATCH', `/api/devices/${device}`, { token: w.issuer.token, body: { auto_issue: true } }),
    200,
  );
  return device;
}

beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
});
afterAll(() => s.close());

describe('a metered hour is issued once', () => {
  let first: number, second: number;
  it("does not issue a point's hours again after the point is linked to another device", async () => {
    first = await meteredDevice('AUTO-1');
    expect((await upload('AUTO-1', [hourReading(0, 1000), hourReading(1, 2000), hourReading(2, 3000)])).status).toBe(
      200,
    );
    expect(await run()).toMatchObject({ bundles_issued: 3, wh_issued: 6000, failed: [] });

    second = await newDevice('Second plant');
    await expectStatus(
      s.request('PATCH', `/api/devices/${second}`, { token: w.issuer.token, body: { auto_issue: true } }),
      200,
    );
    await expectStatus(
      s.request('PATCH', '/api/metering-points/AUTO-1', { token: w.producer.token, body: { device_id: second } }),
      200,
    );
    expect(await run()).toEqual({ bundles_issued: 0, wh_issued: 0, failed: [] });
    expect(await pending(second)).toEqual([
      [at(0), 1000, 'issued_under_another_device'],
      [at(1), 2000, 'issued_under_another_device'],
      [at(2), 3000, 'issued_under_another_device'],
    ]);

    // The issuing body's own request may not issue them again either, and changes nothing.
    const events = await s.eventCount();
    const manual = await post('/api/certificates/issue', w.issuer.token, {
      device_id: second,
      intervals: [{ production_starting_interval: at(1), production_ending_interval: at(2), wh: 2000 }],
    });
    expect([manual.status, manual.body.code]).toEqual([409, 'already_issued']);
    expect(await s.eventCount()).toBe(events);
    expect(await liveWh(first)).toEqual([
      [at(0), 1000],
      [at(1), 2000],
      [at(2), 3000],
    ]);
    expect(await liveWh(second)).toEqual([]);

    // New hours of the point now issue under the device it feeds.
    expect((await upload('AUTO-1', [hourReading(3, 400)])).status).toBe(200);
    expect(await run()).toEqual({ bundles_issued: 1, wh_issued: 400, failed: [] });
    expect(await liveWh(second)).toEqual([[at(3), 400]]);
    expect(await checkRegistry(db())).toEqual([]);
  });

  it('refuses a revision of an hour issued from the point, whichever device it feeds now', async () => {
    const events = await s.eventCount();
    const refused = await upload('AUTO-1', [hourReading(1, 2500)]);
    expect([refused.status, refused.body.code]).toEqual([409, 'reading_issued']);
    expect(await s.eventCount()).toBe(events);
    const shown = (
      await expectStatus(
        s.request('GET', `/api/metering-points/AUTO-1/readings?from=${at(0)}&to=${at(4)}`, { token: w.producer.token }),
        200,
      )
    ).items;
    expect(shown.map((r: any) => [r.interval_usage, r.issued])).toEqual([
      [1000, true],
      [2000, true],
      [3000, true],
      [400, true],
    ]);
  });

  it("lets the issuing body issue a metered device's whole hours only, up to the metered Wh", async () => {
    const device = await meteredDevice('MANUAL-1');
    await expectStatus(
      s.request('PATCH', `/api/devices/${device}`, { token: w.issuer.token, body: { auto_issue: false } }),
      200,
    );
    expect(
      (
        await upload('MANUAL-1', [
          quarter(5, 0, 100),
          quarter(5, 1, 200),
          quarter(5, 2, 300),
          quarter(5, 3, 400),
          quarter(7, 0, 100),
        ])
      ).status,
    ).toBe(200);
    const events = await s.eventCount();
    const issue = (interval: {
      production_starting_interval: string;
      production_ending_interval: string;
      wh: number;
    }) => post('/api/certificates/issue', w.issuer.token, { device_id: device, intervals: [interval] });
    const part = await issue({ production_starting_interval: at(5), production_ending_interval: at(5, 15), wh: 100 });
    expect([part.status, part.body.code, part.body.errors[0].field]).toEqual([
      422,
      'whole_hour_required',
      'body/intervals/0/production_starting_interval',
    ]);
    const over = await issue({ production_starting_interval: at(5), production_ending_interval: at(6), wh: 1001 });
    expect([over.status, over.body.code, over.body.errors[0].field]).toEqual([
      422,
      'over_metered',
      'body/intervals/0/wh',
    ]);
    const unmetered = await issue({ production_starting_interval: at(6), production_ending_interval: at(7), wh: 1 });
    expect([unmetered.status, unmetered.body.code]).toEqual([422, 'incomplete_hour']);
    // An hour read in part (7:00) would be claimed for the quarters still to come, which could then never issue.
    const partial = await issue({ production_starting_interval: at(7), production_ending_interval: at(8), wh: 100 });
    expect([partial.status, partial.body.code, partial.body.errors[0].field]).toEqual([
      422,
      'incomplete_hour',
      'body/intervals/0/production_starting_interval',
    ]);
    expect(await s.eventCount()).toBe(events);
    const ok = await expectStatus(
      issue({ production_starting_interval: at(5), production_ending_interval: at(6), wh: 1000 }),
      201,
    );
    expect(ok.bundles.map((b: any) => [b.production_starting_interval, b.bundle_quantity])).toEqual([[at(5), 1000]]);

    // Withdrawn, revised down, re-issued: never more than the new reading.
    const bundle = ok.bundles[0].id;
    await expectStatus(
      post('/api/certificates/withdraw', w.issuer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [bundle],
      }),
      200,
    );
    expect((await upload('MANUAL-1', [quarter(5, 3, 100)])).status).toBe(200);
    const before = await s.eventCount();
    const tooMuch = await post('/api/certificates/reissue', w.issuer.token, { granular_certificate_bundle_id: bundle });
    expect([tooMuch.status, tooMuch.body.code, tooMuch.body.errors[0].field]).toEqual([
      422,
      'over_metered',
      'body/bundle_quantity',
    ]);
    expect(await s.eventCount()).toBe(before);
    const again = await expectStatus(
      post('/api/certificates/reissue', w.issuer.token, {
        granular_certificate_bundle_id: bundle,
        bundle_quantity: 700,
      }),
      201,
    );
    expect(again.bundle_quantity).toBe(700);
    expect(await liveWh(device)).toEqual([[at(5), 700]]);
    // The re-issue keeps the hour issued from the point: its reading is not revised under the live 700 Wh.
    expect((await upload('MANUAL-1', [quarter(5, 3, 50)])).status).toBe(409);
    expect(await checkRegistry(db())).toEqual([]);
  });
});

describe('a device no point feeds any more', () => {
  it('is issued by hand only within what its former points metered, and never an hour they gave another device', async () => {
    const former = await newDevice('Former');
    await expectStatus(
      post('/api/metering-points', w.producer.token, {
        id: 'MOVED-1',
        type: 'production',
        account_id: w.producerAccount,
        device_id: former,
      }),
      201,
    );
    expect((await upload('MOVED-1', [hourReading(30, 1000), hourReading(31, 800)])).status).toBe(200);
    const next = await newDevice('Next');
    await expectStatus(
      s.request('PATCH', '/api/metering-points/MOVED-1', { token: w.producer.token, body: { device_id: next } }),
      200,
    );
    await expectStatus(
      post('/api/certificates/issue', w.issuer.token, {
        device_id: next,
        intervals: [{ production_starting_interval: at(30), production_ending_interval: at(31), wh: 1000 }],
      }),
      201,
    );
    const events = await s.eventCount();
    const again = await post('/api/certificates/issue', w.issuer.token, {
      device_id: former,
      intervals: [{ production_starting_interval: at(30), production_ending_interval: at(31), wh: 1000 }],
    });
    expect([again.status, again.body.code]).toEqual([409, 'already_issued']);
    const over = await post('/api/certificates/issue', w.issuer.token, {
      device_id: former,
      intervals: [{ production_starting_interval: at(31), production_ending_interval: at(32), wh: 801 }],
    });
    expect([over.status, over.body.code, over.body.errors[0].field]).toEqual([
      422,
      'over_metered',
      'body/intervals/0/wh',
    ]);
    expect(await s.eventCount()).toBe(events);
    expect(await liveWh(former)).toEqual([]);
    expect(await liveWh(next)).toEqual([[at(30), 1000]]);
    expect(await checkRegistry(db())).toEqual([]);
  });
});

describe('physical bounds of readings', () => {
  it('refuses a reading beyond the documented maximum on every way in, writing nothing', async () => {
    await meteredDevice('HUGE-1');
    const events = await s.eventCount();
    const json = await upload('HUGE-1', [quarter(0, 0, 9007199254740991), quarter(0, 1, 9007199254740991)]);
    expect([json.status, json.body.code, json.body.errors[0].field]).toEqual([
      400,
      'invalid_reading',
      'body/readings/0/interval_usage',
    ]);
    const justOver = await upload('HUGE-1', [quarter(0, 0, MAX_READING_WH + 1)]);
    expect([justOver.status, justOver.body.errors[0].field]).toEqual([400, 'body/readings/0/interval_usage']);
    const csv = await s.request('POST', '/api/metering-points/HUGE-1/readings', {
      token: w.producer.token,
      raw: `interval_start_datetime,interval_end_datetime,interval_usage\n${at(0)},${at(1)},${MAX_READING_WH + 1}\n`,
      headers: { 'content-type': 'text/csv' },
    });
    expect([csv.status, csv.body.code, csv.body.errors[0].field]).toEqual([
      400,
      'invalid_reading',
      'csv/row/2/interval_usage',
    ]);
    expect(await s.eventCount()).toBe(events);
    expect(
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM readings WHERE metering_point_id = 'HUGE-1'`.execute(
          db(),
        )
      ).rows[0]!.n,
    ).toBe(0);
  });

  it('refuses it from a DataHub sync too, reporting the point while the others go on', async () => {
    await expectStatus(
      post('/api/metering-points', w.producer.token, {
        id: 'DH-OK',
        type: 'production',
        account_id: w.producerAccount,
      }),
      201,
    );
    const reading = (wh: number) => ({
      interval_start_datetime: at(48),
      interval_end_datetime: at(49),
      interval_usage: wh,
      at: 'datahub/0',
    });
    const source: MeterDataSource = {
      name: 'fake',
      authorisedPoints: async () => [
        { id: 'DH-OK', type: 'production' },
        { id: 'HUGE-1', type: 'production' },
      ],
      readings: async (ids) => new Map(ids.map((id) => [id, [reading(id === 'HUGE-1' ? MAX_READING_WH + 1 : 700)]])),
    };
    expect(await syncSource(db(), source, new Date(Date.parse(at(72)) + 10 * 60_000))).toEqual({
      points: 2,
      inserted: 1,
      unchanged: 0,
      revised: 0,
      refused: [
        {
          metering_point_id: 'HUGE-1',
          error: `datahub/0: interval_usage is beyond the ${MAX_READING_WH} Wh one reading may hold`,
        },
      ],
    });
    const stored = await sql<{
      p: string;
      wh: number;
    }>`SELECT metering_point_id AS p, wh FROM readings WHERE metering_point_id IN ('DH-OK', 'HUGE-1')`.execute(db());
    expect(stored.rows).toEqual([{ p: 'DH-OK', wh: 700 }]);
  });

  it('refuses a reading of an interval not yet over from a DataHub sync, as from an upload', async () => {
    await expectStatus(
      post('/api/metering-points', w.producer.token, {
        id: 'DH-LATE',
        type: 'production',
        account_id: w.producerAccount,
      }),
      201,
    );
    // The hour the server's clock is in: not over yet.
    const hour = Math.floor(s.clock.now().getTime() / HOUR_MS) * HOUR_MS;
    const source: MeterDataSource = {
      name: 'fake-future',
      authorisedPoints: async () => [{ id: 'DH-LATE', type: 'production' }],
      readings: async () =>
        new Map([
          [
            'DH-LATE',
            [
              {
                interval_start_datetime: new Date(hour).toISOString(),
                interval_end_datetime: new Date(hour + HOUR_MS).toISOString(),
                interval_usage: 500,
                at: 'datahub/0',
              },
            ],
          ],
        ]),
    };
    expect(await syncSource(db(), source, s.clock.now())).toMatchObject({
      inserted: 0,
      refused: [
        {
          metering_point_id: 'DH-LATE',
          error: 'datahub/0: the interval has not ended yet; a meter reads only the past',
        },
      ],
    });
  });

  it('never issues an hour in which one reading exceeds the capacity of its interval', async () => {
    const device = await meteredDevice('PEAK-1');
    // A quarter of a 1 MW device holds at most 275,000 Wh; the hour's sum alone would fit.
    expect(
      (await upload('PEAK-1', [quarter(0, 0, 275_001), quarter(0, 1, 0), quarter(0, 2, 0), quarter(0, 3, 0)])).status,
    ).toBe(200);
    expect(await pending(device)).toEqual([[at(0), 275_001, 'over_capacity']]);
    await run();
    expect(await liveWh(device)).toEqual([]);
    // Nor by the issuing body's hand, whatever quantity it asks for.
    const events = await s.eventCount();
    const manual = await post('/api/certificates/issue', w.issuer.token, {
      device_id: device,
      intervals: [{ production_starting_interval: at(0), production_ending_interval: at(1), wh: 1000 }],
    });
    expect([manual.status, manual.body.code, manual.body.errors[0].field]).toEqual([
      422,
      'over_capacity',
      'body/intervals/0/production_starting_interval',
    ]);
    expect(await s.eventCount()).toBe(events);
    expect(await liveWh(device)).toEqual([]);
  });
});

describe('any sequence of readings, revisions, relinks, runs, manual issuances, withdrawals and re-issues', () => {
  it('never leaves an hour of a point with more live Wh than it metered, and a refused request changes nothing', async () => {
    const devices = [await newDevice('Left plant'), await newDevice('Right plant')];
    for (const d of devices)
      await expectStatus(
        s.request('PATCH', `/api/devices/${d}`, { token: w.issuer.token, body: { auto_issue: true } }),
        200,
      );
    const step = fc.record({
      kind: fc.constantFrom('read', 'read', 'run', 'manual', 'withdraw', 'reissue', 'relink'),
      hour: fc.nat(3),
      wh: fc.integer({ min: 0, max: 1500 }),
      pick: fc.nat(),
    });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 20 }), async (steps) => {
        // Each run meters its own point on its own day, first for the left device.
        const point = `PROP-${++round}`;
        const day = 100 * 24 + round * 24;
        let feeds = 0;
        await expectStatus(
          post('/api/metering-points', w.producer.token, {
            id: point,
            type: 'production',
            account_id: w.producerAccount,
            device_id: devices[feeds],
          }),
          201,
        );
        const bundlesOfDay = async (status: 'live' | 'withdrawn') =>
          (
            await sql<{ id: number }>`
        SELECT id FROM bundles WHERE device_id = ANY(${devices}::bigint[])
          AND production_starting_interval >= ${at(day)}::timestamptz
          AND production_starting_interval < ${at(day + 4)}::timestamptz
          AND (certificate_bundle_status = 'withdrawn') = ${status === 'withdrawn'} ORDER BY id`.execute(db())
          ).rows.map((r) => r.id);
        for (const st of steps) {
          const events = await s.eventCount();
          const h = day + st.hour;
          let reply: { status: number; body: any } | undefined;
          if (st.kind === 'read') reply = await upload(point, [hourReading(h, st.wh)]);
          else if (st.kind === 'run') reply = await post('/api/issuance/run', w.issuer.token);
          else if (st.kind === 'manual')
            reply = await post('/api/certificates/issue', w.issuer.token, {
              device_id: devices[feeds],
              intervals: [
                { production_starting_interval: at(h), production_ending_interval: at(h + 1), wh: Math.max(1, st.wh) },
              ],
            });
          else if (st.kind === 'relink') {
            feeds = 1 - feeds;
            reply = await s.request('PATCH', `/api/metering-points/${point}`, {
              token: w.producer.token,
              body: { device_id: devices[feeds] },
            });
          } else {
            const ids = await bundlesOfDay(st.kind === 'withdraw' ? 'live' : 'withdrawn');
            if (ids.length === 0) continue;
            const id = ids[st.pick % ids.length]!;
            reply =
              st.kind === 'withdraw'
                ? await post('/api/certificates/withdraw', w.issuer.token, {
                    source_id: w.producerAccount,
                    granular_certificate_bundle_ids: [id],
                  })
                : await post('/api/certificates/reissue', w.issuer.token, {
                    granular_certificate_bundle_id: id,
                    bundle_quantity: Math.max(1, st.wh),
                  });
          }
          expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
          if (reply.status >= 400) expect(await s.eventCount()).toBe(events);
          if (st.kind === 'run') expect(reply.body.failed).toEqual([]);
          const { rows } = await sql<{ hour: Date; live: number; metered: number }>`
          SELECT b.production_starting_interval AS hour, sum(b.bundle_quantity)::bigint AS live,
                 (SELECT coalesce(sum(r.wh), 0)::bigint FROM readings r
                  WHERE r.metering_point_id = ${point} AND r.interval_start = b.production_starting_interval) AS metered
          FROM bundles b WHERE b.device_id = ANY(${devices}::bigint[]) AND b.certificate_bundle_status <> 'withdrawn'
            AND b.production_starting_interval >= ${at(day)}::timestamptz
            AND b.production_starting_interval < ${at(day + 4)}::timestamptz
          GROUP BY b.production_starting_interval`.execute(db());
          expect(rows.filter((r) => r.live > r.metered)).toEqual([]);
        }
        expect(await checkRegistry(db())).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });
});

describe('one failing device', () => {
  it('is skipped and reported while every other device issues, and pending never fails', async () => {
    const broken = await meteredDevice('BROKEN-1');
    const healthy = await meteredDevice('HEALTHY-1');
    // Readings stored before the bound existed: four quarters of 2^53 − 1 Wh.
    await sql`INSERT INTO readings (metering_point_id, interval_start, interval_end, wh, quality, source)
      SELECT 'BROKEN-1', s, s + interval '15 minutes', 9007199254740991, 'measured', 'legacy'
      FROM generate_series(${at(10)}::timestamptz, ${at(10, 45)}::timestamptz, interval '15 minutes') AS s`.execute(
      db(),
    );
    expect((await upload('HEALTHY-1', [hourReading(10, 500)])).status).toBe(200);
    expect(await pending(broken)).toEqual([[at(10), Number.MAX_SAFE_INTEGER, 'over_capacity']]);
    // A capacity so large that the hour looks ready: its issuance fails, the healthy device's does not.
    await expectStatus(
      s.request('PATCH', `/api/devices/${broken}`, {
        token: w.issuer.token,
        body: { capacity: Number.MAX_SAFE_INTEGER },
      }),
      200,
    );
    expect((await pending(broken))[0]![2]).toBe('ready');
    const result = await run();
    expect(result).toEqual({
      bundles_issued: 1,
      wh_issued: 500,
      failed: [{ device_id: broken, error: `device ${broken} would pass the largest certificate id` }],
    });
    expect(await liveWh(healthy)).toEqual([[at(10), 500]]);
    expect(await liveWh(broken)).toEqual([]);
  });
});

describe('tally check', () => {
  it('names a metered hour issued twice through two devices', async () => {
    expect(await checkRegistry(db())).toEqual([]);
    const device = await meteredDevice('TWICE-1');
    expect((await upload('TWICE-1', [hourReading(20, 800)])).status).toBe(200);
    await run();
    const other = await newDevice('Tampered plant');
    await expectStatus(
      s.request('PATCH', `/api/devices/${other}`, { token: w.issuer.token, body: { auto_issue: true } }),
      200,
    );
    await expectStatus(
      s.request('PATCH', '/api/metering-points/TWICE-1', { token: w.producer.token, body: { device_id: other } }),
      200,
    );
    // Behind the API's back: the record of which point hours were issued is lost, and the hour issues again.
    await sql`DELETE FROM issued_point_hours WHERE metering_point_id = 'TWICE-1'`.execute(db());
    expect(await run()).toMatchObject({ bundles_issued: 1, wh_issued: 800 });
    expect(await liveWh(device)).toEqual([[at(20), 800]]);
    expect(await checkRegistry(db())).toEqual([
      {
        rule: 'issued_within_metered',
        detail: `metering point TWICE-1 at ${at(20)}: 1600 Wh live for 800 Wh metered (devices ${device}, ${other})`,
      },
    ]);
  });

  it('names a device whose issuances overlap in time', async () => {
    const device = await meteredDevice('OVERLAP-1');
    expect((await upload('OVERLAP-1', [hourReading(30, 100), hourReading(31, 100)])).status).toBe(200);
    await run();
    // Issuances refuse every change; as the database's owner would, with the trigger off.
    const tamper = sql`UPDATE issuances
      SET production_starting_interval = production_starting_interval - interval '30 minutes',
          production_ending_interval = production_ending_interval - interval '30 minutes'
      WHERE device_id = ${device} AND production_starting_interval = ${at(31)}::timestamptz`;
    await expect(tamper.execute(db())).rejects.toThrow('issuances are immutable: UPDATE refused');
    await sql`ALTER TABLE issuances DISABLE TRIGGER issuances_immutable`.execute(db());
    await tamper.execute(db());
    await sql`ALTER TABLE issuances ENABLE TRIGGER issuances_immutable`.execute(db());
    const rules = (await checkRegistry(db())).filter((v) => v.rule === 'issuances_disjoint');
    expect(rules).toEqual([
      {
        rule: 'issuances_disjoint',
        detail: `device ${device}: the issuance of ${at(30, 30)} overlaps the one of ${at(30)}`,
      },
    ]);
    await expect(sql`DELETE FROM issuances WHERE device_id = ${device}`.execute(db())).rejects.toThrow(
      'issuances are immutable: DELETE refused',
    );
    await expect(sql`TRUNCATE issuances CASCADE`.execute(db())).rejects.toThrow(
      'issuances are immutable: TRUNCATE refused',
    );
  });
});

describe('migration 0014 on an existing database', () => {
  it('derives the point hours of existing issuances from the points their devices have', async () => {
    const recorded = async () =>
      (
        await sql<{ p: string; h: Date; i: number }>`
      SELECT metering_point_id AS p, hour_start AS h, issuance_id AS i FROM issued_point_hours
      WHERE metering_point_id IN ('MANUAL-1', 'HEALTHY-1') ORDER BY 1, 2`.execute(db())
      ).rows.map((r) => [r.p, r.h.toISOString(), r.i]);
    const written = await recorded();
    expect(written.map(([p, h]) => [p, h])).toEqual([
      ['HEALTHY-1', at(10)],
      ['MANUAL-1', at(5)],
    ]);
    // As if the database had been made before 0014: the table and its record gone, then migrated again.
    await sql`DROP TABLE issued_point_hours`.execute(db());
    await sql`DELETE FROM schema_migrations WHERE name = '0014_issued_point_hours'`.execute(db());
    expect(await migrate(s.db.database)).toEqual(['0014_issued_point_hours']);
    expect(await recorded()).toEqual(written);
  });

  it('rebuilds from the ledger the links and issued hours of a point moved before the upgrade', async () => {
    const first = await meteredDevice('MOVED-EARLY');
    expect((await upload('MOVED-EARLY', [hourReading(40, 900)])).status).toBe(200);
    expect((await run()).bundles_issued).toBeGreaterThanOrEqual(1);
    const second = await newDevice('Later');
    await expectStatus(
      s.request('PATCH', `/api/devices/${second}`, { token: w.issuer.token, body: { auto_issue: true } }),
      200,
    );
    await expectStatus(
      s.request('PATCH', '/api/metering-points/MOVED-EARLY', { token: w.producer.token, body: { device_id: second } }),
      200,
    );
    // As if the point had moved before 0014 and 0019: no link history, no record of its issued hour.
    await sql`DROP TABLE point_device_links CASCADE`.execute(db());
    await sql`DROP FUNCTION remember_point_device_link() CASCADE`.execute(db());
    await sql`DELETE FROM issued_point_hours WHERE metering_point_id = 'MOVED-EARLY'`.execute(db());
    await sql`DELETE FROM schema_migrations WHERE name = '0019_point_device_links'`.execute(db());
    expect(await migrate(s.db.database)).toEqual(['0019_point_device_links']);
    const links = await sql<{
      d: number;
    }>`SELECT device_id AS d FROM point_device_links WHERE metering_point_id = 'MOVED-EARLY' ORDER BY 1`.execute(db());
    expect(links.rows.map((r) => r.d)).toEqual([first, second]);
    expect(await pending(second)).toEqual([[at(40), 900, 'issued_under_another_device']]);
    expect((await run()).wh_issued).toBe(0);
    expect(await liveWh(second)).toEqual([]);
    // Earlier tests in this file tamper on purpose; this point has nothing to report.
    expect((await checkRegistry(db())).filter((v) => v.detail.includes('MOVED-EARLY'))).toEqual([]);
  });
});
