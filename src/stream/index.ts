// The event stream: Tally's committed events published to NATS JetStream in the ledger's order
// (TALLY_NATS_URL), by the process that runs the jobs, and a consumer for `tally events tail`.
import type { Db } from '../platform/database.ts';
import { countEventsAfter } from '../ledger/index.ts';
import { stream } from './tables.ts';

export { type EventPublisher, startEventPublisher } from './publisher.ts';
export { type Tail, tailEvents } from './tail.ts';

/** Committed events not yet in the stream `name`: the publisher's lag, for the metrics. */
export async function streamLag(db: Db, name: string): Promise<number> {
  const cursor = await stream(db)
    .selectFrom('event_stream_cursors')
    .select(['last_xact_id as xact_id', 'last_event_id as id'])
    .where('stream', '=', name)
    .executeTakeFirst();
  return countEventsAfter(db, cursor);
}
