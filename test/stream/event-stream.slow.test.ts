// The event stream against the local NATS server: every committed event arrives once, in the
// ledger's order (transaction, then id), with its id as Nats-Msg-Id; a publisher stopped, or killed
// mid-stream, is followed by one that goes on where the stream ends, repeating and losing nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStreamConfig } from '../../src/platform/config.ts';
import type { Db } from '../../src/platform/database.ts';
import { appendEvent, type EventView } from '../../src/ledger/index.ts';
import { startEventPublisher, streamLag, tailEvents } from '../../src/stream/index.ts';
import { TALLY } from '../helpers/cli.ts';
import { emptyServerDatabase, freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/server.ts';
import { migrate } from '../../src/platform/migrations.ts';
import { openDatabase } from '../../src/platform/database.ts';

const NATS_URL = 'nats://127.0.0.1:4222';
const natsAnswers = await connect({ servers: NATS_URL, maxReconnectAttempts: 0, timeout: 2000 }).then(
  (nc) => nc.close().then(() => true),
  () => false,
);
if (!natsAnswers) console.warn(`event stream tests skipped: no NATS server answers at ${NATS_URL}`);

/** A stream and subjects of the test's own (streams may not share subjects), deleted after. */
function testStream(): EventStreamConfig & { remove(): Promise<void> } {
  const tag = randomBytes(4).toString('hex');
  const config = { url: NATS_URL, stream: `TALLY_TEST_${tag}`, subjectPrefix: `tallytest${tag}` };
  return {
    ...config,
    async remove() {
      const nc = await connect({ servers: NATS_URL });
      await (await jetstreamManager(nc)).streams.delete(config.stream).catch(() => false);
      await nc.close();
    },
  };
}

/** `count` events in transactions of a few sizes, as modules write them. */
async function writeEvents(db: Db, count: number, from = 0): Promise<void> {
  for (let written = 0; written < count; ) {
    const size = Math.min(count - written, 1 + ((written * 7) % 97));
    await db.transaction().execute(async (trx) => {
      for (let k = 0; k < size; k++)
        await appendEvent(trx, {
          type: k % 2 ? 'test.even' : 'test.odd',
          subject_type: 'test',
          subject_id: String(from + written + k),
          account_ids: [],
          actor_id: null,
          payload: { n: from + written + k },
        });
    });
    written += size;
  }
}

/** Every event id of the database in the log's order. */
const logOrder = async (db: Db) =>
  (await sql<{ id: number }>`SELECT id FROM events ORDER BY xact_id, id`.execute(db)).rows.map((r) => Number(r.id));

/** Reads the whole stream from the start until it holds `count` events; their ids in stream order. */
async function readStream(config: EventStreamConfig, count: number): Promise<{ ids: number[]; sequences: number[] }> {
  const ids: number[] = [];
  const sequences: number[] = [];
  let enough: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    enough = resolve;
  });
  const tail = await tailEvents(config, { fromStart: true }, (event: EventView, sequence) => {
    ids.push(event.id);
    sequences.push(sequence);
    if (ids.length >= count) enough();
  });
  await reached;
  await tail.stop();
  return { ids, sequences };
}

describe.skipIf(!natsAnswers)('the event stream', () => {
  let t: TestDatabase;
  const log = pino({ level: 'silent' });
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => t?.drop());

  it('publishes every committed event once, in the log’s order, and a second publisher goes on after the first', async () => {
    const config = testStream();
    const db = t.database.kysely;
    try {
      await writeEvents(db, 1500);
      const first = startEventPublisher(db, config, log);
      const before = await readStream(config, 1500);
      await first.stop();
      expect(before.ids).toEqual(await logOrder(db));
      expect(before.sequences).toEqual(before.ids.map((_, i) => i + 1));

      // Written while no publisher runs, then published by a new one, after the first's last.
      await writeEvents(db, 700, 1500);
      expect(await streamLag(db, config.stream)).toBe(700);
      const second = startEventPublisher(db, config, log);
      const after = await readStream(config, 2200);
      await second.stop();
      expect(after.ids).toEqual(await logOrder(db));
      expect(new Set(after.ids).size).toBe(2200);
      expect(await streamLag(db, config.stream)).toBe(0);
    } finally {
      await config.remove();
    }
  });

  it('refuses to publish into a stream that ends with another database’s event', async () => {
    const config = testStream();
    const db = t.database.kysely;
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: config.stream, subjects: [`${config.subjectPrefix}.events.>`] });
      const js = jsm.jetstream();
      await js.publish(`${config.subjectPrefix}.events.foreign`, '{}', { msgID: '999999999' });
      const warnings: string[] = [];
      const watching = pino(
        { level: 'warn' },
        { write: (line: string) => warnings.push(JSON.parse(line).err.message) },
      );
      const publisher = startEventPublisher(db, config, watching);
      while (warnings.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await publisher.stop();
      expect(warnings[0]).toContain('is not an event of this database');
      expect((await jsm.streams.info(config.stream)).state.messages).toBe(1);
    } finally {
      await nc.close();
      await config.remove();
    }
  });
});

describe.skipIf(!natsAnswers || !process.env.TEST_DATABASE_URL)('a publisher killed mid-stream', () => {
  it('is followed by the next `tally jobs`, and every event arrives once, in order', async () => {
    const server = await emptyServerDatabase(process.env.TEST_DATABASE_URL as string);
    const database = await openDatabase({ url: server.url });
    const config = testStream();
    const jobs = async () => {
      const child = spawn('node', [...TALLY, 'jobs'], {
        env: {
          ...process.env,
          DATABASE_URL: server.url,
          PORT: String(await freePort()),
          TALLY_JOB_INTERVAL: '3600',
          TALLY_NATS_URL: config.url,
          TALLY_NATS_STREAM: config.stream,
          TALLY_NATS_SUBJECT_PREFIX: config.subjectPrefix,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
    };
    const total = 20_000;
    try {
      await migrate(database);
      await sql`INSERT INTO events (type, subject_type, subject_id, payload)
                SELECT 'test.bulk', 'test', n::text, jsonb_build_object('n', n) FROM generate_series(1, ${total}) AS n`.execute(
        database.kysely,
      );
      const first = await jobs();
      // Killed without warning once part of the log is out.
      const nc = await connect({ servers: NATS_URL });
      const jsm = await jetstreamManager(nc);
      for (;;) {
        const messages = await jsm.streams
          .info(config.stream)
          .then((i) => i.state.messages)
          .catch(() => 0);
        if (messages >= 1000) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      first.child.kill('SIGKILL');
      await first.exited;
      const partial = (await jsm.streams.info(config.stream)).state.messages;
      expect(partial).toBeLessThan(total);

      const second = await jobs();
      const all = await readStream(config, total);
      second.child.kill('SIGTERM');
      await second.exited;
      await nc.close();
      expect(all.ids).toEqual(await logOrder(database.kysely));
      expect(new Set(all.ids).size).toBe(total);
    } finally {
      await database.close();
      await config.remove();
      await server.drop();
    }
  });
});
