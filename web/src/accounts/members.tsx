// An account's members, each removable by any member after a confirmation; the API keeps at least
// one member and says so when asked to remove the last. Removing oneself leaves the account, so the
// page goes back to the list.
import { Button } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMe } from '../api/me';
import { ConfirmModal } from '../components/confirm-modal';
import { type Column, DataTable } from '../components/data-table';
import { Empty, Failed, Loading } from '../components/states';
import { utc } from '../format';
import { KEYS, useMembers } from './queries';
import { removeMember } from './send';
import { type Account, type Member, removeMemberWords } from './shape';

export function Members({ account }: { account: Account }) {
  const members = useMembers(account.id);
  const me = useMe();
  const [removing, setRemoving] = useState<Member>();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const isMe = (m: Member) => m.user_id === me.data?.id;

  const columns: Column<Member>[] = [
    { header: 'Name', cell: (m) => (isMe(m) ? `${m.name} (you)` : m.name) },
    { header: 'Email', cell: (m) => m.email },
    { header: 'Role', cell: (m) => m.role },
    { header: 'Joined', cell: (m) => utc(m.added_at) },
    {
      header: 'Change',
      cell: (m) => (
        <Button size="compact-sm" variant="default" onClick={() => setRemoving(m)} aria-label={`Remove ${m.name}`}>
          Remove
        </Button>
      ),
    },
  ];
  const removed = (m: Member) => {
    setRemoving(undefined);
    if (isMe(m)) {
      void queries.invalidateQueries({ queryKey: ['accounts'] });
      navigate('/accounts');
    } else void queries.invalidateQueries({ queryKey: KEYS.members(account.id) });
  };

  if (members.isPending) return <Loading what="members" />;
  if (members.isError) return <Failed error={members.error} />;
  if (members.data.length === 0) return <Empty>No members.</Empty>;
  return (
    <>
      <DataTable rows={members.data} columns={columns} rowKey={(m) => m.user_id} minWidth={640} label="Members" />
      <ConfirmModal
        opened={removing !== undefined}
        title="Remove a member"
        onClose={() => setRemoving(undefined)}
        prepared={removing ? { ok: true, request: removing } : { ok: false, missing: 'Choose a member.' }}
        words={(m) => removeMemberWords(m, account, isMe(m))}
        confirm={`Remove ${removing?.name ?? ''}`}
        send={(m, header) => removeMember(account.id, m.user_id, header)}
        onDone={(_, m) => removed(m)}
        danger
      />
    </>
  );
}
