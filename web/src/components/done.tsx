// What the API answered a change did, in a sentence the person can dismiss.
import { Alert } from '@mantine/core';

export function Done({ text, onDismiss }: { text: string | undefined; onDismiss: () => void }) {
  if (!text) return null;
  return (
    <Alert color="green" title="Done" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={onDismiss}>
      {text}
    </Alert>
  );
}
