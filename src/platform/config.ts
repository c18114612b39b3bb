// One schema for every setting Tally reads from the environment, validated once at start.
// A bad value stops start-up with the variable's name and what was expected, never a stack trace.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { ConfigError, LogLevel, readEnvironment, reference, valueProblems, type Variable } from './environment.ts';
import { Value } from 'typebox/value';

const Port = (description: string) => Type.Integer({ minimum: 0, maximum: 65535, description });
const Seconds = (description: string) => Type.Integer({ minimum: 1, description });
/** An amount of the market token in base units: a whole number, possibly past 2^53. */
const BaseUnits = (description: string) => Type.String({ pattern: '^[0-9]{1,78}$', description });
const PrivateKey = (description: string) => Type.String({ pattern: '^0x[0-9A-Fa-f]{64}$', description });
/**
 * Every variable Tally reads, with what it means: the README's configuration table and
 * `.env.example` are written from these descriptions (`tally config docs --write`), and a test
 * fails when they drift.
 */
export const ConfigSchema = Type.Object({
  PORT: Type.Optional(Port('port to listen on')),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'address to listen on (`0.0.0.0` for all)' })),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: '`postgres://…` uses that PostgreSQL server; unset, the embedded PGlite',
    }),
  ),
  DATABASE_READ_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description:
        'a streaming replica of DATABASE_URL that answers the routes that only read (bundle queries, ' +
        'disclosures, exports, statements), each caller still reading its own writes; unset, the primary answers',
    }),
  ),
  TALLY_READ_WAIT_MS: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 60000,
      description:
        'how long a read waits for the replica to replay what its caller wrote before the primary answers it, ms',
    }),
  ),
  TALLY_DATA_DIR: Type.Optional(Type.String({ minLength: 1, description: 'where the embedded database lives' })),
  LOG_LEVEL: Type.Optional(LogLevel),
  TALLY_PUBLIC_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'base of links Tally hands out (verification links, OpenAPI server)',
      defaultText: '`http://HOST:PORT`',
    }),
  ),
  TALLY_JWT_SECRET: Type.Optional(
    Type.String({
      minLength: 32,
      description:
        'secret signing access tokens (≥ 32 chars); generated on first start and kept in the database, shared by every instance',
      defaultText: 'generated',
    }),
  ),
  TALLY_LEDGER_KEY: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Ed25519 private key signing ledger heads, PKCS#8 PEM or its DER in base64 (`openssl ' +
        'genpkey -algorithm ed25519 -outform DER | base64 -w0`); ' +
        'generated on first sealing and kept in the database when unset. Set it to keep the key out of the ' +
        'database’s reach; after a change the old public key stays listed',
      defaultText: 'generated',
    }),
  ),
  TALLY_ACCESS_TOKEN_TTL: Type.Optional(Seconds('access token lifetime, seconds')),
  TALLY_REFRESH_TOKEN_TTL: Type.Optional(Seconds('refresh token lifetime, seconds (30 days)')),
  TALLY_AUTH_RATE_LIMIT: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'login, refresh and registration attempts per minute per client address',
    }),
  ),
  TALLY_PUBLIC_RATE_LIMIT: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'requests per minute per client address to public routes by callers not logged in (429 with `Retry-After`)',
    }),
  ),
  TALLY_BODY_LIMIT: Type.Optional(Type.Integer({ minimum: 1024, description: 'largest request body, bytes' })),
  TALLY_CERTIFICATE_LIFETIME_DAYS: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'active certificates expire this long after their production interval ends',
    }),
  ),
  TALLY_CERTIFICATE_ID_START: Type.Optional(
    Type.Integer({ minimum: 0, description: 'first certificate id of a new device' }),
  ),
  TALLY_JOB_INTERVAL: Type.Optional(
    Seconds(
      'seconds between runs of the periodic jobs (meter sync, automatic issuance, expiry, community clearing, ledger sealing, clean-up)',
    ),
  ),
  TALLY_SHUTDOWN_TIMEOUT: Type.Optional(
    Seconds(
      'seconds a stop (SIGTERM, SIGINT) waits for requests in flight and the running job before it cuts the connections still open; ' +
        'the listener closes at once, and one log line (`Tally stopped`) says what was done',
    ),
  ),
  TALLY_METRICS_TOKEN: Type.Optional(
    Type.String({
      minLength: 16,
      description:
        'bearer token `/metrics` asks for (≥ 16 chars): a scrape without `Authorization: Bearer <token>` gets ' +
        '401 `unauthorized`; unset, `/metrics` is open on the main port',
    }),
  ),
  TALLY_ADMIN_EMAIL: Type.Optional(
    Type.String({
      format: 'email',
      description: 'create this admin on start if no user has the email (with `TALLY_ADMIN_PASSWORD`)',
    }),
  ),
  TALLY_ADMIN_PASSWORD: Type.Optional(
    Type.String({ minLength: 10, description: 'the password of the admin `TALLY_ADMIN_EMAIL` creates' }),
  ),
  TALLY_DATAHUB_SOURCES: Type.Optional(
    Type.String({
      minLength: 2,
      description:
        'JSON array of ElOverblik (Danish DataHub third-party API) sources to read on the job schedule: ' +
        '`[{"name":"dk","url":"https://api.eloverblik.dk/thirdpartyapi","refresh_token":"…","scope":"customerCVR","identifier":"12345678"}]`; ' +
        'each syncs the authorised metering points Tally knows, resuming after the last imported day',
    }),
  ),
  TALLY_MARKET_SCHEDULE: Type.Optional(
    Type.Union([Type.Literal('hourly'), Type.Literal('manual')], {
      description:
        'forecasting market: `hourly` (Tally stages the first session, opens one at a time, closes and runs it on the hour) ' +
        'or `manual` (only an admin creates and moves sessions, the DSBI engine’s way)',
    }),
  ),
  TALLY_MARKET_MIN_PAYMENT: Type.Optional(BaseUnits('least `max_payment` a bid may offer, in token base units')),
  TALLY_MARKET_MIN_PAYOUT: Type.Optional(
    BaseUnits('balances below this stay with the market until they grow (base units)'),
  ),
  TALLY_MARKET_FEE_PERCENT: Type.Optional(
    Type.Number({ minimum: 0, maximum: 100, description: 'the market’s fee, percent of each payment' }),
  ),
  TALLY_MARKET_REDUNDANCY_LAMBDA: Type.Optional(
    Type.Number({ minimum: 0, maximum: 100, description: 'λ of the redundancy penalty on sellers’ Shapley values' }),
  ),
  TALLY_MARKET_TRUST_UNPROVEN_WALLETS: Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false')], {
      description: 'a wallet typed in without a signature backs bids and receives payouts (DSBI’s behaviour)',
    }),
  ),
  TALLY_CHAIN_RPC_URL: Type.Optional(
    Type.String({
      pattern: '^(https?|wss?)://',
      description:
        'a JSON-RPC endpoint of the EVM chain (with `TALLY_CHAIN_ID`): with `TALLY_MARKET_TOKEN` the market’s evm rail, ' +
        'alone the publisher’s chain; unset, the internal rail (an admin credits balances)',
    }),
  ),
  TALLY_CHAIN_ID: Type.Optional(Type.Integer({ minimum: 1, description: 'the chain id of `TALLY_CHAIN_RPC_URL`' })),
  TALLY_CHAIN_CONFIRMATIONS: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 1000,
      description: 'blocks a payment needs, the including block counted as the first',
    }),
  ),
  TALLY_MARKET_TOKEN: Type.Optional(
    Type.String({ pattern: '^0x[0-9A-Fa-f]{40}$', description: 'the ERC-20 the market is paid in (the evm rail)' }),
  ),
  TALLY_MARKET_PRIVATE_KEY: Type.Optional(
    PrivateKey(
      'the market wallet’s key (0x and 64 hex digits): it signs payouts, and the market wallet must be its address',
    ),
  ),
  TALLY_UPLOADER_PRIVATE_PORT: Type.Optional(
    Port('the uploader’s private listener, where storage providers `POST /register`; unset: none'),
  ),
  TALLY_UPLOADER_PRIVATE_HOST: Type.Optional(
    Type.String({ minLength: 1, description: 'the address that listener binds' }),
  ),
  TALLY_UPLOADER_APPROVED_ADDRESSES: Type.Optional(
    Type.String({
      pattern: '^\\s*0x[0-9A-Fa-f]{40}\\s*(,\\s*0x[0-9A-Fa-f]{40}\\s*)*$',
      description: 'comma-separated wallets whose signature over a provider’s url lets it register',
    }),
  ),
  TALLY_UPLOADER_MAX_BYTES: Type.Optional(
    Type.Integer({ minimum: 1, description: 'the most bytes one upload (one quote) carries: 500 MiB' }),
  ),
  TALLY_UPLOADER_MAX_FILES: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 10_000, description: 'the most files one quote names' }),
  ),
  TALLY_PUBLISHER_PRIVATE_KEY: Type.Optional(
    PrivateKey(
      'Tally’s publisher wallet (0x and 64 hex digits): it signs Tally’s own uploads (`POST ' +
        '/api/publications`) and, with `TALLY_CHAIN_RPC_URL` and `TALLY_CHAIN_ID`, ' +
        'approves a paid storage’s price; unset: Tally publishes nothing',
    ),
  ),
  TALLY_NATS_URL: Type.Optional(
    Type.String({
      pattern: '^(nats|tls|wss?)://',
      description:
        'a NATS server with JetStream: the process that runs the jobs publishes every committed ' +
        'event there, in the ledger’s order; unset, no event stream',
    }),
  ),
  TALLY_NATS_STREAM: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description: 'the JetStream stream of the events, made at start if missing; one per Tally database',
    }),
  ),
  TALLY_NATS_SUBJECT_PREFIX: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$',
      description: 'events are published on `<prefix>.events.<type>`',
    }),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        'an OpenTelemetry collector (OTLP/HTTP): traces of every sampled request (route, status) and its queries are ' +
        'sent there; one request in ten is sampled, and every request a caller sampled (`traceparent`), unless ' +
        '`OTEL_TRACES_SAMPLER` names another sampler (`parentbased_always_on`: every request); the other `OTEL_*` ' +
        'variables are OpenTelemetry’s own; unset, no tracing',
    }),
  ),
});

