// One schema for every setting Tally reads from the environment, validated once at start.
// A bad value stops start-up with the variable's name and what was expected, never a stack trace.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Seconds = Type.Integer({ minimum: 1 });
/** An amount of the market token in base units: a whole number, possibly past 2^53. */
const BaseUnits = Type.String({ pattern: '^[0-9]{1,78}$' });

export const ConfigSchema = Type.Object({
  PORT: Type.Optional(Port),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  TALLY_DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Optional(
    Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  ),
  TALLY_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  TALLY_JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  TALLY_LEDGER_KEY: Type.Optional(Type.String({ minLength: 1 })),
  TALLY_ACCESS_TOKEN_TTL: Type.Optional(Seconds),
  TALLY_REFRESH_TOKEN_TTL: Type.Optional(Seconds),
  TALLY_AUTH_RATE_LIMIT: Type.Optional(Type.Integer({ minimum: 1 })),
  TALLY_PUBLIC_RATE_LIMIT: Type.Optional(Type.Integer({ minimum: 1 })),
  TALLY_BODY_LIMIT: Type.Optional(Type.Integer({ minimum: 1024 })),
  TALLY_CERTIFICATE_LIFETIME_DAYS: Type.Optional(Type.Integer({ minimum: 1 })),
  TALLY_CERTIFICATE_ID_START: Type.Optional(Type.Integer({ minimum: 0 })),
  TALLY_JOB_INTERVAL: Type.Optional(Seconds),
  TALLY_SHUTDOWN_TIMEOUT: Type.Optional(Seconds),
  TALLY_METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  TALLY_ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email' })),
  TALLY_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 10 })),
  TALLY_DATAHUB_SOURCES: Type.Optional(Type.String({ minLength: 2 })),
  TALLY_MARKET_SCHEDULE: Type.Optional(Type.Union([Type.Literal('hourly'), Type.Literal('manual')])),
  TALLY_MARKET_MIN_PAYMENT: Type.Optional(BaseUnits),
  TALLY_MARKET_MIN_PAYOUT: Type.Optional(BaseUnits),
  TALLY_MARKET_FEE_PERCENT: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  TALLY_MARKET_REDUNDANCY_LAMBDA: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  TALLY_MARKET_TRUST_UNPROVEN_WALLETS: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  TALLY_CHAIN_RPC_URL: Type.Optional(Type.String({ pattern: '^(https?|wss?)://' })),
  TALLY_CHAIN_ID: Type.Optional(Type.Integer({ minimum: 1 })),
  TALLY_CHAIN_CONFIRMATIONS: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  TALLY_MARKET_TOKEN: Type.Optional(Type.String({ pattern: '^0x[0-9A-Fa-f]{40}$' })),
  TALLY_MARKET_PRIVATE_KEY: Type.Optional(Type.String({ pattern: '^0x[0-9A-Fa-f]{64}$' })),
  TALLY_UPLOADER_PRIVATE_PORT: Type.Optional(Port),
  TALLY_UPLOADER_PRIVATE_HOST: Type.Optional(Type.String({ minLength: 1 })),
  TALLY_UPLOADER_APPROVED_ADDRESSES: Type.Optional(
    Type.String({ pattern: '^\\s*0x[0-9A-Fa-f]{40}\\s*(,\\s*0x[0-9A-Fa-f]{40}\\s*)*$' }),
  ),
  TALLY_UPLOADER_MAX_BYTES: Type.Optional(Type.Integer({ minimum: 1 })),
  TALLY_UPLOADER_MAX_FILES: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  TALLY_PUBLISHER_PRIVATE_KEY: Type.Optional(Type.String({ pattern: '^0x[0-9A-Fa-f]{64}$' })),
});

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

