// The event stream's publisher: every committed event goes to NATS JetStream once, in the log's
// order. It runs in the process that runs the jobs, one process at a time (a lease), in rounds.
//
// Why nothing is lost, repeated or reordered, even when NATS or the publisher dies mid-stream:
// - a round resumes after the stream's own last message (its `Nats-Msg-Id` is the event id), so
//   whatever NATS stored is never sent again and whatever it did not store is sent next;
// - each message expects the stream's last sequence to be the one before it, so if a message is
//   refused, every later one of the round is refused too and the next round sends them in order;
// - within the duplicate window, `Nats-Msg-Id` makes NATS drop a message that arrives twice.
import type { Logger } from 'pino';
import type { EventStreamConfig } from '../platform/config.ts';
import type { Db } from '../platform/database.ts';
import { runWithLease } from '../platform/jobs.ts';
import { committedEventsAfter, eventView, type LogPosition, positionOf } from '../ledger/index.ts';
import { openStream, type StreamConnection, subjectOf } from './nats.ts';
import { stream } from './tables.ts';

/** Events sent per round; a full round is followed by the next at once. */
const ROUND_EVENTS = 5000;
/** How often an idle publisher asks for new events. */
const POLL_MS = 200;
/** A publisher silent this long loses its turn to another process. */
const LEASE_MS = 10_000;
const LEASE = 'publish-events';

/** A stream's position in the log: after its last message's event, or at the start when it is empty. */
async function streamPosition(
  db: Db,
  nats: StreamConnection,
  config: EventStreamConfig,
): Promise<{ sequence: number; after: LogPosition | undefined }> {
  const info = await nats.jsm.streams.info(config.stream);
  const sequence = info.state.last_seq;
  if (sequence === 0) return { sequence, after: undefined };
  const last = await nats.jsm.streams.getMessage(config.stream, { seq: sequence });
  const id = Number(last?.header.get('Nats-Msg-Id'));
  const after = Number.isSafeInteger(id) ? await positionOf(db, id) : undefined;
  if (after === undefined)
    throw new Error(
      `stream ${config.stream} ends with message ${sequence}, which is not an event of this database; ` +
        'give each Tally database a stream of its own (TALLY_NATS_STREAM)',
    );
  return { sequence, after };
}

/** One round: the committed events after the stream's last, sent in order; returns how many NATS stored. */
export async function publishRound(db: Db, nats: StreamConnection, config: EventStreamConfig): Promise<number> {
  const { sequence, after } = await streamPosition(db, nats, config);
  const events = await committedEventsAfter(db, after, ROUND_EVENTS);
  // Sent one after another without waiting (one connection keeps them in order); each expects the
  // one before it to be the stream's last, so a refusal stops the rest of the round.
  const acks = events.map((e, i) =>
    nats.js.publish(subjectOf(config, e.type), JSON.stringify(eventView(e)), {
      msgID: String(e.id),
      expect: { lastSequence: sequence + i },
    }),
  );
  const results = await Promise.allSettled(acks);
  const stored = results.findIndex((r) => r.status === 'rejected');
  const count = stored < 0 ? results.length : stored;
  const tail = events[count - 1];
  if (tail)
    await stream(db)
      .insertInto('event_stream_cursors')
      .values({ stream: config.stream, last_xact_id: tail.xact_id, last_event_id: tail.id, published_at: new Date() })
      .onConflict((oc) =>
        oc.column('stream').doUpdateSet((eb) => ({
          last_xact_id: eb.ref('excluded.last_xact_id'),
          last_event_id: eb.ref('excluded.last_event_id'),
          published_at: eb.ref('excluded.published_at'),
        })),
      )
      .execute();
  const refused = results[count];
  if (refused?.status === 'rejected') throw refused.reason;
  return count;
}

export interface EventPublisher {
  stop(): Promise<void>;
}

/**
 * Publishes for as long as the process runs: rounds back to back while there is a backlog, every
 * POLL_MS when idle, and after a failure (NATS down, the stream refused) again after a growing
 * pause, each failure logged once with its reason.
 */
export function startEventPublisher(db: Db, config: EventStreamConfig, log: Logger): EventPublisher {
  let stopped = false;
  let nats: StreamConnection | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const running = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        nats ??= await openStream(config);
        const connection = nats;
        const sent = await runWithLease(db, LEASE, LEASE_MS, () => publishRound(db, connection, config));
        if (failures > 0) log.info({ stream: config.stream }, 'event stream publishing again');
        failures = 0;
        if (sent === undefined || sent < ROUND_EVENTS) await pause(POLL_MS);
      } catch (error) {
        failures++;
        log.warn({ err: error, stream: config.stream, failures }, 'event stream could not publish; trying again');
        await pause(Math.min(1000 * 2 ** (failures - 1), 30_000));
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await running;
      await nats?.close();
    },
  };
}
