// @fastify/rate-limit counts in windows of the machine's clock unless given a store; this one
// counts in windows of Tally's clock, so a test steps past a window by advancing the clock. Same
// rule as the plugin's own store: a key's window opens at its first request and lasts timeWindow.
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Clock } from '../clock.ts';

/** Addresses remembered per limit, as many as the plugin's own store keeps; past this the oldest window goes. */
export const MAX_KEYS = 5000;

export function clockStore(clock: Clock): FastifyRateLimitStoreCtor {
  class ClockStore implements FastifyRateLimitStore {
    /** Open windows in the order they opened: one limit's windows all last as long, so the passed ones lead. */
    readonly #windows = new Map<string, { count: number; start: number }>();

    incr(key: string, done: (error: Error | null, result?: { current: number; ttl: number }) => void, span: number) {
      const now = clock.now().getTime();
      for (const [k, w] of this.#windows) {
        if (w.start + span > now) break;
        this.#windows.delete(k);
      }
      let window = this.#windows.get(key);
      if (!window) {
        const oldest = this.#windows.keys().next();
        if (this.#windows.size >= MAX_KEYS && !oldest.done) this.#windows.delete(oldest.value);
        window = { count: 0, start: now };
        this.#windows.set(key, window);
      }
      window.count++;
      done(null, { current: window.count, ttl: window.start + span - now });
    }

    child(): FastifyRateLimitStore {
      return new ClockStore();
    }
  }
  return ClockStore;
}
