// What an accepted readings upload changed: every row was accepted (uploads are all or nothing).
import { Alert } from '@mantine/core';
import type { ImportResult } from './types';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function importSummary(r: ImportResult): string {
  return (
    `Accepted ${plural(r.inserted + r.revised + r.unchanged, 'row')}: ` +
    `${r.inserted} new, ${r.revised} revised, ${r.unchanged} unchanged.`
  );
}

export function ImportSummary({ result }: { result: ImportResult }) {
  return (
    <Alert color="green" title="Accepted" role="status">
      {importSummary(result)}
    </Alert>
  );
}