type Settings = Static<typeof ConfigSchema>;

/** The defaults: read by loadConfig and shown by the reference, from this one table. */
const DEFAULTS = {
  PORT: 3000,
  HOST: '127.0.0.1',
  TALLY_DATA_DIR: './data',
  TALLY_READ_WAIT_MS: 500,
  LOG_LEVEL: 'info',
  TALLY_ACCESS_TOKEN_TTL: 900,
  TALLY_REFRESH_TOKEN_TTL: 30 * 24 * 3600,
  TALLY_AUTH_RATE_LIMIT: 10,
  TALLY_PUBLIC_RATE_LIMIT: 600,
  TALLY_BODY_LIMIT: 16 * 1024 * 1024,
  TALLY_CERTIFICATE_LIFETIME_DAYS: 365,
  TALLY_CERTIFICATE_ID_START: 1,
  TALLY_JOB_INTERVAL: 60,
  TALLY_SHUTDOWN_TIMEOUT: 10,
  TALLY_MARKET_SCHEDULE: 'hourly',
  TALLY_MARKET_MIN_PAYMENT: '1000000',
  TALLY_MARKET_MIN_PAYOUT: '1000000',
  TALLY_MARKET_FEE_PERCENT: 5,
  TALLY_MARKET_REDUNDANCY_LAMBDA: 1,
  TALLY_MARKET_TRUST_UNPROVEN_WALLETS: 'false',
  TALLY_CHAIN_CONFIRMATIONS: 1,
  TALLY_UPLOADER_PRIVATE_HOST: '127.0.0.1',
  TALLY_UPLOADER_MAX_BYTES: 500 * 1024 * 1024,
  TALLY_UPLOADER_MAX_FILES: 64,
  TALLY_NATS_STREAM: 'TALLY_EVENTS',
  TALLY_NATS_SUBJECT_PREFIX: 'tally',
} as const satisfies Settings;