function marketConfig(c: Static<typeof ConfigSchema>, problems: string[]): MarketConfig {
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
          confirmations: c.TALLY_CHAIN_CONFIRMATIONS ?? 1,
        }
      : { kind: 'internal' };
  return {
    schedule: c.TALLY_MARKET_SCHEDULE ?? 'hourly',
    rail,
    minPayment: BigInt(c.TALLY_MARKET_MIN_PAYMENT ?? '1000000'),
    minPayout: BigInt(c.TALLY_MARKET_MIN_PAYOUT ?? '1000000'),
    feeBasisPoints: Math.round((c.TALLY_MARKET_FEE_PERCENT ?? 5) * 100),
    redundancyLambda: c.TALLY_MARKET_REDUNDANCY_LAMBDA ?? 1,
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

export class ConfigError extends Error {}

const INTEGER_KEYS = new Set([
  'PORT',
  'TALLY_ACCESS_TOKEN_TTL',
  'TALLY_REFRESH_TOKEN_TTL',
  'TALLY_AUTH_RATE_LIMIT',
  'TALLY_PUBLIC_RATE_LIMIT',
  'TALLY_BODY_LIMIT',
  'TALLY_CERTIFICATE_LIFETIME_DAYS',
  'TALLY_CERTIFICATE_ID_START',
  'TALLY_JOB_INTERVAL',
  'TALLY_CHAIN_ID',
  'TALLY_CHAIN_CONFIRMATIONS',
  'TALLY_UPLOADER_PRIVATE_PORT',
  'TALLY_UPLOADER_MAX_BYTES',
  'TALLY_UPLOADER_MAX_FILES',
]);
/** Settings read as numbers with a fraction allowed. */
const NUMBER_KEYS = new Set(['TALLY_MARKET_FEE_PERCENT', 'TALLY_MARKET_REDUNDANCY_LAMBDA']);

/** Reads the settings from `env` (process.env by default); throws ConfigError naming every bad variable. */
/**
 * One line per variable that breaks the schema: a list of allowed values says which they are (the
 * validator would report each one it was not), anything else says what it must be.
 */
function valueProblems(raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const properties = ConfigSchema.properties as Record<string, TSchema & { anyOf?: { const?: unknown }[] }>;
  // Each variable on its own: the validator stops after a few errors, which one bad list fills.
  for (const [key, value] of Object.entries(raw)) {
    const schema = properties[key];
    if (schema === undefined) continue;
    const [first] = Value.Errors(schema, value);
    if (first === undefined) continue;
    const allowed = schema.anyOf?.every((o) => o.const !== undefined)
      ? schema.anyOf.map((o) => String(o.const))
      : undefined;
    problems.push(`${key}: ${allowed ? `must be one of ${allowed.join(', ')}` : first.message}`);
  }
  return problems;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    raw[key] =
      (INTEGER_KEYS.has(key) && /^-?\d+$/.test(value)) || (NUMBER_KEYS.has(key) && /^-?\d+(\.\d+)?$/.test(value))
        ? Number(value)
        : value;
  }
  const problems = valueProblems(raw);
  if (raw.TALLY_ADMIN_EMAIL !== undefined && raw.TALLY_ADMIN_PASSWORD === undefined) {
    problems.push('TALLY_ADMIN_PASSWORD: must be set together with TALLY_ADMIN_EMAIL');
  }
  const datahubSources = parseSources(raw.TALLY_DATAHUB_SOURCES as string | undefined, problems);
  const ledgerKey = parseLedgerKey(raw.TALLY_LEDGER_KEY as string | undefined, problems);
  const c = raw as Static<typeof ConfigSchema>;
  const market = marketConfig(c, problems);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const port = c.PORT ?? 3000;
  const host = c.HOST ?? '127.0.0.1';
  return {
    port,
    host,
    databaseUrl: c.DATABASE_URL,
    dataDir: c.TALLY_DATA_DIR ?? './data',
    logLevel: c.LOG_LEVEL ?? 'info',
    publicUrl: (c.TALLY_PUBLIC_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`).replace(/\/$/, ''),
    jwtSecret: c.TALLY_JWT_SECRET,
    ledgerKey,
    accessTokenTtl: c.TALLY_ACCESS_TOKEN_TTL ?? 900,
    refreshTokenTtl: c.TALLY_REFRESH_TOKEN_TTL ?? 30 * 24 * 3600,
    authRateLimit: c.TALLY_AUTH_RATE_LIMIT ?? 10,
    publicRateLimit: c.TALLY_PUBLIC_RATE_LIMIT ?? 600,
    bodyLimit: c.TALLY_BODY_LIMIT ?? 16 * 1024 * 1024,
    certificateLifetimeDays: c.TALLY_CERTIFICATE_LIFETIME_DAYS ?? 365,
    certificateIdStart: c.TALLY_CERTIFICATE_ID_START ?? 1,
    jobIntervalSeconds: c.TALLY_JOB_INTERVAL ?? 60,
    shutdownTimeoutSeconds: c.TALLY_SHUTDOWN_TIMEOUT ?? 10,
    metricsToken: c.TALLY_METRICS_TOKEN,
    admin:
      c.TALLY_ADMIN_EMAIL && c.TALLY_ADMIN_PASSWORD
        ? { email: c.TALLY_ADMIN_EMAIL, password: c.TALLY_ADMIN_PASSWORD }
        : undefined,
    datahubSources,
    market,
    uploader: {
      privatePort: c.TALLY_UPLOADER_PRIVATE_PORT,
      privateHost: c.TALLY_UPLOADER_PRIVATE_HOST ?? '127.0.0.1',
      approvedAddresses: (c.TALLY_UPLOADER_APPROVED_ADDRESSES ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
      maxBytes: c.TALLY_UPLOADER_MAX_BYTES ?? 500 * 1024 * 1024,
      maxFiles: c.TALLY_UPLOADER_MAX_FILES ?? 64,
    },
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
