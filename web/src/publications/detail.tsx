// One publication in full, public: fetch the document by its CID from any gateway of its storage
// and compare its SHA-256 with the one shown.
import { Card, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../api/client';
import { Failed, Loading } from '../components/states';
import { PublicationFacts } from './facts';
import { subjectOf } from './shape';

export function PublicationDetail({ id }: { id: string }) {
  const publication = useQuery({
    queryKey: ['publication', id],
    queryFn: async () => dataOf(await api.GET('/api/publications/{id}', { params: { path: { id } } })),
  });
  if (publication.isPending) return <Loading what="the publication" />;
  if (publication.isError) return <Failed error={publication.error} />;
  const p = publication.data;
  return (
    <Stack>
      <Title order={3} style={{ overflowWrap: 'anywhere' }}>
        {subjectOf(p).text}
      </Title>
      <Text>
        Fetch the document by its CID from the storage, and compare its SHA-256 with the one below: the ledger holds
        both from the moment its block is sealed.
      </Text>
      <Card withBorder padding="sm">
        <PublicationFacts p={p} full />
      </Card>
    </Stack>
  );
}
