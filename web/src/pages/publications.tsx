// Publications, public: what Tally put on decentralised storage (disclosures, sealed ledger blocks,
// market forecasts), each with its status, CID and SHA-256, newest first, and one in full; a
// signed-in user may publish something new.
import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { Section } from '../components/section';
import { PublicationDetail } from '../publications/detail';
import { PublicationList } from '../publications/list';
import { Publish } from '../publications/publish';
import { useSignedIn } from '../session';

export function PublicationsPage() {
  const { id } = useParams();
  const signedIn = useSignedIn();
  if (id)
    return (
      <Stack>
        <Anchor component={Link} to="/publications">
          All publications
        </Anchor>
        <Title order={2}>Publication</Title>
        <PublicationDetail id={id} />
      </Stack>
    );
  return (
    <Stack>
      <Title order={2}>Publications</Title>
      <Text>
        Documents Tally put on decentralised storage: anyone can fetch each by its CID and check its SHA-256, which the
        ledger holds too.
      </Text>
      {signedIn && (
        <Section title="Publish">
          <Publish />
        </Section>
      )}
      <PublicationList />
    </Stack>
  );
}
