// Every publication, newest first, public: each a card with what was published (a link to the
// publication in full), its status, CID and SHA-256.
import { Anchor, Card, Stack, Title } from '@mantine/core';
import { Link } from 'react-router';
import { api, dataOf } from '../api/client';
import { usePagedList } from '../api/paged-list';
import { Paged } from '../components/paged';
import { PublicationFacts } from './facts';
import { PUBLICATIONS_KEY, type Publication, subjectOf } from './shape';

export function PublicationList() {
  const list = usePagedList<Publication>([PUBLICATIONS_KEY], async (cursor) =>
    dataOf(await api.GET('/api/publications', { params: { query: { limit: 50, cursor } } })),
  );
  return (
    <Paged list={list} what="publications" empty="Nothing is published yet.">
      {(items) => (
        <Stack component="ul" gap="sm" p={0} m={0} aria-label="Publications" style={{ listStyle: 'none' }}>
          {items.map((p) => (
            <Card component="li" key={p.id} withBorder padding="sm">
              <Title order={3} size="h5" mb="xs" style={{ overflowWrap: 'anywhere' }}>
                <Anchor component={Link} to={`/publications/${p.id}`} inherit>
                  {subjectOf(p).text}
                </Anchor>
              </Title>
              <PublicationFacts p={p} />
            </Card>
          ))}
        </Stack>
      )}
    </Paged>
  );
}
