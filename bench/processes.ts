// Scale-out and tracing (issue 13), on PostgreSQL: partial transfers sent to `tally serve --no-jobs`
// processes of their own over the bench's database, all in one run with rounds alternating.
// - three processes against one, the clients spread over them: where nothing serialises
//   needlessly, three processes do at least what one does (on two cores, not three times);
// - one process with OpenTelemetry tracing (spans exported to a local collector that accepts and
//   drops them) against one without: what tracing adds to a transfer's latency, with every request
//   traced, with one in ten (OpenTelemetry's ratio sampler, as production tracing runs) and with
//   none (the instrumentation's own cost, whatever the ratio). Metrics are always recorded; their
//   cost per request is in the figure of every side. The clients keep the processes busy, so a
//   request's latency is mostly its wait for the CPU: the figure compared is the server's CPU time
//   per transfer (from /proc), which the machine's other load disturbs far less than latency, with
//   the latencies beside it.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { readFileSync } from 'node:fs';
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
  /** Each transfer's duration, as runFor timed it. */
  ms: number[];
  /** CPU seconds the side's server processes spent in its rounds. */
  cpu: number;
}

/** CPU seconds (user and system) process `pid` has spent: fields 14 and 15 of /proc/PID/stat, in ticks. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface ProcessesResult {
  one: Side;
  three: Side;
  plain: Side;
  traced: Side;
  sampled: Side;
  unsampled: Side;
}

export async function benchProcesses(
  db: Db,
  databaseUrl: string,
  world: BenchWorld,
  log: (line: string) => void,
): Promise<ProcessesResult> {
  const collector = await discardingCollector();
  const servers = [await serve(databaseUrl), await serve(databaseUrl), await serve(databaseUrl)];
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
  const traced = await serve(databaseUrl, tracing);
  const sampled = await serve(databaseUrl, {
    ...tracing,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.1',
  });
  // Instrumented, but no trace sampled: the floor tracing costs whatever the sampling ratio.
  const unsampled = await serve(databaseUrl, { ...tracing, OTEL_TRACES_SAMPLER: 'always_off' });
  // The traced processes' baseline is a process of its own, serving exactly as many rounds as they do.
  const untraced = await serve(databaseUrl);
  try {
    const pool = await splittableBundles(db, world.producerAccount);
    const side = async (on: Serving[]): Promise<Side> => {
      const client = jsonClient(
        on.map((s) => s.port),
        CLIENTS,
      );
      const cpu = () => on.reduce((sum, s) => sum + cpuSeconds(s.child.pid!), 0);
      const token = await client.login(world.producer.email, PASSWORD);
      const cpuBefore = cpu();
      const done = await runFor(CLIENTS, ROUND_SECONDS, async () => {
        const b = pool.pop();
        if (!b) return false;
        const body = {
          source_id: world.producerAccount,
          target_id: world.traderAccount,
          granular_certificate_bundle_ids: [b.id],
          certificate_quantity: half(b.quantity),
        };
        expectOk(await client.post('/api/certificates/transfer', body, token), 'transfer');
        return true;
      });
      const used = cpu() - cpuBefore;
      client.close();
      // A side that ran out of bundles ran short: its figures would compare unlike with the others'.
      if (pool.length === 0) throw new Error('the processes bench ran out of splittable bundles: raise BENCH_BUNDLES');
      return { ...done, cpu: used };
    };
    const add = (into: Side, from: Side) => {
      into.ops += from.ops;
      into.seconds += from.seconds;
      into.ms.push(...from.ms);
      into.cpu += from.cpu;
    };
    const empty = (): Side => ({ ops: 0, seconds: 0, ms: [], cpu: 0 });
    const result: ProcessesResult = {
      one: empty(),
      three: empty(),
      plain: empty(),
      traced: empty(),
      sampled: empty(),
      unsampled: empty(),
    };
    const pairs: Array<[keyof ProcessesResult, Serving[]]> = [
      ['one', [servers[0]!]],
      ['three', servers],
      ['plain', [untraced]],
      ['traced', [traced]],
      ['sampled', [sampled]],
      ['unsampled', [unsampled]],
    ];
    // Round 0 warms every process up (the JIT, the caches) and counts for nothing.
    for (let r = 0; r <= ROUNDS; r++) {
      for (const [name, on] of r % 2 === 0 ? pairs : [...pairs].reverse()) {
        const s = await side(on);
        if (r > 0) add(result[name], s);
        log(
          `  processes ${r ? `round ${r}` : 'warm-up'} ${name}: ${fmt(s.ops / s.seconds)}/s, ` +
            `${fmt((s.cpu / s.ops) * 1000, 2)} CPU ms each`,
        );
      }
    }
    return result;
  } finally {
    await Promise.all([...servers, traced, sampled, unsampled, untraced].map(stop));
    collector.server.close();
  }
}

export function processesRows(r: ProcessesResult): ReportRow[] {
  const rate = (s: Side) => s.ops / s.seconds;
  const scale = rate(r.three) / rate(r.one);
  const p50 = (s: Side) => percentile(s.ms, 50);
  const cpuPerOp = (s: Side) => s.cpu / s.ops;
  const overhead = (s: Side) => cpuPerOp(s) / cpuPerOp(r.plain) - 1;
  const tracingRow = (name: string, s: Side): ReportRow => ({
    benchmark: `  with OpenTelemetry tracing on, ${name} (metrics always on)`,
    tally: `${fmt(cpuPerOp(s) * 1000, 2)} CPU ms/transfer, p50 ${fmt(p50(s), 1)} ms`,
    baseline: `${fmt(cpuPerOp(r.plain) * 1000, 2)} without, p50 ${fmt(p50(r.plain), 1)} ms`,
    ratio: `${overhead(s) >= 0 ? '+' : ''}${fmt(overhead(s) * 100, 1)} % CPU`,
    target: '< 5 %',
    met: overhead(s) < 0.05,
  });
  return [
    {
      benchmark: `partial transfers, ${CLIENTS} clients over 3 processes`,
      tally: `${fmt(rate(r.three))} /s`,
      baseline: `${fmt(rate(r.one))} /s on 1 process`,
      ratio: `${fmt(scale, 2)} × 1 process`,
      target: 'reported (2 cores)',
      met: null,
    },
    tracingRow('every request', r.traced),
    tracingRow('one request in ten sampled', r.sampled),
    tracingRow('no request sampled', r.unsampled),
  ];
}
