// One publication's facts: its status (and why it is not stored, when it is not), its CID and the
// SHA-256 of what was published, each whole with a copy button (the API names no gateway, so a
// CID is given to fetch from any), and, in full, the uploader's quote and the stored file.
import { Anchor, Badge, DataList, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { CopyValue } from '../components/copy-value';
import { PHONE } from '../components/data-table';
import { utc } from '../format';
import { type Publication, statusOf, subjectOf } from './shape';

const bytes = new Intl.NumberFormat('en');

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel c="dimmed">{label}</DataList.ItemLabel>
      <DataList.ItemValue style={{ minWidth: 0, overflowWrap: 'anywhere' }}>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

export function PublicationFacts({ p, full = false }: { p: Publication; full?: boolean }) {
  const status = statusOf(p.status);
  const subject = subjectOf(p);
  // On a phone each label goes above its value, which then has the card's whole width.
  const phone = useMediaQuery(PHONE, undefined, { getInitialValueInEffect: false });
  return (
    <DataList labelWidth="7rem" gap="xs" orientation={phone ? 'vertical' : 'horizontal'}>
      <Fact label="Status">
        <Stack gap={4} align="flex-start">
          {/* A coloured dot, the words in the text colour: they keep their contrast. */}
          <Badge color={status.color} variant="dot" tt="none" size="md">
            {status.label}
          </Badge>
          {p.failure !== null && <Text size="sm">{p.failure}</Text>}
        </Stack>
      </Fact>
      <Fact label="CID">{p.cid === null ? 'None: not stored' : <CopyValue value={p.cid} label="the CID" />}</Fact>
      <Fact label="SHA-256">
        <CopyValue value={p.sha256} label="the SHA-256" />
      </Fact>
      <Fact label="Storage">{p.storage_type}</Fact>
      <Fact label="Published">{utc(p.created_at)}</Fact>
      {subject.page && (
        <Fact label="Document">
          <Anchor component={Link} to={subject.page.to}>
            {subject.page.label}
          </Anchor>
        </Fact>
      )}
      {full && (
        <>
          <Fact label="File">
            {p.file_name}, {bytes.format(p.bytes)} bytes
          </Fact>
          <Fact label="Uploader quote">{p.quote_id}</Fact>
          <Fact label="Published by">User {p.published_by}</Fact>
          <Fact label="Publication id">{p.id}</Fact>
        </>
      )}
    </DataList>
  );
}
