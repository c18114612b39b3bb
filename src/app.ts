// Assembles Tally: database, migrations, secrets, the first admin, the HTTP app and the jobs.
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Config } from './platform/config.ts';
import { openDatabase, type Database, type Db } from './platform/database.ts';
import type { DirectoryUse } from './platform/embedded-database.ts';
import { migrate } from './platform/migrations.ts';
import { patiently } from './platform/database-wait.ts';
import { settingOrCreate } from './platform/settings.ts';
import { scheduleJobs, type Job } from './platform/jobs.ts';
import { type JobsPulse, pulseObserver } from './platform/health.ts';
import { createMetrics, type ScrapedGauge } from './platform/metrics.ts';
import { buildApp } from './platform/http/app.ts';
import { findWebUi } from './platform/http/web-ui.ts';
import { forgetOldIdempotencyKeys } from './platform/http/idempotency.ts';
import type { App, AppContext } from './platform/context.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { authenticationHook, identityRoutes, ensureAdmin, newSecret } from './identity/index.ts';
import { ledgerRoutes, sealedLedgerRoutes, sealJob, unsealedEvents } from './ledger/index.ts';
import { startEventPublisher, streamLag } from './stream/index.ts';
import {
  accountRoutes,
  invitationRoutes,
  organisationRoutes,
  readableAccount,
  readableAccountIds,
} from './accounts/index.ts';
import { certificatesOfPoints, registryJobs, registryRoutes } from './registry/index.ts';
import { answerCertificateQuestions, meteringRoutes, meteringJobs } from './metering/index.ts';
import { answerPublicationQuestions, disclosureRoutes } from './disclosure/index.ts';
import { clearingLags, communityRoutes, COMMUNITY_CLEARING_JOB } from './community/index.ts';
import { marketJob, marketRoutes, openMarket } from './market/index.ts';
import { startRegistrationListener, uploaderJob, uploaderRoutes } from './uploader/index.ts';
import { openPublisher, publicationRoutes, publicationsOfDisclosure } from './publications/index.ts';
import { storageRoutes } from './storage/index.ts';
import { dsbiFace, energytagFace } from './faces/index.ts';

// Metering sits below the registry yet must ask it about certificates issued from its points:
// the registry's answers are plugged in here, once, before anything runs.
answerCertificateQuestions(certificatesOfPoints);
// Likewise a disclosure names where it was published, which the publications module above it knows.
answerPublicationQuestions(publicationsOfDisclosure);

export interface Tally {
  app: App;
  ctx: AppContext;
  /** The uploader's private registration listener's base URL, when TALLY_UPLOADER_PRIVATE_PORT is set. */
  uploaderPrivateUrl: string | undefined;
  close(): Promise<void>;
  /**
   * Stops gracefully: no new request is taken (the listener closes; a request on an open keep-alive
   * connection gets 503), those in flight and the running job finish, then the database closes. Past
   * `timeoutMs` the connections still open are cut. Says what it did.
   */
  shutdown(timeoutMs: number): Promise<Shutdown>;
}

/** What a graceful stop did, for its one log line. */
export interface Shutdown {
  requests_in_flight: number;
  finished_in_time: boolean;
  duration_ms: number;
}

/**
 * Every periodic job, in the order a tick runs them: read meters, issue, clear communities, run
 * the forecasting market, then seal what they wrote.
 */
export const jobsFor = (config: Config, clock: Clock): Job[] => [
  ...meteringJobs(config, clock),
  ...registryJobs(config.certificateLifetimeDays),
  COMMUNITY_CLEARING_JOB,
  marketJob(config.market, clock),
  uploaderJob,
  sealJob(config.ledgerKey),
  { name: 'forget-idempotency-keys', run: (db) => forgetOldIdempotencyKeys(db) },
];

/**
 * What every process shares, read from the database when /metrics is scraped: one value for all
 * processes, not each one's share (platform/metrics.ts).
 */
const sharedState = (db: Db, clock: Clock, config: Config): ScrapedGauge[] => [
  {
    name: 'tally_ledger_unsealed_events',
    help: 'Committed events not yet sealed into a block',
    read: () => unsealedEvents(db),
  },
  ...(config.eventStream === undefined
    ? []
    : [
        {
          name: 'tally_event_stream_lag_events',
          help: 'Committed events not yet published to the NATS event stream',
          read: () => streamLag(db, config.eventStream!.stream),
        },
      ]),
  {
    name: 'tally_community_clearing_lag_seconds',
    help: "How far each community's cleared intervals lag behind now, in seconds",
    labelNames: ['community_id'],
    read: async () =>
      (await clearingLags(db, clock.now())).map((l) => ({
        labels: { community_id: l.community_id },
        value: l.seconds,
      })),
  },
];

