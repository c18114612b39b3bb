// The invitations waiting for the signed-in user: accepting one joins its account, declining it
// ends it; either answer is final and goes into the ledger. Shown only while there are any.
import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { dataOf } from '../api/client';
import { useIdempotent } from '../api/idempotency';
import { Failed, Loading } from '../components/states';
import { utc } from '../format';
import { KEYS, useInvitations } from './queries';
import { answerInvitation } from './send';
import type { Invitation } from './shape';

interface Answer {
  invitation: Invitation;
  accept: boolean;
}

export function Invitations() {
  const invitations = useInvitations();
  const idempotent = useIdempotent();
  const queries = useQueryClient();
  const answer = useMutation({
    mutationFn: async ({ invitation, accept }: Answer) =>
      dataOf(await idempotent([invitation.id, accept], (header) => answerInvitation(invitation.id, accept, header))),
    onSuccess: () =>
      Promise.all([
        queries.invalidateQueries({ queryKey: KEYS.invitations }),
        queries.invalidateQueries({ queryKey: ['accounts'] }),
      ]),
  });
  if (invitations.isPending) return <Loading what="your invitations" />;
  if (invitations.isError) return <Failed error={invitations.error} />;
  const done = answer.isSuccess && (
    <Alert color="green" title={answer.data.status === 'accepted' ? 'Joined' : 'Declined'} role="status">
      {answer.data.status === 'accepted'
        ? `You are a member of account ${answer.data.account_id} now.`
        : `You declined to join account ${answer.data.account_id}.`}
    </Alert>
  );
  if (invitations.data.length === 0) return done || null;
  return (
    <Card withBorder component="section" aria-label="Invitations">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Invitations
        </Title>
        <Text>A member of each account below invited you to join it. Either answer is final.</Text>
        {invitations.data.map((inv) => (
          <Group key={inv.id} justify="space-between" wrap="wrap" gap="xs">
            <Text>
              Account {inv.account_id}, invited by user {inv.invited_by} on {utc(inv.created_at)}
            </Text>
            <Group gap="xs">
              <Button
                size="sm"
                aria-label={`Accept the invitation to account ${inv.account_id}`}
                loading={answer.isPending && answer.variables.invitation.id === inv.id && answer.variables.accept}
                disabled={answer.isPending}
                onClick={() => answer.mutate({ invitation: inv, accept: true })}
              >
                Accept
              </Button>
              <Button
                size="sm"
                variant="default"
                aria-label={`Decline the invitation to account ${inv.account_id}`}
                loading={answer.isPending && answer.variables.invitation.id === inv.id && !answer.variables.accept}
                disabled={answer.isPending}
                onClick={() => answer.mutate({ invitation: inv, accept: false })}
              >
                Decline
              </Button>
            </Group>
          </Group>
        ))}
        {answer.isError && <Failed error={answer.error} />}
        {done}
      </Stack>
    </Card>
  );
}
