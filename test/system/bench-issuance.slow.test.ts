// `npm run bench`'s issuance part, which measures issue 15's first goal, is run by nobody's CI: here
// it runs at a small size, and both of its sides must have written the very bundles the plan asks
// for, the registry's through issueCertificates and the baseline's by COPY onto the twin devices.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH, benchIssuance } from '../../bench/issuance.ts';
import { buildWorld, intervalsOf, issuancePlan } from '../../bench/world.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.drop());

describe('the issuance benchmark', () => {
  it('issues the planned bundles through the registry and copies the same rows beside them', async () => {
    const db = t.database.kysely;
    const config = loadConfig({});
    const world = await buildWorld(db, config, 20);
    const total = 10_000;
    const end = Date.UTC(2026, 0, 1);
    const target = { database: t.database, url: t.url, description: 'test', drop: async () => {} };
    const result = await benchIssuance(target, world, total, end, config.certificateLifetimeDays, () => {});
    expect(result.bundles).toBe(total);
    const planned = issuancePlan(total, world.devices.length, BATCH, end).flatMap(intervalsOf);
    const plannedWh = planned.reduce((sum, i) => sum + i.wh, 0);
    const { rows } = await sql<{ account_id: number; bundles: number; wh: number }>`
      SELECT account_id, count(*)::int AS bundles, sum(bundle_quantity)::bigint AS wh
      FROM bundles GROUP BY account_id ORDER BY account_id`.execute(db);
    expect(rows).toEqual([
      { account_id: world.producerAccount, bundles: total, wh: plannedWh },
      { account_id: world.baselineAccount, bundles: total, wh: plannedWh },
    ]);
  });
});
