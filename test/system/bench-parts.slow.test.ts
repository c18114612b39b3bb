// The parts of `npm run bench` that measure issue 15's goals are run by no CI: here they run at a
// small size, each on a fresh database, and what they wrote is checked. (The community part once
// stopped after its first round unnoticed: cleared intervals are written once since migration
// 0040, and its undoing of a round met that refusal.)
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { benchCommunity } from '../../bench/community.ts';
import { BATCH, benchIssuance } from '../../bench/issuance.ts';
import type { BenchTarget } from '../../bench/target.ts';
import { buildWorld, intervalsOf, issuancePlan } from '../../bench/world.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { freshDatabase } from '../helpers/database.ts';

/** Runs `part` on a bench target over a fresh database, dropped afterwards. */
async function onFreshTarget(part: (target: BenchTarget) => Promise<void>): Promise<void> {
  const t = await freshDatabase();
  try {
    // Dropped below, whether the part passes or fails; the part itself never drops its target.
    await part({ database: t.database, url: t.url, description: 'test', drop: async () => {} });
  } finally {
    await t.drop();
  }
}

describe('the issuance benchmark', () => {
  it('issues the planned bundles through the registry and copies the same rows beside them', () =>
    onFreshTarget(async (target) => {
      const db = target.database.kysely;
      const config = loadConfig({});
      const world = await buildWorld(db, config, 20);
      const total = 10_000;
      const end = Date.UTC(2026, 0, 1);
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
    }));
});

describe('the community benchmark', () => {
  it('clears the same day in every round and leaves cleared intervals written once', () =>
    onFreshTarget(async (target) => {
      const lines: string[] = [];
      const { sizes } = await benchCommunity(target, [100], 2, (line) => lines.push(line));
      const rounds = lines.filter((l) => l.startsWith('  round '));
      expect(rounds).toHaveLength(2);
      const matchesOf = (l: string) => /; ([\d,]+) matches/.exec(l)?.[1];
      expect(matchesOf(rounds[1]!)).toBe(matchesOf(rounds[0]!));
      expect(sizes[0]!.matches).toBeGreaterThan(0);
      const db = target.database.kysely;
      const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM community_intervals`.execute(db);
      expect(stored.rows[0]!.n).toBe(96);
      await expect(sql`DELETE FROM community_interval_matches`.execute(db)).rejects.toThrow(
        'community_interval_matches is written once by clearing: DELETE refused',
      );
      await expect(sql`DELETE FROM community_intervals`.execute(db)).rejects.toThrow(
        'community_intervals is written once by clearing: DELETE refused',
      );
    }));
});