export function makeLogger(level: string): Logger {
  return pino({ level, redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'password', '*.password'] });
}

/**
 * Opens the configured database (PGlite under dataDir unless DATABASE_URL is set, with its replica
 * when DATABASE_READ_URL is) and applies migrations. `use` says who opens it and whether it must
 * hold the embedded directory itself. With `waiting`, a database that cannot be reached yet is
 * tried again and again (each wait reported there) instead of failing: how a server starts.
 */
export async function openMigrated(
  config: Config,
  log: Logger,
  use: DirectoryUse,
  waiting?: (reason: string, retryInMs: number) => void,
): Promise<Database> {
  const database = await openDatabase({
    url: config.databaseUrl,
    readUrl: config.databaseReadUrl,
    dataDir: join(config.dataDir, 'pglite'),
    use,
  });
  const applied = waiting ? await patiently(() => migrate(database), waiting) : await migrate(database);
  if (applied.length) log.info({ applied }, 'migrations applied');
  return database;
}

export async function createTally(
  config: Config,
  opts: {
    database?: Database;
    log?: Logger;
    /** Serve the API (default); without it only health and metrics answer: a `tally jobs` process. */
    api?: boolean;
    /** Run the periodic jobs (default). */
    jobs?: boolean;
    clock?: Clock;
    /** Told each time the database cannot be reached yet; without it such a database fails the start. */
    waiting?: (reason: string, retryInMs: number) => void;
  } = {},
): Promise<Tally> {
  const log = opts.log ?? makeLogger(config.logLevel);
  // The server owns the embedded database: a second one on the same directory is refused.
  const database =
    opts.database ?? (await openMigrated(config, log, { owner: 'tally serve', exclusive: true }, opts.waiting));
  const db = database.kysely;
  const secret = config.jwtSecret ?? (await settingOrCreate(db, 'jwt_secret', () => newSecret()));
  const clock = opts.clock ?? systemClock;
  if (config.admin) await ensureAdmin(db, config.admin, clock.now());
  const ctx: AppContext = {
    database,
    config,
    log,
    clock,
    tokens: {
      secret: new TextEncoder().encode(secret),
      accessTtl: config.accessTokenTtl,
      refreshTtl: config.refreshTokenTtl,
    },
  };
  const market = openMarket(db, config.market, clock);
  const pulse: JobsPulse | undefined =
    opts.jobs === false
      ? undefined
      : { intervalMs: config.jobIntervalSeconds * 1000, lastBeatAt: Date.now(), ticking: false };
  const metrics = createMetrics(database, sharedState(db, clock, config));
  const app = await buildApp(ctx, {
    authenticate: authenticationHook,
    pulse,
    metrics,
    webUi: opts.api === false ? undefined : findWebUi(),
    modules:
      opts.api === false
        ? []
        : [
            identityRoutes,
            ledgerRoutes({ readableAccount, readableAccountIds }),
            sealedLedgerRoutes,
            accountRoutes,
            invitationRoutes,
            organisationRoutes,
            registryRoutes,
            meteringRoutes,
            storageRoutes,
            disclosureRoutes,
            communityRoutes,
            marketRoutes(market),
            dsbiFace(market),
            energytagFace,
            uploaderRoutes,
            publicationRoutes(openPublisher(config.publisher, config.uploader)),
          ],
  });
  // Storage providers register on their own listener, reachable only where it is bound (loopback by default).
  const registration =
    config.uploader.privatePort === undefined || opts.api === false
      ? undefined
      : await startRegistrationListener(ctx, config.uploader.privatePort).catch(async (err: unknown) => {
          await app.close();
          throw err;
        });
  // The process that runs the jobs also publishes the event stream (one such process at a time publishes).
  const eventPublisher =
    pulse === undefined || config.eventStream === undefined
      ? undefined
      : startEventPublisher(db, config.eventStream, log);
  const stopJobs =
    pulse === undefined
      ? async () => {}
      : scheduleJobs(db, jobsFor(config, clock), config.jobIntervalSeconds, log, clock, [
          pulseObserver(pulse),
          metrics.jobs,
        ]);
  // Requests being served now: what a graceful stop waits for.
  let inFlight = 0;
  app.server.on('request', (_request, response) => {
    inFlight++;
    response.once('close', () => inFlight--);
  });
  const close = async () => {
    await Promise.all([stopJobs(), eventPublisher?.stop(), registration?.close(), app.close()]);
    if (!opts.database) await database.close();
  };
  return {
    app,
    ctx,
    uploaderPrivateUrl: registration?.url,
    close,
    async shutdown(timeoutMs) {
      const started = Date.now();
      const requests = inFlight;
      const closing = close();
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        closing.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!inTime) app.server.closeAllConnections();
      return { requests_in_flight: requests, finished_in_time: inTime, duration_ms: Date.now() - started };
    },
  };
}
