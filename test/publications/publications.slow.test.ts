// Tally publishes its own documents through its uploader with its publisher wallet, to real
// reference providers (one free, two paid on a real chain with a real ERC-20): a disclosure by its
// owner, a sealed ledger block, a market session's forecasts. The bytes behind each CID are the
// document whose SHA-256 the publication and its ledger event hold; the disclosure's JSON names its
// CID; a paid storage is paid exactly its quote; a payment the wallet cannot make is recorded as
// such; every refusal changes nothing.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEverything } from '../../src/check.ts';
import type { Db } from '../../src/platform/database.ts';
import { connectChain, type TokenRail } from '../../src/chain/index.ts';
import { marketRound, openMarket } from '../../src/market/index.ts';
import type { RunningProvider } from '../../src/provider/index.ts';
import { startChain, type TestAccount, type TestChain } from '../helpers/chain.ts';
import { TEST_START } from '../helpers/clock.ts';
import { knownAnswerSeries } from '../helpers/market.ts';
import { PROVIDER_KEY, startTestProvider, temporaryDir } from '../helpers/provider.ts';
import { checkAfter as checkAfterRollback } from '../helpers/check-after.ts';
import { ownerDisclosure, publishingEnv } from '../helpers/publishing.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus } from '../helpers/world.ts';

/** Base units per byte: a document of some hundred bytes costs some 10^17. */
const PRICE = 10n ** 15n;
/** Base units per byte past what the publisher holds (10^21) for any document. */
const DEAR = 10n ** 19n;
const HOUR_MS = 3_600_000;

let chain: TestChain;
let s: TestServer;
let token: TokenRail;
let publisher: TestAccount;
const providers: RunningProvider[] = [];
const dirs: { remove(): Promise<void> }[] = [];
let admin: { id: number; token: string };
let issuer: { id: number; token: string };
let owner: { id: number; token: string };
let stranger: { id: number; token: string };
let auditor: { id: number; token: string };
let disclosureId: string;
/** The disclosure's publication, which the first sealed block then holds. */
let disclosurePublication: { id: string; cid: string };

const post = (who: { token: string }, body: unknown) =>
  s.request('POST', '/api/publications', { token: who.token, body });
const fetchCid = async (provider: RunningProvider, cid: string) =>
  Buffer.from(await (await fetch(`${provider.url}/ipfs/${cid}`)).arrayBuffer());
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  chain = await startChain();
  publisher = chain.accounts[2] as TestAccount;
  s = await startServer({
    ...publishingEnv(publisher.privateKey),
    TALLY_CHAIN_RPC_URL: chain.rpcUrl,
    TALLY_CHAIN_ID: String(chain.chainId),
    TALLY_MARKET_SCHEDULE: 'manual',
  });
  token = connectChain({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, token: chain.token, confirmations: 1 });
  const paid = {
    chain: { rpcUrl: chain.rpcUrl, chainId: chain.chainId },
    tokens: [{ symbol: 'TT', address: chain.token }],
  };
  for (const overrides of [
    {},
    { type: 'ipfs-paid', ...paid, price: PRICE },
    { type: 'ipfs-dear', ...paid, price: DEAR },
  ]) {
    const dir = await temporaryDir();
    dirs.push(dir);
    providers.push(await startTestProvider(dir.path, { uploaderUrl: s.tally.uploaderPrivateUrl, ...overrides }));
  }
  admin = await s.user('admin');
  issuer = await s.user('issuer');
  owner = await s.user('trader', 'owner');
  stranger = await s.user('trader', 'stranger');
  auditor = await s.user('auditor');
  disclosureId = await ownerDisclosure(s, owner);
});

afterAll(async () => {
  for (const p of providers) await p.close();
  await s?.close();
  await chain?.close();
  for (const d of dirs) await d.remove();
});

