// Local days and months as instants: what membership dates and monthly statements are made of.
import { describe, expect, it } from 'vitest';
import { localDate, localMidnight, localMonth } from '../../src/platform/time-zone.ts';

describe('local days', () => {
  it.each([
    ['2026-03-29', 'Europe/Copenhagen', '2026-03-28T23:00:00.000Z'], // the day clocks go forward at 02:00
    ['2026-03-30', 'Europe/Copenhagen', '2026-03-29T22:00:00.000Z'],
    ['2026-10-25', 'Europe/Copenhagen', '2026-10-24T22:00:00.000Z'], // the day clocks go back at 03:00
    ['2026-10-26', 'Europe/Copenhagen', '2026-10-25T23:00:00.000Z'],
    ['2026-12-01', 'Asia/Kathmandu', '2026-11-30T18:15:00.000Z'], // +05:45: midnight off the hour
    // Clocks jump from 00:00 to 01:00: the day starts at 01:00.
    ['2023-10-01', 'America/Asuncion', '2023-10-01T04:00:00.000Z'],
    ['2024-09-08', 'America/Santiago', '2024-09-08T04:00:00.000Z'],
    ['0026-03-01', 'UTC', '0026-03-01T00:00:00.000Z'], // not 1926
  ])('%s in %s starts at %s, and the instant before is the day before', (date, tz, instant) => {
    const start = localMidnight(date, tz);
    expect(start.toISOString()).toBe(instant);
    expect(localDate(start, tz)).toBe(date);
    expect(localDate(new Date(start.getTime() - 1), tz)).not.toBe(date);
  });

  it('makes a month of its first days, 31 days and an hour long in October in Lisbon', () => {
    const { from, to } = localMonth('2026-10', 'Europe/Lisbon');
    expect([from.toISOString(), to.toISOString()]).toEqual(['2026-09-30T23:00:00.000Z', '2026-11-01T00:00:00.000Z']);
    expect(localMonth('2026-12', 'UTC').to.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});
