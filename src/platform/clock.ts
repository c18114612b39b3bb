// Where Tally learns the time. Everything that decides by it (token lifetimes, rate-limit windows,
// whether an interval is over, what a job catches up to, how long idempotency keys are kept) and
// every time Tally stamps on a row asks the app context's clock, never the machine directly, so a
// test sets the time instead of waiting for it.

export interface Clock {
  now(): Date;
}

/** A clock a test moves by hand: it stands still until set or advanced. */
export interface SettableClock extends Clock {
  set(instant: Date): void;
  advance(ms: number): void;
}

/** The machine's clock: what a running Tally uses. */
export const systemClock: Clock = { now: () => new Date() };

export function settableClock(start: Date): SettableClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (instant) => {
      t = instant.getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}
