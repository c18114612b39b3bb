// Readings this process imported, for /metrics: counted once the import's transaction committed.
// In-process counters (platform/metrics.ts says why): each process counts its own imports.
import { processCounter } from '../platform/metrics.ts';

const readings = processCounter(
  'tally_readings_imported_total',
  'Interval readings this process imported (committed), by outcome: inserted, revised or unchanged',
  ['outcome'],
);

/** Counts a committed import: call it once the transaction that wrote it committed. */
export function countImported(result: { inserted: number; revised: number; unchanged: number }): void {
  for (const outcome of ['inserted', 'revised', 'unchanged'] as const) readings.inc({ outcome }, result[outcome]);
}
