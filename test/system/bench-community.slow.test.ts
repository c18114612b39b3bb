// `npm run bench`'s community part repeats a day's clearing round after round, undoing each in its
// throwaway database; cleared intervals are written once (migration 0040), and the part once
// stopped after its first round when its undoing met that refusal. Run here at a small size: every
// round must clear the same day to the same matches, and the refusal must stand again afterwards.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchCommunity } from '../../bench/community.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.drop());

describe('the community benchmark', () => {
  it('clears the same day in every round and leaves cleared intervals written once', async () => {
    const lines: string[] = [];
    const target = { database: t.database, url: t.url, description: 'test', drop: async () => {} };
    const { sizes } = await benchCommunity(target, [100], 2, (line) => lines.push(line));
    const rounds = lines.filter((l) => l.startsWith('  round '));
    expect(rounds).toHaveLength(2);
    const matchesOf = (l: string) => /; ([\d,]+) matches/.exec(l)?.[1];
    expect(matchesOf(rounds[1]!)).toBe(matchesOf(rounds[0]!));
    expect(sizes[0]!.matches).toBeGreaterThan(0);
    const db = t.database.kysely;
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM community_intervals`.execute(db);
    expect(stored.rows[0]!.n).toBe(96);
    await expect(sql`DELETE FROM community_interval_matches`.execute(db)).rejects.toThrow(
      'community_interval_matches is written once by clearing: DELETE refused',
    );
    await expect(sql`DELETE FROM community_intervals`.execute(db)).rejects.toThrow(
      'community_intervals is written once by clearing: DELETE refused',
    );
  });
});
