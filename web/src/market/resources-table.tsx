// The user's resources on the market (everyone's for roles that read everything); each leads to
// the market's forecasts of it.
import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { type Column, DataTable } from '../components/data-table';
import { Paged } from '../components/paged';
import { utc } from '../format';
import { useResources } from './queries';
import { resourceKind } from './states';
import type { Resource } from './types';

const COLUMNS: Column<Resource>[] = [
  {
    header: 'Resource',
    cell: (r) => (
      <Anchor component={Link} to={`/market/resources/${r.id}`}>
        {r.name}
      </Anchor>
    ),
  },
  { header: 'What it is', cell: resourceKind },
  { header: 'Registered', cell: (r) => utc(r.registered_at) },
];

export function ResourcesTable() {
  return (
    <Paged list={useResources()} what="resources" empty="You have registered no resource on the market yet.">
      {(items) => <DataTable label="Resources" rows={items} columns={COLUMNS} rowKey={(r) => r.id} minWidth={560} />}
    </Paged>
  );
}
