// "One issuance per device and interval" is a rule of a production device's own issuances. Its
// unique index was narrowed twice: 0030 left out imported issuances (no device), 0034 SD-GC ones
// (once per storage allocation instead, 0028). This test reads the index back from the migrated
// database and proves the two compose: one index, leaving out both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

describe('the one-issuance-per-device-and-interval index', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('is one unique index over ordinary device issuances, leaving out imported ones and SD-GCs', async () => {
    const { rows } = await sql<{ name: string; definition: string }>`
      SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE tablename = 'issuances' AND indexdef LIKE '%production_starting_interval%' ORDER BY indexname`.execute(
      t.database.kysely,
    );
    expect(rows).toEqual([
      {
        name: 'issuances_device_interval_once',
        definition:
          'CREATE UNIQUE INDEX issuances_device_interval_once ON public.issuances USING btree ' +
          '(device_id, production_starting_interval, reissue_of_bundle_id) NULLS NOT DISTINCT ' +
          'WHERE ((device_id IS NOT NULL) AND (storage_allocation_id IS NULL))',
      },
    ]);
  });

  it('leaves SD-GC issuances to be issued once per storage allocation', async () => {
    const { rows } = await sql<{ definition: string }>`
      SELECT indexdef AS definition FROM pg_indexes
      WHERE tablename = 'issuances' AND indexdef LIKE '%(storage_allocation_id)%'`.execute(t.database.kysely);
    expect(rows.map((r) => r.definition)).toEqual([
      'CREATE UNIQUE INDEX issuances_storage_allocation_id_key ON public.issuances USING btree (storage_allocation_id)',
    ]);
  });
});
