// A storage device's metering as storage records: the EnergyTag storage readings template
// (flow_start_datetime, flow_end_datetime, flow_energy, validator_id), where a negative flow is a
// charge and a positive one a discharge, in Wh. One file is one transaction, all or nothing;
// every refusal names its row (the header is row 1). Charges are recorded before discharges, each
// in time order, so a discharge is allocated from whatever charge of the file and before is backed.
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { badRequest } from '../platform/errors.ts';
import { TIMESTAMP_RULE, timestampMs } from '../platform/timestamp.ts';
import { splitCsvLine } from '../metering/index.ts';
import { insertChargeRecord } from './charges.ts';
import { allocate, insertDischargeRecord } from './discharges.ts';
import { recordingDevice } from './rules.ts';

const COLUMNS = ['flow_start_datetime', 'flow_end_datetime', 'flow_energy', 'validator_id'] as const;
/** At most this many rows in one upload: one transaction holds them all. */
export const MAX_STORAGE_ROWS = 10_000;

export interface StorageReading {
  start: string;
  end: string;
  /** Wh: negative charged, positive discharged. */
  flow: number;
  validator: string | undefined;
  at: string;
}

export function parseStorageReadings(text: string): StorageReading[] {
  const [headerLine = '', ...lines] = text.split(/\r?\n/);
  const header = splitCsvLine(headerLine);
  const missing = COLUMNS.slice(0, 3).find((c) => !header.includes(c));
  if (missing) throw badRequest('invalid_csv', `the header lacks the column ${missing}`, 'csv/row/1');
  const unknown = header.find((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknown !== undefined) throw badRequest('invalid_csv', `unknown column ${unknown}`, 'csv/row/1');
  const cell = (cells: string[], column: string) => cells[header.indexOf(column)] ?? '';
  const readings: StorageReading[] = [];
  for (const [k, line] of lines.entries()) {
    if (!line.trim()) continue;
    const row = k + 2;
    const at = `csv/row/${row}`;
    if (readings.length === MAX_STORAGE_ROWS)
      throw badRequest('too_many_rows', `an upload holds at most ${MAX_STORAGE_ROWS} storage readings`, at);
    const cells = splitCsvLine(line);
    if (cells.length !== header.length)
      throw badRequest('invalid_csv', `row ${row} has ${cells.length} cells, the header ${header.length}`, at);
    for (const column of ['flow_start_datetime', 'flow_end_datetime'])
      if (timestampMs(cell(cells, column)) === undefined)
        throw badRequest('invalid_reading', `row ${row}: ${column} is not ${TIMESTAMP_RULE}`, `${at}/${column}`);
    const flow = cell(cells, 'flow_energy');
    if (!/^-?\d+$/.test(flow) || !Number.isSafeInteger(Number(flow)))
      throw badRequest('invalid_reading', `row ${row}: flow_energy is not a whole number of Wh`, `${at}/flow_energy`);
    readings.push({
      start: cell(cells, 'flow_start_datetime'),
      end: cell(cells, 'flow_end_datetime'),
      flow: Number(flow),
      validator: cell(cells, 'validator_id') || undefined,
      at,
    });
  }
  return readings;
}

export interface ReadingsImported {
  charge_record_ids: number[];
  discharge_record_ids: number[];
  /** Rows of zero flow: nothing charged or discharged. */
  skipped: number;
}

/** Records a storage device's readings as charge and discharge records, all or nothing. */
export async function importStorageReadings(
  db: Db,
  principal: Principal,
  deviceId: number,
  csv: string,
  now: Date,
): Promise<ReadingsImported> {
  const readings = parseStorageReadings(csv);
  const inOrder = (rs: StorageReading[]) => rs.sort((a, b) => timestampMs(a.start)! - timestampMs(b.start)!);
  return db.transaction().execute(async (trx) => {
    const device = await recordingDevice(trx, principal, deviceId, 'querystring/device_id');
    const charged: number[] = [];
    for (const r of inOrder(readings.filter((r) => r.flow < 0))) {
      const record = await insertChargeRecord(
        trx,
        principal,
        device,
        {
          charging_start_datetime: r.start,
          charging_end_datetime: r.end,
          charging_energy: -r.flow,
          validator_id: r.validator,
        },
        now,
        r.at,
      );
      charged.push(record.id);
    }
    const discharged: number[] = [];
    for (const r of inOrder(readings.filter((r) => r.flow > 0))) {
      const record = await insertDischargeRecord(
        trx,
        principal,
        device,
        {
          discharging_start_datetime: r.start,
          discharging_end_datetime: r.end,
          discharge_energy: r.flow,
          validator_id: r.validator,
        },
        now,
        r.at,
      );
      await allocate(trx, principal, record, now);
      discharged.push(record.id);
    }
    return {
      charge_record_ids: charged,
      discharge_record_ids: discharged,
      skipped: readings.filter((r) => r.flow === 0).length,
    };
  });
}
