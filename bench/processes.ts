// Scale-out and tracing (issue 13), on PostgreSQL: partial transfers sent to `tally serve --no-jobs`
// processes of their own over the bench's database, all in one run with rounds alternating.
// - three processes against one, the clients spread over them: where nothing serialises
//   needlessly, three processes do at least what one does (on two cores, not three times);
// - one process with OpenTelemetry tracing (spans exported to a local collector that accepts and
//   drops them) against one without: what tracing adds to a transfer's latency. Metrics are always
//   recorded; their cost per request is in the figure of both sides.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Db } from '../src/platform/database.ts';
import { jsonClient, expectOk } from './http.ts';
import { fmt, percentile, type ReportRow, runFor } from './measure.ts';
import { splittableBundles, half } from './transfers.ts';
import type { BenchWorld } from './world.ts';
import { PASSWORD } from './world.ts';

const CLIENTS = 16;
const ROUNDS = 3;
const ROUND_SECONDS = 5;
/** The `tally` command this bench runs under (`node bin/tally.js bench`), to start servers with. */
const BIN = process.argv[1]!;

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface Serving {
  port: number;
  child: ChildProcess;
}

/** A `tally serve --no-jobs` process on the database, once it serves. */
async function serve(databaseUrl: string, env: Record<string, string> = {}): Promise<Serving> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--no-jobs'], {
    env: {
      ...process.env,
      ...env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'info',
      TALLY_AUTH_RATE_LIMIT: '100000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const served = await new Promise<boolean>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"msg":"Tally is serving"')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  if (!served) throw new Error('a tally serve process for the bench did not start');
  return { port, child };
}

const stop = (s: Serving) =>
  new Promise((resolve) => {
    s.child.once('exit', resolve);
    s.child.kill('SIGTERM');
  });

/** An OTLP/HTTP collector that takes every export and keeps nothing. */
async function discardingCollector(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

interface Side {
  ops: number;
  seconds: number;
  latencies: number[];
}

export interface ProcessesResult {
  one: Side;
  three: Side;
  plain: Side;
  traced: Side;
}

export async function benchProcesses(
  db: Db,
  databaseUrl: string,
  world: BenchWorld,
  log: (line: string) => void,
): Promise<ProcessesResult> {
  const collector = await discardingCollector();
  const servers = [await serve(databaseUrl), await serve(databaseUrl), await serve(databaseUrl)];
  const traced = await serve(databaseUrl, {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  try {
    const pool = await splittableBundles(db, world.producerAccount);
    const side = async (ports: number[]): Promise<Side> => {
      const client = jsonClient(ports, CLIENTS);
      const token = await client.login(world.producer.email, PASSWORD);
      const latencies: number[] = [];
      const done = await runFor(CLIENTS, ROUND_SECONDS, async () => {
        const b = pool.pop();
        if (!b) return false;
        const body = {
          source_id: world.producerAccount,
          target_id: world.traderAccount,
          granular_certificate_bundle_ids: [b.id],
          certificate_quantity: half(b.quantity),
        };
        const reply = await client.post('/api/certificates/transfer', body, token);
        expectOk(reply, 'transfer');
        latencies.push(reply.ms);
        return true;
      });
      client.close();
      return { ...done, latencies };
    };
    const add = (into: Side, from: Side) => {
      into.ops += from.ops;
      into.seconds += from.seconds;
      into.latencies.push(...from.latencies);
    };
    const empty = (): Side => ({ ops: 0, seconds: 0, latencies: [] });
    const result: ProcessesResult = { one: empty(), three: empty(), plain: empty(), traced: empty() };
    const ports = servers.map((s) => s.port);
    const pairs: Array<[keyof ProcessesResult, number[]]> = [
      ['one', [ports[0]!]],
      ['three', ports],
      ['plain', [ports[0]!]],
      ['traced', [traced.port]],
    ];
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, on] of r % 2 === 0 ? pairs : [...pairs].reverse()) {
        const s = await side(on);
        add(result[name], s);
        log(`  processes round ${r + 1} ${name}: ${fmt(s.ops / s.seconds)}/s`);
      }
    }
    return result;
  } finally {
    await Promise.all([...servers, traced].map(stop));
    collector.server.close();
  }
}

export function processesRows(r: ProcessesResult): ReportRow[] {
  const rate = (s: Side) => s.ops / s.seconds;
  const scale = rate(r.three) / rate(r.one);
  const p50 = (s: Side) => percentile(s.latencies, 50);
  const overhead = p50(r.traced) / p50(r.plain) - 1;
  return [
    {
      benchmark: `partial transfers, ${CLIENTS} clients over 3 processes`,
      tally: `${fmt(rate(r.three))} /s`,
      baseline: `${fmt(rate(r.one))} /s on 1 process`,
      ratio: `${fmt(scale, 2)} × 1 process`,
      target: 'reported (2 cores)',
      met: null,
    },
    {
      benchmark: '  with OpenTelemetry tracing on (metrics always on)',
      tally: `p50 ${fmt(p50(r.traced), 1)} ms`,
      baseline: `p50 ${fmt(p50(r.plain), 1)} ms without`,
      ratio: `${overhead >= 0 ? '+' : ''}${fmt(overhead * 100, 1)} %`,
      target: '< 5 %',
      met: overhead < 0.05,
    },
  ];
}
