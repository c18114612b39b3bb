// The event stream (issue 13): how fast the publisher moves a backlog of committed events to NATS
// JetStream, against the baseline of the same messages published straight to JetStream from
// memory in the same run (no database, no ordering checks), and how far it lags behind the commit
// horizon while events keep being written.
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Db } from '../src/platform/database.ts';
import { appendEvent } from '../src/ledger/index.ts';
import { startEventPublisher, streamLag } from '../src/stream/index.ts';
import { fmt, percentile, type ReportRow, timed } from './measure.ts';
import type { BenchTarget } from './target.ts';

const NATS_URL = process.env.TALLY_NATS_URL ?? 'nats://127.0.0.1:4222';
const BACKLOG = 50_000;
const LOAD_SECONDS = 10;

export interface StreamResult {
  backlog: number;
  publishMs: number;
  baselineMs: number;
  lagSamples: number[];
  written: number;
}

/** A stream of the run's own, deleted after. */
async function withStream<T>(work: (config: { url: string; stream: string; subjectPrefix: string }) => Promise<T>) {
  const tag = randomBytes(4).toString('hex');
  const config = { url: NATS_URL, stream: `TALLY_BENCH_${tag}`, subjectPrefix: `tallybench${tag}` };
  try {
    return await work(config);
  } finally {
    const nc = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(config.stream).catch(() => false);
    await nc.close();
  }
}

const until = async (done: () => Promise<boolean>) => {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 50));
};

export async function benchStream(target: BenchTarget, log: (line: string) => void): Promise<StreamResult> {
  const db = target.database.kysely;
  const quiet = pino({ level: 'silent' });
  log(`event stream: ${fmt(BACKLOG)} committed events to NATS JetStream at ${NATS_URL}`);
  await sql`INSERT INTO events (type, subject_type, subject_id, payload)
            SELECT 'bench.backlog', 'bench', n::text,
                   jsonb_build_object('n', n, 'wh', n * 1000, 'note', 'a payload the size of a small action')
            FROM generate_series(1, ${BACKLOG}) AS n`.execute(db);
  const sample = (await sql<{ body: string }>`SELECT payload::text AS body FROM events LIMIT 1`.execute(db)).rows[0]!
    .body;

  // Baseline: the same number of messages of about the same size, straight from memory.
  const baselineMs = await withStream(async (config) => {
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: config.stream, subjects: [`${config.subjectPrefix}.>`] });
    const js = jsm.jetstream();
    const body = JSON.stringify({ id: 1, type: 'bench.backlog', payload: JSON.parse(sample) });
    const { ms } = await timed(async () => {
      for (let sent = 0; sent < BACKLOG; sent += 1000)
        await Promise.all(
          Array.from({ length: 1000 }, (_, i) =>
            js.publish(`${config.subjectPrefix}.events.bench`, body, { msgID: String(sent + i) }),
          ),
        );
    });
    await nc.close();
    return ms;
  });

  return withStream(async (config) => {
    const publisher = startEventPublisher(db, config, quiet);
    const { ms: publishMs } = await timed(() => until(async () => (await streamLag(db, config.stream)) === 0));
    // Under load: small transactions of events written for LOAD_SECONDS while the lag is sampled.
    const lagSamples: number[] = [];
    let written = 0;
    const deadline = performance.now() + LOAD_SECONDS * 1000;
    const writer = (async () => {
      while (performance.now() < deadline) {
        await writeTransaction(db, written);
        written += 5;
      }
    })();
    while (performance.now() < deadline) {
      lagSamples.push(await streamLag(db, config.stream));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await writer;
    await until(async () => (await streamLag(db, config.stream)) === 0);
    await publisher.stop();
    return { backlog: BACKLOG, publishMs, baselineMs, lagSamples, written };
  });
}

/** One transaction of five events, as a partial transfer writes about. */
async function writeTransaction(db: Db, n: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let k = 0; k < 5; k++)
      await appendEvent(trx, {
        type: 'bench.load',
        subject_type: 'bench',
        subject_id: String(n + k),
        account_ids: [],
        actor_id: null,
        payload: { n: n + k },
      });
  });
}

export function streamRows(r: StreamResult): ReportRow[] {
  const perSecond = (r.backlog / r.publishMs) * 1000;
  const baseline = (r.backlog / r.baselineMs) * 1000;
  return [
    {
      benchmark: `event stream: ${fmt(r.backlog)} committed events published in order`,
      tally: `${fmt(perSecond)} events/s`,
      baseline: `${fmt(baseline)} messages/s straight to JetStream`,
      ratio: `${fmt(perSecond / baseline, 2)}×`,
      target: '≥ 5,000 events/s',
      met: perSecond >= 5000,
    },
    {
      benchmark: `  lag behind the log while ${fmt(r.written / LOAD_SECONDS)} events/s are written`,
      tally: `p95 ${fmt(percentile(r.lagSamples, 95))}, max ${fmt(Math.max(...r.lagSamples))} events`,
      baseline: '—',
      ratio: '—',
      target: 'reported',
      met: null,
    },
  ];
}
