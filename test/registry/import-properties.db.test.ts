// Property-based tests of certificate import against the real database: random files of random
// ranges over a small id space of two origin issuances. A file is imported, all of it, exactly when
// its ranges are disjoint from each other and from every range imported before; a refused file
// changes nothing; and `tally check`'s registry rules hold after every file.
import { sql } from 'kysely';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { principal } from '../helpers/principal.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { TEST_START } from '../helpers/clock.ts';
import type { Principal } from '../../src/identity/principal.ts';
import { createAccount } from '../../src/accounts/index.ts';
import { importCertificates } from '../../src/registry/imports.ts';
import { checkRegistry } from '../../src/registry/check.ts';
import { TallyError } from '../../src/platform/errors.ts';

let t: TestDatabase;
let issuer: Principal;
let account: number;
beforeAll(async () => {
  t = await freshDatabase();
  const db = t.database.kysely;
  issuer = await principal(db, 'issuer', 'issuer');
  account = (await createAccount(db, issuer, { account_name: 'Imports' })).id;
});
afterAll(() => t.drop());

interface Range {
  issuance: string;
  start: number;
  end: number;
}

const cells = (r: Range) => ({
  issuance_id: r.issuance,
  bundle_quantity: String(r.end - r.start + 1),
  certificate_bundle_id_range_start: String(r.start),
  certificate_bundle_id_range_end: String(r.end),
  energy_carrier: 'electricity',
  energy_source: 'hydro',
  face_value: '1',
  issuance_post_energy_carrier_conversion: 'FALSE',
  production_starting_interval: '01/06/2025 12:00',
  production_ending_interval: '01/06/2025 13:00',
  local_timezone: 'Europe/Oslo',
  expiry_datestamp: '01/06/2030 12:00',
  is_storage: 'FALSE',
  country_of_issuance: 'Norway',
  connected_grid_identification: 'NO1',
  issuing_body: 'Statnett',
  issue_market_zone: 'NO1',
});

const overlap = (a: Range, b: Range) => a.issuance === b.issuance && a.start <= b.end && b.start <= a.end;

const range = fc
  .record({
    issuance: fc.constantFrom('A', 'B'),
    start: fc.integer({ min: 0, max: 60 }),
    size: fc.integer({ min: 1, max: 15 }),
  })
  .map(({ issuance, start, size }): Range => ({ issuance, start, end: start + size - 1 }));

let registryNo = 0;

it('imports a file exactly when its ranges overlap nothing, all of it or nothing', async () => {
  const db = t.database.kysely;
  const count = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM bundles`.execute(db)).rows[0]!.n;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(range, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      async (files) => {
        // A registry of its own per run: what earlier runs imported is no part of this one's model.
        const origin = `R${++registryNo}`;
        const accepted: Range[] = [];
        for (const file of files) {
          const clean =
            file.every((r, k) => file.every((q, j) => j === k || !overlap(r, q))) &&
            file.every((r) => accepted.every((q) => !overlap(r, q)));
          const before = await count();
          const outcome = await importCertificates(
            db,
            issuer,
            {
              account_id: account,
              origin_registry: origin,
              rows: file.map((r, k) => ({ cells: cells(r), at: `body/rows/${k}` })),
            },
            TEST_START,
          ).then(
            (result) => result,
            (err: unknown) => {
              if (!(err instanceof TallyError)) throw err;
              return err;
            },
          );
          if (clean) {
            expect(outcome).not.toBeInstanceOf(TallyError);
            const bundles = (outcome as Awaited<ReturnType<typeof importCertificates>>).bundles;
            expect(
              bundles.map((b) => [b.certificate_bundle_id_range_start, b.certificate_bundle_id_range_end]),
            ).toEqual(file.map((r) => [r.start, r.end]));
            accepted.push(...file);
            expect(await count()).toBe(before + file.length);
          } else {
            expect(outcome).toBeInstanceOf(TallyError);
            expect(['overlapping_ranges', 'already_imported']).toContain((outcome as TallyError).code);
            expect(await count()).toBe(before);
          }
        }
        expect(await checkRegistry(db)).toEqual([]);
      },
    ),
    { numRuns: 40 },
  );
});
