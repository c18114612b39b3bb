// Creating an API key: the key itself is in the API's answer only (Tally keeps a digest), so it is
// shown here once, with a copy button and a plain warning, and forgotten when the reader is done
// or leaves the page. No Idempotency-Key: the API never stores an answer carrying a secret, so it
// ignores one on this route.
import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, dataOf } from '../api/client';
import { CopyValue } from '../components/copy-value';
import { OneFieldForm } from '../components/one-field-form';
import { Failed } from '../components/states';
import { KEYS } from './queries';

export function NewApiKey() {
  const [name, setName] = useState('');
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: async (keyName: string) => dataOf(await api.POST('/api/api-keys', { body: { name: keyName } })),
    // Not kept in the mutation cache once the form is gone: the secret lives no longer than the page.
    gcTime: 0,
    onSuccess: () => {
      setName('');
      return queries.invalidateQueries({ queryKey: KEYS.apiKeys });
    },
  });
  return (
    <OneFieldForm
      intro={<Text size="sm">A key lets a program act as you, without your password: name it for that program.</Text>}
      label="What the key is for"
      value={name}
      onChange={(value) => {
        setName(value);
        if (!create.isSuccess) create.reset();
      }}
      action="Create key"
      onSubmit={(value) => create.mutate(value)}
      pending={create.isPending}
      maxLength={200}
    >
      {create.isError && <Failed error={create.error} />}
      {create.isSuccess && (
        <Alert color="yellow" title={`Your new key “${create.data.name}”`} role="status">
          <Stack gap="xs">
            <CopyValue value={create.data.key} label="the new API key" />
            <Text fw={700}>Copy it now: it will not be shown again. Tally keeps only a digest of it.</Text>
            <Text size="sm">
              Send it as <code>Authorization: Bearer &lt;key&gt;</code> or <code>X-API-Key: &lt;key&gt;</code>.
            </Text>
            <Group>
              <Button variant="default" size="sm" onClick={() => create.reset()}>
                I have copied it
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
    </OneFieldForm>
  );
}
