// Access tokens a process has verified are kept (tokens.ts): kept or not, a token must get the
// answer a fresh verification gives, at any time, under its own secret only.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TokenSettings } from '../../src/platform/context.ts';
import { signAccess, verifyAccess } from '../../src/identity/tokens.ts';

const START = new Date('2026-12-05T12:00:00.000Z');
const settingsWith = (secret: Uint8Array, accessTtl: number): TokenSettings => ({
  secret,
  accessTtl,
  refreshTtl: 3600,
});
/** The same secret in a new array: a settings object whose tokens no earlier call has kept. */
const fresh = (s: TokenSettings): TokenSettings => settingsWith(Uint8Array.from(s.secret), s.accessTtl);
const outcome = (p: Promise<number>) =>
  p.then(
    (id) => ({ id }),
    (e: { status?: number; code?: string }) => ({ status: e.status, code: e.code }),
  );

describe('access tokens verified once', () => {
  it('answer as a fresh verification does, at any time before, at and after their expiry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        // Times of use, in ms after signing, in any order (a test clock may go back).
        fc.array(fc.integer({ min: 0, max: 7_200_000 }), { minLength: 1, maxLength: 8 }),
        async (secret, ttl, userId, uses) => {
          const settings = settingsWith(secret, ttl);
          const token = await signAccess(settings, userId, START);
          // Then the last millisecond it is valid and the first it is not, kept or not by then.
          for (const ms of [...uses, ttl * 1000 - 1, ttl * 1000]) {
            const at = new Date(START.getTime() + ms);
            const kept = await outcome(verifyAccess(settings, token, at));
            expect(kept).toEqual(await outcome(verifyAccess(fresh(settings), token, at)));
            expect(kept).toEqual(ms < ttl * 1000 ? { id: userId } : { status: 401, code: 'unauthorized' });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('are refused under another secret, and any other text is verified anew', async () => {
    const settings = settingsWith(new Uint8Array(32).fill(7), 900);
    const token = await signAccess(settings, 42, START);
    expect(await verifyAccess(settings, token, START)).toBe(42);
    const other = settingsWith(new Uint8Array(32).fill(8), 900);
    await expect(outcome(verifyAccess(other, token, START))).resolves.toEqual({ status: 401, code: 'unauthorized' });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    await expect(outcome(verifyAccess(settings, forged, START))).resolves.toEqual({
      status: 401,
      code: 'unauthorized',
    });
    expect(await verifyAccess(settings, token, START)).toBe(42);
  });
});
