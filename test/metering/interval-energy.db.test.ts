// Energy per interval from stored readings, by hand-computed numbers: interval readings summed or
// spread onto the grid, cumulative registers differenced between interval ends, the grid-only
// case of a missing reading, the baseline of a point's first reading, and interval readings
// winning over registers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { principal } from '../helpers/principal.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import type { Principal } from '../../src/identity/principal.ts';
import { createAccount } from '../../src/accounts/index.ts';
import { createMeteringPoint } from '../../src/metering/points.ts';
import { importReadings } from '../../src/metering/readings.ts';
import { importRegisterReadings } from '../../src/metering/registers.ts';
import { intervalEnergy, type IntervalEnergy, type IntervalGrid } from '../../src/metering/interval-energy.ts';
import type { PointType } from '../../src/metering/tables.ts';
import { TEST_START } from '../helpers/clock.ts';

let t: TestDatabase;
let owner: Principal;
let account: number;
const T0 = Date.parse('2025-03-03T00:00:00Z');
const MIN = 60_000;
const iso = (minutes: number) => new Date(T0 + minutes * MIN).toISOString();
const grid = (fromMinutes: number, count: number, minutes: number): IntervalGrid => ({
  from: new Date(T0 + fromMinutes * MIN),
  count,
  minutes,
});

const imp = (wh: number, gridOnly = false): IntervalEnergy => ({ importWh: wh, exportWh: 0, gridOnly });
const exp = (wh: number): IntervalEnergy => ({ importWh: 0, exportWh: wh, gridOnly: false });
const both = (importWh: number, exportWh: number, gridOnly = false): IntervalEnergy => ({
  importWh,
  exportWh,
  gridOnly,
});

const types = new Map<string, PointType>();

async function point(id: string, type: PointType): Promise<void> {
  await createMeteringPoint(t.database.kysely, owner, { id, type, account_id: account });
  types.set(id, type);
}

/** Interval readings as [start minute, length in minutes, Wh]. */
async function readings(id: string, rows: Array<[number, number, number]>): Promise<void> {
  const inputs = rows.map(([start, length, wh], k) => ({
    interval_start_datetime: iso(start),
    interval_end_datetime: iso(start + length),
    interval_usage: wh,
    at: `test/${k}`,
  }));
  expect(await importReadings(t.database.kysely, null, new Map([[id, inputs]]), 'test', TEST_START)).toMatchObject({
    inserted: rows.length,
  });
}

/** Register readings as [minute, import Wh, export Wh]. */
async function registers(id: string, rows: Array<[number, number, number]>): Promise<void> {
  const inputs = rows.map(([at, importWh, exportWh], k) => ({
    read_at: iso(at),
    import_wh: importWh,
    export_wh: exportWh,
    at: `test/${k}`,
  }));
  expect(await importRegisterReadings(t.database.kysely, null, id, inputs, 'test')).toEqual({
    inserted: rows.length,
    unchanged: 0,
  });
}

/** The series of one point on a grid. */
async function series(id: string, g: IntervalGrid): Promise<Array<IntervalEnergy | undefined>> {
  const out = await intervalEnergy(t.database.kysely, [{ id, type: types.get(id)! }], g);
  expect([...out.keys()]).toEqual([id]);
  const s = out.get(id)!;
  expect(s).toHaveLength(g.count);
  // Holes and explicit undefined alike: compare as a plain array.
  return Array.from(s);
}