/** The settings with every default filled in. */
type Read = Settings & { -readonly [K in keyof typeof DEFAULTS]-?: NonNullable<Settings[K]> };

/** One ElOverblik (Danish DataHub third-party API) source, as TALLY_DATAHUB_SOURCES lists them. */
const DataHubSourceSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' }),
    url: Type.String({ pattern: '^https?://' }),
    refresh_token: Type.String({ minLength: 1 }),
    scope: Type.Union([Type.Literal('authorizationId'), Type.Literal('customerCVR'), Type.Literal('customerKey')]),
    identifier: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);
const DataHubSources = Type.Array(DataHubSourceSchema);

export interface Config {
  port: number;
  host: string;
  /** A PostgreSQL server, or undefined for the embedded database under `dataDir`. */
  databaseUrl: string | undefined;
  /** A streaming replica of it for read-only routes, or undefined: the primary answers them. */
  databaseReadUrl: string | undefined;
  /** How long a read waits for the replica to catch up with its caller's writes before the primary answers, ms. */
  readWaitMs: number;
  dataDir: string;
  logLevel: string;
  publicUrl: string;
  /** Undefined means: generate one on first start and keep it in the database. */
  jwtSecret: string | undefined;
  /**
   * The Ed25519 key signing ledger heads; undefined means: generate one on first sealing and keep
   * it in the database.
   */
  ledgerKey: KeyObject | undefined;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  /** Login and registration attempts per minute per client address. */
  authRateLimit: number;
  /** Requests per minute per client address to public routes by callers who are not logged in. */
  publicRateLimit: number;
  bodyLimit: number;
  certificateLifetimeDays: number;
  certificateIdStart: number;
  jobIntervalSeconds: number;
  /** How long a stop (SIGTERM) waits for requests in flight and the running job before it cuts them off. */
  shutdownTimeoutSeconds: number;
  /** The bearer token `/metrics` asks for; undefined: `/metrics` is open. */
  metricsToken: string | undefined;
  admin: { email: string; password: string } | undefined;
  /** Meter data sources read on the job schedule. */
  datahubSources: Static<typeof DataHubSources>;
  market: MarketConfig;
  uploader: UploaderConfig;
  /** Tally's own wallet for publications; undefined: Tally publishes nothing. */
  publisher: PublisherConfig | undefined;
  /** Where committed events are streamed (NATS JetStream); undefined: nowhere. */
  eventStream: EventStreamConfig | undefined;
}

