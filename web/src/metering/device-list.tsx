// The devices the user may read, a page at a time; each leads to its hours.
import { Anchor, Button, Table } from '@mantine/core';
import { Link } from 'react-router';
import { Empty, Failed, Loading } from '../components/states';
import { power } from '../format';
import { issuanceMode, technology } from './device-facts';
import { useDeviceList } from './queries';

export function DeviceList() {
  const list = useDeviceList();
  const devices = list.data?.pages.flatMap((p) => p.items) ?? [];
  if (list.isPending) return <Loading what="devices" />;
  if (list.isError) return <Failed error={list.error} />;
  if (devices.length === 0) return <Empty>No device is registered in your accounts.</Empty>;
  return (
    <>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Device</Table.Th>
            <Table.Th>Technology</Table.Th>
            <Table.Th>Capacity</Table.Th>
            <Table.Th>Issuance</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {devices.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>
                <Anchor component={Link} to={`/devices/${d.id}`} size="sm">
                  {d.device_name}
                </Anchor>
              </Table.Td>
              <Table.Td>{technology(d)}</Table.Td>
              <Table.Td>{power(d.capacity)}</Table.Td>
              <Table.Td>{issuanceMode(d).label}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {list.hasNextPage && (
        <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
          Show more devices
        </Button>
      )}
    </>
  );
}
