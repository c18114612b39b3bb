// The job runner's metrics: a round run as the leader counts a run and its duration; a round that
// throws counts a failure; units skipped count as unit failures; a round's `committed` hook runs
// once per round, after its transaction.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scheduleJobs, type Job } from '../../src/platform/jobs.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { testClock } from '../helpers/clock.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(() => db?.drop());

it('counts runs, failed rounds, skipped units and durations by job', async () => {
  const metrics = createMetrics(db.database, []);
  const committed: string[] = [];
  const jobs: Job[] = [
    {
      name: 'metrics-test-works',
      run: async () => ({
        count: 1,
        failed: [{ unit: '7', error: 'broken', cause: new Error('broken') }],
        committed: () => committed.push('works'),
      }),
    },
    {
      name: 'metrics-test-throws',
      run: async () => {
        throw new Error('no');
      },
    },
  ];
  let rounds = 0;
  let stop: (() => Promise<void>) | undefined;
  // The test waits for the runner's own report of its second round's last job, never for a duration.
  await new Promise<void>((twoRounds) => {
    const seen = {
      ran: (job: string) => {
        if (job === 'metrics-test-throws' && ++rounds === 2) twoRounds();
      },
    };
    stop = scheduleJobs(db.database.kysely, jobs, 0.01, pino({ level: 'silent' }), testClock(), [metrics.jobs, seen]);
  });
  await stop?.();
  const text = await metrics.registry.metrics();
  const line = (series: string) => text.split('\n').find((l) => l.startsWith(`${series} `));
  expect(line('tally_job_runs_total{job="metrics-test-works"}')).toMatch(/ [2-9]\d*$/);
  expect(line('tally_job_runs_total{job="metrics-test-throws"}')).toMatch(/ [2-9]\d*$/);
  const runs = Number(line('tally_job_runs_total{job="metrics-test-works"}')!.split(' ')[1]);
  expect(line('tally_job_failures_total{job="metrics-test-works",scope="unit"}')).toBe(
    `tally_job_failures_total{job="metrics-test-works",scope="unit"} ${runs}`,
  );
  expect(line('tally_job_failures_total{job="metrics-test-works",scope="round"}')).toBeUndefined();
  expect(line('tally_job_duration_seconds_count{job="metrics-test-works"}')).toBe(
    `tally_job_duration_seconds_count{job="metrics-test-works"} ${runs}`,
  );
  const thrown = Number(line('tally_job_runs_total{job="metrics-test-throws"}')!.split(' ')[1]);
  expect(line('tally_job_failures_total{job="metrics-test-throws",scope="round"}')).toBe(
    `tally_job_failures_total{job="metrics-test-throws",scope="round"} ${thrown}`,
  );
  expect(committed).toHaveLength(runs);
});
