// The public ledger explorer: sealed blocks, the events of a block, and any event's inclusion
// proof verified here in the browser (ledger/verdict.tsx) against the block's published root, with a
// verdict that says what was checked.
import { Anchor, Badge, Button, Code, Group, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, dataOf } from '../api/client';
import { Empty, Failed, Loading } from '../components/states';
import { type Verdict, VerdictAlert, verdictOn } from '../ledger/verdict';

/** A hash in full, broken anywhere so it never widens a narrow screen. */
const Hash = ({ hex }: { hex: string }) => <Code style={{ wordBreak: 'break-all' }}>{hex}</Code>;

function ProofChecker({ initial }: { initial?: number }) {
  const [eventId, setEventId] = useState<number | string>(initial ?? '');
  const [verdict, setVerdict] = useState<Verdict | undefined>();
  const [busy, setBusy] = useState(false);
  const check = async (id: number) => {
    setBusy(true);
    setVerdict(undefined);
    setVerdict(await verdictOn(id));
    setBusy(false);
  };
  return (
    <Stack gap="xs">
      <Group align="end">
        <NumberInput label="Event id" min={1} value={eventId} onChange={setEventId} allowDecimal={false} w={160} />
        <Button loading={busy} disabled={typeof eventId !== 'number'} onClick={() => check(Number(eventId))}>
          Verify inclusion
        </Button>
      </Group>
      {verdict && <VerdictAlert verdict={verdict} />}
    </Stack>
  );
}

function Blocks() {
  const blocks = useQuery({
    queryKey: ['blocks'],
    queryFn: async () => dataOf(await api.GET('/api/ledger/blocks', { params: { query: { limit: 100 } } })),
  });
  if (blocks.isPending) return <Loading what="blocks" />;
  if (blocks.isError) return <Failed error={blocks.error} />;
  if (blocks.data.items.length === 0) return <Empty>No block is sealed yet.</Empty>;
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Block</Table.Th>
            <Table.Th>Events</Table.Th>
            <Table.Th>Sealed</Table.Th>
            <Table.Th>Root</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {blocks.data.items.map((b) => (
            <Table.Tr key={b.height}>
              <Table.Td>
                <Anchor component={Link} to={`/ledger/blocks/${b.height}`}>
                  {b.height}
                </Anchor>
              </Table.Td>
              <Table.Td>{b.size}</Table.Td>
              <Table.Td>{new Date(b.sealed_at).toLocaleString()}</Table.Td>
              <Table.Td>
                <Code>{b.root.slice(0, 16)}…</Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function BlockDetail({ height }: { height: number }) {
  const block = useQuery({
    queryKey: ['block', height],
    queryFn: async () => dataOf(await api.GET('/api/ledger/blocks/{id}', { params: { path: { id: height } } })),
  });
  const [chosen, setChosen] = useState<number | undefined>();
  if (block.isPending) return <Loading what={`block ${height}`} />;
  if (block.isError) return <Failed error={block.error} />;
  const b = block.data;
  return (
    <Stack>
      <Title order={3}>Block {b.height}</Title>
      <Text>
        Root <Hash hex={b.root} />
      </Text>
      <Text>
        Block hash <Hash hex={b.block_hash} />, after <Code>{b.previous_hash.slice(0, 16)}…</Code>
      </Text>
      <Text>Events (leaf order), choose one to verify:</Text>
      <Group gap={6}>
        {b.event_ids.map((id) => (
          <Badge
            key={id}
            component="button"
            variant={chosen === id ? 'filled' : 'light'}
            onClick={() => setChosen(id)}
            style={{ cursor: 'pointer' }}
          >
            {id}
          </Badge>
        ))}
      </Group>
      <ProofChecker key={chosen} initial={chosen} />
    </Stack>
  );
}

export function LedgerPage() {
  const { height } = useParams();
  return (
    <Stack>
      <Title order={2}>Ledger explorer</Title>
      <Text>
        Every change Tally makes is an event, sealed into a block whose Merkle root is public. Check that an event is in
        its block here, without trusting this server's word for it.
      </Text>
      {height ? <BlockDetail height={Number(height)} /> : <ProofChecker />}
      <Title order={3}>Blocks</Title>
      <Blocks />
    </Stack>
  );
}