describe('publishing a disclosure', () => {
  it('puts its dataset on the storage by its owner, records the CID and SHA-256, and the disclosure names it', async () => {
    const res = await post(owner, { kind: 'disclosure', id: disclosureId, storage_type: 'ipfs' });
    expect(res.status).toBe(201);
    const p = res.body;
    expect(p).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind: 'disclosure',
      subject_id: disclosureId,
      storage_type: 'ipfs',
      quote_id: expect.any(String),
      status: 400,
      cid: expect.stringMatching(/^b[a-z2-7]+$/),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      bytes: expect.any(Number),
      file_name: `disclosure-${disclosureId}.json`,
      failure: null,
      published_by: owner.id,
      created_at: s.clock.now().toISOString(),
    });

    // The bytes behind the CID are the dataset, as the publication's SHA-256 says.
    const stored = await fetchCid(providers[0] as RunningProvider, p.cid);
    expect(stored.length).toBe(p.bytes);
    expect(sha256(stored)).toBe(p.sha256);
    const published = JSON.parse(stored.toString('utf8'));
    expect(published).toMatchObject({ id: disclosureId, period_start: '2026-06-01T00:00:00.000Z', publications: [] });

    // It went through the uploader like any user's upload: the quote is Tally's wallet's, done.
    expect((await s.request('GET', `/uploader/getStatus?quoteId=${p.quote_id}`)).body).toEqual({ status: 400 });

    expect((await s.request('GET', `/api/publications/${p.id}`)).body).toEqual(p);
    disclosurePublication = p;
    const dataset = (await s.request('GET', `/api/disclosures/${disclosureId}/data.json`)).body;
    expect(dataset.publications).toEqual([
      { publication_id: p.id, cid: p.cid, storage_type: 'ipfs', sha256: p.sha256, published_at: p.created_at },
    ]);

    // The ledger binds the CID and the hash to the publication.
    const events = await s.request('GET', `/api/events?subject_type=publication&subject_id=${p.id}`, {
      token: admin.token,
    });
    expect(events.body.items.map((e: { type: string; payload: unknown }) => [e.type, e.payload])).toEqual([
      ['publication.published', p],
    ]);
  });

  it('is refused to another user and to an auditor, changing nothing', async () => {
    const before = await s.eventCount();
    const body = { kind: 'disclosure', id: disclosureId, storage_type: 'ipfs' };
    const refusals = [await post(stranger, body), await post(auditor, body)];
    expect(refusals.map((r) => [r.status, r.body.code])).toEqual([
      [403, 'role_required'],
      [403, 'auditors_read_only'],
    ]);
    expect(await s.eventCount()).toBe(before);
  });
});

