// The inputs an action asks for beyond the selection: how many Wh of a single bundle, the target
// account, the beneficiary, the consumer and period of a claim.
import { NumberInput, TextInput } from '@mantine/core';
import { textBinding } from '../components/text-binding';
import { exactWh } from '../format';
import { ACTIONS, type ActionFields, type ActionName } from './actions';
import type { Bundle, Holder } from './types';

interface Props {
  action: ActionName;
  bundles: Bundle[];
  holder: Holder;
  fields: ActionFields;
  set: (change: Partial<ActionFields>) => void;
}

/** NumberInput's value as a positive whole number, else unset. */
const whole = (value: number | string) => (typeof value === 'number' && value >= 1 ? value : undefined);

export function ActionInputs({ action, bundles, holder, fields, set }: Props) {
  const only = bundles.length === 1 ? bundles[0] : undefined;
  const text = textBinding(fields, set);
  return (
    <>
      {action === 'transfer' && (
        <NumberInput
          label="Target account id"
          description={`The account must have whitelisted account ${holder.id}.`}
          required
          data-autofocus
          min={1}
          allowDecimal={false}
          allowNegative={false}
          value={fields.targetId ?? ''}
          onChange={(v) => set({ targetId: whole(v) })}
        />
      )}
      {action === 'cancel' && (
        <>
          <TextInput label="Beneficiary" required data-autofocus maxLength={500} {...text('beneficiary')} />
          <TextInput label="Purpose" placeholder="e.g. Scope 2 reporting" maxLength={500} {...text('purpose')} />
        </>
      )}
      {action === 'claim' && (
        <>
          <TextInput
            label="Consumer"
            description="A named consumer, a consumption metering point of this account, or both."
            data-autofocus
            maxLength={500}
            {...text('consumer')}
          />
          <TextInput label="Consumption metering point id" maxLength={500} {...text('meteringPointId')} />
          <TextInput type="datetime-local" label="Consumption from (UTC)" {...text('periodStart')} />
          <TextInput type="datetime-local" label="Consumption until (UTC)" {...text('periodEnd')} />
        </>
      )}
      {only && (
        <NumberInput
          label={`Wh to ${ACTIONS[action].verb.toLowerCase()}`}
          description={
            `Empty for the whole bundle, ${exactWh(only.bundle_quantity)}. ` +
            'Fewer Wh split it: the lowest certificate ids are acted on, the bundle keeps the rest.'
          }
          min={1}
          max={only.bundle_quantity}
          allowDecimal={false}
          allowNegative={false}
          value={fields.wh ?? ''}
          onChange={(v) => set({ wh: whole(v) })}
        />
      )}
    </>
  );
}