beforeAll(async () => {
  t = await freshDatabase();
  const db = t.database.kysely;
  owner = await principal(db, 'producer', 'meter');
  account = (await createAccount(db, owner, { account_name: 'Meters' })).id;

  // Quarter-hour consumption: hour 0 complete, hour 1 three quarters only.
  await point('Q15', 'consumption');
  await readings('Q15', [
    [0, 15, 110],
    [15, 15, 120],
    [30, 15, 130],
    [45, 15, 140],
    [60, 15, 10],
    [75, 15, 20],
    [90, 15, 30],
  ]);
  // The same quarters on a production point.
  await point('P15', 'production');
  await readings('P15', [
    [0, 15, 110],
    [15, 15, 120],
    [30, 15, 130],
    [45, 15, 140],
  ]);
  // Hourly production: 1003 Wh in hour 0, 2 Wh in hour 1.
  await point('PH', 'production');
  await readings('PH', [
    [0, 60, 1003],
    [60, 60, 2],
  ]);
  // Mixed lengths: hour 0 as a half hour and two quarters; hour 1 only its first half hour.
  await point('MIX', 'consumption');
  await readings('MIX', [
    [0, 30, 300],
    [30, 15, 40],
    [45, 15, 50],
    [60, 30, 100],
  ]);
  await point('NONE', 'consumption');

  // Registers: baseline at 0; the reading at 45 is missing; 70 lies inside the interval [60, 75).
  await point('RG', 'consumption');
  await registers('RG', [
    [0, 1000, 500],
    [15, 1100, 500],
    [30, 1100, 530],
    [60, 1250, 560],
    [70, 1260, 560],
    [90, 1300, 600],
  ]);
  // A point whose first reading ever is at 15.
  await point('RF', 'production');
  await registers('RF', [
    [15, 1000, 0],
    [30, 1200, 0],
  ]);
  // Registers and an interval reading for the same interval [0, 15): the registers are the point's
  // source; the reading (90) is not added.
  await point('RW', 'consumption');
  await registers('RW', [
    [0, 0, 0],
    [15, 100, 0],
    [30, 250, 0],
  ]);
  await readings('RW', [[0, 15, 90]]);
});
afterAll(() => t.drop());

describe('interval readings', () => {
  it('gives 15-minute readings as they are on a 15-minute grid, undefined where there are none', async () => {
    expect(await series('Q15', grid(0, 8, 15))).toEqual([
      imp(110),
      imp(120),
      imp(130),
      imp(140),
      imp(10),
      imp(20),
      imp(30),
      undefined,
    ]);
    // Any start on the grid: the same values, shifted.
    expect(await series('Q15', grid(15, 2, 15))).toEqual([imp(120), imp(130)]);
    expect(await series('Q15', grid(-30, 3, 15))).toEqual([undefined, undefined, imp(110)]);
  });

  it('sums finer readings on a coarser grid, and leaves an interval only partly covered undefined', async () => {
    // Hour 0: 110 + 120 + 130 + 140; hour 1 lacks its last quarter.
    expect(await series('Q15', grid(0, 2, 60))).toEqual([imp(500), undefined]);
    // Half hours: 110 + 120, 130 + 140, 10 + 20, and 30 alone covers only half of the fourth.
    expect(await series('Q15', grid(0, 4, 30))).toEqual([imp(230), imp(270), imp(30), undefined]);
    // Readings of different lengths that together cover the hour: 300 + 40 + 50; hour 1 has only its first half.
    expect(await series('MIX', grid(0, 2, 60))).toEqual([imp(390), undefined]);
    expect(await series('MIX', grid(0, 4, 30))).toEqual([imp(300), imp(90), imp(100), undefined]);
  });

  it('spreads a coarser reading evenly in whole Wh, the remainder to the earliest intervals', async () => {
    // 1003 = 4 × 250 + 3: the first three quarters get 251. 2 = 4 × 0 + 2: the first two get 1.
    expect(await series('PH', grid(0, 8, 15))).toEqual([
      exp(251),
      exp(251),
      exp(251),
      exp(250),
      exp(1),
      exp(1),
      exp(0),
      exp(0),
    ]);
    // The split belongs to the reading, not to the grid asked for: from :30 on, the third and
    // fourth quarters of hour 0.
    expect(await series('PH', grid(30, 4, 15))).toEqual([exp(251), exp(250), exp(1), exp(1)]);
    // Two half hours: 502 + 501, and 1 + 1.
    expect(await series('PH', grid(0, 4, 30))).toEqual([exp(502), exp(501), exp(1), exp(1)]);
    expect(await series('PH', grid(0, 2, 60))).toEqual([exp(1003), exp(2)]);
  });

  it('books a production point as export and a consumption point as import', async () => {
    const out = await intervalEnergy(
      t.database.kysely,
      [
        { id: 'P15', type: 'production' },
        { id: 'Q15', type: 'consumption' },
        { id: 'NONE', type: 'consumption' },
      ],
      grid(0, 2, 30),
    );
    expect([...out.keys()].sort()).toEqual(['NONE', 'P15', 'Q15']);
    expect(Array.from(out.get('P15')!)).toEqual([exp(230), exp(270)]);
    expect(Array.from(out.get('Q15')!)).toEqual([imp(230), imp(270)]);
    expect(Array.from(out.get('NONE')!)).toEqual([undefined, undefined]);
  });

  it('answers an empty map without points and empty series on an empty grid', async () => {
    expect((await intervalEnergy(t.database.kysely, [], grid(0, 4, 15))).size).toBe(0);
    const empty = await intervalEnergy(t.database.kysely, [{ id: 'Q15', type: 'consumption' }], grid(0, 0, 15));
    expect(Array.from(empty.get('Q15')!)).toEqual([]);
  });
});

