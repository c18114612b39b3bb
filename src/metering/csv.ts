// Meter readings as CSV: the template's columns (interval_start_datetime, interval_end_datetime,
// interval_usage, gross_net_indicator), optionally with metering_point_id (several points in one
// file) and quality. Every problem names its row, counting the header as row 1.
import type { Static } from 'typebox';
import { badRequest } from '../platform/errors.ts';
import { timestampMs, TIMESTAMP_RULE } from '../platform/timestamp.ts';
import { MAX_UPLOAD_READINGS } from './limits.ts';
import type { ReadingJson } from './schemas.ts';
import { QUALITIES, type Quality } from './tables.ts';

/**
 * One reading as it enters Tally, by any way in: a reading of the JSON upload schema (schemas.ts),
 * a CSV row, a row of a file, a DataHub reading. The point is named only where one request holds
 * several points' readings.
 */
export type ReadingInput = Static<typeof ReadingJson> & {
  metering_point_id?: string | undefined;
  /** Where the reading came from in the request, for error messages: `csv/row/3`, `body/readings/2`. */
  at: string;
};

const REQUIRED = ['interval_start_datetime', 'interval_end_datetime', 'interval_usage'] as const;
const KNOWN = new Set<string>([...REQUIRED, 'gross_net_indicator', 'metering_point_id', 'quality']);

/** Splits one CSV line (RFC 4180 quoting: "a, b" and "" for a quote inside). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells.map((x) => x.trim());
}

export function parseReadingsCsv(text: string): ReadingInput[] {
  const [header = '', ...lines] = text.split(/\r?\n/);
  let rows = 0;
  for (let k = 0; k < lines.length; k++) {
    if (lines[k]!.trim() && ++rows > MAX_UPLOAD_READINGS)
      throw badRequest(
        'too_many_rows',
        `an upload holds at most ${MAX_UPLOAD_READINGS} readings; split the file or use tally import readings`,
        `csv/row/${k + 2}`,
      );
  }
  return parseReadingLines(header, lines, 2);
}

/** A cell read as JSON's `date-time` is read: a CSV is no looser than JSON. */
function timestampCell(cells: string[], index: number, row: number, column: string): string {
  const text = cells[index]!;
  if (timestampMs(text) === undefined)
    throw badRequest(
      'invalid_reading',
      `row ${row}: ${column} ${JSON.stringify(text)} is not ${TIMESTAMP_RULE}`,
      `csv/row/${row}/${column}`,
    );
  // As JSON's: the text as sent, which every later step reads with Date.
  return text;
}

/** Rows under a header; `firstRow` is the file's row number of lines[0] (the header is row 1). */
export function parseReadingLines(headerLine: string, lines: string[], firstRow: number): ReadingInput[] {
  const header = splitCsvLine(headerLine);
  for (const column of REQUIRED)
    if (!header.includes(column)) throw badRequest('invalid_csv', `the header lacks the column ${column}`, 'csv/row/1');
  const unknown = header.find((h) => !KNOWN.has(h));
  if (unknown !== undefined) throw badRequest('invalid_csv', `unknown column ${unknown}`, 'csv/row/1');
  const col = (name: string) => header.indexOf(name);
  const readings: ReadingInput[] = [];
  for (let k = 0; k < lines.length; k++) {
    if (!lines[k]!.trim()) continue;
    const row = firstRow + k;
    const at = `csv/row/${row}`;
    const cells = splitCsvLine(lines[k]!);
    if (cells.length !== header.length)
      throw badRequest('invalid_csv', `row ${row} has ${cells.length} cells, the header ${header.length}`, at);
    const usage = cells[col('interval_usage')]!;
    if (!/^-?\d+$/.test(usage))
      throw badRequest(
        'invalid_reading',
        `row ${row}: interval_usage ${JSON.stringify(usage)} is not a whole number of Wh`,
        `${at}/interval_usage`,
      );
    const indicator = col('gross_net_indicator') >= 0 ? cells[col('gross_net_indicator')]! : '';
    if (indicator && indicator !== 'GROSS' && indicator !== 'NET')
      throw badRequest(
        'invalid_reading',
        `row ${row}: gross_net_indicator must be GROSS or NET`,
        `${at}/gross_net_indicator`,
      );
    const quality = col('quality') >= 0 ? cells[col('quality')] || undefined : undefined;
    if (quality !== undefined && !(QUALITIES as readonly string[]).includes(quality))
      throw badRequest('invalid_reading', `row ${row}: quality must be ${QUALITIES.join(', ')}`, `${at}/quality`);
    readings.push({
      metering_point_id: col('metering_point_id') >= 0 ? cells[col('metering_point_id')] : undefined,
      interval_start_datetime: timestampCell(cells, col('interval_start_datetime'), row, 'interval_start_datetime'),
      interval_end_datetime: timestampCell(cells, col('interval_end_datetime'), row, 'interval_end_datetime'),
      interval_usage: Number(usage),
      quality: quality as Quality | undefined,
      at,
    });
  }
  return readings;
}

/**
 * Readings by metering point. With `pointId` (an upload to one point) every row belongs to it
 * and a row naming another point is refused; without, every row must name its point.
 */
export function groupByPoint(rows: ReadingInput[], pointId?: string): Map<string, ReadingInput[]> {
  const byPoint = new Map<string, ReadingInput[]>();
  for (const r of rows) {
    if (pointId !== undefined && r.metering_point_id !== undefined && r.metering_point_id !== pointId) {
      throw badRequest(
        'other_metering_point',
        `${r.at} is for ${r.metering_point_id}, not ${pointId}`,
        `${r.at}/metering_point_id`,
      );
    }
    const id = pointId ?? r.metering_point_id;
    if (id === undefined)
      throw badRequest(
        'metering_point_required',
        `${r.at}: name the metering_point_id of every row of a multi-point upload`,
        `${r.at}/metering_point_id`,
      );
    const list = byPoint.get(id);
    if (list) list.push(r);
    else byPoint.set(id, [r]);
  }
  return byPoint;
}
