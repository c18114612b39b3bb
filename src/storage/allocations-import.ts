// Declared allocations: the EnergyTag storage allocation template (scr_allocation_id,
// sdr_allocation_id, sdr_proportion, …), each row "this share of that discharge came from this
// charge", as a storage operator allocates at its discretion. One file is one transaction, all or
// nothing; refusals name the row (the header is row 1). The efficiency methodology and period are
// the discharge record's, fixed when it was recorded: those columns are read and not used.
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { badRequest, unprocessable } from '../platform/errors.ts';
import { splitCsvLine } from '../metering/index.ts';
import { PPM } from './allocation.ts';
import { allocateDeclared, lockedDischargeRecord } from './discharges.ts';
import { MAX_STORAGE_ROWS } from './readings.ts';

const COLUMNS = [
  'scr_allocation_id',
  'sdr_allocation_id',
  'sdr_proportion',
  'scr_allocation_methodology',
  'gc_allocation_id',
  'sdgc_allocation_id',
  'efficiency_factor_methodology',
  'efficiency_factor_interval_start',
  'efficiency_factor_interval_end',
  'storage_efficiency_factor',
] as const;
const REQUIRED = ['scr_allocation_id', 'sdr_allocation_id', 'sdr_proportion'] as const;

/** A decimal in (0, 1] as an exact fraction, or undefined. */
function share(text: string): { num: bigint; den: bigint } | undefined {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return undefined;
  const den = 10n ** BigInt(m[2]?.length ?? 0);
  const num = BigInt(m[1]! + (m[2] ?? ''));
  return num > 0n && num <= den ? { num, den } : undefined;
}

const idCell = (text: string) => (/^[1-9]\d{0,15}$/.test(text) ? Number(text) : undefined);

export interface AllocationsImported {
  allocations: number;
  discharge_wh: number;
}

export async function importAllocations(
  db: Db,
  principal: Principal,
  csv: string,
  now: Date,
): Promise<AllocationsImported> {
  const [headerLine = '', ...lines] = csv.split(/\r?\n/);
  const header = splitCsvLine(headerLine);
  const missing = REQUIRED.find((c) => !header.includes(c));
  if (missing) throw badRequest('invalid_csv', `the header lacks the column ${missing}`, 'csv/row/1');
  const unknown = header.find((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknown !== undefined) throw badRequest('invalid_csv', `unknown column ${unknown}`, 'csv/row/1');
  const rows = lines.map((line, k) => ({ line, row: k + 2 })).filter((r) => r.line.trim());
  if (rows.length > MAX_STORAGE_ROWS)
    throw badRequest('too_many_rows', `an upload holds at most ${MAX_STORAGE_ROWS} allocations`, 'csv/row/1');
  return db.transaction().execute(async (trx) => {
    let allocated = 0;
    for (const { line, row } of rows) {
      const at = `csv/row/${row}`;
      const cells = splitCsvLine(line);
      if (cells.length !== header.length)
        throw badRequest('invalid_csv', `row ${row} has ${cells.length} cells, the header ${header.length}`, at);
      const cell = (column: (typeof COLUMNS)[number]) =>
        header.includes(column) ? cells[header.indexOf(column)]! : '';
      const scr = idCell(cell('scr_allocation_id'));
      const sdr = idCell(cell('sdr_allocation_id'));
      if (scr === undefined)
        throw badRequest('invalid_csv', `row ${row}: not a charge record id`, `${at}/scr_allocation_id`);
      if (sdr === undefined)
        throw badRequest('invalid_csv', `row ${row}: not a discharge record id`, `${at}/sdr_allocation_id`);
      const proportion = share(cell('sdr_proportion'));
      if (!proportion)
        throw badRequest(
          'invalid_csv',
          `row ${row}: sdr_proportion is a decimal above 0, at most 1`,
          `${at}/sdr_proportion`,
        );
      const bundle = cell('gc_allocation_id') === '' ? undefined : idCell(cell('gc_allocation_id'));
      if (cell('gc_allocation_id') !== '' && bundle === undefined)
        throw badRequest('invalid_csv', `row ${row}: not a bundle id`, `${at}/gc_allocation_id`);
      if (cell('sdgc_allocation_id') !== '')
        throw badRequest(
          'invalid_csv',
          `row ${row}: SD-GCs are issued from allocations, not imported`,
          `${at}/sdgc_allocation_id`,
        );
      const factor = cell('storage_efficiency_factor') === '' ? undefined : share(cell('storage_efficiency_factor'));
      if (cell('storage_efficiency_factor') !== '' && factor === undefined)
        throw badRequest('invalid_csv', `row ${row}: a factor above 0, at most 1`, `${at}/storage_efficiency_factor`);
      const { record } = await lockedDischargeRecord(trx, principal, sdr, `${at}/sdr_allocation_id`);
      const methodology = cell('scr_allocation_methodology');
      if (methodology !== '' && methodology.toUpperCase() !== record.scr_allocation_methodology)
        throw unprocessable(
          'allocation_methodology_fixed',
          `row ${row}: discharge record ${sdr} allocates ${record.scr_allocation_methodology}, fixed when recorded`,
          `${at}/scr_allocation_methodology`,
        );
      const dischargeWh = Number((proportion.num * BigInt(record.discharge_energy)) / proportion.den);
      if (dischargeWh < 1)
        throw badRequest(
          'invalid_csv',
          `row ${row}: the share is less than 1 Wh of the discharge`,
          `${at}/sdr_proportion`,
        );
      await allocateDeclared(
        trx,
        principal,
        record,
        {
          scrId: scr,
          bundleId: bundle,
          dischargeWh,
          efficiencyPpm: factor && Number((factor.num * BigInt(PPM)) / factor.den),
          at,
        },
        now,
      );
      allocated += dischargeWh;
    }
    return { allocations: rows.length, discharge_wh: allocated };
  });
}
