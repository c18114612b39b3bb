// The NATS side of the event stream: a connection that keeps reconnecting, and Tally's stream,
// made at start if missing. Subjects are `<prefix>.events.<type>`; a message is the event as
// `GET /api/events` shows it, with the event id as `Nats-Msg-Id`.
import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EventStreamConfig } from '../platform/config.ts';

export interface StreamConnection {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

export const subjectOf = (config: EventStreamConfig, type: string) => `${config.subjectPrefix}.events.${type}`;

/** Connects to NATS (reconnecting for ever once connected) and makes sure the stream exists. */
export async function openStream(config: EventStreamConfig): Promise<StreamConnection> {
  const nc = await connect({ servers: config.url, maxReconnectAttempts: -1, name: 'tally' });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.info(config.stream).catch(async (error: unknown) => {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      await jsm.streams.add({ name: config.stream, subjects: [subjectOf(config, '>')] });
    });
    return { nc, js: jetstream(nc), jsm, close: () => nc.drain() };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
