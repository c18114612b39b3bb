// Every user (a page at a time) with their role and whether they may sign in; the administrator
// changes a role or deactivates a user from here, after a confirmation.
import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { api, dataOf } from '../api/client';
import { usePagedList } from '../api/paged-list';
import { ROLE_LABELS, type User } from '../api/roles';
import { type Column, DataTable } from '../components/data-table';
import { Done } from '../components/done';
import { Paged } from '../components/paged';
import { UserChange, type UserAction } from './user-change';
import { userState } from './user-requests';

const PAGE = 100;

export function UserList({ meId }: { meId: number }) {
  const users = usePagedList(['users'], async (cursor) =>
    dataOf(await api.GET('/api/users', { params: { query: { limit: PAGE, cursor } } })),
  );
  const [change, setChange] = useState<{ user: User; action: UserAction }>();
  const [done, setDone] = useState<string>();
  const columns: Column<User>[] = [
    {
      header: 'User',
      cell: (u) => (
        <>
          <Text size="sm" fw={500}>
            {u.name}
            {u.id === meId && ' (you)'}
          </Text>
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {u.email} · user {u.id}
          </Text>
        </>
      ),
    },
    { header: 'Role', cell: (u) => ROLE_LABELS[u.role] },
    { header: 'State', cell: userState },
    {
      header: 'Changes',
      // A deactivated user changes no more, and no one deactivates themselves: the API refuses both.
      cell: (u) =>
        u.deactivated_at === null && (
          <Group gap={6}>
            <Button
              size="xs"
              variant="outline"
              aria-label={`Change role of ${u.name}`}
              onClick={() => setChange({ user: u, action: 'role' })}
            >
              Change role
            </Button>
            {u.id !== meId && (
              <Button
                size="xs"
                variant="subtle"
                color="red"
                aria-label={`Deactivate ${u.name}`}
                onClick={() => setChange({ user: u, action: 'deactivate' })}
              >
                Deactivate
              </Button>
            )}
          </Group>
        ),
    },
  ];
  return (
    <>
      <Done text={done} onDismiss={() => setDone(undefined)} />
      <Paged list={users} what="users" empty="There is no user yet.">
        {(items) => <DataTable rows={items} columns={columns} rowKey={(u) => u.id} minWidth={640} label="Users" />}
      </Paged>
      {change && (
        <UserChange
          key={`${change.user.id}/${change.action}`}
          user={change.user}
          action={change.action}
          self={change.user.id === meId}
          onClose={() => setChange(undefined)}
          onDone={(text) => {
            setChange(undefined);
            setDone(text);
          }}
        />
      )}
    </>
  );
}
