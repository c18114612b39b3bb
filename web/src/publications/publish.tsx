// Publishing a document on decentralised storage: which (a disclosure, a sealed ledger block, a
// market session's forecasts) and on which storage. The API decides who may (an issuer or an admin
// anything, a disclosure's owner that disclosure) and refuses when no provider of that storage is
// registered; the form offers it to every signed-in user and shows the API's answer, a publication
// recorded even when its upload failed, or a refusal in its words.
import { Alert, Autocomplete, Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, dataOf } from '../api/client';
import { useIdempotent } from '../api/idempotency';
import { Failed } from '../components/states';
import { KINDS, type Kind, PUBLICATIONS_KEY, statusOf, subjectOf } from './shape';
import { useStorages } from './storages';

export function Publish() {
  const [kind, setKind] = useState<Kind>('disclosure');
  const [id, setId] = useState('');
  const [storage, setStorage] = useState('ipfs');
  const storages = useStorages();
  const idempotent = useIdempotent();
  const queries = useQueryClient();
  const publish = useMutation({
    mutationFn: async (body: { kind: Kind; id: string; storage_type: string }) =>
      dataOf(await idempotent(body, (header) => api.POST('/api/publications', { params: { header }, body }))),
    onSuccess: () => queries.invalidateQueries({ queryKey: [PUBLICATIONS_KEY] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (id.trim() && storage.trim() && !publish.isPending)
      publish.mutate({ kind, id: id.trim(), storage_type: storage.trim() });
  };
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      publish.reset();
    };
  const listed = storages.data ?? [];
  const done = publish.data;
  return (
    <Stack component="form" onSubmit={submit} gap="sm">
      <Text size="sm">
        Tally uploads the document as it stands now, signing and paying with its own wallet. An issuer or an admin
        publishes anything; a disclosure’s owner publishes that disclosure.
        {storages.isSuccess &&
          (listed.length === 0
            ? ' No storage is registered now.'
            : ` Storages registered now: ${listed.map((s) => s.type).join(', ')}.`)}
      </Text>
      <Group align="flex-end" wrap="wrap">
        <Select
          label="What to publish"
          data={KINDS.map((k) => ({ value: k.value, label: k.label }))}
          value={kind}
          onChange={(v) => v && changed(setKind)(v as Kind)}
          allowDeselect={false}
          style={{ flex: '1 1 14rem' }}
        />
        <TextInput
          label={KINDS.find((k) => k.value === kind)!.id}
          value={id}
          onChange={(e) => changed(setId)(e.target.value)}
          maxLength={64}
          style={{ flex: '2 1 18rem' }}
        />
        <Autocomplete
          label="Storage"
          data={listed.map((s) => s.type)}
          value={storage}
          onChange={changed(setStorage)}
          maxLength={64}
          style={{ flex: '1 1 10rem' }}
        />
        <Button type="submit" disabled={!id.trim() || !storage.trim()} loading={publish.isPending}>
          Publish
        </Button>
      </Group>
      {publish.isError && <Failed error={publish.error} />}
      {done && (
        <Alert
          color={done.cid === null ? 'yellow' : 'green'}
          title={done.cid === null ? 'Recorded, not stored' : 'Published'}
          role="status"
        >
          {subjectOf(done).text}: {statusOf(done.status).label.toLowerCase()}
          {done.cid === null ? ` (${done.failure}).` : ` on ${done.storage_type}, CID ${done.cid}.`}
        </Alert>
      )}
    </Stack>
  );
}
