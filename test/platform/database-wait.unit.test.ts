// Waiting for a database: only what time can mend is waited out, each wait reported with its
// reason; anything else fails at once.
import { describe, expect, it } from 'vitest';
import { backoff, isUnreachable, patiently } from '../../src/platform/database-wait.ts';

const failure = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('waiting for the database', () => {
  it('tells a database that is not there yet from one that refuses', () => {
    const waited = ['ECONNREFUSED', '3D000', '57P03', '08006', '53300'].map((c) => isUnreachable(failure(c)));
    expect(waited).toEqual([true, true, true, true, true]);
    const refused = ['28P01', '42P01', '23505'].map((c) => isUnreachable(failure(c)));
    expect(refused).toEqual([false, false, false]);
    expect(isUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('tries again after each unreachable answer, reporting it, until the work succeeds', async () => {
    const answers = [failure('ECONNREFUSED', 'connect ECONNREFUSED'), failure('3D000', 'database "x" does not exist')];
    const reports: Array<[string, number]> = [];
    const result = await patiently(
      async () => {
        const next = answers.shift();
        if (next) throw next;
        return 'migrated';
      },
      (reason, ms) => reports.push([reason, ms]),
      (attempt) => attempt,
    );
    expect(result).toBe('migrated');
    expect(reports).toEqual([
      ['connect ECONNREFUSED', 0],
      ['database "x" does not exist', 1],
    ]);
  });

  it('fails at once on anything else, and backs off to 30 s', async () => {
    const reports: string[] = [];
    await expect(
      patiently(
        () => Promise.reject(failure('28P01', 'password authentication failed')),
        (r) => reports.push(r),
      ),
    ).rejects.toThrow('password authentication failed');
    expect(reports).toEqual([]);
    expect([0, 1, 2, 4, 5, 10].map(backoff)).toEqual([1000, 2000, 4000, 16_000, 30_000, 30_000]);
  });
});
