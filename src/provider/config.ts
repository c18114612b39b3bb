// The reference storage provider's settings, read from the environment and validated once at start
// in the style of Tally's own (platform/config.ts): a bad value stops start-up with the variable's
// name and what was expected. Paid mode is TALLY_PROVIDER_TOKENS being set; it then needs a chain.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import {
  ConfigError,
  LogLevel,
  readEnvironment,
  reference,
  valueProblems,
  type Variable,
} from '../platform/environment.ts';

const Address = Type.String({ pattern: '^0x[0-9A-Fa-f]{40}$' });

export const ProviderConfigSchema = Type.Object({
  TALLY_PROVIDER_PRIVATE_KEY: Type.String({
    pattern: '^0x[0-9A-Fa-f]{64}$',
    description: 'required: its wallet (signs registrations, is the quotes’ `approveAddress`, gets paid)',
  }),
  TALLY_PROVIDER_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'port to listen on' })),
  TALLY_PROVIDER_HOST: Type.Optional(Type.String({ minLength: 1, description: 'address to listen on' })),
  TALLY_PROVIDER_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'its own base URL as the uploader reaches it (what it registers and signs)',
      defaultText: 'the address it is bound to',
    }),
  ),
  TALLY_PROVIDER_UPLOADER_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'Tally’s private base URL, where it registers; unset: it registers nowhere (logged)',
    }),
  ),
  TALLY_PROVIDER_TYPE: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
      description: 'the storage type it serves and registers',
    }),
  ),
  TALLY_PROVIDER_DESCRIPTION: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'what it registers as its description',
      defaultText: 'names the type',
    }),
  ),
  TALLY_PROVIDER_DATA_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'its state: `quotes/` (one JSON file per quote), `blocks/`, `staging/`',
    }),
  ),
  TALLY_CHAIN_RPC_URL: Type.Optional(
    Type.String({ pattern: '^(https?|wss?)://', description: 'the chain payments are taken on; required with tokens' }),
  ),
  TALLY_CHAIN_ID: Type.Optional(
    Type.Integer({ minimum: 1, description: 'required with tokens; without tokens only what it registers' }),
  ),
  TALLY_PROVIDER_TOKENS: Type.Optional(
    Type.String({ minLength: 1, description: '`SYMBOL=0xaddress,…` it accepts; unset: free mode' }),
  ),
  TALLY_PROVIDER_PRICE: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,78}$',
      description: 'token base units per byte (a whole number, any size); required with tokens',
    }),
  ),
  LOG_LEVEL: Type.Optional(LogLevel),
});

const DEFAULTS = {
  TALLY_PROVIDER_PORT: 8090,
  TALLY_PROVIDER_HOST: '127.0.0.1',
  TALLY_PROVIDER_TYPE: 'ipfs',
  TALLY_PROVIDER_DATA_DIR: './data/provider',
  LOG_LEVEL: 'info',
} as const;

/** The reference of the provider's variables: docs/provider.md's table is written from it. */
export const providerConfigReference = (): Variable[] => reference(ProviderConfigSchema, DEFAULTS);

export interface AcceptedToken {
  symbol: string;
  address: `0x${string}`;
}

export interface ProviderConfig {
  port: number;
  host: string;
  /**
   * Its own base URL, as the uploader reaches it (what it registers and signs); undefined: the
   * address it is bound to, known once it listens (so port 0 registers the port it was given).
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

/** Reads the provider's settings from `env`; throws ConfigError naming every bad variable. */
export function loadProviderConfig(env: Record<string, string | undefined> = process.env): ProviderConfig {
  const raw = readEnvironment(ProviderConfigSchema, env);
  const problems = valueProblems(ProviderConfigSchema, raw);
  if (raw.TALLY_PROVIDER_PRIVATE_KEY === undefined)
    problems.push('TALLY_PROVIDER_PRIVATE_KEY: required (its wallet signs registrations and receives payment)');
  const c = { ...DEFAULTS, ...raw } as Static<typeof ProviderConfigSchema> & {
    -readonly [K in keyof typeof DEFAULTS]: NonNullable<Static<typeof ProviderConfigSchema>[K]>;
  };
  const tokens = parseTokens(c.TALLY_PROVIDER_TOKENS, problems);
  if (tokens.length > 0) {
    if (c.TALLY_CHAIN_RPC_URL === undefined || c.TALLY_CHAIN_ID === undefined)
      problems.push('TALLY_CHAIN_RPC_URL and TALLY_CHAIN_ID: required when TALLY_PROVIDER_TOKENS is set (paid mode)');
    if (c.TALLY_PROVIDER_PRICE === undefined)
      problems.push('TALLY_PROVIDER_PRICE: required when TALLY_PROVIDER_TOKENS is set (paid mode)');
  }
  if (problems.length > 0) throw new ConfigError(`invalid provider configuration:\n  ${problems.join('\n  ')}`);
  const type = c.TALLY_PROVIDER_TYPE;
  return {
    port: c.TALLY_PROVIDER_PORT,
    host: c.TALLY_PROVIDER_HOST,
    url: c.TALLY_PROVIDER_URL?.replace(/\/$/, ''),
    uploaderUrl: c.TALLY_PROVIDER_UPLOADER_URL?.replace(/\/$/, ''),
    privateKey: c.TALLY_PROVIDER_PRIVATE_KEY as `0x${string}`,
    type,
    description: c.TALLY_PROVIDER_DESCRIPTION ?? `Tally reference provider: content-addressed IPFS storage (${type})`,
    dataDir: c.TALLY_PROVIDER_DATA_DIR,
    logLevel: c.LOG_LEVEL,
    chain: c.TALLY_CHAIN_ID === undefined ? undefined : { rpcUrl: c.TALLY_CHAIN_RPC_URL, chainId: c.TALLY_CHAIN_ID },
    tokens,
    price: BigInt(c.TALLY_PROVIDER_PRICE ?? '0'),
    registerIntervalMs: 60_000,
  };
}
