// The administrator's change to one user, confirmed in words first: a new role (chosen in the
// dialog) or a deactivation. The answer refreshes the list, and the caller's own role when it was theirs.
import { Select } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { KeyHeader } from '../api/idempotency';
import { ROLE_LABELS, ROLES, type Role, type User } from '../api/roles';
import { ConfirmModal } from '../components/confirm-modal';
import { deactivateWords, prepareRole, type RoleChange, roleWords, who } from './user-requests';

export type UserAction = 'role' | 'deactivate';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));

const sendRole = ({ id, role }: RoleChange, header: KeyHeader) =>
  api.PATCH('/api/users/{id}', { params: { path: { id }, header }, body: { role } });

const sendDeactivate = ({ id }: { id: number }, header: KeyHeader) =>
  api.DELETE('/api/users/{id}', { params: { path: { id }, header } });

interface Props {
  user: User;
  action: UserAction;
  /** Whether the user is the caller. */
  self: boolean;
  onClose: () => void;
  onDone: (text: string) => void;
}

export function UserChange({ user, action, self, onClose, onDone }: Props) {
  const [role, setRole] = useState<Role>();
  const queries = useQueryClient();
  const changed = (text: string) => {
    onDone(text);
    void queries.invalidateQueries({ queryKey: ['users'] });
    // The caller's own role decides the navigation and this page: asked again.
    if (self) void queries.invalidateQueries({ queryKey: ['me'] });
  };
  if (action === 'deactivate')
    return (
      <ConfirmModal
        opened
        title="Deactivate user"
        onClose={onClose}
        prepared={{ ok: true, request: { id: user.id } }}
        words={() => deactivateWords(user)}
        confirm={`Deactivate ${user.name}`}
        danger
        send={sendDeactivate}
        onDone={(u) => changed(`Deactivated ${who(u)}.`)}
      />
    );
  return (
    <ConfirmModal
      opened
      title="Change role"
      onClose={onClose}
      prepared={prepareRole(user, role)}
      words={(change) => roleWords(change, user, self)}
      confirm={role && role !== user.role ? `Make ${user.name} ${ROLE_LABELS[role].toLowerCase()}` : 'Change role'}
      send={sendRole}
      onDone={(u) => changed(`${who(u)} is now ${ROLE_LABELS[u.role].toLowerCase()}.`)}
    >
      <Select
        label="New role"
        description={`Now: ${ROLE_LABELS[user.role]}.`}
        data={ROLE_OPTIONS}
        value={role ?? null}
        onChange={(v) => setRole((v as Role | null) ?? undefined)}
        allowDeselect={false}
        data-autofocus
      />
    </ConfirmModal>
  );
}
