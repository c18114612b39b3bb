// The `tally` command as a newcomer runs it: configuration errors, serve, user create, check.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loadConfig, ConfigError } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/database.ts';
import { emptyServerDatabase } from './helpers/database.ts';

const run = promisify(execFile);
const TALLY = join(import.meta.dirname, '..', 'bin', 'tally.js');

describe('configuration', () => {
  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TALLY_ADMIN_EMAIL: 'a@b.co' })).toThrow(ConfigError);
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
    const source = { name: 'dk', url: 'https://api.eloverblik.dk/thirdpartyapi', refresh_token: 't', scope: 'customerCVR', identifier: '12345678' };
    expect(loadConfig({ TALLY_DATAHUB_SOURCES: JSON.stringify([source]) }).datahubSources).toEqual([source]);
    expect(() => loadConfig({ TALLY_DATAHUB_SOURCES: '[{' })).toThrow('TALLY_DATAHUB_SOURCES: must be a JSON array of sources');
    expect(() => loadConfig({ TALLY_DATAHUB_SOURCES: JSON.stringify([{ ...source, scope: 'everyone' }]) })).toThrow(/TALLY_DATAHUB_SOURCES\/0\/scope/);
  });

  it('has documented defaults', () => {
    const c = loadConfig({});
    expect([c.port, c.host, c.databaseUrl, c.dataDir, c.certificateLifetimeDays, c.certificateIdStart]).toEqual([3000, '127.0.0.1', undefined, './data', 365, 1]);
  });

  it('stops `tally serve` with a message, not a stack trace', async () => {
    const err = await run('node', [TALLY, 'serve'], { env: { ...process.env, PORT: '99999' } }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('PORT');
    expect(err.stderr).not.toMatch(/\s+at /);
  });
});

describe('commands on a database', () => {
  let dir: string;
  let pg: { url: string; drop(): Promise<void> } | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-cli-'));
    env = { ...process.env, TALLY_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    if (process.env.TEST_DATABASE_URL) {
      pg = await emptyServerDatabase(process.env.TEST_DATABASE_URL);
      env.DATABASE_URL = pg.url;
    }
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pg?.drop();
  });

  it('serves the API and docs, creating the first admin from the environment', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn('node', [TALLY, 'serve'], { env: { ...env, PORT: String(port), TALLY_ADMIN_EMAIL: 'root@example.com', TALLY_ADMIN_PASSWORD: 'root-password-1' }, stdio: 'ignore' });
    try {
      let health: Response | undefined;
      for (let k = 0; k < 120 && !health; k++) {
        health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 250));
      }
      expect(await health!.json()).toEqual({ status: 'ok', database: pg ? 'postgres' : 'pglite' });
      const login = await fetch(`http://127.0.0.1:${port}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'root@example.com', password: 'root-password-1' }) });
      expect(login.status).toBe(200);
      const { access } = (await login.json()) as { access: string };
      const me = await fetch(`http://127.0.0.1:${port}/api/user/me`, { headers: { authorization: `Bearer ${access}` } });
      expect(((await me.json()) as { role: string }).role).toBe('admin');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('creates an admin with `tally user create --admin`', async () => {
    const { stdout } = await run('node', [TALLY, 'user', 'create', '--admin', '--email', 'cli@example.com', '--password', 'cli-password-1'], { env });
    expect(stdout).toMatch(/created user \d+ <cli@example.com> with role admin/);
    const again = await run('node', [TALLY, 'user', 'create', '--email', 'cli@example.com', '--password', 'cli-password-1'], { env }).catch((e) => e);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('`tally check` passes on a healthy database and fails, naming the rule, after tampering', async () => {
    const ok = await run('node', [TALLY, 'check'], { env });
    expect(ok.stdout).toContain('ok:');
    const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATABASE_URL ? undefined : join(dir, 'pglite') });
    try {
      // A bundle written behind the registry's back: no event records it.
      await sql`INSERT INTO accounts (account_name) VALUES ('t')`.execute(database.kysely);
      await sql`INSERT INTO devices (account_id, device_name, device_type, energy_source, capacity, operational_date, latitude, longitude, grid, country, time_zone, next_certificate_id)
                VALUES (1, 'd', 'production', 'wind', 1000, '2020-01-01', 0, 0, 'g', 'DK', 'UTC', 1)`.execute(database.kysely);
      await sql`INSERT INTO issuance_metadata (device_id, country_of_issuance, connected_grid_identification, issuing_body, issue_market_zone) VALUES (1, 'DK', 'g', 'b', 'g')`.execute(database.kysely);
      await sql`INSERT INTO issuances (device_id, issuance_metadata_id, production_starting_interval, production_ending_interval, bundle_quantity, certificate_bundle_id_range_start, certificate_bundle_id_range_end)
                VALUES (1, 1, '2025-01-01T00:00Z', '2025-01-01T01:00Z', 10, 1, 10)`.execute(database.kysely);
      await sql`INSERT INTO bundles (issuance_id, device_id, account_id, certificate_bundle_id_range_start, certificate_bundle_id_range_end, energy_source, production_starting_interval, production_ending_interval, issuance_datestamp, expiry_datestamp)
                VALUES (1, 1, 1, 1, 10, 'wind', '2025-01-01T00:00Z', '2025-01-01T01:00Z', now(), now())`.execute(database.kysely);
    } finally {
      await database.close();
    }
    const bad = await run('node', [TALLY, 'check'], { env }).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('FAIL replay_rebuilds_state: bundle 1 exists but no event created it');
  });
});
