// The rate-limit store counts in windows of Tally's clock: a key's window opens at its first
// request and lasts the limit's time window, whatever the machine's clock does meanwhile.
import { describe, expect, it } from 'vitest';
import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import { settableClock } from '../../src/platform/clock.ts';
import { clockStore, MAX_KEYS } from '../../src/platform/http/rate-limit-store.ts';

const MINUTE = 60_000;

/** One request of `key` against a limit of a minute; what the store answers. */
function hit(store: FastifyRateLimitStore, key: string): { current: number; ttl: number } {
  let answer: { current: number; ttl: number } | undefined;
  store.incr(
    key,
    (error, result) => {
      if (error) throw error;
      answer = result;
    },
    MINUTE,
    3,
  );
  if (!answer) throw new Error('the store did not answer at once');
  return answer;
}

function newStore(clock = settableClock(new Date('2026-06-01T12:00:00Z'))) {
  const Store = clockStore(clock);
  return { clock, store: new Store({}) };
}

describe('the clock-driven rate-limit store', () => {
  it('counts a key within its window and says how long the window still lasts', () => {
    const { clock, store } = newStore();
    expect(hit(store, '10.0.0.1')).toEqual({ current: 1, ttl: MINUTE });
    clock.advance(20_000);
    expect(hit(store, '10.0.0.1')).toEqual({ current: 2, ttl: 40_000 });
    clock.advance(39_999);
    expect(hit(store, '10.0.0.1')).toEqual({ current: 3, ttl: 1 });
    expect(hit(store, '10.0.0.1')).toEqual({ current: 4, ttl: 1 });
  });

  it('opens a new window once the last one has passed, and only then', () => {
    const { clock, store } = newStore();
    hit(store, '10.0.0.1');
    hit(store, '10.0.0.1');
    clock.advance(MINUTE - 1);
    expect(hit(store, '10.0.0.1')).toEqual({ current: 3, ttl: 1 });
    clock.advance(1);
    expect(hit(store, '10.0.0.1')).toEqual({ current: 1, ttl: MINUTE });
  });

  it('counts each key, and each limit (a child store), on its own', () => {
    const { clock, store } = newStore();
    hit(store, '10.0.0.1');
    clock.advance(30_000);
    expect(hit(store, '10.0.0.2')).toEqual({ current: 1, ttl: MINUTE });
    expect(hit(store, '10.0.0.1')).toEqual({ current: 2, ttl: 30_000 });
    const child = store.child({} as never);
    expect(hit(child, '10.0.0.1')).toEqual({ current: 1, ttl: MINUTE });
    expect(hit(store, '10.0.0.1')).toEqual({ current: 3, ttl: 30_000 });
  });

  it(`remembers at most ${MAX_KEYS} keys, forgetting the oldest window first`, () => {
    const { store } = newStore();
    hit(store, 'first');
    hit(store, 'first');
    for (let k = 1; k < MAX_KEYS; k++) hit(store, `key-${k}`);
    expect(hit(store, 'first')).toEqual({ current: 3, ttl: MINUTE });
    hit(store, 'one too many');
    expect(hit(store, 'first')).toEqual({ current: 1, ttl: MINUTE });
  });
});
