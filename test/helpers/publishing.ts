// What a test of publishing needs before it publishes: a server whose uploader takes the reference
// providers started with PROVIDER_KEY and publishes with a given wallet, and a document to publish
// (a disclosure of an owner's new account).
import { privateKeyToAccount } from 'viem/accounts';
import { PROVIDER_KEY } from './provider.ts';
import type { Client } from './server.ts';
import { expectStatus } from './world.ts';

/** The server's settings for publishing with `publisherKey` through an uploader the test providers register with. */
export const publishingEnv = (publisherKey: string) => ({
  TALLY_UPLOADER_PRIVATE_PORT: '0',
  TALLY_UPLOADER_APPROVED_ADDRESSES: privateKeyToAccount(PROVIDER_KEY).address,
  TALLY_PUBLISHER_PRIVATE_KEY: publisherKey,
});

/** The id of a disclosure of 1 June 2026 (UTC) of a new account "Consumer" of `owner`. */
export async function ownerDisclosure(s: Client, owner: { token: string }): Promise<string> {
  const account = await expectStatus(
    s.request('POST', '/api/accounts', { token: owner.token, body: { account_name: 'Consumer' } }),
    201,
  );
  const disclosure = await expectStatus(
    s.request('POST', '/api/disclosures', {
      token: owner.token,
      body: { account_id: account.id, period_start: '2026-06-01T00:00:00Z', period_end: '2026-06-02T00:00:00Z' },
    }),
    201,
  );
  return disclosure.id;
}
