// The members of a community as the caller may see them (a member's own users see only theirs).
import { Table } from '@mantine/core';
import type { components } from '../api/schema';
import { Empty } from '../components/states';
import { percent } from '../format';

export type Member = components['schemas']['CommunityMember'];

export function MemberTable({ members }: { members: Member[] }) {
  if (members.length === 0) return <Empty>No members yet.</Empty>;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Member</Table.Th>
            <Table.Th>Metering point</Table.Th>
            <Table.Th>Export point</Table.Th>
            <Table.Th>Key</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th>To</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>{m.name}</Table.Td>
              <Table.Td>{m.metering_point_id}</Table.Td>
              <Table.Td>{m.export_metering_point_id ?? '—'}</Table.Td>
              <Table.Td>{m.share === null ? '—' : percent(m.share)}</Table.Td>
              <Table.Td>{m.valid_from}</Table.Td>
              <Table.Td>{m.valid_to ?? 'open'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