export interface EventStreamConfig {
  url: string;
  stream: string;
  subjectPrefix: string;
}

/** The wallet that signs Tally's own uploads and pays storage providers (on the chain, if one is set). */
export interface PublisherConfig {
  privateKey: `0x${string}`;
  /** Where the wallet pays a provider that asks for tokens; without it only free storage is used. */
  chain: { rpcUrl: string; chainId: number } | undefined;
}

/** The uploader (Ocean's, wire-compatible): its private registration listener and its limits. */
export interface UploaderConfig {
  /** The port of the private listener where storage providers register; undefined: no listener. */
  privatePort: number | undefined;
  privateHost: string;
  /** Wallets whose signature over a provider's url lets it register, as typed (lower-case compared). */
  approvedAddresses: string[];
  /** The most bytes one upload (one quote) may carry. */
  maxBytes: number;
  /** The most files one quote may name. */
  maxFiles: number;
}

/**
 * How the market takes and pays money: on an EVM chain (an ERC-20 token), or on balances an admin
 * credits (a deployment without a chain).
 */
export type PaymentRail =
  | { kind: 'internal' }
  | {
      kind: 'evm';
      rpcUrl: string;
      chainId: number;
      token: `0x${string}`;
      /** The market wallet's key, for payouts; without it balances stay until paid by hand. */
      privateKey: `0x${string}` | undefined;
      /** Blocks a payment needs, the including block counted as the first. */
      confirmations: number;
    };

