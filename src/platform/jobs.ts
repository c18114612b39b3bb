// Periodic jobs. Several instances may share one database; each run takes a transaction-level
// advisory lock named after the job, so exactly one instance runs it at a time and the others skip.
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Db } from './database.ts';
import type { UnitFailure } from './units.ts';

/** What one round of a job did: a count worth logging, and the units that failed and were skipped. */
export interface JobOutcome {
  count: number;
  failed: UnitFailure[];
  /** Runs once the round's work has committed: to count it in this process's metrics, never before. */
  committed?: () => void;
}

/** One round of a job as this process saw it. */
export interface JobRound {
  /** This process ran it; false when another instance held the job and nothing was done here. */
  led: boolean;
  seconds: number;
  /** Units (a device, a community) that failed and were skipped while the others went on. */
  unitsFailed: number;
  /** What the round threw: it was rolled back. */
  error?: unknown;
}

/** Hears the job runner: each tick begin and end (the readiness check), each job's round (the metrics). */
export interface JobObserver {
  tick?(ticking: boolean): void;
  ran?(job: string, round: JobRound): void;
}

export interface Job {
  name: string;
  /**
   * Does one round of work; returns a count worth logging. Inside the leader's transaction, or,
   * for a job with `leaseMs`, on the plain database while this process holds the job's lease.
   */
  run(db: Db, now: Date): Promise<number | JobOutcome>;
  /** For jobs that wait on the network: hold a lease this long instead of one long transaction. */
  leaseMs?: number;
}

const lockKey = (name: string) => createHash('sha256').update(`tally-job:${name}`).digest().readBigInt64BE(0);

/** Runs `job` once, as of `now`, if no other instance is running it; returns undefined when it was not the leader. */
export async function runAsLeader(db: Db, job: Job, now: Date): Promise<number | JobOutcome | undefined> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      leader: boolean;
    }>`SELECT pg_try_advisory_xact_lock(${lockKey(job.name).toString()}::bigint) AS leader`.execute(trx);
    if (!rows[0]?.leader) return undefined;
    return job.run(trx, now);
  });
}

/**
 * Runs `work` if this process wins the job's lease (none held, or the last one expired), then
 * releases it. For work that waits on the network: it runs in its own short transactions, not
 * inside one long one. Returns undefined when another holder has the lease. The lease is timed by
 * the database's now(), the one clock every instance shares, not by any instance's Clock.
 */
export async function runWithLease<T>(
  db: Db,
  name: string,
  leaseMs: number,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const holder = randomUUID();
  const { rows } = await sql<{ holder: string }>`
    INSERT INTO job_leases (name, holder, lease_until)
    VALUES (${name}, ${holder}, now() + ${leaseMs} * interval '1 millisecond')
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
      WHERE job_leases.lease_until < now()
    RETURNING holder`.execute(db);
  if (rows[0]?.holder !== holder) return undefined;
  try {
    return await work();
  } finally {
    await sql`DELETE FROM job_leases WHERE name = ${name} AND holder = ${holder}`.execute(db);
  }
}

/**
 * Starts running each job every `intervalSeconds` of the machine's time (the heartbeat), each run as
 * of `clock`'s time; the returned function stops them. Tests run a job by hand at the time they choose.
 * `observers` hear each tick and each job's round.
 */
export function scheduleJobs(
  db: Db,
  jobs: Job[],
  intervalSeconds: number,
  log: Logger,
  clock: Clock,
  observers: readonly JobObserver[] = [],
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const beat = (ticking: boolean) => {
    for (const o of observers) o.tick?.(ticking);
  };
  const ran = (job: string, started: number, round: Omit<JobRound, 'seconds'>) => {
    const seconds = (performance.now() - started) / 1000;
    for (const o of observers) o.ran?.(job, { ...round, seconds });
  };
  const tick = () => {
    beat(true);
    running = (async () => {
      for (const job of jobs) {
        if (stopped) return;
        const started = performance.now();
        try {
          const now = clock.now();
          const result = job.leaseMs
            ? await runWithLease(db, job.name, job.leaseMs, () => job.run(db, now))
            : await runAsLeader(db, job, now);
          const outcome: JobOutcome = typeof result === 'object' ? result : { count: result ?? 0, failed: [] };
          outcome.committed?.();
          ran(job.name, started, { led: result !== undefined, unitsFailed: outcome.failed.length });
          // A failed unit (a device, a community) was skipped; the others went on. Each is named once a tick.
          for (const f of outcome.failed)
            log.error({ err: f.cause, job: job.name, unit: f.unit }, 'job unit failed and was skipped');
          if (outcome.count || outcome.failed.length)
            log.info({ job: job.name, count: outcome.count, failed: outcome.failed.length }, 'job done');
        } catch (err) {
          log.error({ err, job: job.name }, 'job failed');
          ran(job.name, started, { led: true, unitsFailed: 0, error: err });
        }
      }
    })().finally(() => beat(false));
  };
  const timer = setInterval(tick, intervalSeconds * 1000);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