describe('publishing a sealed ledger block on paid storage', () => {
  it('approves and pays exactly the quote, and stores the block as exported', async () => {
    await expectStatus(s.request('POST', '/api/ledger/seal', { token: admin.token }), 200);
    const paidProvider = providers[1] as RunningProvider;
    const before = await token.tokenBalance(paidProvider.address);
    const publisherBefore = await token.tokenBalance(publisher.address);

    const res = await post(issuer, { kind: 'ledger_block', id: '1', storage_type: 'ipfs-paid' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'ledger_block', subject_id: '1', status: 400, failure: null });
    const cost = BigInt(res.body.bytes) * PRICE;
    expect((await token.tokenBalance(paidProvider.address)) - before).toBe(cost);
    expect(publisherBefore - (await token.tokenBalance(publisher.address))).toBe(cost);

    const stored = await fetchCid(paidProvider, res.body.cid);
    expect(sha256(stored)).toBe(res.body.sha256);
    const block = JSON.parse(stored.toString('utf8'));
    const sealed = (await s.request('GET', '/api/ledger/blocks/1', { token: admin.token })).body;
    expect(block.block.height).toBe(1);
    expect(block.block.root).toBe(sealed.root);
    expect(block.events.map((e: { id: number }) => e.id)).toEqual(sealed.event_ids);
    // Sealed, the ledger binds the disclosure's CID: its event is in the block just published.
    expect(
      block.events
        .filter((e: { type: string }) => e.type === 'publication.published')
        .map((e: { subject_id: string; payload: { cid: string } }) => [e.subject_id, e.payload.cid]),
    ).toEqual([[disclosurePublication.id, disclosurePublication.cid]]);
  });

  it('records a payment the wallet cannot make as failed (2xx), stores nothing, pays nothing', async () => {
    const dear = providers[2] as RunningProvider;
    // The providers share one wallet (the approved test key): its balance is the one to watch.
    const before = await token.tokenBalance(publisher.address);
    const providerBefore = await token.tokenBalance(dear.address);
    const res = await post(admin, { kind: 'ledger_block', id: '1', storage_type: 'ipfs-dear' });
    expect(res.status).toBe(201);
    // 201: the provider found the balance short (2xx: payment failed), before a byte was kept.
    expect(res.body).toMatchObject({ status: 201, cid: null, failure: 'the upload ended with status 201' });
    expect((await s.request('GET', `/uploader/getStatus?quoteId=${res.body.quote_id}`)).body).toEqual({ status: 201 });
    expect(await token.tokenBalance(publisher.address)).toBe(before);
    expect(await token.tokenBalance(dear.address)).toBe(providerBefore);
    const events = await s.request('GET', `/api/events?subject_type=publication&subject_id=${res.body.id}`, {
      token: admin.token,
    });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['publication.failed']);
  });

  it('refuses what names no sealed block or no storage, changing nothing', async () => {
    const before = await s.eventCount();
    const list = (await s.request('GET', '/api/publications')).body;
    const cases: [unknown, number, string, string | undefined][] = [
      [{ kind: 'ledger_block', id: '999', storage_type: 'ipfs' }, 404, 'ledger_block_not_found', undefined],
      [{ kind: 'ledger_block', id: 'one', storage_type: 'ipfs' }, 400, 'invalid_request', 'body/id'],
      [{ kind: 'ledger_block', id: '1', storage_type: 'filecoin' }, 404, 'storage_not_found', 'body/storage_type'],
      [{ kind: 'disclosure', id: 'not-a-uuid', storage_type: 'ipfs' }, 400, 'invalid_request', 'body/id'],
      [
        { kind: 'disclosure', id: '0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e', storage_type: 'ipfs' },
        404,
        'disclosure_not_found',
        undefined,
      ],
      [{ kind: 'market_forecasts', id: '77', storage_type: 'ipfs' }, 404, 'market_session_not_found', undefined],
      [{ kind: 'receipt', id: '1', storage_type: 'ipfs' }, 400, 'invalid_request', 'body/kind'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await post(admin, body);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([status, code]);
      if (field !== undefined) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const trader = await post(owner, { kind: 'ledger_block', id: '1', storage_type: 'ipfs' });
    expect([trader.status, trader.body.code]).toEqual([403, 'role_required']);
    expect(await s.eventCount()).toBe(before);
    expect((await s.request('GET', '/api/publications')).body).toEqual(list);
  });
});

describe('publishing a market session’s forecasts', () => {
  it('refuses a session without forecasts, then publishes the forecasts of a run session', async () => {
    const session = (await s.request('POST', '/api/market/sessions', { token: admin.token, body: {} })).body.id;
    const none = await post(admin, { kind: 'market_forecasts', id: String(session), storage_type: 'ipfs' });
    expect([none.status, none.body.code]).toEqual([409, 'nothing_to_publish']);

    const hours = 24 * 30;
    const start = TEST_START.getTime() - hours * HOUR_MS;
    const known = knownAnswerSeries(hours);
    const resources: Record<string, { token: string; userId: number; id: string }> = {};
    for (const [who, series] of [
      ['buyer', known.buyer],
      ['a', known.a],
    ] as const) {
      const user = await s.user('producer', who);
      const resource = await s.request('POST', '/api/market/resources', {
        token: user.token,
        body: { name: `${who}-plant`, type: 'measurements', to_forecast: who === 'buyer' },
      });
      const points = series.map((value, t) => ({ datetime: new Date(start + t * HOUR_MS).toISOString(), value }));
      await expectStatus(
        s.request('POST', `/api/market/resources/${resource.body.id}/data`, {
          token: user.token,
          body: { units: 'w', time_interval: 60, points },
        }),
        200,
      );
      resources[who] = { token: user.token, userId: user.id, id: resource.body.id };
    }
    const move = (status: string) =>
      s.request('PATCH', `/api/market/sessions/${session}`, { token: admin.token, body: { status } });
    await expectStatus(move('open'), 200);
    const buyer = resources.buyer as { token: string; userId: number; id: string };
    await s.request('POST', `/api/market/balances/${buyer.userId}/credit`, {
      token: admin.token,
      body: { amount: '1000000000' },
    });
    const bid = await s.request('POST', '/api/market/bids', {
      token: buyer.token,
      body: {
        session_id: session,
        resource_id: buyer.id,
        bid_price: '10000000',
        max_payment: '1000000000',
        gain_func: 'rmse',
      },
    });
    await expectStatus(
      s.request('POST', `/api/market/bids/${bid.body.id}/payment`, { token: buyer.token, body: {} }),
      200,
    );
    await expectStatus(move('closed'), 200);
    await expectStatus(move('running'), 200);
    const market = openMarket(s.db.database.kysely, s.config.market, s.clock);
    expect(await marketRound(market, s.clock.now())).toEqual({ count: 1, failed: [] });

    const res = await post(issuer, { kind: 'market_forecasts', id: String(session), storage_type: 'ipfs' });
    expect(res.status).toBe(201);
    const stored = JSON.parse((await fetchCid(providers[0] as RunningProvider, res.body.cid)).toString('utf8'));
    const forecasts = (await s.request('GET', `/api/market/forecasts?session_id=${session}`, { token: admin.token }))
      .body.items;
    expect(forecasts).toHaveLength(24);
    expect(stored).toEqual({ session_id: session, forecasts });
  });
});

describe('tally check', () => {
  /** What `tally check` reports once `corrupt` has changed the database; the change is then rolled back. */
  const checkAfter = (corrupt: (trx: Db) => Promise<unknown>) => checkAfterRollback(s.db.database.kysely, corrupt);

  it('passes on every publication above, published or failed', async () => {
    expect(await checkEverything(s.db.database.kysely)).toEqual([]);
  });

  it('publication_is_its_event: a CID or a hash changed after its event', async () => {
    const { id } = disclosurePublication;
    const found = await checkAfter((trx) =>
      sql`UPDATE publications SET cid = 'bafkreiforged', sha256 = repeat('0', 64) WHERE id = ${id}`.execute(trx),
    );
    const { rows } = await sql<{ id: number }>`
      SELECT id FROM events WHERE subject_type = 'publication' AND subject_id = ${id}`.execute(s.db.database.kysely);
    expect(found).toEqual([
      {
        rule: 'publication_is_its_event',
        detail: `publication ${id} differs from its latest event ${rows[0]?.id} in cid, sha256`,
      },
    ]);
  });

  it('publication_recorded_once: a publication recorded twice', async () => {
    const { id } = disclosurePublication;
    const found = await checkAfter((trx) =>
      sql`INSERT INTO events (type, subject_type, subject_id, actor_id, payload)
          SELECT 'publication.failed', subject_type, subject_id, actor_id, payload FROM events
          WHERE subject_type = 'publication' AND subject_id = ${id}`.execute(trx),
    );
    expect(found).toEqual([
      {
        rule: 'publication_recorded_once',
        detail: `publication ${id} has 2 publication.published or publication.failed events, and its first event is publication.published`,
      },
    ]);
  });
});

describe('refusals on servers of their own', () => {
  it('refuses to publish (409), changing nothing', async () => {
    const bare = await startServer();
    try {
      const who = await bare.user('admin');
      const before = await bare.eventCount();
      const res = await bare.request('POST', '/api/publications', {
        token: who.token,
        body: { kind: 'ledger_block', id: '1', storage_type: 'ipfs' },
      });
      expect([res.status, res.body.code]).toEqual([409, 'publisher_not_configured']);
      expect(await bare.eventCount()).toBe(before);
    } finally {
      await bare.close();
    }
  });

  it('refuses a document larger than one upload carries (413) before asking any storage', async () => {
    const small = await startServer({ TALLY_PUBLISHER_PRIVATE_KEY: PROVIDER_KEY, TALLY_UPLOADER_MAX_BYTES: '64' });
    try {
      const who = await small.user('admin');
      await expectStatus(small.request('POST', '/api/ledger/seal', { token: who.token }), 200);
      const before = await small.eventCount();
      const res = await small.request('POST', '/api/publications', {
        token: who.token,
        body: { kind: 'ledger_block', id: '1', storage_type: 'ipfs' },
      });
      expect([res.status, res.body.code]).toEqual([413, 'document_too_large']);
      expect(await small.eventCount()).toBe(before);
      expect((await small.request('GET', '/api/publications')).body.items).toEqual([]);
    } finally {
      await small.close();
    }
  });
});
