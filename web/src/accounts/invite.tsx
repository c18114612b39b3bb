// Inviting someone to an account by email or user id: a member's invitation waits for that user to
// accept it; an admin's adds the user at once.
import { Alert, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { OneFieldChange } from './one-field-change';
import { KEYS } from './queries';
import { invite } from './send';
import { type Account, inviteBody, invitedText } from './shape';

export function Invite({ account }: { account: Account }) {
  const queries = useQueryClient();
  return (
    <OneFieldChange
      intro={<Text size="sm">They join once they accept the invitation on their own Accounts page.</Text>}
      label="Email or user id"
      action="Invite"
      read={inviteBody}
      send={(body, header) => invite(account.id, body, header)}
      onSent={() => queries.invalidateQueries({ queryKey: KEYS.members(account.id) })}
      done={(answer) => (
        <Alert color="green" title="Invited" role="status">
          {invitedText(answer, account.account_name)}
        </Alert>
      )}
    />
  );
}
