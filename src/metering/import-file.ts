// `tally import readings FILE`: streams a readings CSV (template or multi-point) in batches, each
// batch all or nothing, in bounded memory, with progress on a terminal.
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { TallyError } from '../platform/errors.ts';
import { groupByPoint, parseReadingLines } from './csv.ts';
import { importReadings } from './readings.ts';
import type { ImportResult } from './schemas.ts';

export interface FileImport extends ImportResult {
  rows: number;
  batches: number;
  failed: Array<{ batch: number; error: string }>;
}

export interface FileImportOptions {
  /** Readings per transaction: one bad row refuses its whole batch and no more. */
  batchSize: number;
  /** For a single-point file without a metering_point_id column. */
  meteringPointId?: string | undefined;
  /** When the import runs: a reading of an interval not over by then is refused. */
  now: Date;
  onProgress?: (bytes: number, total: number, rows: number) => void;
}

export async function importReadingsFile(
  db: Db,
  principal: Principal,
  file: string,
  opts: FileImportOptions,
): Promise<FileImport> {
  const total = statSync(file).size;
  const stream = createReadStream(file, 'utf8');
  const result: FileImport = { inserted: 0, unchanged: 0, revised: 0, rows: 0, batches: 0, failed: [] };
  let header: string | undefined;
  let batch: string[] = [];
  let firstRow = 2;
  let bytes = 0;
  // Blank lines wait until a row follows them: inside the file they keep row numbers right, at its
  // end they are no rows.
  let blanks = 0;

  const flush = async () => {
    if (!header || batch.length === 0) return;
    result.batches++;
    try {
      const r = await importReadings(
        db,
        principal,
        groupByPoint(parseReadingLines(header, batch, firstRow), opts.meteringPointId),
        `file:${file}`,
        opts.now,
      );
      result.inserted += r.inserted;
      result.unchanged += r.unchanged;
      result.revised += r.revised;
    } catch (err) {
      if (!(err instanceof TallyError) || err.status >= 500) throw err;
      result.failed.push({ batch: result.batches, error: `${err.errors?.[0]?.field ?? ''} ${err.message}`.trim() });
    }
    result.rows += batch.filter((line) => line.trim()).length;
    firstRow += batch.length;
    batch = [];
    opts.onProgress?.(bytes, total, result.rows);
  };

  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    bytes += Buffer.byteLength(line) + 1;
    if (header === undefined) {
      header = line;
      continue;
    }
    if (!line.trim()) {
      blanks++;
      continue;
    }
    for (; blanks > 0; blanks--) batch.push('');
    batch.push(line);
    if (batch.length >= opts.batchSize) await flush();
  }
  await flush();
  return result;
}

/**
 * A one-line progress bar for a terminal; `startedAt` is a stopwatch reading (performance.now()),
 * not a time of day.
 */
export function progressBar(bytes: number, total: number, rows: number, startedAt: number): string {
  const share = total === 0 ? 1 : Math.min(1, bytes / total);
  const width = 30;
  const filled = Math.round(share * width);
  const seconds = (performance.now() - startedAt) / 1000;
  return (
    `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ` +
    `${rows.toLocaleString('en')} rows  ${Math.round(rows / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s`
  );
}
