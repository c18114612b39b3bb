// Inviting someone to an account by email or user id: a member's invitation waits for that user to
// accept it; an admin's adds the user at once.
import { Alert, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { dataOf } from '../api/client';
import { useIdempotent } from '../api/idempotency';
import { OneFieldForm } from '../components/one-field-form';
import { Failed } from '../components/states';
import { KEYS } from './queries';
import { invite as sendInvite } from './send';
import { type Account, type InviteBody, inviteBody, invitedText } from './shape';

export function Invite({ account }: { account: Account }) {
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string>();
  const idempotent = useIdempotent();
  const queries = useQueryClient();
  const invite = useMutation({
    mutationFn: async (body: InviteBody) =>
      dataOf(await idempotent(body, (header) => sendInvite(account.id, body, header))),
    onSuccess: () => {
      setTyped('');
      return queries.invalidateQueries({ queryKey: KEYS.members(account.id) });
    },
  });
  return (
    <OneFieldForm
      intro={<Text size="sm">They join once they accept the invitation on their own Accounts page.</Text>}
      label="Email or user id"
      value={typed}
      onChange={(value) => {
        setTyped(value);
        setProblem(undefined);
        invite.reset();
      }}
      action="Invite"
      onSubmit={(value) => {
        const body = inviteBody(value);
        setProblem(body.ok ? undefined : body.problem);
        if (body.ok) invite.mutate(body.value);
      }}
      pending={invite.isPending}
      problem={problem}
    >
      {invite.isError && <Failed error={invite.error} />}
      {invite.isSuccess && (
        <Alert color="green" title="Invited" role="status">
          {invitedText(invite.data, account.account_name)}
        </Alert>
      )}
    </OneFieldForm>
  );
}
