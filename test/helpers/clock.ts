// The time a test's server lives at. It starts at one fixed instant, whatever day the suite runs,
// and stands still until the test moves it: nothing a test checks depends on the wall clock.
import { settableClock, type SettableClock } from '../../src/platform/clock.ts';

/** Noon UTC on a Tuesday: after every date the tests' fixtures use as past, before those they use as future. */
export const TEST_START = new Date('2026-12-01T12:00:00.000Z');

export const testClock = (): SettableClock => settableClock(TEST_START);
