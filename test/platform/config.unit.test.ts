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
