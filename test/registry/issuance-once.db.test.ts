// "One issuance per device and interval" is a rule of a production device's own issuances. Its
// unique index leaves out imported issuances (no device, 0030) and lets SD-GC ones be (once per
// storage allocation instead, 0028) by keying them on their allocation (0037), so that the same
// index also serves every read of a device's issuances by time. This test reads the index back
// from the migrated database, and the plan of such a read.
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

  it('is one unique index over device issuances, an SD-GC keyed by its allocation, imported ones left out', async () => {
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
          '(device_id, production_starting_interval, reissue_of_bundle_id, storage_allocation_id) NULLS NOT DISTINCT ' +
          'WHERE (device_id IS NOT NULL)',
      },
    ]);
  });

  it('leaves SD-GC issuances to be issued once per storage allocation', async () => {
    const { rows } = await sql<{ definition: string }>`
      SELECT indexdef AS definition FROM pg_indexes
      WHERE tablename = 'issuances' AND indexdef LIKE '%(storage_allocation_id)%'`.execute(t.database.kysely);
    expect(rows.map((r) => r.definition)).toEqual([
      'CREATE UNIQUE INDEX issuances_storage_allocation_id_key ON public.issuances USING btree (storage_allocation_id) ' +
        'WHERE (storage_allocation_id IS NOT NULL)',
    ]);
  });

  // A device's issuances by time are read on every issuance (never issued before?), by the
  // automatic issuance and by re-issues: the plan must not be a scan of every issuance.
  it("serves a read of a device's issuances by time", async () => {
    const db = t.database.kysely;
    await db.connection().execute(async (c) => {
      await sql`SET enable_seqscan = off`.execute(c);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`
        EXPLAIN SELECT production_starting_interval FROM issuances
        WHERE device_id = 7 AND production_starting_interval > now() - interval '1 day'
          AND production_starting_interval < now()`.execute(c);
      await sql`RESET enable_seqscan`.execute(c);
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(
        'using issuances_device_interval_once on issuances',
      );
    });
  });
});
