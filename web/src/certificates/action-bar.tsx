// The selection in words, and the actions that take it.
import { Button, Group, Text } from '@mantine/core';
import { exactWh } from '../format';
import { ACTION_NAMES, ACTIONS, type ActionName } from './actions';
import type { Bundle } from './types';
import { bundlesWh } from './wh';

interface Props {
  bundles: Bundle[];
  onAction: (action: ActionName) => void;
  onClear: () => void;
}

/** The selection in a sentence: how many bundles and their Wh. */
export const selectedText = (bundles: readonly Bundle[]) =>
  bundles.length === 0
    ? 'No bundle selected.'
    : `${bundles.length} bundle${bundles.length === 1 ? '' : 's'} selected, ${exactWh(bundlesWh(bundles))}.`;

export function ActionBar({ bundles, onAction, onClear }: Props) {
  const none = bundles.length === 0;
  return (
    <Group justify="space-between" gap="xs">
      <Group gap="xs">
        <Text role="status" fw={500}>
          {selectedText(bundles)}
        </Text>
        {!none && (
          <Button size="xs" variant="subtle" onClick={onClear}>
            Clear selection
          </Button>
        )}
      </Group>
      <Group gap="xs" role="group" aria-label="Actions on the selected bundles">
        {ACTION_NAMES.map((a) => (
          <Button key={a} size="xs" variant="outline" disabled={none} onClick={() => onAction(a)}>
            {ACTIONS[a].verb}
          </Button>
        ))}
      </Group>
    </Group>
  );
}
