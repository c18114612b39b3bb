// The administrator creates a user with a role, who can sign in at once (no verification step),
// after a confirmation naming them, their email and role.
import { Button, Group, PasswordInput, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import type { KeyHeader } from '../api/idempotency';
import { ROLE_LABELS, ROLES, type Role } from '../api/roles';
import { ConfirmModal } from '../components/confirm-modal';
import { Done } from '../components/done';
import { textBinding } from '../components/text-binding';
import { NO_NEW_USER, type NewUserBody, type NewUserFields, newUserWords, prepareNewUser, who } from './user-requests';

const send = (body: NewUserBody, header: KeyHeader) => api.POST('/api/users', { params: { header }, body });

export function NewUser() {
  const [fields, setFields] = useState<NewUserFields>(NO_NEW_USER);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string>();
  const queries = useQueryClient();
  const prepared = prepareNewUser(fields);
  const set = (change: Partial<NewUserFields>) => setFields((f) => ({ ...f, ...change }));
  const text = textBinding(fields, set);
  const review = (e: FormEvent) => {
    e.preventDefault();
    if (prepared.ok) setConfirming(true);
  };
  return (
    <Stack component="form" onSubmit={review} aria-label="New user" gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="Email" type="email" autoComplete="off" {...text('email')} />
        <TextInput label="Name" {...text('name')} />
        <Select
          label="Role"
          placeholder="Choose a role"
          data={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          value={fields.role ?? null}
          onChange={(v) => set({ role: (v as Role | null) ?? undefined })}
        />
        <PasswordInput
          label="Password"
          description="At least 10 characters; tell it to the user."
          autoComplete="new-password"
          {...text('password')}
        />
      </SimpleGrid>
      <Done text={done} onDismiss={() => setDone(undefined)} />
      <Group justify="space-between">
        <Text size="sm" c="dimmed" aria-live="polite">
          {prepared.ok ? 'Ready to review.' : prepared.missing}
        </Text>
        <Button type="submit" disabled={!prepared.ok}>
          Review new user
        </Button>
      </Group>
      <ConfirmModal
        opened={confirming}
        title="Create user"
        onClose={() => setConfirming(false)}
        prepared={prepared}
        words={newUserWords}
        confirm="Create user"
        send={send}
        onDone={(user) => {
          setConfirming(false);
          setFields(NO_NEW_USER);
          setDone(`Created ${who(user)}.`);
          void queries.invalidateQueries({ queryKey: ['users'] });
        }}
      />
    </Stack>
  );
}
