// `tally import certificates`: a file of the EnergyTag import template into an account, as an
// issuing body; the same file again, and a bad row, refused with the row named and nothing changed;
// `tally check` content after.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { cliDatabase } from '../helpers/cli-database.ts';
import { TALLY } from '../helpers/cli.ts';

const run = promisify(execFile);

const HEADER =
  'issuance_id,bundle_quantity,certificate_bundle_id_range_start,certificate_bundle_id_range_end,energy_carrier,' +
  'energy_source,face_value,issuance_post_energy_carrier_conversion,emissions_factor_production_device,' +
  'emissions_factor_source,production_starting_interval,production_ending_interval,local_timezone,' +
  'expiry_datestamp,is_storage,storage_efficiency_factor,country_of_issuance,connected_grid_identification,' +
  'issuing_body,legal_status,issuance_purpose,support_received,quality_scheme_reference,dissemination_level,' +
  'issue_market_zone';
/** The template's row, expiring in 2040 so the test does not depend on the day it runs. */
const row = (source = 'solar_pv') =>
  `GC-1-2025-01-21-1500,5210000,0,5209999,electricity,${source},1,FALSE,,,21/01/2025 21:00,21/01/2025 22:00,` +
  'America/Chicago,21/01/2040 21:00,FALSE,,United States,ERCOT,ERCOT,,compliance,,,,ERCOT';

describe('tally import certificates', () => {
  const where = cliDatabase('tally-cli-import-');
  const tally = (...args: string[]) => run('node', [...TALLY, ...args], { env: where.env });
  const fails = (...args: string[]) =>
    tally(...args).then(
      (done) => {
        throw new Error(`expected a refusal, got ${done.stdout}`);
      },
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('imports a file once, refuses it again and a bad row by row, and checks', async () => {
    await tally('user', 'create', '--email', 'issuer@example.com', '--password', 'issuer-pass-1', '--role', 'issuer');
    const database = await where.open();
    const { rows } = await sql<{ id: number }>`
      INSERT INTO accounts (account_name) VALUES ('Importer') RETURNING id`.execute(database.kysely);
    await database.close();
    const account = String(rows[0]!.id);
    const file = join(where.dir, 'certificates.csv');
    const bad = join(where.dir, 'bad.csv');
    writeFileSync(file, `${HEADER}\n${row()}\n`);
    writeFileSync(bad, `${HEADER}\n${row('sunshine')}\n`);
    const args = ['import', 'certificates', '--account', account, '--registry', 'ERCOT', '--as', 'issuer@example.com'];

    const first = await tally(...args, file);
    expect(first.stdout).toBe(`imported 1 bundle(s), 5210000 Wh, from ERCOT into account ${account}: bundles 1\n`);

    const again = await fails(...args, file);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /^tally: csv\/row\/2: ids 0–5209999 of issuance GC-1-2025-01-21-1500 of ERCOT overlap ids 0–5209999, imported before \(imported issuance 1\)\n$/,
    );
    const refused = await fails(...args.map((a) => (a === 'ERCOT' ? 'M-RETS' : a)), bad);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^tally: csv\/row\/2: energy_source "sunshine" is not one of solar_pv, wind,/);

    const check = await tally('check');
    expect(check.stdout).toMatch(/^ok: .*imported ranges once per origin issuance/);
    const after = await where.open();
    const counts = await sql<{ bundles: number; events: number }>`
      SELECT (SELECT count(*) FROM bundles) AS bundles,
             (SELECT count(*) FROM events WHERE type = 'certificates.imported') AS events`.execute(after.kysely);
    await after.close();
    expect(counts.rows[0]).toEqual({ bundles: 1, events: 1 });
  });
});
