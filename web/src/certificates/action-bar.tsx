// The selection in words, and the actions that take it.
import { Button, Group, Text } from '@mantine/core';
import { exactWh } from '../format';
import { ACTION_NAMES, ACTIONS, type ActionName } from './actions';
import type { Bundle } from './types';

interface Props {
  bundles: Bundle[];
  onAction: (action: ActionName) => void;
  onClear: () => void;
}

export function ActionBar({ bundles, onAction, onClear }: Props) {
  const none = bundles.length === 0;
  const wh = bundles.reduce((s, b) => s + b.bundle_quantity, 0);
  return (
    <Group justify="space-between" gap="xs">
      <Group gap="xs">
        <Text role="status" fw={500}>
          {none
            ? 'No bundle selected.'
            : `${bundles.length} bundle${bundles.length === 1 ? '' : 's'} selected, ${exactWh(wh)}.`}
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
