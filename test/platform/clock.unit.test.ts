// The clock every decision by the time goes through: the machine's in a running Tally, a settable
// one in tests, which stands still until moved.
import { describe, expect, it } from 'vitest';
import { settableClock, systemClock } from '../../src/platform/clock.ts';

describe('a settable clock', () => {
  it('stands still until set or advanced, by exactly what it is told', () => {
    const clock = settableClock(new Date('2026-03-29T00:59:59.999Z'));
    expect(clock.now().toISOString()).toBe('2026-03-29T00:59:59.999Z');
    expect(clock.now().toISOString()).toBe('2026-03-29T00:59:59.999Z');
    clock.advance(1);
    expect(clock.now().toISOString()).toBe('2026-03-29T01:00:00.000Z');
    clock.advance(-60_000);
    expect(clock.now().toISOString()).toBe('2026-03-29T00:59:00.000Z');
    clock.set(new Date('2030-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('hands out a new Date each time, so a caller changing one cannot move the clock', () => {
    const start = new Date('2026-06-01T12:00:00Z');
    const clock = settableClock(start);
    start.setUTCFullYear(2000);
    const seen = clock.now();
    seen.setUTCFullYear(1999);
    expect(clock.now().toISOString()).toBe('2026-06-01T12:00:00.000Z');
  });
});

describe('the system clock', () => {
  it("reads the machine's time", () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
