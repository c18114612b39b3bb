// One failing unit of a job (a device to issue for, a community to clear) must never stop the
// others. Each unit runs inside a savepoint of the caller's transaction: a failure rolls back that
// unit's writes alone and is reported, and the loop goes on with the next unit.
import { sql } from 'kysely';
import type { Db } from './database.ts';

/** A unit that failed: which one, and why (the error's message; the stack goes to the log). */
export interface UnitFailure {
  unit: string;
  error: string;
  cause: unknown;
}

/**
 * Runs `work` for each unit in order, each inside its own savepoint of `trx`, and collects the
 * failures instead of throwing them. `trx` must be a transaction (savepoints need one).
 */
export async function eachUnit<T>(
  trx: Db,
  units: Iterable<T>,
  name: (unit: T) => string,
  work: (unit: T) => Promise<void>,
): Promise<UnitFailure[]> {
  const failed: UnitFailure[] = [];
  for (const unit of units) {
    await sql`SAVEPOINT tally_unit`.execute(trx);
    try {
      await work(unit);
      await sql`RELEASE SAVEPOINT tally_unit`.execute(trx);
    } catch (cause) {
      await sql`ROLLBACK TO SAVEPOINT tally_unit`.execute(trx);
      await sql`RELEASE SAVEPOINT tally_unit`.execute(trx);
      failed.push({ unit: name(unit), error: cause instanceof Error ? cause.message : String(cause), cause });
    }
  }
  return failed;
}

/**
 * Runs `work` for each unit in order, each in its own transaction (for jobs that commit as they
 * go, such as clearing under a lease), and collects the failures instead of throwing them.
 */
export async function eachUnitCommitted<T>(
  units: Iterable<T>,
  name: (unit: T) => string,
  work: (unit: T) => Promise<void>,
): Promise<UnitFailure[]> {
  const failed: UnitFailure[] = [];
  for (const unit of units) {
    try {
      await work(unit);
    } catch (cause) {
      failed.push({ unit: name(unit), error: cause instanceof Error ? cause.message : String(cause), cause });
    }
  }
  return failed;
}