export interface MarketConfig {
  /** `hourly`: Tally stages, opens, closes and runs sessions on the hour; `manual`: only an admin does. */
  schedule: 'hourly' | 'manual';
  rail: PaymentRail;
  /** The least `max_payment` a bid may offer, in base units. */
  minPayment: bigint;
  /** Balances below this stay with the market until they grow. */
  minPayout: bigint;
  /** The market's fee, in hundredths of a percent of each payment. */
  feeBasisPoints: number;
  redundancyLambda: number;
  /** DSBI's behaviour: a wallet typed in without a signature backs bids and receives payouts. */
  trustUnprovenWallets: boolean;
}

function marketConfig(c: Read, problems: string[]): MarketConfig {
  // The chain alone may serve the publisher; the market's token needs the chain.
  if ((c.TALLY_CHAIN_RPC_URL === undefined) !== (c.TALLY_CHAIN_ID === undefined))
    problems.push('TALLY_CHAIN_RPC_URL and TALLY_CHAIN_ID: set both, or neither');
  if (c.TALLY_MARKET_TOKEN !== undefined && c.TALLY_CHAIN_RPC_URL === undefined)
    problems.push('TALLY_MARKET_TOKEN: the evm rail needs TALLY_CHAIN_RPC_URL and TALLY_CHAIN_ID too');
  const rail: PaymentRail =
    c.TALLY_CHAIN_RPC_URL !== undefined && c.TALLY_CHAIN_ID !== undefined && c.TALLY_MARKET_TOKEN !== undefined
      ? {
          kind: 'evm',
          rpcUrl: c.TALLY_CHAIN_RPC_URL,
          chainId: c.TALLY_CHAIN_ID,
          token: c.TALLY_MARKET_TOKEN as `0x${string}`,
          privateKey: c.TALLY_MARKET_PRIVATE_KEY as `0x${string}` | undefined,
          confirmations: c.TALLY_CHAIN_CONFIRMATIONS,
        }
      : { kind: 'internal' };
  return {
    schedule: c.TALLY_MARKET_SCHEDULE,
    rail,
    minPayment: BigInt(c.TALLY_MARKET_MIN_PAYMENT),
    minPayout: BigInt(c.TALLY_MARKET_MIN_PAYOUT),
    feeBasisPoints: Math.round(c.TALLY_MARKET_FEE_PERCENT * 100),
    redundancyLambda: c.TALLY_MARKET_REDUNDANCY_LAMBDA,
    trustUnprovenWallets: c.TALLY_MARKET_TRUST_UNPROVEN_WALLETS === 'true',
  };
}

function parseSources(text: string | undefined, problems: string[]): Static<typeof DataHubSources> {
  if (text === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    problems.push('TALLY_DATAHUB_SOURCES: must be a JSON array of sources');
    return [];
  }
  for (const e of Value.Errors(DataHubSources, value))
    problems.push(`TALLY_DATAHUB_SOURCES${e.instancePath}: ${e.message}`);
  return value as Static<typeof DataHubSources>;
}

/** An Ed25519 private key as PKCS#8 PEM, or that DER in base64: one line, which env files can hold. */
function parseLedgerKey(text: string | undefined, problems: string[]): KeyObject | undefined {
  if (text === undefined) return undefined;
  try {
    const key = text.startsWith('-----BEGIN')
      ? createPrivateKey(text)
      : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // Not a key at all: named below, like a key of another kind.
  }
  problems.push('TALLY_LEDGER_KEY: must be an Ed25519 private key, as PKCS#8 PEM or its DER in base64');
  return undefined;
}

export { ConfigError };

