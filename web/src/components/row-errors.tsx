// The rows a refused CSV upload names. Tally's CSV imports (readings, storage, certificates) name
// the offending cell as `csv/row/N/<column>`, counting the header as row 1, in the problem's
// `errors`; some refusals (an overlap with stored readings) name the row in the detail only.
import { Table } from '@mantine/core';
import type { Problem } from '../api/client';

export interface RowProblem {
  /** The file's line, the header being row 1. */
  row: number;
  /** The column, or '' when the problem is the whole row's. */
  column: string;
  message: string;
}

const AT = /^csv\/row\/(\d+)(?:\/(.+))?$/;
const IN_DETAIL = /^csv\/row\/(\d+)\b/;

/** The message as a person reads it: rows called `row N`, without repeating the row it is listed under. */
function readable(message: string, row: number): string {
  return message.replace(/csv\/row\/(\d+)/g, 'row $1').replace(new RegExp(`^row ${row}: `), '');
}

/** The rows a problem names, in its order; none when it names no row (a refusal of the whole upload). */
export function rowProblems(problem: unknown): RowProblem[] {
  const p = (problem ?? {}) as Problem;
  const rows = (p.errors ?? []).flatMap((e) => {
    const at = AT.exec(e.field);
    if (!at) return [];
    const row = Number(at[1]);
    return [{ row, column: at[2] ?? '', message: readable(e.message, row) }];
  });
  if (rows.length > 0 || typeof p.detail !== 'string') return rows;
  const at = IN_DETAIL.exec(p.detail);
  if (!at) return [];
  const row = Number(at[1]);
  return [{ row, column: '', message: readable(p.detail, row) }];
}

export function RowErrors({ rows }: { rows: RowProblem[] }) {
  return (
    <Table captionSide="top">
      <Table.Caption>Rows refused: correct them and send the file again</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Row</Table.Th>
          <Table.Th>Column</Table.Th>
          <Table.Th>Problem</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={`${r.row}/${r.column}/${r.message}`}>
            <Table.Td>{r.row}</Table.Td>
            <Table.Td>{r.column || '—'}</Table.Td>
            <Table.Td>{r.message}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
