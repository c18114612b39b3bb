// A change confirmed first: the dialog says in words exactly what the request will do (worded from
// the very request that goes to the API), sends it with an Idempotency-Key once confirmed, and
// shows a refusal in the API's own words without closing. A success closes it through `onDone`.
import { Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { useId, useMediaQuery } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import type { FormEvent, ReactNode } from 'react';
import { dataOf } from '../api/client';
import { type KeyHeader, useIdempotent } from '../api/idempotency';
import { Failed } from './states';

/** The request to send, or what is still missing before it can be worded and sent. */
export type Prepared<R> = { ok: true; request: R } | { ok: false; missing: string };

/** What an openapi-fetch call answers. */
export interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export interface ConfirmProps<R, T> {
  opened: boolean;
  /** The dialog's title, also its accessible name. */
  title: string;
  onClose: () => void;
  prepared: Prepared<R>;
  /** The sentences saying what `request` will do, from the request itself. */
  words: (request: R) => string[];
  /** The confirming button's words: the verb and what it acts on (`Issue 1,000,000 Wh`). */
  confirm: string;
  /** Sends `request` with its Idempotency-Key header. */
  send: (request: R, header: KeyHeader) => Promise<Answer<T>>;
  /** After a success, with the API's answer and the request that got it. */
  onDone: (result: T, request: R) => void;
  /** Inputs the request takes inside the dialog (a new role), shown above the words. */
  children?: ReactNode;
  /** A change that cannot be undone from here: the button is red. */
  danger?: boolean;
}

export function ConfirmModal<R, T>({ opened, title, onClose, ...rest }: ConfirmProps<R, T>) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={title}
      size="lg"
      fullScreen={phone}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {opened && <ConfirmForm onClose={onClose} {...rest} />}
    </Modal>
  );
}

function ConfirmForm<R, T>({
  onClose,
  prepared,
  words,
  confirm,
  send,
  onDone,
  children,
  danger,
}: Omit<ConfirmProps<R, T>, 'opened' | 'title'>) {
  const idempotent = useIdempotent();
  const mutation = useMutation({
    mutationFn: async (request: R) => dataOf(await idempotent(request, (header) => send(request, header))),
    onSuccess: (result, request) => onDone(result, request),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (prepared.ok && !mutation.isPending) mutation.mutate(prepared.request);
  };
  // A refusal belongs to the request that got it: changed inputs make another request, unanswered yet.
  const refusedNow =
    mutation.isError && prepared.ok && JSON.stringify(mutation.variables) === JSON.stringify(prepared.request);
  const headingId = useId();
  return (
    <form onSubmit={submit}>
      <Stack>
        {children}
        <Paper withBorder p="sm" component="section" aria-labelledby={headingId}>
          <Title order={3} size="h5" id={headingId} mb="xs">
            What will happen
          </Title>
          <Stack gap="xs">
            {prepared.ok ? (
              words(prepared.request).map((line) => <Text key={line}>{line}</Text>)
            ) : (
              <Text>{prepared.missing}</Text>
            )}
          </Stack>
        </Paper>
        {refusedNow && <Failed error={mutation.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Back
          </Button>
          <Button type="submit" color={danger ? 'red' : undefined} disabled={!prepared.ok} loading={mutation.isPending}>
            {confirm}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
