// Creating an account: the signed-in user becomes its first member; it belongs to the user's
// organisation, if any (the API decides).
import { Alert } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { OneFieldChange } from './one-field-change';
import { createAccount } from './send';
import { accountLabel } from './shape';

/** Any name is one: the API says what it refuses. */
const anyName = (name: string) => ({ ok: true as const, value: name });

export function CreateAccount() {
  const queries = useQueryClient();
  return (
    <OneFieldChange
      label="Name of the new account"
      action="Create account"
      maxLength={200}
      read={anyName}
      send={createAccount}
      onSent={() => queries.invalidateQueries({ queryKey: ['accounts'] })}
      done={(account) => (
        <Alert color="green" title="Created" role="status">
          {accountLabel(account)} is yours: you are its first member.
        </Alert>
      )}
    />
  );
}
