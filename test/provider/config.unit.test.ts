// The provider's settings: defaults, paid mode's requirements, every bad variable named at once.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/platform/config.ts';
import { loadProviderConfig } from '../../src/provider/index.ts';

const KEY = `0x${'11'.repeat(32)}`;
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

describe('loadProviderConfig', () => {
  it('runs free with defaults given only its key', () => {
    const c = loadProviderConfig({ TALLY_PROVIDER_PRIVATE_KEY: KEY });
    expect(c).toMatchObject({
      port: 8090,
      host: '127.0.0.1',
      url: undefined,
      uploaderUrl: undefined,
      type: 'ipfs',
      tokens: [],
      price: 0n,
      chain: undefined,
      registerIntervalMs: 60_000,
    });
  });

  it('reads paid mode: tokens, a price past 2^53 as a bigint, the chain', () => {
    const c = loadProviderConfig({
      TALLY_PROVIDER_PRIVATE_KEY: KEY,
      TALLY_PROVIDER_PORT: '9000',
      TALLY_PROVIDER_URL: 'https://store.example/',
      TALLY_PROVIDER_UPLOADER_URL: 'http://127.0.0.1:3001/',
      TALLY_PROVIDER_TYPE: 'filecoin-ish',
      TALLY_PROVIDER_DATA_DIR: '/var/lib/provider',
      TALLY_CHAIN_RPC_URL: 'http://127.0.0.1:8545',
      TALLY_CHAIN_ID: '31337',
      TALLY_PROVIDER_TOKENS: `TT=${TOKEN}, USDC=${TOKEN.toLowerCase()}`,
      TALLY_PROVIDER_PRICE: '123456789012345678901',
    });
    expect(c).toMatchObject({
      port: 9000,
      url: 'https://store.example',
      uploaderUrl: 'http://127.0.0.1:3001',
      type: 'filecoin-ish',
      dataDir: '/var/lib/provider',
      chain: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337 },
      tokens: [
        { symbol: 'TT', address: TOKEN },
        { symbol: 'USDC', address: TOKEN.toLowerCase() },
      ],
      price: 123456789012345678901n,
    });
  });

  it('names every bad variable at once', () => {
    const attempt = () =>
      loadProviderConfig({
        TALLY_PROVIDER_PORT: 'eighty',
        TALLY_PROVIDER_TOKENS: 'TT=0x12',
        TALLY_PROVIDER_PRICE: '1.5',
      });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const name of [
      'TALLY_PROVIDER_PORT',
      'TALLY_PROVIDER_TOKENS',
      'TALLY_PROVIDER_PRICE',
      'TALLY_PROVIDER_PRIVATE_KEY',
    ])
      expect(message).toContain(name);
  });

  it('requires a chain and a price in paid mode', () => {
    expect(() => loadProviderConfig({ TALLY_PROVIDER_PRIVATE_KEY: KEY, TALLY_PROVIDER_TOKENS: `TT=${TOKEN}` })).toThrow(
      /TALLY_CHAIN_RPC_URL and TALLY_CHAIN_ID[\s\S]*TALLY_PROVIDER_PRICE/,
    );
  });

  it('says once per variable what it must be, as Tally does, however many are bad', () => {
    expect(() =>
      loadProviderConfig({ TALLY_PROVIDER_PRIVATE_KEY: KEY, LOG_LEVEL: 'loud', TALLY_PROVIDER_PORT: '70000' }),
    ).toThrow(
      [
        'invalid provider configuration:',
        '  TALLY_PROVIDER_PORT: must be <= 65535',
        '  LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
      ].join('\n'),
    );
  });
});
