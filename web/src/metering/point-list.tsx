// The metering points the user may read, a page at a time, with the device each one feeds.
import { Anchor, Button, Table } from '@mantine/core';
import { Link } from 'react-router';
import { Empty, Failed, Loading } from '../components/states';
import { useDeviceList, usePointList } from './queries';

export function PointList() {
  const list = usePointList();
  // The devices' names from the device list's own answer (the same query, asked once).
  const devices = useDeviceList();
  const deviceNames = new Map(devices.data?.pages.flatMap((p) => p.items).map((d) => [d.id, d.device_name]));
  const points = list.data?.pages.flatMap((p) => p.items) ?? [];
  if (list.isPending) return <Loading what="metering points" />;
  if (list.isError) return <Failed error={list.error} />;
  if (points.length === 0) return <Empty>No metering point is registered in your accounts.</Empty>;
  return (
    <>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Metering point</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Feeds</Table.Th>
            <Table.Th>Grid area</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {points.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{p.id}</Table.Td>
              <Table.Td>{p.type}</Table.Td>
              <Table.Td>
                {p.device_id === null ? (
                  '—'
                ) : (
                  <Anchor component={Link} to={`/devices/${p.device_id}`} size="sm">
                    {deviceNames.get(p.device_id) ?? `Device ${p.device_id}`}
                  </Anchor>
                )}
              </Table.Td>
              <Table.Td>{p.grid_area ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {list.hasNextPage && (
        <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
          Show more metering points
        </Button>
      )}
    </>
  );
}
