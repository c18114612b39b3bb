// The reference storage provider's settings, read from the environment and validated once at start
// in the style of Tally's own (platform/config.ts): a bad value stops start-up with the variable's
// name and what was expected. Paid mode is TALLY_PROVIDER_TOKENS being set; it then needs a chain.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { ConfigError } from '../platform/config.ts';

const Address = Type.String({ pattern: '^0x[0-9A-Fa-f]{40}$' });

export const ProviderConfigSchema = Type.Object({
  TALLY_PROVIDER_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  TALLY_PROVIDER_HOST: Type.Optional(Type.String({ minLength: 1 })),
  TALLY_PROVIDER_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  TALLY_PROVIDER_UPLOADER_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  TALLY_PROVIDER_PRIVATE_KEY: Type.String({ pattern: '^0x[0-9A-Fa-f]{64}$' }),
  TALLY_PROVIDER_TYPE: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' })),
  TALLY_PROVIDER_DESCRIPTION: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  TALLY_PROVIDER_DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  TALLY_CHAIN_RPC_URL: Type.Optional(Type.String({ pattern: '^(https?|wss?)://' })),
  TALLY_CHAIN_ID: Type.Optional(Type.Integer({ minimum: 1 })),
  TALLY_PROVIDER_TOKENS: Type.Optional(Type.String({ minLength: 1 })),
  /** Token base units per byte: a whole number, possibly past 2^53. */
  TALLY_PROVIDER_PRICE: Type.Optional(Type.String({ pattern: '^[0-9]{1,78}$' })),
  LOG_LEVEL: Type.Optional(
    Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  ),
});

export interface AcceptedToken {
  symbol: string;
  address: `0x${string}`;
}

export interface ProviderConfig {
  port: number;
  host: string;
  /**
   * Its own base URL, as the uploader reaches it (what it registers and signs); undefined: the
   * address it is bound to (tests on port 0).
   */
  url: string | undefined;
  /** Tally's private base URL, where it registers; undefined: it registers nowhere. */
  uploaderUrl: string | undefined;
  privateKey: `0x${string}`;
  /** The storage type it serves and registers. */
  type: string;
  description: string;
  dataDir: string;
  logLevel: string;
  /** The chain payments are taken on; required in paid mode, otherwise only what it registers. */
  chain: { rpcUrl: string | undefined; chainId: number } | undefined;
  /** Tokens it accepts; none: uploads are free. */
  tokens: AcceptedToken[];
  /** Token base units per byte. */
  price: bigint;
  /** How often it registers again, in milliseconds. */
  registerIntervalMs: number;
}

/** `SYMBOL=0xaddress,…` */
function parseTokens(text: string | undefined, problems: string[]): AcceptedToken[] {
  if (text === undefined) return [];
  const tokens: AcceptedToken[] = [];
  for (const entry of text.split(',')) {
    const [symbol, address, ...rest] = entry.trim().split('=');
    if (
      symbol === undefined ||
      !/^[A-Za-z0-9]{1,16}$/.test(symbol) ||
      address === undefined ||
      !Value.Check(Address, address) ||
      rest.length > 0
    ) {
      problems.push(`TALLY_PROVIDER_TOKENS: "${entry.trim()}" is not SYMBOL=0x followed by 40 hex digits`);
      continue;
    }
    tokens.push({ symbol, address: address as `0x${string}` });
  }
  return tokens;
}

const INTEGER_KEYS = new Set(['TALLY_PROVIDER_PORT', 'TALLY_CHAIN_ID']);

/** Reads the provider's settings from `env`; throws ConfigError naming every bad variable. */
export function loadProviderConfig(env: Record<string, string | undefined> = process.env): ProviderConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ProviderConfigSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    raw[key] = INTEGER_KEYS.has(key) && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  const problems = [...Value.Errors(ProviderConfigSchema, raw)].map(
    (e) => `${e.instancePath.slice(1) || 'environment'}: ${e.message}`,
  );
  if (raw.TALLY_PROVIDER_PRIVATE_KEY === undefined)
    problems.push('TALLY_PROVIDER_PRIVATE_KEY: required (its wallet signs registrations and receives payment)');
  const c = raw as Partial<Static<typeof ProviderConfigSchema>>;
  const tokens = parseTokens(c.TALLY_PROVIDER_TOKENS, problems);
  if (tokens.length > 0) {
    if (c.TALLY_CHAIN_RPC_URL === undefined || c.TALLY_CHAIN_ID === undefined)
      problems.push('TALLY_CHAIN_RPC_URL and TALLY_CHAIN_ID: required when TALLY_PROVIDER_TOKENS is set (paid mode)');
    if (c.TALLY_PROVIDER_PRICE === undefined)
      problems.push('TALLY_PROVIDER_PRICE: required when TALLY_PROVIDER_TOKENS is set (paid mode)');
  }
  if (problems.length > 0) throw new ConfigError(`invalid provider configuration:\n  ${problems.join('\n  ')}`);
  const port = c.TALLY_PROVIDER_PORT ?? 8090;
  const host = c.TALLY_PROVIDER_HOST ?? '127.0.0.1';
  const type = c.TALLY_PROVIDER_TYPE ?? 'ipfs';
  return {
    port,
    host,
    url: (c.TALLY_PROVIDER_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`).replace(/\/$/, ''),
    uploaderUrl: c.TALLY_PROVIDER_UPLOADER_URL?.replace(/\/$/, ''),
    privateKey: c.TALLY_PROVIDER_PRIVATE_KEY as `0x${string}`,
    type,
    description: c.TALLY_PROVIDER_DESCRIPTION ?? `Tally reference provider: content-addressed IPFS storage (${type})`,
    dataDir: c.TALLY_PROVIDER_DATA_DIR ?? './data/provider',
    logLevel: c.LOG_LEVEL ?? 'info',
    chain: c.TALLY_CHAIN_ID === undefined ? undefined : { rpcUrl: c.TALLY_CHAIN_RPC_URL, chainId: c.TALLY_CHAIN_ID },
    tokens,
    price: BigInt(c.TALLY_PROVIDER_PRICE ?? '0'),
    registerIntervalMs: 60_000,
  };
}
