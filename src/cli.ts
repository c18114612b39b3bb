// The `tally` command.
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { createTally, makeLogger, openMigrated } from './app.ts';
import { listenWhileWaiting, type WaitingListener } from './platform/http/waiting.ts';
import type { Database } from './platform/database.ts';
import { systemClock } from './platform/clock.ts';
import { parseTimestamp, TIMESTAMP_RULE } from './platform/timestamp.ts';
import { createUser, findUserByEmail, ROLES, type Role } from './identity/index.ts';
import { checkEverything } from './check.ts';
import { driftedConfigDocs, writeConfigDocs } from './config-docs.ts';
import { VERSION } from './platform/version.ts';
import { loadProviderConfig, startProvider } from './provider/index.ts';
import { tailEvents } from './stream/index.ts';

/** The settings `load` reads from the environment; bad ones are named on stderr, with exit code 2. */
function config(): Config;
function config<T>(load: () => T): T;
function config(load: () => unknown = () => loadConfig()): unknown {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** The command being run, as a refused server names it: `tally seed`, `tally user create`. */
const command = ['tally', ...process.argv.slice(2, 4).filter((word) => !word.startsWith('-'))].join(' ');

/**
 * Runs `work` against the migrated database, quietly, and closes it after. While a server holds
 * the embedded database, the work goes through that server's session instead of the files.
 */
async function withDatabase<T>(work: (database: Database, cfg: Config) => Promise<T>): Promise<T> {
  const cfg = config();
  const database = await openMigrated(cfg, makeLogger('warn'), { owner: command, exclusive: false });
  try {
    return await work(database, cfg);
  } finally {
    await database.close();
  }
}

/**
 * The user an import acts as, by email (`--as`, default TALLY_ADMIN_EMAIL), as the principal its
 * rules see; refused (exit 2) when there is none.
 */
async function actingUser(database: Database, cfg: Config, as: string | undefined) {
  const email = as ?? cfg.admin?.email;
  const user = email ? await findUserByEmail(database.kysely, email) : undefined;
  if (!user)
    throw Object.assign(new Error(`--as: ${email ? `no user ${email}` : 'name the user the import acts as'}`), {
      status: 400,
    });
  return { userId: user.id, role: user.role, email: user.email };
}

const program = new Command('tally')
  .description('Tally: metered energy into hourly Granular Certificates, a verifiable ledger and markets')
  .version(VERSION);

/**
 * Runs a Tally process until SIGTERM or SIGINT: the API, the jobs, or both. Whatever it runs, it
 * answers `/health/live`, `/health/ready` and `/metrics` on PORT.
 */
async function run(part: { api: boolean; jobs: boolean }): Promise<void> {
  const cfg = config();
  const log = makeLogger(cfg.logLevel);
  // A PostgreSQL server that does not answer yet is waited for; meanwhile the port is taken, alive
  // and not ready, and the application takes it over (a port chosen by the system could not be
  // handed over). A start that only takes time (migrations) leaves the port closed, as before.
  let waiting: Promise<WaitingListener | undefined> | undefined;
  const tally = await createTally(cfg, {
    ...part,
    log,
    waiting(reason, retryInMs) {
      waiting ??=
        cfg.port === 0
          ? Promise.resolve(undefined)
          : listenWhileWaiting(cfg.port, cfg.host).catch((err: unknown) => {
              log.error({ err }, 'could not listen while waiting for the database');
              return undefined;
            });
      // Said once the port answers, so whoever reads the line can ask it.
      void waiting.then((listener) => {
        listener?.notReady(reason);
        log.warn({ reason, retry_in_ms: retryInMs }, 'waiting for the database');
      });
    },
  });
  await (await waiting)?.close();
  const stop = async (signal: NodeJS.Signals) => {
    const done = await tally.shutdown(cfg.shutdownTimeoutSeconds * 1000);
    tally.ctx.log.info({ signal, ...done }, 'Tally stopped');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await tally.app.listen({ port: cfg.port, host: cfg.host });
  const runs = [part.api ? 'api' : undefined, part.jobs ? 'jobs' : undefined].filter(Boolean);
  tally.ctx.log.info(
    { runs, ...(part.api ? { docs: `${cfg.publicUrl}/docs` } : {}), database: tally.ctx.database.engine },
    'Tally is serving',
  );
}

program
  .command('serve')
  .description('serve the API, docs and jobs (embedded database unless DATABASE_URL is set)')
  .option('--no-jobs', 'serve the API only; a `tally jobs` process runs the jobs')
  .action((opts: { jobs: boolean }) => run({ api: true, jobs: opts.jobs }));

program
  .command('jobs')
  .description(
    'run the periodic jobs only (meter sync, issuance, expiry, clearing, the market, sealing), ' +
      'beside `tally serve --no-jobs` processes; health and metrics on PORT',
  )
  .action(() => run({ api: false, jobs: true }));

program
  .command('migrate')
  .description('apply database migrations')
  .action(async () => {
    await withDatabase(async () => {});
    process.stdout.write('migrations are up to date\n');
  });

program
  .command('check')
  .description('verify the registry invariants and replay the event log; exits 1 on any violation')
  .action(async () => {
    const violations = await withDatabase((database) => checkEverything(database.kysely));
    for (const v of violations) process.stdout.write(`FAIL ${v.rule}: ${v.detail}\n`);
    if (violations.length) {
      process.stdout.write(`${violations.length} violation(s)\n`);
      process.exit(1);
    }
    process.stdout.write(
      "ok: ranges disjoint, quantities conserved, intervals at most one hour and their issuances' own, issuances disjoint, " +
        'no metered hour issued beyond its readings, claims in reach, no live certificates in closed accounts, ' +
        'imported ranges once per origin issuance and true to their origin, ' +
        'issuances naming only metadata of their device and bundles, imported records and allocations that exist, ' +
        'event log replays to the current bundles, community matches add up, each metering point in one membership ' +
        'at a time, uploader quotes, providers and nonces as their latest events record them, each quote uploaded ' +
        'at most once and within its 30 minutes, nonces only growing, ' +
        'storage charge and discharge each allocated at most once with losses applied, SD-GCs within their allocations, ' +
        "standing orders' periods each run once and on schedule, each run its own action, " +
        'every event below the sealed horizon sealed exactly once, the blocks verify\n',
    );
  });

const user = program.command('user').description('manage users');
user
  .command('create')
  .description('create a verified user')
  .requiredOption('--email <email>', 'email address')
  .requiredOption('--password <password>', 'password (at least 10 characters)')
  .option('--name <name>', 'display name', 'Administrator')
  .addOption(new Option('--role <role>', 'role').choices([...ROLES]).default('trader'))
  .option('--admin', 'shorthand for --role admin')
  .action(async (opts: { email: string; password: string; name: string; role: Role; admin?: boolean }) => {
    if (opts.password.length < 10) {
      process.stderr.write('--password: at least 10 characters\n');
      process.exit(2);
    }
    const created = await withDatabase((database) =>
      createUser(
        database.kysely,
        {
          email: opts.email,
          password: opts.password,
          name: opts.name,
          role: opts.admin ? 'admin' : opts.role,
          verifiedAt: systemClock.now(),
        },
        null,
      ),
    );
    process.stdout.write(`created user ${created.user.id} <${created.user.email}> with role ${created.user.role}\n`);
  });

program
  .command('seed')
  .description('create a demo world: users, accounts, devices and a year of hourly certificates')
  .option('--days <days>', 'days of hourly production', '365')
  .action(async (opts: { days: string }) => {
    const { seedDemoWorld } = await import('./demo/index.ts');
    const summary = await withDatabase((database, cfg) =>
      seedDemoWorld(database.kysely, cfg, { days: Number(opts.days), now: systemClock.now() }),
    );
    process.stdout.write(`${summary}\n`);
  });

const imports = program.command('import').description('import data files');
imports
  .command('readings <file>')
  .description(
    'import meter readings from a CSV file (the template, or with a ' +
      'metering_point_id column), in batches, each all or nothing',
  )
  .option('--point <id>', 'the metering point of a single-point file')
  .option('--as <email>', 'the user the import acts as (default: TALLY_ADMIN_EMAIL)')
  .option('--batch <rows>', 'readings per batch', '10000')
  .action(async (file: string, opts: { point?: string; as?: string; batch: string }) => {
    const { importReadingsFile, progressBar } = await import('./metering/index.ts');
    const result = await withDatabase(async (database, cfg) => {
      const principal = await actingUser(database, cfg, opts.as);
      const startedAt = performance.now();
      const onProgress = process.stderr.isTTY
        ? (bytes: number, total: number, rows: number) =>
            process.stderr.write(progressBar(bytes, total, rows, startedAt))
        : undefined;
      const r = await importReadingsFile(database.kysely, principal, file, {
        batchSize: Number(opts.batch),
        meteringPointId: opts.point,
        now: systemClock.now(),
        onProgress,
      });
      if (onProgress) process.stderr.write('\n');
      return r;
    });
    for (const f of result.failed) process.stdout.write(`batch ${f.batch} refused: ${f.error}\n`);
    process.stdout.write(
      `${result.rows} rows in ${result.batches} batch(es): ${result.inserted} inserted, ` +
        `${result.unchanged} unchanged, ${result.revised} revised, ${result.failed.length} batch(es) refused\n`,
    );
    if (result.failed.length) process.exit(1);
  });

imports
  .command('storage-readings <file>')
  .description(
    "record a storage device's readings (the storage readings template: a negative flow_energy is a charge, " +
      'a positive one a discharge, in Wh) as charge and discharge records, all or nothing',
  )
  .requiredOption('--device <id>', 'the storage device')
  .option('--as <email>', 'the user the import acts as (default: TALLY_ADMIN_EMAIL)')
  .action(async (file: string, opts: { device: string; as?: string }) => {
    const device = Number(opts.device);
    if (!Number.isSafeInteger(device) || device < 1)
      throw Object.assign(new Error(`--device: ${opts.device} is not a device id`), { status: 400 });
    const { readFile } = await import('node:fs/promises');
    const { importStorageReadings } = await import('./storage/index.ts');
    const text = await readFile(file, 'utf8');
    const made = await withDatabase(async (database, cfg) =>
      importStorageReadings(database.kysely, await actingUser(database, cfg, opts.as), device, text, systemClock.now()),
    );
    process.stdout.write(
      `${made.charge_record_ids.length} charge and ${made.discharge_record_ids.length} discharge record(s), ` +
        `${made.skipped} row(s) of zero flow\n`,
    );
  });

imports
  .command('certificates <file>')
  .description(
    'import certificates issued by another registry from a CSV file (the EnergyTag import template) ' +
      'into an account, all or nothing; a refused file names its row and column',
  )
  .requiredOption('--account <id>', 'the account the bundles enter')
  .requiredOption('--registry <name>', 'the registry that issued them (with issuance_id, names each origin bundle)')
  .option('--as <email>', 'the issuing body user the import acts as (default: TALLY_ADMIN_EMAIL)')
  .action(async (file: string, opts: { account: string; registry: string; as?: string }) => {
    const { readFile } = await import('node:fs/promises');
    const { importCertificates, importCsvRows } = await import('./registry/index.ts');
    const account = Number(opts.account);
    if (!Number.isSafeInteger(account) || account < 1) {
      process.stderr.write('--account: an account id\n');
      process.exit(2);
    }
    const result = await withDatabase(async (database, cfg) =>
      importCertificates(
        database.kysely,
        await actingUser(database, cfg, opts.as),
        {
          account_id: account,
          origin_registry: opts.registry,
          rows: importCsvRows(await readFile(file, 'utf8')),
        },
        systemClock.now(),
      ),
    );
    const wh = result.bundles.reduce((sum, b) => sum + b.bundle_quantity, 0);
    process.stdout.write(
      `imported ${result.bundles.length} bundle(s), ${wh} Wh, from ${opts.registry} into account ${opts.account}: ` +
        `bundles ${result.bundles.map((b) => b.id).join(', ')}\n`,
    );
  });

program
  .command('issue')
  .description('run automatic issuance now: every complete metered hour of each auto-issuing device, once')
  .action(async () => {
    const { runAutoIssuanceNow } = await import('./registry/index.ts');
    const result = await withDatabase((database, cfg) =>
      runAutoIssuanceNow(database.kysely, cfg.certificateLifetimeDays, systemClock.now()),
    );
    process.stdout.write(`issued ${result.bundles_issued} bundle(s), ${result.wh_issued} Wh\n`);
    for (const f of result.failed) process.stdout.write(`device ${f.device_id} skipped: ${f.error}\n`);
    if (result.failed.length) process.exit(1);
  });

const communities = program.command('community').description('energy communities');
communities
  .command('clear')
  .description(
    'clear communities now: one community over --from/--to (closed intervals, each at most once), or, ' +
      'without a range, every community up to the last closed interval as the job does',
  )
  .option('--id <id>', 'the community to clear, with --from and --to')
  .option('--from <time>', 'start of the first interval (ISO 8601)')
  .option('--to <time>', 'end of the last interval (ISO 8601)')
  .action(async (opts: { id?: string; from?: string; to?: string }) => {
    const { clearAllCommunities, clearOnDemand } = await import('./community/index.ts');
    const ranged = opts.id !== undefined || opts.from !== undefined || opts.to !== undefined;
    if (ranged && (opts.id === undefined || opts.from === undefined || opts.to === undefined))
      throw Object.assign(new Error('a range needs --id, --from and --to'), { status: 400 });
    const moment = (value: string, flag: string) => {
      const t = parseTimestamp(value);
      if (!t) throw Object.assign(new Error(`${flag}: ${value} is not ${TIMESTAMP_RULE}`), { status: 400 });
      return t;
    };
    const id = Number(opts.id);
    if (ranged && !(Number.isSafeInteger(id) && id > 0))
      throw Object.assign(new Error(`--id: ${opts.id} is not a community id`), { status: 400 });
    // Every flag is read before the database opens: a mistyped one changes nothing and answers at once.
    const range = ranged ? { from: moment(opts.from!, '--from'), to: moment(opts.to!, '--to') } : undefined;
    const { count, failed } = await withDatabase(async (database) =>
      range
        ? {
            count: (await clearOnDemand(database.kysely, null, id, range.from, range.to, systemClock.now()))
              .intervals_cleared,
            failed: [],
          }
        : clearAllCommunities(database.kysely, systemClock.now()),
    );
    // The others went on; each community that failed is named, and the command fails.
    for (const f of failed) process.stdout.write(`${f.unit} failed and was skipped: ${f.error}\n`);
    process.stdout.write(
      `cleared ${count} interval(s)${failed.length ? `; ${failed.length} community(ies) failed` : ''}\n`,
    );
    if (failed.length) process.exit(1);
  });

const ledger = program.command('ledger').description('the sealed ledger');
ledger
  .command('export')
  .description('write the sealed ledger as NDJSON to standard output')
  .action(async () => {
    const { exportBlocks } = await import('./ledger/index.ts');
    await withDatabase(async (database) => {
      for await (const entry of exportBlocks(database.kysely)) process.stdout.write(`${JSON.stringify(entry)}\n`);
    });
  });
ledger
  .command('verify [source]')
  .description(
    'recompute every block of an export (a FILE, a URL of /api/ledger/export, or this database when omitted) ' +
      "and check its signed heads; a URL must reach its server's signed head; exits 1 at the first break",
  )
  .option(
    '--since <old>',
    'an earlier export or a saved head (GET /api/ledger/head) that the source must hold unchanged',
  )
  .option('--key <file>', 'a PEM public key to check signed heads with, instead of the keys the server lists')
  .action(async (source: string | undefined, opts: { since?: string; key?: string }) => {
    const { verifySource } = await import('./ledger/index.ts');
    const req = { ...opts, token: process.env.TALLY_TOKEN };
    const report = source
      ? await verifySource(source, req)
      : await withDatabase((database) => verifySource(database.kysely, req));
    if (report.break) {
      process.stdout.write(`BREAK after ${report.blocks} good block(s): ${report.break}\n`);
      process.exit(1);
    }
    const anchored = report.anchors.map((a) => `; holds ${a.name} unchanged up to block ${a.height}`).join('');
    process.stdout.write(
      `ok: ${report.blocks} block(s), ${report.events} event(s); every leaf, root and block hash recomputed and the ` +
        `chain is unbroken; ${report.signed} signed head(s) verified${anchored}\n`,
    );
  });

const provider = program
  .command('provider')
  .description('storage providers for the uploader, run as their own service');
provider
  .command('ipfs')
  .description(
    'serve the reference IPFS storage provider (TALLY_PROVIDER_* settings) and register it with the uploader',
  )
  .action(async () => {
    const running = await startProvider(config(() => loadProviderConfig()));
    const stop = async () => {
      await running.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('config')
  .description('the configuration reference')
  .command('docs')
  .description(
    'check that .env.example and the settings tables of README.md and docs/provider.md say what the schemas say (exit 1 naming the files that drifted)',
  )
  .option('--write', 'rewrite them from the schemas instead')
  .action((opts: { write?: boolean }) => {
    const root = process.cwd();
    if (opts.write) {
      process.stdout.write(`written: ${writeConfigDocs(root).join(', ')}\n`);
      return;
    }
    const drifted = driftedConfigDocs(root);
    if (drifted.length > 0) {
      process.stderr.write(`out of date (run tally config docs --write): ${drifted.join(', ')}\n`);
      process.exit(1);
    }
    process.stdout.write('the configuration reference is up to date\n');
  });

program
  .command('events')
  .description('the event stream (TALLY_NATS_URL)')
  .command('tail')
  .description('print the events of the NATS event stream as they come, one JSON line each, in the ledger’s order')
  .option('--from-start', 'from the stream’s first event, not only new ones')
  .option('--type <type>', 'only events of this type (e.g. certificates.transferred)')
  .action(async (opts: { fromStart?: boolean; type?: string }) => {
    const cfg = config();
    if (cfg.eventStream === undefined) {
      process.stderr.write('tally: set TALLY_NATS_URL to read the event stream\n');
      process.exit(2);
    }
    const tail = await tailEvents(cfg.eventStream, { fromStart: opts.fromStart === true, type: opts.type }, (event) =>
      process.stdout.write(`${JSON.stringify(event)}\n`),
    );
    const stop = () => void tail.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await tail.done;
  });

program
  .command('bench')
  .description('measure issuance, transfers, queries, clearing, the market and uploads against same-run baselines')
  .action(async () => {
    const { runBenchmarks } = await import('../bench/run.ts');
    await runBenchmarks(config());
  });

program.parseAsync().catch((err: unknown) => {
  const e = err as { status?: number; message?: string };
  process.stderr.write(`tally: ${e.message ?? String(err)}\n`);
  process.exit(e.status && e.status < 500 ? 2 : 1);
});