/** The reference of every variable: the README's table and `.env.example` are written from it. */
export const configReference = (): Variable[] => reference(ConfigSchema, DEFAULTS);

/** Reads the settings from `env` (process.env by default); throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw = readEnvironment(ConfigSchema, env);
  const problems = valueProblems(ConfigSchema, raw);
  if (raw.DATABASE_READ_URL !== undefined && raw.DATABASE_URL === undefined) {
    problems.push('DATABASE_READ_URL: a replica needs its primary: set DATABASE_URL too');
  }
  if (raw.TALLY_ADMIN_EMAIL !== undefined && raw.TALLY_ADMIN_PASSWORD === undefined) {
    problems.push('TALLY_ADMIN_PASSWORD: must be set together with TALLY_ADMIN_EMAIL');
  }
  const datahubSources = parseSources(raw.TALLY_DATAHUB_SOURCES as string | undefined, problems);
  const ledgerKey = parseLedgerKey(raw.TALLY_LEDGER_KEY as string | undefined, problems);
  const c = { ...DEFAULTS, ...raw } as Read;
  const market = marketConfig(c, problems);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const port = c.PORT;
  const host = c.HOST;
  return {
    port,
    host,
    databaseUrl: c.DATABASE_URL,
    databaseReadUrl: c.DATABASE_READ_URL,
    readWaitMs: c.TALLY_READ_WAIT_MS,
    dataDir: c.TALLY_DATA_DIR,
    logLevel: c.LOG_LEVEL,
    publicUrl: (c.TALLY_PUBLIC_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`).replace(/\/$/, ''),
    jwtSecret: c.TALLY_JWT_SECRET,
    ledgerKey,
    accessTokenTtl: c.TALLY_ACCESS_TOKEN_TTL,
    refreshTokenTtl: c.TALLY_REFRESH_TOKEN_TTL,
    authRateLimit: c.TALLY_AUTH_RATE_LIMIT,
    publicRateLimit: c.TALLY_PUBLIC_RATE_LIMIT,
    bodyLimit: c.TALLY_BODY_LIMIT,
    certificateLifetimeDays: c.TALLY_CERTIFICATE_LIFETIME_DAYS,
    certificateIdStart: c.TALLY_CERTIFICATE_ID_START,
    jobIntervalSeconds: c.TALLY_JOB_INTERVAL,
    shutdownTimeoutSeconds: c.TALLY_SHUTDOWN_TIMEOUT,
    metricsToken: c.TALLY_METRICS_TOKEN,
    admin:
      c.TALLY_ADMIN_EMAIL && c.TALLY_ADMIN_PASSWORD
        ? { email: c.TALLY_ADMIN_EMAIL, password: c.TALLY_ADMIN_PASSWORD }
        : undefined,
    datahubSources,
    market,
    uploader: {
      privatePort: c.TALLY_UPLOADER_PRIVATE_PORT,
      privateHost: c.TALLY_UPLOADER_PRIVATE_HOST,
      approvedAddresses: (c.TALLY_UPLOADER_APPROVED_ADDRESSES ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
      maxBytes: c.TALLY_UPLOADER_MAX_BYTES,
      maxFiles: c.TALLY_UPLOADER_MAX_FILES,
    },
    eventStream:
      c.TALLY_NATS_URL === undefined
        ? undefined
        : { url: c.TALLY_NATS_URL, stream: c.TALLY_NATS_STREAM, subjectPrefix: c.TALLY_NATS_SUBJECT_PREFIX },
    publisher:
      c.TALLY_PUBLISHER_PRIVATE_KEY === undefined
        ? undefined
        : {
            privateKey: c.TALLY_PUBLISHER_PRIVATE_KEY as `0x${string}`,
            chain:
              c.TALLY_CHAIN_RPC_URL !== undefined && c.TALLY_CHAIN_ID !== undefined
                ? { rpcUrl: c.TALLY_CHAIN_RPC_URL, chainId: c.TALLY_CHAIN_ID }
                : undefined,
          },
  };
}
