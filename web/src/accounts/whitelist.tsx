// An account's whitelist: the accounts whose transfers it accepts (a transfer from any other is
// refused), each removable after a confirmation, more added by id; and, read only, the accounts
// that accept transfers from it. Ids are shown as the API gives them, with the name of any
// account the user also reads.
import { Button, Group, List, Stack, Text, Title } from '@mantine/core';
import { upperFirst } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useAccounts } from '../api/accounts';
import { ConfirmModal } from '../components/confirm-modal';
import { Empty, Failed, Loading } from '../components/states';
import { KEYS, useWhitelist } from './queries';
import { changeWhitelist } from './send';
import { type Account, accountLabel, unwhitelistWords, type Whitelist as WhitelistView } from './shape';
import { WhitelistAdd } from './whitelist-add';

export function Whitelist({ account }: { account: Account }) {
  const whitelist = useWhitelist(account.id);
  const names = new Map((useAccounts().data?.items ?? []).map((a) => [a.id, a.account_name]));
  const named = (id: number) => (names.has(id) ? accountLabel({ id, account_name: names.get(id)! }) : `account ${id}`);
  const [removing, setRemoving] = useState<number>();
  const queries = useQueryClient();
  // The answer is the whitelist as it now stands: shown as is, without asking again.
  const changed = (now: WhitelistView) => queries.setQueryData(KEYS.whitelist(account.id), now);

  if (whitelist.isPending) return <Loading what="the whitelist" />;
  if (whitelist.isError) return <Failed error={whitelist.error} />;
  const { accepts_from, accepted_by } = whitelist.data;
  return (
    <Stack gap="md">
      <Stack gap="xs">
        <Title order={4} size="h5">
          Accepts transfers from
        </Title>
        {accepts_from.length === 0 ? (
          <Empty>No account: every transfer into {account.account_name} is refused until you add one.</Empty>
        ) : (
          <List listStyleType="none" spacing="xs" aria-label="Accounts whose transfers it accepts">
            {accepts_from.map((id) => (
              <List.Item key={id}>
                <Group gap="sm" wrap="nowrap">
                  <Text>{upperFirst(named(id))}</Text>
                  <Button
                    size="compact-sm"
                    variant="default"
                    onClick={() => setRemoving(id)}
                    aria-label={`Remove account ${id} from the whitelist`}
                  >
                    Remove
                  </Button>
                </Group>
              </List.Item>
            ))}
          </List>
        )}
        <WhitelistAdd account={account.id} onAdded={changed} />
      </Stack>
      <Stack gap="xs">
        <Title order={4} size="h5">
          Accepted by
        </Title>
        {accepted_by.length === 0 ? (
          <Empty>No account accepts transfers from {account.account_name} yet.</Empty>
        ) : (
          <Text>{upperFirst(accepted_by.map(named).join(', '))}.</Text>
        )}
      </Stack>
      <ConfirmModal
        opened={removing !== undefined}
        title="Remove from the whitelist"
        onClose={() => setRemoving(undefined)}
        prepared={
          removing ? { ok: true, request: { remove: [removing] } } : { ok: false, missing: 'Choose an account.' }
        }
        words={(change) => unwhitelistWords(named(change.remove[0]!), account)}
        confirm={`Remove account ${removing ?? ''}`}
        send={(change, header) => changeWhitelist(account.id, change, header)}
        onDone={(now) => {
          setRemoving(undefined);
          changed(now);
        }}
        danger
      />
    </Stack>
  );
}