describe('cumulative registers', () => {
  it('differences consecutive readings at interval ends, and marks the interval after a missing reading grid-only', async () => {
    expect(await series('RG', grid(0, 7, 15))).toEqual([
      both(100, 0), // 1100 − 1000, 500 − 500
      both(0, 30), // 1100 − 1100, 530 − 500
      undefined, // no reading at 45
      both(150, 30, true), // since the last earlier reading, at 30: 1250 − 1100, 560 − 530
      both(10, 0), // closed by the reading at 70, inside the interval: 1260 − 1250
      both(40, 40), // from 70 to 90: 1300 − 1260, 600 − 560; 70 lies in the interval just before, so it is placed
      undefined, // nothing after 90
    ]);
  });

  it('gives the same intervals whatever range is asked, with the last reading before it as the baseline', async () => {
    expect(await series('RG', grid(45, 3, 15))).toEqual([both(150, 30, true), both(10, 0), both(40, 40)]);
    expect(await series('RG', grid(30, 1, 15))).toEqual([undefined]);
    expect(await series('RG', grid(75, 1, 15))).toEqual([both(40, 40)]);
    // An hourly grid: hour 0 closes at 60 with the baseline at 0; hour 1 closes at 90, placed after the reading at 60.
    expect(await series('RG', grid(0, 2, 60))).toEqual([both(250, 60), both(50, 40)]);
  });

  it("takes a point's very first reading as the baseline only: zero energy", async () => {
    // [0, 15) closes with the first reading ever; [15, 30) is its difference to the next; [30, 45) has no reading.
    expect(await series('RF', grid(0, 3, 15))).toEqual([both(0, 0), both(200, 0), undefined]);
    expect(await series('RF', grid(-15, 2, 15))).toEqual([undefined, both(0, 0)]);
    expect(await series('RF', grid(15, 1, 15))).toEqual([both(200, 0)]);
  });

  it('reads a point with registers from its registers alone, never adding an interval reading to a register difference', async () => {
    expect(await series('RW', grid(0, 2, 15))).toEqual([both(100, 0), both(150, 0)]);
    // The same with the reading at 15 missing: the gap's whole difference is counted once, on the grid.
    await sql`DELETE FROM register_readings
      WHERE metering_point_id = 'RW' AND read_at = ${iso(15)}::timestamptz`.execute(t.database.kysely);
    expect(await series('RW', grid(0, 2, 15))).toEqual([undefined, both(250, 0, true)]);
  });

  it('mixes points with registers and with interval readings in one call', async () => {
    const out = await intervalEnergy(
      t.database.kysely,
      [
        { id: 'RG', type: 'consumption' },
        { id: 'PH', type: 'production' },
      ],
      grid(30, 2, 15),
    );
    expect(Array.from(out.get('RG')!)).toEqual([undefined, both(150, 30, true)]);
    expect(Array.from(out.get('PH')!)).toEqual([exp(251), exp(250)]);
  });
});
