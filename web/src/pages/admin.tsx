// Administration: the parts the caller's role may use, each a tab (arrow keys move between them).
// Users and roles for the administrator; issuing, withdrawing and automatic issuance for the issuing
// body (and the administrator, whom the API lets do everything). Anyone else is told there is
// nothing for them here.
import { Alert, Anchor, Stack, Tabs, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { AutoIssue } from '../admin/auto-issue';
import { IssueSection } from '../admin/issue';
import { PendingHours } from '../admin/pending';
import { NewUser } from '../admin/new-user';
import { SECTIONS, type SectionName, sectionsFor } from '../admin/sections';
import { UserList } from '../admin/users';
import { WithdrawSection } from '../admin/withdraw';
import { useMe } from '../api/me';
import { ROLE_LABELS, type User } from '../api/roles';
import { Section } from '../components/section';
import { Failed, Loading } from '../components/states';

function panel(name: SectionName, me: User): ReactNode {
  switch (name) {
    case 'users':
      return (
        <>
          <Section title="Users">
            <UserList meId={me.id} />
          </Section>
          <Section title="New user">
            <NewUser />
          </Section>
        </>
      );
    case 'issue':
      return (
        <Section title="Issue certificates">
          <IssueSection />
        </Section>
      );
    case 'withdraw':
      return (
        <Section title="Withdraw certificates">
          <WithdrawSection />
        </Section>
      );
    case 'issuance':
      return (
        <>
          <Section title="Automatic issuance by device">
            <AutoIssue />
          </Section>
          <Section title="Metered hours not yet issued">
            <PendingHours />
          </Section>
        </>
      );
  }
}

function Sections({ me }: { me: User }) {
  const names = sectionsFor(me.role);
  const [first] = names;
  if (!first)
    return (
      <Alert color="blue" title="Nothing to do here">
        Administration is for administrators and the issuing body. You are signed in as {me.email} (
        {ROLE_LABELS[me.role]}): your certificates and devices are on the{' '}
        {/* The darkest blue: the alert's tint under Mantine's link blue reads below 4.5:1. */}
        <Anchor component={Link} to="/dashboard" c="blue.9" underline="always" inherit>
          dashboard
        </Anchor>
        .
      </Alert>
    );
  return (
    <>
      <Text>
        Signed in as {me.email} ({ROLE_LABELS[me.role]}).
      </Text>
      {/* Only the open tab is mounted: the others ask the API nothing until opened. */}
      <Tabs defaultValue={first} keepMounted={false}>
        <Tabs.List aria-label="Administration">
          {names.map((n) => (
            <Tabs.Tab key={n} value={n}>
              {SECTIONS[n].label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {names.map((n) => (
          <Tabs.Panel key={n} value={n} pt="md">
            <Stack>{panel(n, me)}</Stack>
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}

export function AdminPage() {
  const me = useMe();
  return (
    <Stack>
      <Title order={2}>Administration</Title>
      {me.isPending && <Loading what="your role" />}
      {me.isError && <Failed error={me.error} />}
      {me.data && <Sections me={me.data} />}
    </Stack>
  );
}
