// Cumulative register readings: a meter's running totals of imported and exported Wh at a point
// in time. A reading is a physical snapshot, so it is never revised: re-sending it changes
// nothing, a different value at the same time is refused. Each register only grows with time,
// so every new reading must lie between its stored neighbours and its neighbours in the request.
import { sql } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, unprocessable } from '../platform/errors.ts';
import { MAX_REGISTER_WH } from './limits.ts';
import { readablePoint } from './points.ts';
import { writablePoint } from './readings.ts';
import type { RegisterImportResult, RegisterReading, RegisterReadingJson } from './schemas.ts';
import { metering, type MeteringPointRow } from './tables.ts';
import { checkPeriod } from '../platform/period.ts';
import { keyset, mapPage, type Page, type PageRequest } from '../platform/pagination.ts';
import { parseTimestamp, TIMESTAMP_RULE } from '../platform/timestamp.ts';

/** One register reading as sent (schemas.ts); `at` names it in errors, e.g. `body/readings/3`. */
export type RegisterReadingInput = Static<typeof RegisterReadingJson> & { at: string };

interface Register {
  readAt: Date;
  importWh: number;
  exportWh: number;
  at: string;
}

const REGISTERS = ['import_wh', 'export_wh'] as const;
type RegisterName = (typeof REGISTERS)[number];
const registerValue = (r: Register, name: RegisterName) => (name === 'import_wh' ? r.importWh : r.exportWh);

/** Checks each reading alone and against the others of the request; returns them sorted by read_at. */
function checkRegisters(inputs: RegisterReadingInput[]): Register[] {
  const registers = inputs.map((r) => {
    const readAt = parseTimestamp(r.read_at);
    if (!readAt)
      throw badRequest('invalid_register_reading', `${r.at}: read_at is not ${TIMESTAMP_RULE}`, `${r.at}/read_at`);
    for (const name of REGISTERS) {
      if (!Number.isSafeInteger(r[name]) || r[name] < 0)
        throw badRequest(
          'invalid_register_reading',
          `${r.at}: ${name} is not a whole, non-negative number of Wh`,
          `${r.at}/${name}`,
        );
      if (r[name] > MAX_REGISTER_WH)
        throw badRequest(
          'invalid_register_reading',
          `${r.at}: ${name} is beyond the ${MAX_REGISTER_WH} Wh a register may read`,
          `${r.at}/${name}`,
        );
    }
    return { readAt, importWh: r.import_wh, exportWh: r.export_wh, at: r.at };
  });
  registers.sort((a, b) => a.readAt.getTime() - b.readAt.getTime());
  for (let k = 1; k < registers.length; k++) {
    const [a, b] = [registers[k - 1]!, registers[k]!];
    if (a.readAt.getTime() === b.readAt.getTime())
      throw badRequest(
        'duplicate_register_reading',
        `${a.at} and ${b.at} are both read at ${b.readAt.toISOString()}`,
        `${b.at}/read_at`,
      );
  }
  return registers;
}

interface Stored {
  read_at: Date;
  import_wh: number;
  export_wh: number;
}
interface Neighbours {
  same: Stored | undefined;
  before: Stored | undefined;
  after: Stored | undefined;
}

/**
 * For each reading (sorted by read_at), the stored reading at the same time and the nearest
 * stored ones strictly before and after it: one query, two index probes per reading.
 */
async function neighbours(db: Db, point: MeteringPointRow, registers: Register[]): Promise<Neighbours[]> {
  const { rows } = await sql<{
    k: number;
    same_at: Date | null;
    same_import: number | null;
    same_export: number | null;
    before_at: Date | null;
    before_import: number | null;
    before_export: number | null;
    after_at: Date | null;
    after_import: number | null;
    after_export: number | null;
  }>`
    SELECT t.k::bigint AS k,
           same.read_at AS same_at, same.import_wh AS same_import, same.export_wh AS same_export,
           b.read_at AS before_at, b.import_wh AS before_import, b.export_wh AS before_export,
           a.read_at AS after_at, a.import_wh AS after_import, a.export_wh AS after_export
    FROM unnest(${registers.map((r) => r.readAt.toISOString())}::timestamptz[]) WITH ORDINALITY AS t(read_at, k)
    LEFT JOIN register_readings same ON same.metering_point_id = ${point.id} AND same.read_at = t.read_at
    LEFT JOIN LATERAL (SELECT read_at, import_wh, export_wh FROM register_readings
      WHERE metering_point_id = ${point.id} AND read_at < t.read_at ORDER BY read_at DESC LIMIT 1) b ON true
    LEFT JOIN LATERAL (SELECT read_at, import_wh, export_wh FROM register_readings
      WHERE metering_point_id = ${point.id} AND read_at > t.read_at ORDER BY read_at LIMIT 1) a ON true
    ORDER BY t.k`.execute(db);
  const stored = (at: Date | null, importWh: number | null, exportWh: number | null): Stored | undefined =>
    at === null ? undefined : { read_at: at, import_wh: importWh!, export_wh: exportWh! };
  return rows.map((r) => ({
    same: stored(r.same_at, r.same_import, r.same_export),
    before: stored(r.before_at, r.before_import, r.before_export),
    after: stored(r.after_at, r.after_import, r.after_export),
  }));
}

/**
 * Refuses a register that would decrease in time. Stored readings already never decrease, so it
 * is enough that each reading is at least its predecessor in the request and its nearest stored
 * predecessor, and at most its nearest stored successor.
 */
