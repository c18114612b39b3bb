// `tally import storage-readings`: a storage device's readings file recorded as charge and
// discharge records from the command line, all or nothing, acting as the user named.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { cliDatabase } from '../helpers/cli-database.ts';
import { TALLY } from '../helpers/cli.ts';

const run = promisify(execFile);

describe('tally import storage-readings', () => {
  const where = cliDatabase('tally-storage-cli-');

  it('records the file as storage records, and records nothing from a file with one bad row', async () => {
    await run(
      'node',
      [...TALLY, 'user', 'create', '--admin', '--email', 'ops@example.com', '--password', 'ops-password-1'],
      { env: where.env },
    );
    const database = await where.open();
    let device: number;
    try {
      const { rows } = await sql<{ id: number }>`
        WITH a AS (INSERT INTO accounts (account_name) VALUES ('Battery Co') RETURNING id)
        INSERT INTO devices (account_id, device_name, device_type, energy_source, capacity, operational_date,
                             latitude, longitude, grid, country, time_zone, next_certificate_id)
        SELECT id, 'Battery', 'storage', 'battery_storage', 2000000, '2020-01-01', 0, 0, 'DK1', 'DK', 'UTC', 1 FROM a
        RETURNING id`.execute(database.kysely);
      device = rows[0]!.id;
    } finally {
      await database.close();
    }
    const header = 'flow_start_datetime,flow_end_datetime,flow_energy,validator_id';
    const good = join(where.dir, 'good.csv');
    writeFileSync(
      good,
      `${header}\n2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,-1000,0\n2025-01-01T01:00:00Z,2025-01-01T02:00:00Z,800,1\n`,
    );
    const args = ['import', 'storage-readings', '--device', String(device), '--as', 'ops@example.com'];
    const { stdout } = await run('node', [...TALLY, ...args, good], { env: where.env });
    expect(stdout).toBe('1 charge and 1 discharge record(s), 0 row(s) of zero flow\n');
    const bad = join(where.dir, 'bad.csv');
    writeFileSync(bad, `${header}\n2025-01-02T00:00:00Z,2025-01-02T01:00:00Z,-5,0\n2025-01-02T01:00:00Z,soon,5,0\n`);
    const refused = await run('node', [...TALLY, ...args, bad], { env: where.env }).catch((e) => e);
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toContain('row 3');
    const after = await where.open();
    try {
      const counts = await sql<{ charges: number; discharges: number }>`
        SELECT (SELECT count(*)::int FROM storage_charge_records) AS charges,
               (SELECT count(*)::int FROM storage_discharge_records) AS discharges`.execute(after.kysely);
      expect(counts.rows[0]).toEqual({ charges: 1, discharges: 1 });
    } finally {
      await after.close();
    }
  });
});
