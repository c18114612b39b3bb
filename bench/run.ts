// `tally bench` (npm run bench): issuance, partial transfers, queries, a public disclosure and reading import, each
// measured against a baseline in the same run, on a throwaway database: a new database on the
// PostgreSQL server of DATABASE_URL, or a temporary PGlite. BENCH_BUNDLES scales the registry part
// (default 1,000,000 bundles); BENCH_READINGS_DAYS the reading import (1,000 metering points ×
// that many days of 15-minute readings; default 7, 365 for the 35-million-row figure);
// BENCH_COMMUNITY_MEMBERS the community clearing (a day of 15-minute intervals for a quarter of that
// many members and for that many; default 10,000), BENCH_COMMUNITY_ROUNDS its rounds per size
// (default 3). The upload part (issue 11) sends one file of BENCH_UPLOAD_MIB MiB (default 1,024)
// through Tally's uploader to the reference provider, both run as child processes (bench/upload.ts).
// The stream part publishes a backlog of events to the NATS server of TALLY_NATS_URL (default the
// local one) and measures the lag under a load of writes (bench/stream.ts).
// BENCH_ONLY=community runs only the community clearing, BENCH_ONLY=market only the forecasting
// market's engine (no database), BENCH_ONLY=upload only the upload, BENCH_ONLY=stream only the event
// stream, BENCH_ONLY=ui only the web UI in Chromium, BENCH_ONLY=registry the rest, and
// BENCH_ONLY=issuance the registry part's first phase alone (bulk issuance against COPY).
// BENCH_PROFILE=DIR profiles the registry's phases in this process and prints where the time went
// (bench/profile.ts).
import { cpus } from 'node:os';
import type { Config } from '../src/platform/config.ts';
import { startServer } from './http.ts';
import { benchDisclosure, disclosureRows } from './disclosure.ts';
import { benchCommunity, communityRows, communitySizes } from './community.ts';
import { BATCH, benchIssuance, issuanceRow } from './issuance.ts';
import { benchMarket } from './market.ts';
import { benchProcesses, processesRows } from './processes.ts';
import { formatTable, fmt, type ReportRow } from './measure.ts';
import { profiled } from './profile.ts';
import { benchQueries, queryRow } from './query.ts';
import { benchReadings, readingsRow } from './readings.ts';
import { openTarget, type BenchTarget } from './target.ts';
import { benchTransfers, CLIENTS, loneTransferRow, transferRow } from './transfers.ts';
import { benchStream, streamRows } from './stream.ts';
import { benchUi } from './ui.ts';
import { benchUpload, uploadMib, uploadRows } from './upload.ts';
import { buildWorld, deviceCountFor, history, PASSWORD } from './world.ts';

const DEFAULT_BUNDLES = 1_000_000;
const READING_POINTS = 1_000;

function readingDays(env: string | undefined): number {
  if (env === undefined || env === '') return 7;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 1 || n > 366)
    throw new Error(`BENCH_READINGS_DAYS must be a whole number from 1 to 366, not ${env}`);
  return n;
}

function bundlesToIssue(env: string | undefined): number {
  if (env === undefined || env === '') return DEFAULT_BUNDLES;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 10_000)
    throw new Error(`BENCH_BUNDLES must be a whole number of at least 10,000, not ${env}`);
  return n;
}

const DEFAULT_COMMUNITY_MEMBERS = 10_000;

function communityMembers(env: string | undefined): number {
  if (env === undefined || env === '') return DEFAULT_COMMUNITY_MEMBERS;
  const n = Number(env);
  // clearRange looks up its points' types with one bind parameter per point (at most 65,535).
  if (!Number.isSafeInteger(n) || n < 400 || n > 40_000)
    throw new Error(`BENCH_COMMUNITY_MEMBERS must be a whole number from 400 to 40,000, not ${env}`);
  return n;
}

function communityRounds(env: string | undefined): number {
  if (env === undefined || env === '') return 3;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 1 || n > 9)
    throw new Error(`BENCH_COMMUNITY_ROUNDS must be a whole number from 1 to 9, not ${env}`);
  return n;
}

type Part = 'registry' | 'issuance' | 'community' | 'market' | 'upload' | 'stream' | 'ui';
/** What BENCH_ONLY may name. */
const PARTS: Part[] = ['registry', 'issuance', 'community', 'market', 'upload', 'stream', 'ui'];
/** What a run measures without BENCH_ONLY: the registry part begins with the issuance. */
const EVERY_PART = PARTS.filter((p) => p !== 'issuance');

