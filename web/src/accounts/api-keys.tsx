// The signed-in user's API keys, revoked ones included (Tally keeps only a digest of each, so a key
// is recognised by its name and first characters), each active one revocable after a confirmation.
import { Badge, Button, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmModal } from '../components/confirm-modal';
import { type Column, DataTable } from '../components/data-table';
import { Empty, Failed, Loading } from '../components/states';
import { utc } from '../format';
import { KEYS, useApiKeys } from './queries';
import { revokeApiKey } from './send';
import { type ApiKey, revokeWords } from './shape';

export function ApiKeys() {
  const keys = useApiKeys();
  const [revoking, setRevoking] = useState<ApiKey>();
  const queries = useQueryClient();
  const columns: Column<ApiKey>[] = [
    { header: 'Name', cell: (k) => k.name },
    {
      header: 'Starts with',
      cell: (k) => (
        <Text span ff="monospace" inherit>
          {k.prefix}…
        </Text>
      ),
    },
    { header: 'Created', cell: (k) => utc(k.created_at) },
    { header: 'Last used', cell: (k) => (k.last_used_at === null ? 'Never' : utc(k.last_used_at)) },
    {
      header: 'State',
      cell: (k) =>
        k.revoked_at === null ? (
          // A coloured dot, the word in the text colour: it keeps its contrast.
          <Badge color="green" variant="dot" tt="none" size="md">
            Active
          </Badge>
        ) : (
          `Revoked ${utc(k.revoked_at)}`
        ),
    },
    {
      header: 'Change',
      cell: (k) =>
        k.revoked_at === null && (
          <Button size="compact-sm" variant="default" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
            Revoke
          </Button>
        ),
    },
  ];

  if (keys.isPending) return <Loading what="your API keys" />;
  if (keys.isError) return <Failed error={keys.error} />;
  if (keys.data.length === 0) return <Empty>You have no API key.</Empty>;
  return (
    <>
      <DataTable rows={keys.data} columns={columns} rowKey={(k) => k.id} minWidth={720} label="API keys" />
      <ConfirmModal
        opened={revoking !== undefined}
        title="Revoke an API key"
        onClose={() => setRevoking(undefined)}
        prepared={revoking ? { ok: true, request: revoking } : { ok: false, missing: 'Choose a key.' }}
        words={revokeWords}
        confirm={`Revoke ${revoking?.name ?? ''}`}
        send={(k, header) => revokeApiKey(k.id, header)}
        onDone={() => {
          setRevoking(undefined);
          void queries.invalidateQueries({ queryKey: KEYS.apiKeys });
        }}
        danger
      />
    </>
  );
}
