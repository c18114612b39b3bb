// Adding accounts to a whitelist by id, several at once ("5, 7"): ids that are not whole numbers
// are named before anything is sent; the API refuses an account that does not exist, or the
// account itself, in its own words, and then adds none of them.
import { Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { dataOf } from '../api/client';
import { useIdempotent } from '../api/idempotency';
import { OneFieldForm } from '../components/one-field-form';
import { Failed } from '../components/states';
import { idList } from '../format';
import { accountIds, type Whitelist } from './shape';
import { changeWhitelist } from './send';

export function WhitelistAdd({ account, onAdded }: { account: number; onAdded: (now: Whitelist) => void }) {
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string>();
  const idempotent = useIdempotent();
  const add = useMutation({
    mutationFn: async (ids: number[]) => {
      const change = { add: ids };
      return dataOf(await idempotent(change, (header) => changeWhitelist(account, change, header)));
    },
    onSuccess: (now) => {
      setTyped('');
      onAdded(now);
    },
  });
  return (
    <OneFieldForm
      label="Account ids to accept transfers from"
      value={typed}
      onChange={(value) => {
        setTyped(value);
        setProblem(undefined);
        add.reset();
      }}
      action="Add"
      onSubmit={(value) => {
        const ids = accountIds(value);
        setProblem(ids.ok ? undefined : ids.problem);
        if (ids.ok) add.mutate(ids.value);
      }}
      pending={add.isPending}
      problem={problem}
    >
      {add.isError && <Failed error={add.error} />}
      {add.isSuccess && (
        <Text role="status" size="sm">
          Added {add.variables.length === 1 ? 'account' : 'accounts'} {idList(add.variables)}.
        </Text>
      )}
    </OneFieldForm>
  );
}
