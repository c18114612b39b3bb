// The three states every page shows the same way: loading, failed (the API's problem, in its own
// words) and empty.
import { Alert, Center, Loader, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export function Loading({ what }: { what: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Loader size="sm" aria-hidden />
      <Text ml="sm">Loading {what}…</Text>
    </Center>
  );
}

export function Failed({ error }: { error: unknown }) {
  return (
    <Alert color="red" title="Refused" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </Alert>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Text c="dimmed" py="md">
      {children}
    </Text>
  );
}
