// Reading import: `tally import readings` (the same importer) on a multi-point file of 15-minute
// readings, against a plain COPY of the same rows into the same table, in the same run. Rows come
// from a generated file on disk; the importer's peak memory is sampled while it runs.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../src/platform/database.ts';
import { systemClock } from '../src/platform/clock.ts';
import type { Principal } from '../src/identity/principal.ts';
import { createMeteringPoint } from '../src/metering/points.ts';
import { importReadingsFile } from '../src/metering/import-file.ts';
import type { BenchTarget } from './target.ts';
import { fmt, timed, type ReportRow } from './measure.ts';

const QUARTER_MS = 900_000;
const BATCH = 10_000;
/** Rows per COPY statement of the baseline: the baseline reads its file in slices this size. */
const COPY_SLICE = 500_000;
const COLUMNS = ['metering_point_id', 'interval_start', 'interval_end', 'wh', 'quality', 'source'] as const;

export interface ReadingsResult {
  rows: number;
  importMs: number;
  copyMs: number;
  peakRssMb: number;
  baseRssMb: number;
}

const pointId = (set: string, k: number) => `BENCH${set}${String(k).padStart(6, '0')}`;

/** Writes one multi-point CSV: every point's quarter hours in order, as a DataHub export would. */
async function writeFile(
  path: string,
  points: string[],
  start: number,
  quarters: number,
  copyFormat: boolean,
): Promise<void> {
  const out = createWriteStream(path);
  const write = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  if (!copyFormat) await write('metering_point_id,interval_start_datetime,interval_end_datetime,interval_usage\n');
  for (const p of points) {
    let chunk = '';
    for (let q = 0; q < quarters; q++) {
      const from = new Date(start + q * QUARTER_MS).toISOString(),
        to = new Date(start + (q + 1) * QUARTER_MS).toISOString();
      const wh = 100 + ((q * 37) % 400);
      chunk += copyFormat ? `${p},${from},${to},${wh},measured,bench\n` : `${p},${from},${to},${wh}\n`;
    }
    await write(chunk);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** COPYs the file slice by slice, so a 35-million-row file never sits in memory whole. */
async function copyFile(target: BenchTarget, path: string): Promise<void> {
  let slice: string[] = [];
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    if (!line) continue;
    slice.push(line);
    if (slice.length === COPY_SLICE) {
      await target.database.copyCsv('readings', COLUMNS, `${slice.join('\n')}\n`);
      slice = [];
    }
  }
  if (slice.length) await target.database.copyCsv('readings', COLUMNS, `${slice.join('\n')}\n`);
}

/** Peak resident memory while `work` runs, sampled every 50 ms. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  try {
    const value = await work();
    return { value, peakRssMb: Math.max(peak, process.memoryUsage.rss()) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

export async function benchReadings(
  target: BenchTarget,
  admin: Principal,
  accountId: number,
  points: number,
  days: number,
  log: (l: string) => void,
): Promise<ReadingsResult> {
  const db: Db = target.database.kysely;
  const quarters = days * 96;
  const start = Date.UTC(2024, 0, 1);
  const dir = await mkdtemp(join(tmpdir(), 'tally-bench-readings-'));
  try {
    const tally = Array.from({ length: points }, (_, k) => pointId('T', k));
    const copied = Array.from({ length: points }, (_, k) => pointId('C', k));
    // Both sets of points exist up front: the baseline's COPY needs its points for the foreign key.
    for (const id of [...tally, ...copied])
      await createMeteringPoint(db, admin, { id, type: 'consumption', account_id: accountId });
    const importPath = join(dir, 'import.csv'),
      copyPath = join(dir, 'copy.csv');
    await writeFile(importPath, tally, start, quarters, false);
    await writeFile(copyPath, copied, start, quarters, true);
    const rows = points * quarters;
    log(
      `readings: ${fmt(points)} points × ${fmt(quarters)} quarter hours = ${fmt(rows)} rows, ${fmt(BATCH)} per batch`,
    );
    global.gc?.();
    const baseRssMb = process.memoryUsage.rss() / 2 ** 20;
    const imported = await withPeakRss(() =>
      timed(() => importReadingsFile(db, admin, importPath, { batchSize: BATCH, now: systemClock.now() })),
    );
    if (imported.value.value.inserted !== rows)
      throw new Error(`readings: imported ${imported.value.value.inserted} of ${rows}`);
    const copy = await timed(() => copyFile(target, copyPath));
    log(
      `  import ${fmt(rows / (imported.value.ms / 1000))} rows/s, COPY ` +
        `${fmt(rows / (copy.ms / 1000))} rows/s, peak RSS ${fmt(imported.peakRssMb)} MB`,
    );
    return { rows, importMs: imported.value.ms, copyMs: copy.ms, peakRssMb: imported.peakRssMb, baseRssMb };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function readingsRow(r: ReadingsResult): ReportRow {
  const tally = r.rows / (r.importMs / 1000),
    copy = r.rows / (r.copyMs / 1000);
  return {
    benchmark: `reading import (${fmt(r.rows)} rows; peak RSS ${fmt(r.peakRssMb)} MB, ${fmt(r.baseRssMb)} MB before)`,
    tally: `${fmt(tally)} rows/s`,
    baseline: `${fmt(copy)} rows/s (COPY)`,
    ratio: `${fmt(tally / copy, 2)} × COPY`,
    target: '≥ 0.30 × COPY',
    met: tally / copy >= 0.3,
  };
}
