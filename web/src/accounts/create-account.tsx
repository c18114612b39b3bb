// Creating an account: the signed-in user becomes its first member; it belongs to the user's
// organisation, if any (the API decides).
import { Alert } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { dataOf } from '../api/client';
import { useIdempotent } from '../api/idempotency';
import { OneFieldForm } from '../components/one-field-form';
import { Failed } from '../components/states';
import { createAccount } from './send';
import { accountLabel } from './shape';

export function CreateAccount() {
  const [name, setName] = useState('');
  const idempotent = useIdempotent();
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: async (name: string) => dataOf(await idempotent(name, (header) => createAccount(name, header))),
    onSuccess: () => {
      setName('');
      return queries.invalidateQueries({ queryKey: ['accounts'] });
    },
  });
  return (
    <OneFieldForm
      label="Name of the new account"
      value={name}
      onChange={(value) => {
        setName(value);
        create.reset();
      }}
      action="Create account"
      onSubmit={(value) => create.mutate(value)}
      pending={create.isPending}
      maxLength={200}
    >
      {create.isError && <Failed error={create.error} />}
      {create.isSuccess && (
        <Alert color="green" title="Created" role="status">
          {accountLabel(create.data)} is yours: you are its first member.
        </Alert>
      )}
    </OneFieldForm>
  );
}
