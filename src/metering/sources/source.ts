// A source of meter data outside Tally (a DataHub), read on a schedule.
import type { ReadingInput } from '../csv.ts';

export interface AuthorisedPoint {
  id: string;
  type: 'production' | 'consumption';
}

export interface MeterDataSource {
  /** Stable name, recorded as each reading's source: `datahub:<name>`. */
  readonly name: string;
  /** The metering points the source has authorised Tally to read. */
  authorisedPoints(): Promise<AuthorisedPoint[]>;
  /** Readings of these points over [from, to), by point; whole days, as DataHubs serve them. */
  readings(pointIds: string[], from: Date, to: Date): Promise<Map<string, ReadingInput[]>>;
}

/** A refusal from the source that retrying now will not cure (bad token, bad request). */
export class SourceError extends Error {}
