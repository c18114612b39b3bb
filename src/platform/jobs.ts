// Periodic jobs. Several instances may share one database; each run takes a transaction-level
// advisory lock named after the job, so exactly one instance runs it at a time and the others skip.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from './database.ts';

export interface Job {
  name: string;
  /** Does one round of work inside the leader's transaction; returns a count worth logging. */
  run(db: Db, now: Date): Promise<number>;
}

const lockKey = (name: string) => createHash('sha256').update(`tally-job:${name}`).digest().readBigInt64BE(0);

/** Runs `job` once if no other instance is running it; returns undefined when it was not the leader. */
export async function runAsLeader(db: Db, job: Job, now = new Date()): Promise<number | undefined> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ leader: boolean }>`SELECT pg_try_advisory_xact_lock(${lockKey(job.name).toString()}::bigint) AS leader`.execute(trx);
    if (!rows[0]?.leader) return undefined;
    return job.run(trx, now);
  });
}

/** Starts running each job every `intervalSeconds`; the returned function stops them. */
export function scheduleJobs(db: Db, jobs: Job[], intervalSeconds: number, log: Logger): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = (async () => {
      for (const job of jobs) {
        if (stopped) return;
        try {
          const count = await runAsLeader(db, job);
          if (count) log.info({ job: job.name, count }, 'job done');
        } catch (err) {
          log.error({ err, job: job.name }, 'job failed');
        }
      }
    })();
  };
  const timer = setInterval(tick, intervalSeconds * 1000);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
