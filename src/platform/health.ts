// Whether this process can serve: alive (it answers at all) and ready (its database answers, every
// migration it knows is applied, and, where it runs the jobs, the job runner ticks). Orchestrators
// restart a process that is not alive and send traffic only to one that is ready.
import { sql } from 'kysely';
import type { Database } from './database.ts';
import type { JobObserver } from './jobs.ts';
import { pendingMigrations } from './migrations.ts';

/** The job runner's heartbeat, by the machine's time (a test's clock may stand still). */
export interface JobsPulse {
  intervalMs: number;
  /** When the runner started, or its last tick began or ended. */
  lastBeatAt: number;
  /** A tick is under way: a long job is progress, not a stall. */
  ticking: boolean;
}

/** Keeps `pulse` beating with the runner's ticks. */
export const pulseObserver = (pulse: JobsPulse): JobObserver => ({
  tick(ticking) {
    pulse.lastBeatAt = Date.now();
    pulse.ticking = ticking;
  },
});

export interface Readiness {
  ready: boolean;
  /** Each check: `ok`, or why not (`skipped` for the job runner of a process that runs none). */
  checks: { database: string; migrations: string; jobs: string };
}

/** How long the database may take to answer `SELECT 1` before the process counts as not ready. */
const DATABASE_TIMEOUT_MS = 2000;

/** A runner missing three beats in a row has stopped. */
const MISSED_BEATS = 3;

export async function readiness(
  database: Database,
  pulse: JobsPulse | undefined,
  now = Date.now(),
): Promise<Readiness> {
  const checks = { database: 'ok', migrations: 'ok', jobs: 'skipped' };
  try {
    await withTimeout(sql`SELECT 1`.execute(database.kysely), DATABASE_TIMEOUT_MS);
    const pending = await pendingMigrations(database);
    if (pending.length > 0) checks.migrations = `not applied: ${pending.join(', ')}`;
  } catch (error) {
    checks.database = `does not answer: ${(error as Error).message}`;
    checks.migrations = 'unknown';
  }
  if (pulse !== undefined) {
    const silent = now - pulse.lastBeatAt;
    checks.jobs =
      pulse.ticking || silent < MISSED_BEATS * pulse.intervalMs ? 'ok' : `no tick for ${Math.round(silent / 1000)} s`;
  }
  return { ready: Object.values(checks).every((c) => c === 'ok' || c === 'skipped'), checks };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
