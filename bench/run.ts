// `tally bench` (npm run bench): issuance, partial transfers, queries and reading import, each
// measured against a baseline in the same run, on a throwaway database: a new database on the
// PostgreSQL server of DATABASE_URL, or a temporary PGlite. BENCH_BUNDLES scales the registry part
// (default 1,000,000 bundles); BENCH_READINGS_DAYS the reading import (1,000 metering points ×
// that many days of 15-minute readings; default 7, 365 for the 35-million-row figure).
import { cpus } from 'node:os';
import type { Config } from '../src/platform/config.ts';
import { startServer } from './http.ts';
import { BATCH, benchIssuance, issuanceRow } from './issuance.ts';
import { formatTable, fmt } from './measure.ts';
import { benchQueries, queryRow } from './query.ts';
import { benchReadings, readingsRow } from './readings.ts';
import { openTarget } from './target.ts';
import { benchTransfers, CLIENTS, transferRow } from './transfers.ts';
import { buildWorld, deviceCountFor, history, PASSWORD } from './world.ts';

const DEFAULT_BUNDLES = 1_000_000;
const READING_POINTS = 1_000;

function readingDays(env: string | undefined): number {
  if (env === undefined || env === '') return 7;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 1 || n > 366) throw new Error(`BENCH_READINGS_DAYS must be a whole number from 1 to 366, not ${env}`);
  return n;
}

function bundlesToIssue(env: string | undefined): number {
  if (env === undefined || env === '') return DEFAULT_BUNDLES;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 10_000) throw new Error(`BENCH_BUNDLES must be a whole number of at least 10,000, not ${env}`);
  return n;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

export async function runBenchmarks(config: Config): Promise<void> {
  const total = bundlesToIssue(process.env.BENCH_BUNDLES);
  const target = await openTarget(config.databaseUrl);
  try {
    const db = target.database.kysely;
    const devices = deviceCountFor(total);
    log(`Tally benchmarks on ${target.description}`);
    log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
    log(`issuing ${fmt(total)} hourly bundles over ${devices} devices, ${fmt(BATCH)} intervals per issueCertificates call`);
    const world = await buildWorld(db, config, devices);
    // Every history ends at the last full hour: issuance refuses production that has not happened.
    const end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const issuance = await benchIssuance(target, world, total, end, config.certificateLifetimeDays, log);
    // What autovacuum would have done by the time anyone queries: fresh statistics and visibility map.
    await target.database.exec('VACUUM ANALYZE');

    const server = await startServer(config, target.database, CLIENTS);
    try {
      const token = await server.login(world.producer.email, PASSWORD);
      const queries = await benchQueries(db, server, token, world, history(total, devices, end), log);
      const transfers = await benchTransfers(db, server, token, world, target.database.engine === 'pglite', log);
      const readings = await benchReadings(target, world.issuer, world.producerAccount, READING_POINTS, readingDays(process.env.BENCH_READINGS_DAYS), log);
      log('');
      log(formatTable([issuanceRow(issuance), transferRow(transfers), ...queries.map(queryRow), readingsRow(readings)]));
    } finally {
      await server.close();
    }
  } finally {
    await target.drop();
  }
}
