// Reading a wall time in a time zone (the import template's dd/mm/yyyy HH:MM in its local_timezone):
// every instant is found again from the wall time its zone shows, and every instant found shows it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantsOfWallTime } from '../../src/platform/time-zone.ts';

/** Zones with daylight saving either way round, odd offsets, and a half-hour change (Lord Howe). */
const ZONES = [
  'Europe/Copenhagen',
  'America/Chicago',
  'America/Santiago',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'UTC',
];

/** The wall time `tz` shows at `t`, its fields read as UTC. */
function wallOf(t: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
}

describe('instantsOfWallTime', () => {
  it('finds every instant from the wall time its zone shows, and only instants showing it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1) / 60_000, max: Date.UTC(2060, 0, 1) / 60_000 }),
        fc.constantFrom(...ZONES),
        (minute, tz) => {
          const t = minute * 60_000;
          const wall = wallOf(t, tz);
          const found = instantsOfWallTime(wall, tz);
          expect(found).toContain(t);
          expect(found.length).toBeLessThanOrEqual(2);
          for (const f of found) expect(wallOf(f, tz)).toBe(wall);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finds none in the hour clocks skip and two in the hour they repeat', () => {
    // Copenhagen: 30 March 2025 02:00 → 03:00; 26 October 2025 03:00 → 02:00.
    expect(instantsOfWallTime(Date.UTC(2025, 2, 30, 2, 30), 'Europe/Copenhagen')).toEqual([]);
    expect(instantsOfWallTime(Date.UTC(2025, 9, 26, 2, 30), 'Europe/Copenhagen')).toEqual([
      Date.UTC(2025, 9, 26, 0, 30),
      Date.UTC(2025, 9, 26, 1, 30),
    ]);
    expect(instantsOfWallTime(Date.UTC(2025, 0, 21, 21, 0), 'America/Chicago')).toEqual([Date.UTC(2025, 0, 22, 3, 0)]);
  });
});
