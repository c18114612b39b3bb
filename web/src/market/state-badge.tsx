// A state as the market's tables show it: a short label on a badge (a coloured dot, the words in
// the text colour so they keep their contrast) and, under it, what the state means.
import { Badge, Stack, Text } from '@mantine/core';
import type { StateLabel } from './states';

export function StateBadge({ state, withDetail = true }: { state: StateLabel; withDetail?: boolean }) {
  return (
    <Stack gap={2} align="flex-start">
      <Badge variant="dot" color={state.color} tt="none" size="md">
        {state.label}
      </Badge>
      {withDetail && (
        <Text size="xs" c="dimmed">
          {state.detail}
        </Text>
      )}
    </Stack>
  );
}
