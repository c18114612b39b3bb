// Accounts, for the signed-in user: the accounts it may read, invitations to join others, creating
// one; one account's members (invite, remove) and whitelist (add, remove); and the user's API keys
// (create, shown once; revoke). Every change that cannot be undone is confirmed first, and every
// refusal is shown in the API's words.
import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { AccountList } from '../accounts/account-list';
import { ApiKeys } from '../accounts/api-keys';
import { CreateAccount } from '../accounts/create-account';
import { Invitations } from '../accounts/invitations';
import { Invite } from '../accounts/invite';
import { Members } from '../accounts/members';
import { NewApiKey } from '../accounts/new-api-key';
import { useAccount } from '../accounts/queries';
import { AccountsTabs } from '../accounts/tabs';
import { Whitelist } from '../accounts/whitelist';
import { Section } from '../components/section';
import { Failed, Loading } from '../components/states';
import { utc } from '../format';

export function AccountsPage() {
  return (
    <Stack>
      <Title order={2}>Accounts</Title>
      <AccountsTabs />
      <Invitations />
      <Section title="Your accounts">
        <AccountList />
      </Section>
      <Section title="New account">
        <CreateAccount />
      </Section>
    </Stack>
  );
}

export function AccountPage() {
  const id = Number(useParams().id);
  const account = useAccount(id);
  return (
    <Stack>
      <Anchor component={Link} to="/accounts">
        All accounts
      </Anchor>
      {account.isPending && <Loading what="the account" />}
      {account.isError && <Failed error={account.error} />}
      {account.data && (
        <>
          <Title order={2}>{account.data.account_name}</Title>
          <Text>
            Account {account.data.id}, created {utc(account.data.created_at)}
            {account.data.closed_at !== null && `, closed ${utc(account.data.closed_at)}`}.
          </Text>
          <Section title="Members">
            <Members account={account.data} />
            <Invite account={account.data} />
          </Section>
          <Section title="Whitelist">
            <Text size="sm">
              A transfer into this account is accepted only from the accounts listed here; the registry refuses any
              other.
            </Text>
            <Whitelist account={account.data} />
          </Section>
        </>
      )}
    </Stack>
  );
}

export function ApiKeysPage() {
  return (
    <Stack>
      <Title order={2}>API keys</Title>
      <AccountsTabs />
      <Section title="New API key">
        <NewApiKey />
      </Section>
      <Section title="Your API keys">
        <ApiKeys />
      </Section>
    </Stack>
  );
}
