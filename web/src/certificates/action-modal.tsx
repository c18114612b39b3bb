// An action on the selected bundles, confirmed first (components/confirm-modal.tsx): the inputs the
// action asks for, the words of exactly what its request will do, and the request sent once
// confirmed. A success closes the dialog and refreshes what is listed.
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmModal, type Prepared } from '../components/confirm-modal';
import { exactWh } from '../format';
import { ActionInputs } from './action-fields';
import { ACTIONS, type ActionFields, type ActionName, type ActionRequest, NO_FIELDS, prepare } from './actions';
import { BUNDLES_KEY } from './bundles';
import { confirmation, doneText } from './confirmation';
import { send } from './send';
import type { Bundle, Holder } from './types';
import { bundlesWh } from './wh';

interface Props {
  /** The action to confirm; none while the dialog is closed. */
  action: ActionName | undefined;
  bundles: Bundle[];
  holder: Holder;
  onClose: () => void;
  /** After a success, with the sentence saying what was done. */
  onDone: (text: string) => void;
}

export function ActionModal({ action, bundles, holder, onClose, onDone }: Props) {
  const [fields, setFields] = useState<ActionFields>(NO_FIELDS);
  // Each opening starts from empty inputs: when the action changes (closed, or opened), so do they.
  const [shown, setShown] = useState(action);
  if (action !== shown) {
    setShown(action);
    setFields(NO_FIELDS);
  }
  const queries = useQueryClient();
  const set = (change: Partial<ActionFields>) => setFields((f) => ({ ...f, ...change }));
  // Closed, there is nothing to word or send: the dialog shows nothing.
  const prepared: Prepared<ActionRequest> = action
    ? prepare(action, holder.id, bundles, fields)
    : { ok: false, missing: '' };
  const verb = action ? ACTIONS[action].verb : '';
  const wh = prepared.ok ? (prepared.request.body.certificate_quantity ?? bundlesWh(bundles)) : undefined;
  return (
    <ConfirmModal
      opened={action !== undefined}
      title={action ? `${verb} certificates` : ''}
      onClose={onClose}
      prepared={prepared}
      words={(request) => confirmation(request, bundles, holder)}
      confirm={wh === undefined ? verb : `${verb} ${exactWh(wh)}`}
      send={send}
      onDone={(result, request) => {
        // The listed bundles and every holdings summary changed.
        void queries.invalidateQueries({ queryKey: [BUNDLES_KEY] });
        void queries.invalidateQueries({ queryKey: ['summary'] });
        onDone(doneText(request.action, result));
      }}
    >
      {action && <ActionInputs action={action} bundles={bundles} holder={holder} fields={fields} set={set} />}
    </ConfirmModal>
  );
}
