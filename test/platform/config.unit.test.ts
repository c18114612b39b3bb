// Configuration is read once, from the environment: every bad variable named, DataHub sources
// read as JSON, and the defaults the README documents.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';

describe('configuration', () => {
  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TALLY_ADMIN_EMAIL: 'a@b.co' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TALLY_ADMIN_EMAIL: 'a@b.co' });
    } catch (err) {
      const text = (err as Error).message;
      expect(text).toContain('PORT');
      expect(text).toContain('DATABASE_URL');
      expect(text).toContain('TALLY_ADMIN_PASSWORD');
    }
  });

  it('says once per variable what it must be, listing the allowed values of a list, however many are bad', () => {
    const bad = {
      PORT: '99999',
      LOG_LEVEL: 'loud',
      TALLY_MARKET_SCHEDULE: 'daily',
      TALLY_MARKET_TRUST_UNPROVEN_WALLETS: 'yes',
    };
    expect(() => loadConfig(bad)).toThrow(
      [
        'invalid configuration:',
        '  PORT: must be <= 65535',
        '  LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
        '  TALLY_MARKET_SCHEDULE: must be one of hourly, manual',
        '  TALLY_MARKET_TRUST_UNPROVEN_WALLETS: must be one of true, false',
      ].join('\n'),
    );
  });

  it('lets the chain serve the publisher alone, and the market token only with the chain', () => {
    const chain = { TALLY_CHAIN_RPC_URL: 'http://127.0.0.1:8545', TALLY_CHAIN_ID: '31337' };
    const key = `0x${'11'.repeat(32)}`;
    const c = loadConfig({ ...chain, TALLY_PUBLISHER_PRIVATE_KEY: key });
    expect([c.market.rail.kind, c.publisher]).toEqual([
      'internal',
      { privateKey: key, chain: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337 } },
    ]);
    expect(() => loadConfig({ TALLY_CHAIN_ID: '31337' })).toThrow(
      'TALLY_CHAIN_RPC_URL and TALLY_CHAIN_ID: set both, or neither',
    );
    expect(() => loadConfig({ TALLY_MARKET_TOKEN: `0x${'22'.repeat(20)}` })).toThrow(
      'TALLY_MARKET_TOKEN: the evm rail needs TALLY_CHAIN_RPC_URL and TALLY_CHAIN_ID too',
    );
  });

  it('reads DataHub sources as JSON and names what is wrong in them', () => {
    const source = {
      name: 'dk',
      url: 'https://api.eloverblik.dk/thirdpartyapi',
      refresh_token: 't',
      scope: 'customerCVR',
      identifier: '12345678',
    };
    expect(loadConfig({ TALLY_DATAHUB_SOURCES: JSON.stringify([source]) }).datahubSources).toEqual([source]);
    expect(() => loadConfig({ TALLY_DATAHUB_SOURCES: '[{' })).toThrow(
      'TALLY_DATAHUB_SOURCES: must be a JSON array of sources',
    );
    expect(() => loadConfig({ TALLY_DATAHUB_SOURCES: JSON.stringify([{ ...source, scope: 'everyone' }]) })).toThrow(
      /TALLY_DATAHUB_SOURCES\/0\/scope/,
    );
  });

  it('takes a read replica only beside its primary', () => {
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://replica/tally' })).toThrow(
      'invalid configuration:\n  DATABASE_READ_URL: a replica needs its primary: set DATABASE_URL too',
    );
    const c = loadConfig({ DATABASE_URL: 'postgres://primary/tally', DATABASE_READ_URL: 'postgres://replica/tally' });
    expect([c.databaseUrl, c.databaseReadUrl, c.readWaitMs]).toEqual([
      'postgres://primary/tally',
      'postgres://replica/tally',
      500,
    ]);
  });

  it('has documented defaults', () => {
    const c = loadConfig({});
    expect([c.port, c.host, c.databaseUrl, c.dataDir, c.certificateLifetimeDays, c.certificateIdStart]).toEqual([
      3000,
      '127.0.0.1',
      undefined,
      './data',
      365,
      1,
    ]);
  });
});
