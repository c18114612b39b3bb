// A consumer of Tally's event stream, as a reader outside Tally would write one (`tally events
// tail`): an ordered consumer that hands each event over in the stream's order, from the start or
// from new events only.
import { DeliverPolicy } from '@nats-io/jetstream';
import type { EventStreamConfig } from '../platform/config.ts';
import type { EventView } from '../ledger/index.ts';
import { openStream, subjectOf } from './nats.ts';

export interface Tail {
  /** Stops reading and closes the connection. */
  stop(): Promise<void>;
  /** Settles when reading has ended (stopped, or the connection closed). */
  done: Promise<void>;
}

/** Calls `onEvent` with each event of the stream, in order: all of them, or only those to come. */
export async function tailEvents(
  config: EventStreamConfig,
  opts: { fromStart: boolean; type?: string | undefined },
  onEvent: (event: EventView, sequence: number) => void,
): Promise<Tail> {
  const nats = await openStream(config);
  const consumer = await nats.js.consumers.get(config.stream, {
    deliver_policy: opts.fromStart ? DeliverPolicy.All : DeliverPolicy.New,
    // One subject as a string: a list needs NATS 2.10, and Debian's is 2.9.
    filter_subjects: subjectOf(config, opts.type ?? '>'),
  });
  const messages = await consumer.consume();
  const done = (async () => {
    for await (const m of messages) onEvent(m.json<EventView>(), m.seq);
  })();
  return {
    done,
    async stop() {
      await messages.close();
      await done;
      await nats.close();
    },
  };
}
