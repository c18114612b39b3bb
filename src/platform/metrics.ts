// Prometheus metrics (prom-client), served at /metrics (http/metrics.ts). Two kinds, chosen per metric:
// - What this process did (requests answered, jobs run, Wh issued, readings imported): in-process
//   counters and histograms, counted once the work committed. Each process counts its own work and
//   Prometheus sums the processes (`sum(rate(...))`); a restart starts again from 0, which rate() reads
//   as a counter reset, not as a loss.
// - State every process shares (the ledger's unsealed events, how far each community's clearing lags):
//   read from the database when scraped, so every process reports the same value rather than the part
//   it happened to see. Those reads are single index probes; they must stay cheap, since every scrape
//   of every process runs them.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database, PoolStats } from './database-interface.ts';
import type { JobObserver } from './jobs.ts';

/**
 * The counters modules keep of their own committed work: one set per process, whatever number of
 * apps it runs (tests run several), so a test reads differences, never absolute values.
 */
export const processMetrics = new Registry();

/** A counter of this process's work, in the process-wide set. */
export const processCounter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
  new Counter<L>({ name, help, labelNames, registers: [processMetrics] });

/** One series of a metric read at scrape time: its labels and value. */
export interface Sample {
  labels: Record<string, string | number>;
  value: number;
}

/** A gauge read from the database (or anything shared) when scraped; the composition root plugs modules' reads in. */
export interface ScrapedGauge {
  name: string;
  help: string;
  labelNames?: readonly string[];
  read(): Promise<number | Sample[]>;
}

/** The metrics of one app: its registry (with the process's counters) and what the HTTP layer and the jobs feed. */
export interface AppMetrics {
  registry: Registry;
  /** Request durations by route pattern, method and status (http/metrics.ts observes them). */
  requestSeconds: Histogram<'route' | 'method' | 'status'>;
  /** Hears every job round, for its runs, failures and durations. */
  jobs: JobObserver;
}

/** Seconds buckets for requests and job rounds: 1 ms to 30 s. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(database: Database, scraped: readonly ScrapedGauge[]): AppMetrics {
  const own = new Registry();
  const registers = [own];
  const requestSeconds = new Histogram({
    name: 'tally_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern (not the URL), method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: BUCKETS,
    registers,
  });
  const jobRuns = new Counter({
    name: 'tally_job_runs_total',
    help: 'Job rounds this process ran as the leader (another instance may run the rounds this one skips)',
    labelNames: ['job'] as const,
    registers,
  });
  const jobFailures = new Counter({
    name: 'tally_job_failures_total',
    help: 'Job rounds that failed (rolled back), or units (a device, a community) that failed and were skipped',
    labelNames: ['job', 'scope'] as const,
    registers,
  });
  const jobSeconds = new Histogram({
    name: 'tally_job_duration_seconds',
    help: 'Time a job round took, as the leader',
    labelNames: ['job'] as const,
    buckets: BUCKETS,
    registers,
  });
  // The pool is this process's own: read from it, no query. PGlite is one session, one connection.
  const pool = (name: string, help: string, read: (s: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const stats = database.stats?.();
        if (stats) this.set(read(stats));
      },
    });
  pool('tally_db_pool_connections', 'Connections the database pool holds (PGlite: its one session)', (s) => s.total);
  pool('tally_db_pool_idle', 'Connections of the pool no one is using', (s) => s.idle);
  pool('tally_db_pool_waiting', 'Borrowers waiting for a connection', (s) => s.waiting);
  for (const g of scraped)
    new Gauge({
      name: g.name,
      help: g.help,
      labelNames: g.labelNames ?? [],
      registers,
      async collect() {
        const value = await g.read();
        this.reset();
        if (typeof value === 'number') this.set(value);
        else for (const s of value) this.set(s.labels, s.value);
      },
    });
  return {
    registry: Registry.merge([processMetrics, own]),
    requestSeconds,
    jobs: {
      ran(job, round) {
        if (round.led) {
          jobRuns.inc({ job });
          jobSeconds.observe({ job }, round.seconds);
        }
        if (round.error !== undefined) jobFailures.inc({ job, scope: 'round' });
        if (round.unitsFailed) jobFailures.inc({ job, scope: 'unit' }, round.unitsFailed);
      },
    },
  };
}
