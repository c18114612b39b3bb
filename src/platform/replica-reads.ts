// Which database answers a read-only request when a replica is configured: the replica when it has
// replayed what the caller needs to see, else (after a short wait for it) the primary. What a caller
// needs to see is what it wrote: each write answers with the primary's log position after it
// (remembered here per caller, and handed to the client to send back as `Tally-Read-After`, since
// its next request may reach another process).
import { setTimeout as sleep } from 'node:timers/promises';
import { processCounter } from './metrics.ts';
import type { LogPosition, Replica } from './replica.ts';

/** How long a replay position read from the replica is trusted for a caller who needs nothing newer. */
const TRUSTED_MS = 1000;
/** How often a wait asks the replica again. */
const POLL_MS = 10;
/** Callers whose last write is remembered; past this the oldest are forgotten (they then send their header). */
const REMEMBERED_CALLERS = 100_000;

export type ReadTarget = 'replica' | 'primary';

const routed = processCounter(
  'tally_read_routing_total',
  'Read-only requests by where they were answered and why: replica (current, waited) or primary (behind, unreachable)',
  ['target', 'reason'] as const,
);

type ReplicaState = { at: number } & ({ replayed: LogPosition | null } | { unreachable: string });

export class ReplicaReads {
  readonly #replica: Replica;
  readonly #waitMs: number;
  readonly #onUnreachable: (reason: string) => void;
  readonly #written = new Map<string, LogPosition>();
  #state: ReplicaState | undefined;
  #asking: Promise<ReplicaState> | undefined;

  constructor(replica: Replica, waitMs: number, onUnreachable: (reason: string) => void) {
    this.#replica = replica;
    this.#waitMs = waitMs;
    this.#onUnreachable = onUnreachable;
  }

  /** After a write by `caller` (if known): the primary's position now, remembered for the caller's next reads. */
  async written(caller: string | undefined): Promise<LogPosition> {
    const position = await this.#replica.primaryPosition();
    if (caller !== undefined) {
      this.#written.delete(caller);
      this.#written.set(caller, position);
      if (this.#written.size > REMEMBERED_CALLERS) this.#written.delete(this.#written.keys().next().value as string);
    }
    return position;
  }

  /** Where a read by `caller` that must see `after` (and the caller's own writes) goes. */
  async target(caller: string | undefined, after: LogPosition | undefined): Promise<ReadTarget> {
    const own = caller === undefined ? undefined : this.#written.get(caller);
    const needed = own === undefined || (after !== undefined && after > own) ? (after ?? 0n) : own;
    const deadline = performance.now() + this.#waitMs;
    let waited = false;
    for (;;) {
      const state = await this.#current(needed, waited);
      if ('unreachable' in state) return this.#count('primary', 'unreachable');
      if (state.replayed === null || state.replayed >= needed) {
        // Replayed past the caller's last write: nothing to remember, unless it wrote again meanwhile.
        if (
          own !== undefined &&
          (state.replayed === null || state.replayed >= own) &&
          this.#written.get(caller!) === own
        )
          this.#written.delete(caller!);
        return this.#count('replica', waited ? 'waited' : 'current');
      }
      if (performance.now() + POLL_MS > deadline) return this.#count('primary', 'behind');
      waited = true;
      await sleep(POLL_MS);
    }
  }

  /** The replica failed work sent to it: reads go to the primary until it answers again. */
  unreachable(reason: string): void {
    this.#record({ at: performance.now(), unreachable: reason });
  }

  #count(target: ReadTarget, reason: string): ReadTarget {
    routed.inc({ target, reason });
    return target;
  }

  /**
   * The replica's state, read again unless the one known is recent and says enough for `needed`
   * (always again when `fresh`: a wait polls).
   */
  async #current(needed: LogPosition, fresh: boolean): Promise<ReplicaState> {
    const known = this.#state;
    if (known && !fresh && performance.now() - known.at < TRUSTED_MS) {
      if ('unreachable' in known) return known;
      if (known.replayed === null || known.replayed >= needed) return known;
    }
    // One question at a time, however many requests wait on the answer.
    this.#asking ??= this.#ask().finally(() => {
      this.#asking = undefined;
    });
    return this.#asking;
  }

  async #ask(): Promise<ReplicaState> {
    let state: ReplicaState;
    try {
      state = { at: performance.now(), replayed: await this.#replica.replayed() };
    } catch (err) {
      state = { at: performance.now(), unreachable: err instanceof Error ? err.message : String(err) };
    }
    this.#record(state);
    return state;
  }

  /** Keeps the state learnt, telling once when the replica turns unreachable. */
  #record(state: ReplicaState): void {
    if ('unreachable' in state && !(this.#state && 'unreachable' in this.#state))
      this.#onUnreachable(state.unreachable);
    this.#state = state;
  }
}
