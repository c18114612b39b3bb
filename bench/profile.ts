// Where a benchmark's time goes in this process: with BENCH_PROFILE=DIR, a phase runs under V8's
// sampling profiler (node:inspector), its profile is written to DIR/<phase>.cpuprofile (open it in
// Chrome's DevTools or speedscope) and the run prints the top items by self time, by function and
// by where the code comes from (a package, a Tally module, Node itself, the garbage collector).
// The database server's own time is not in it: on PostgreSQL that is another process.
import { Session } from 'node:inspector/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const TOP = 12;

/** Runs `work`, profiled when BENCH_PROFILE names a directory, and prints where its time went. */
export async function profiled<T>(phase: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${phase.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    for (const line of summary(phase, profile)) log(line);
    log(`  profile written to ${file}`);
  }
}

/** Self time per node id, in microseconds. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return self;
}

/** Where a function's code lives: a package, a file of Tally's, Node's own code or V8's. */
export function origin(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node';
  const own = /\/(src|bench)\/(.+)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

/** The top items of a profile a child process wrote with `--cpu-prof` (or this process with `profiled`). */
export function summary(phase: string, profile: CpuProfile): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfTimes(profile)) {
    const frame = byId.get(id)!;
    const where = origin(frame);
    const name = `${frame.functionName || '(anonymous)'} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byOrigin.set(where, (byOrigin.get(where) ?? 0) + us);
    total += us;
  }
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(
        ([k, us]) =>
          `    ${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
      );
  return [
    `profile of ${phase}: ${(total / 1000).toFixed(0)} ms sampled`,
    '  by origin (self time):',
    ...top(byOrigin),
    '  by function (self time):',
    ...top(byFunction),
  ];
}
