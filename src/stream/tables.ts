// The event stream's table as Kysely sees it.
import type { Kysely } from 'kysely';
import type { Db } from '../platform/database.ts';

export interface EventStreamCursorsTable {
  stream: string;
  last_xact_id: string;
  last_event_id: number;
  published_at: Date;
}

export type StreamTables = { event_stream_cursors: EventStreamCursorsTable };

export const stream = (db: Db): Kysely<StreamTables> => db.withTables<StreamTables>();
