// The intervals of an issuance as a list of small forms: when each starts and ends (UTC) and the
// Wh metered in it. A start fills an empty end an hour later; "Add interval" continues from the
// last one's end, as long as it.
import { ActionIcon, Button, Fieldset, Group, NumberInput, SimpleGrid, TextInput } from '@mantine/core';
import { type IntervalRow, NO_ROW, nextRow, shifted } from './issue-request';

const HOUR_MS = 3_600_000;

interface Props {
  rows: IntervalRow[];
  onChange: (rows: IntervalRow[]) => void;
  /** What the Wh inputs say under them: the device's limit. */
  whHint?: string;
}

export function IntervalRows({ rows, onChange, whHint }: Props) {
  const set = (index: number, change: Partial<IntervalRow>) =>
    onChange(rows.map((r, i) => (i === index ? { ...r, ...change } : r)));
  return (
    <>
      {rows.map((row, i) => {
        const n = i + 1;
        return (
          // By position: the rows have no identity but their place, and removing one renumbers the rest.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <Fieldset key={i} legend={`Interval ${n}`} variant="filled" p="sm">
            <Group align="flex-end" wrap="nowrap" gap="xs">
              <SimpleGrid cols={{ base: 1, sm: 3 }} style={{ flex: 1 }} spacing="xs">
                <TextInput
                  type="datetime-local"
                  label="Starts (UTC)"
                  value={row.start}
                  onChange={(e) => {
                    const start = e.currentTarget.value;
                    set(i, { start, ...(row.end === '' && { end: shifted(start, HOUR_MS) }) });
                  }}
                />
                <TextInput
                  type="datetime-local"
                  label="Ends (UTC)"
                  value={row.end}
                  onChange={(e) => set(i, { end: e.currentTarget.value })}
                />
                <NumberInput
                  label="Wh metered"
                  description={whHint}
                  min={1}
                  allowDecimal={false}
                  allowNegative={false}
                  thousandSeparator=","
                  value={row.wh ?? ''}
                  onChange={(v) => set(i, { wh: typeof v === 'number' && v >= 1 ? v : undefined })}
                />
              </SimpleGrid>
              {rows.length > 1 && (
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="lg"
                  aria-label={`Remove interval ${n}`}
                  onClick={() => onChange(rows.filter((_, j) => j !== i))}
                >
                  ×
                </ActionIcon>
              )}
            </Group>
          </Fieldset>
        );
      })}
      <Group>
        <Button variant="default" onClick={() => onChange([...rows, nextRow(rows.at(-1) ?? NO_ROW)])}>
          Add interval
        </Button>
      </Group>
    </>
  );
}