function partsToRun(env: string | undefined): Part[] {
  if (env === undefined || env === '') return EVERY_PART;
  const part = PARTS.find((p) => p === env);
  if (part) return [part];
  throw new Error(`BENCH_ONLY must be ${PARTS.join(', ')}, not ${env}`);
}

const log = (line: string) => process.stdout.write(`${line}\n`);

export async function runBenchmarks(config: Config): Promise<void> {
  const parts = partsToRun(process.env.BENCH_ONLY);
  const total = bundlesToIssue(process.env.BENCH_BUNDLES);
  const members = communityMembers(process.env.BENCH_COMMUNITY_MEMBERS);
  const rounds = communityRounds(process.env.BENCH_COMMUNITY_ROUNDS);
  const mib = uploadMib(process.env.BENCH_UPLOAD_MIB);
  // Only the registry and the community clearing work in the bench's own database.
  const target = parts.some((p) => p === 'registry' || p === 'issuance' || p === 'community' || p === 'stream')
    ? await openTarget(config.databaseUrl)
    : undefined;
  try {
    if (target) log(`Tally benchmarks on ${target.description}`);
    log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
    const rows: ReportRow[] = [];
    if (target && parts.includes('registry')) rows.push(...(await registryPart(config, target, total)));
    if (target && parts.includes('issuance'))
      rows.push(issuanceRow((await issuancePart(config, target, total)).issuance));
    if (target && parts.includes('community'))
      rows.push(...communityRows(await benchCommunity(target, communitySizes(members), rounds, log)));
    // The market engine is pure: it needs no database, only the machine.
    if (parts.includes('market')) rows.push(...benchMarket());
    // Tally and the provider as services of their own, over a database of their own.
    if (parts.includes('upload')) rows.push(...uploadRows(await benchUpload(config.databaseUrl, mib, log)));
    if (target && parts.includes('stream')) rows.push(...streamRows(await benchStream(target, log)));
    // The web UI in Chromium, over a registry in a database of its own.
    if (parts.includes('ui')) rows.push(...(await benchUi(config, log)));
    log('');
    log(formatTable(rows));
  } finally {
    await target?.drop();
  }
}

/** A world of devices and their issuance, `total` bundles through the registry beside COPY's. */
async function issuancePart(config: Config, target: BenchTarget, total: number) {
  const devices = deviceCountFor(total);
  log(
    `issuing ${fmt(total)} hourly bundles over ${devices} devices, ${fmt(BATCH)} intervals per issueCertificates call`,
  );
  const world = await buildWorld(target.database.kysely, config, devices);
  // Every history ends at the last full hour: issuance refuses production that has not happened.
  const end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const issuance = await profiled('issuance', log, () =>
    benchIssuance(target, world, total, end, config.certificateLifetimeDays, log),
  );
  return { devices, world, end, issuance };
}

async function registryPart(config: Config, target: BenchTarget, total: number): Promise<ReportRow[]> {
  const db = target.database.kysely;
  const { devices, world, end, issuance } = await issuancePart(config, target, total);
  // What autovacuum would have done by the time anyone queries: fresh statistics and visibility map.
  await target.database.exec('VACUUM ANALYZE');

  const server = await startServer(config, target.database, CLIENTS);
  try {
    const token = await server.login(world.producer.email, PASSWORD);
    const queries = await profiled('queries', log, () =>
      benchQueries(db, server, token, world, history(total, devices, end), log),
    );
    const transfers = await profiled('transfers', log, () =>
      benchTransfers(db, server, token, world, target.database.engine === 'pglite', log),
    );
    // Processes of their own share only a server database, not the in-process PGlite. Before the
    // disclosure, whose claims use up most of the active bundles these transfers split.
    const processes = target.url ? processesRows(await benchProcesses(db, target.url, world, log)) : [];
    const disclosure = await benchDisclosure(db, server, token, world, history(total, devices, end), log);
    const readings = await benchReadings(
      target,
      world.issuer,
      world.producerAccount,
      READING_POINTS,
      readingDays(process.env.BENCH_READINGS_DAYS),
      log,
    );
    return [
      issuanceRow(issuance),
      transferRow(transfers),
      loneTransferRow(transfers),
      ...processes,
      ...queries.map(queryRow),
      ...disclosureRows(disclosure),
      readingsRow(readings),
    ];
  } finally {
    await server.close();
  }
}