function refuseDecrease(registers: Register[], near: Neighbours[]): void {
  const decreased = (r: Register, name: RegisterName, detail: string) =>
    unprocessable(
      'register_decreased',
      `${r.at}: ${name} ${registerValue(r, name)} at ${r.readAt.toISOString()} ` +
        `${detail}; a cumulative register never decreases`,
      `${r.at}/${name}`,
    );
  for (let k = 0; k < registers.length; k++) {
    const r = registers[k]!,
      prev = registers[k - 1],
      { before, after } = near[k]!;
    for (const name of REGISTERS) {
      const value = registerValue(r, name);
      if (prev && value < registerValue(prev, name))
        throw decreased(r, name, `is below ${registerValue(prev, name)} at ${prev.readAt.toISOString()} (${prev.at})`);
      if (before && value < before[name])
        throw decreased(r, name, `is below the stored ${before[name]} at ${before.read_at.toISOString()}`);
      if (after && value > after[name])
        throw decreased(r, name, `is above the stored ${after[name]} at the later ${after.read_at.toISOString()}`);
    }
  }
}

/**
 * Imports cumulative register readings of one metering point, all or nothing. Access is that of
 * interval readings (`writablePoint`); `principal` null is Tally itself. A reading sent again with
 * the same values is unchanged; different values at a stored read_at are refused (409
 * register_reading_exists); a register decreasing in time is refused (422 register_decreased).
 */
export async function importRegisterReadings(
  db: Db,
  principal: Principal | null,
  pointId: string,
  rows: RegisterReadingInput[],
  source: string,
): Promise<RegisterImportResult> {
  return db.transaction().execute(async (trx) => {
    const point = await writablePoint(trx, principal, pointId);
    const registers = checkRegisters(rows);
    if (registers.length === 0) return { inserted: 0, unchanged: 0 };
    const near = await neighbours(trx, point, registers);

    const fresh: Register[] = [];
    let unchanged = 0;
    for (let k = 0; k < registers.length; k++) {
      const r = registers[k]!,
        same = near[k]!.same;
      if (!same) fresh.push(r);
      else if (same.import_wh === r.importWh && same.export_wh === r.exportWh) unchanged++;
      else
        throw conflict(
          'register_reading_exists',
          `${r.at}: ${pointId} already has a reading at ${r.readAt.toISOString()} ` +
            `(import_wh ${same.import_wh}, export_wh ${same.export_wh}); a register reading is not revised`,
        );
    }
    refuseDecrease(registers, near);

    if (fresh.length) {
      await sql`INSERT INTO register_readings (metering_point_id, read_at, import_wh, export_wh, source)
        SELECT ${point.id}, r, i, e, ${source}
        FROM unnest(${fresh.map((r) => r.readAt.toISOString())}::timestamptz[],
                    ${fresh.map((r) => r.importWh)}::bigint[],
                    ${fresh.map((r) => r.exportWh)}::bigint[]) AS t(r, i, e)`.execute(trx);
      await appendEvent(trx, {
        type: 'register_readings.imported',
        subject_type: 'metering_point',
        subject_id: point.id,
        account_ids: [point.account_id],
        actor_id: principal?.userId ?? null,
        // [read_at, import Wh, export Wh]
        payload: {
          metering_point_id: point.id,
          source,
          inserted: fresh.map((r) => [r.readAt.toISOString(), r.importWh, r.exportWh]),
        },
      });
    }
    return { inserted: fresh.length, unchanged };
  });
}

/** The static type of the answer schema (schemas.ts), so the two cannot drift. */
export type RegisterReadingView = Static<typeof RegisterReading>;

/** Register readings are listed by read_at, unique per point (whole ms: it is stored from a JavaScript Date). */
const byReadAt = keyset({ t: 'time' });

/** The point's register readings with read_at in [from, to), oldest first. */
export async function listRegisterReadings(
  db: Db,
  principal: Principal,
  pointId: string,
  from: Date,
  to: Date,
  page: PageRequest,
): Promise<Page<RegisterReadingView>> {
  checkPeriod(from, to, 'querystring/to');
  await readablePoint(db, principal, pointId);
  let query = metering(db)
    .selectFrom('register_readings')
    .selectAll()
    .where('metering_point_id', '=', pointId)
    .where('read_at', '>=', from)
    .where('read_at', '<', to);
  const after = byReadAt.after(page);
  if (after !== undefined) query = query.where('read_at', '>', after.t);
  const rows = await query
    .orderBy('read_at')
    .limit(page.limit + 1)
    .execute();
  return mapPage(
    byReadAt.page(rows, page.limit, (r) => ({ t: r.read_at })),
    (r) => ({
      read_at: r.read_at.toISOString(),
      import_wh: r.import_wh,
      export_wh: r.export_wh,
      source: r.source,
      recorded_at: r.recorded_at.toISOString(),
    }),
  );
}

/** A point's last register reading at or before `at`, if any. */
export async function lastRegisterReading(
  db: Db,
  pointId: string,
  at: Date,
): Promise<{ read_at: Date; import_wh: number; export_wh: number } | undefined> {
  return metering(db)
    .selectFrom('register_readings')
    .select(['read_at', 'import_wh', 'export_wh'])
    .where('metering_point_id', '=', pointId)
    .where('read_at', '<=', at)
    .orderBy('read_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
