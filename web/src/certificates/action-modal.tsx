// An action on the selected bundles, confirmed first: the dialog says in words exactly what the
// request will do (worded from the request itself), sends it once confirmed, and shows a refusal in
// the API's own words without closing. A success closes it and refreshes what is listed.
import { Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { useId, useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { dataOf, idempotencyKey } from '../api/client';
import { Failed } from '../components/states';
import { exactWh } from '../format';
import { ActionInputs } from './action-fields';
import { ACTIONS, type ActionFields, type ActionName, type ActionRequest, NO_FIELDS, prepare } from './actions';
import { BUNDLES_KEY } from './bundles';
import { confirmation, doneText } from './confirmation';
import { send } from './send';
import type { Bundle, Holder } from './types';

interface Props {
  /** The action to confirm; none while the dialog is closed. */
  action: ActionName | undefined;
  bundles: Bundle[];
  holder: Holder;
  onClose: () => void;
  /** After a success, with the sentence saying what was done. */
  onDone: (text: string) => void;
}

export function ActionModal({ action, onClose, ...rest }: Props) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal
      opened={action !== undefined}
      onClose={onClose}
      title={action && `${ACTIONS[action].verb} certificates`}
      size="lg"
      fullScreen={phone}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {action && <ActionForm key={action} action={action} onClose={onClose} {...rest} />}
    </Modal>
  );
}

/**
 * The Idempotency-Key of a request: the same for the same request until it is answered, so a
 * retry after a lost answer cannot act twice; a new one once answered (a refusal the API stored
 * would otherwise be replayed after its cause is gone) or when the request changes.
 */
function useKeys() {
  const current = useRef<{ request: string; key: string } | undefined>(undefined);
  return {
    keyOf(request: ActionRequest) {
      const json = JSON.stringify(request);
      if (current.current?.request !== json) current.current = { request: json, key: idempotencyKey() };
      return current.current.key;
    },
    answered() {
      current.current = undefined;
    },
  };
}

function ActionForm({ action, bundles, holder, onClose, onDone }: Props & { action: ActionName }) {
  const [fields, setFields] = useState<ActionFields>(NO_FIELDS);
  const prepared = prepare(action, holder.id, bundles, fields);
  const keys = useKeys();
  const queries = useQueryClient();
  const mutation = useMutation({
    mutationFn: async (request: ActionRequest) => {
      const answer = await send(request, keys.keyOf(request));
      keys.answered();
      return dataOf(answer);
    },
    onSuccess: (result) => {
      // The listed bundles and every holdings summary changed.
      void queries.invalidateQueries({ queryKey: [BUNDLES_KEY] });
      void queries.invalidateQueries({ queryKey: ['summary'] });
      onDone(doneText(action, result));
    },
  });
  const set = (change: Partial<ActionFields>) => {
    mutation.reset();
    setFields((f) => ({ ...f, ...change }));
  };
  const confirm = (e: FormEvent) => {
    e.preventDefault();
    if (prepared.ok && !mutation.isPending) mutation.mutate(prepared.request);
  };
  const headingId = useId();
  const wh = prepared.ok
    ? (prepared.request.body.certificate_quantity ?? bundles.reduce((s, b) => s + b.bundle_quantity, 0))
    : undefined;
  return (
    <form onSubmit={confirm}>
      <Stack>
        <ActionInputs action={action} bundles={bundles} holder={holder} fields={fields} set={set} />
        <Paper withBorder p="sm" component="section" aria-labelledby={headingId}>
          <Title order={3} size="h5" id={headingId} mb="xs">
            What will happen
          </Title>
          <Stack gap="xs">
            {prepared.ok ? (
              confirmation(prepared.request, bundles, holder).map((line) => <Text key={line}>{line}</Text>)
            ) : (
              <Text>{prepared.missing}</Text>
            )}
          </Stack>
        </Paper>
        {mutation.isError && <Failed error={mutation.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Back
          </Button>
          <Button type="submit" disabled={!prepared.ok} loading={mutation.isPending}>
            {ACTIONS[action].verb}
            {wh !== undefined && ` ${exactWh(wh)}`}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
