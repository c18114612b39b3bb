// Timing, statistics and the report table shared by the benchmarks.

/** Runs `work` and returns its result with the milliseconds it took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/** Runs `a` and `b` one after the other, `a` first or not, and returns their results as [a, b]. */
export async function backToBack<A, B>(a: () => Promise<A>, b: () => Promise<B>, aFirst: boolean): Promise<[A, B]> {
  if (aFirst) {
    const x = await a();
    return [x, await b()];
  }
  const y = await b();
  return [await a(), y];
}

/** Nearest-rank percentile (p in 0..100) of the samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Runs `workers` concurrent loops of `step` for `seconds` (each loop finishes the step it is in)
 * and returns how many steps completed, how long that took and each step's duration in ms. A step
 * returns false when it has nothing left to do, which ends its loop early.
 */
export async function runFor(
  workers: number,
  seconds: number,
  step: () => Promise<boolean>,
): Promise<{ ops: number; seconds: number; ms: number[] }> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let ops = 0;
  // Each completed step's duration, for latency percentiles alongside the rate.
  const ms: number[] = [];
  const loop = async () => {
    while (performance.now() < deadline) {
      const began = performance.now();
      if (!(await step())) return;
      ms.push(performance.now() - began);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  return { ops, seconds: (performance.now() - start) / 1000, ms };
}

export const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export interface ReportRow {
  benchmark: string;
  tally: string;
  baseline: string;
  /** Tally's figure relative to the baseline's, as the target states it. */
  ratio: string;
  target: string;
  /** null: a row with no target of its own (a part of the row above it). */
  met: boolean | null;
}

/** A fixed-width text table, one line per row, with a header. */
export function formatTable(rows: readonly ReportRow[]): string {
  const header = ['benchmark', 'tally', 'baseline', 'ratio', 'target', 'met'];
  const cells = rows.map((r) => [
    r.benchmark,
    r.tally,
    r.baseline,
    r.ratio,
    r.target,
    r.met === null ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
