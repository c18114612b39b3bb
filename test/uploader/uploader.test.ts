// The uploader, driven over HTTP as Ocean's client drives it (baseURL http://HOST:PORT/uploader),
// with a stand-in storage provider registered on the private listener: registration and expiry,
// quote → streamed upload → status → links → history, each refusal changing nothing, and what
// `tally check` proves of the database all that leaves.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { sql } from 'kysely';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEverything } from '../../src/check.ts';
import type { Db } from '../../src/platform/database.ts';
import { expireProviders } from '../../src/uploader/index.ts';
import { checkAfter as checkAfterRollback } from '../helpers/check-after.ts';
import { freePort, startServer, type TestServer } from '../helpers/server.ts';
import { type StandInProvider, startStandInProvider } from '../helpers/storage-provider.ts';

// Hardhat's well-known test keys: #0 the provider's registration wallet, #1 Alice, #2 Bob, #3 unapproved.
const PROVIDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ALICE_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const BOB_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const STRANGER_KEY = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6';
const alice = privateKeyToAccount(ALICE_KEY);
const bob = privateKeyToAccount(BOB_KEY);
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PAYMENT = [{ chainId: 31337, acceptedTokens: [{ USDC: TOKEN }] }];
const MINUTE = 60_000;

/** Ocean's signed text, computed here independently of Tally's code. */
const sign = (key: `0x${string}`, quoteId: string, nonce: string | number) =>
  privateKeyToAccount(key).signMessage({
    message: `0x${createHash('sha256').update(`${quoteId}${nonce}`, 'utf8').digest('hex')}`,
  });

/** A multipart body with fields file1…fileN, as a browser or uploader.js builds it. */
async function multipart(files: Uint8Array[]): Promise<{ body: Uint8Array; contentType: string }> {
  const form = new FormData();
  for (const [i, bytes] of files.entries()) form.append(`file${i + 1}`, new Blob([bytes]), `file${i + 1}.bin`);
  const request = new Request('http://multipart.invalid', { method: 'POST', body: form });
  return { body: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get('content-type') ?? '' };
}

/** Resolves once `reached` holds, asking every few milliseconds (the other side is another socket). */
async function waitFor(reached: () => boolean): Promise<void> {
  while (!reached()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251);

describe('the uploader', () => {
  let s: TestServer;
  let provider: StandInProvider;
  let privateUrl: string;
  let nonce = 1000;

  const register = async (key: `0x${string}`, body: Record<string, unknown> = {}) => {
    const url = (body.url as string | undefined) ?? provider.url;
    const res = await fetch(`${privateUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'ipfs',
        description: 'IPFS storage',
        url,
        payment: PAYMENT,
        signature: await privateKeyToAccount(key).signMessage({ message: url }),
        ...body,
      }),
    });
    return { status: res.status, body: await res.json() };
  };

  const quote = (files: number[], user = alice.address, type = 'ipfs') =>
    s.request('POST', '/uploader/getQuote', {
      body: {
        type,
        files: files.map((length) => ({ length })),
        duration: 3600,
        payment: { chainId: 31337, tokenAddress: TOKEN },
        userAddress: user,
      },
    });

  const upload = async (
    quoteId: string,
    n: number | string,
    signature: string,
    files: Uint8Array[],
  ): Promise<{ status: number; body: any }> => {
    const { body, contentType } = await multipart(files);
    const qs = new URLSearchParams({ quoteId, nonce: String(n), signature });
    const res = await fetch(`${s.url}/uploader/upload?${qs}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    return { status: res.status, body: await res.json() };
  };

  /** Everything a refused request must leave as it was. */
  const state = async () => {
    const db = s.db.database.kysely;
    const quotes = await sql`SELECT quote_id, status, used_at FROM uploader_quotes ORDER BY quote_id`.execute(db);
    const nonces = await sql`SELECT user_address, last_nonce FROM uploader_nonces ORDER BY user_address`.execute(db);
    return { quotes: quotes.rows, nonces: nonces.rows, events: await s.eventCount() };
  };

  beforeAll(async () => {
    provider = await startStandInProvider();
    s = await startServer({
      TALLY_UPLOADER_PRIVATE_PORT: String(await freePort()),
      TALLY_UPLOADER_APPROVED_ADDRESSES: ` ${privateKeyToAccount(PROVIDER_KEY).address.toLowerCase()} , ${bob.address}`,
      TALLY_UPLOADER_MAX_FILES: '3',
      TALLY_UPLOADER_MAX_BYTES: '100000',
    });
    privateUrl = s.tally.uploaderPrivateUrl ?? '';
    expect(privateUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
  afterAll(async () => {
    await s?.close();
    await provider?.close();
  });

  describe('registration', () => {
    it('refuses a signer that is not approved, changing nothing', async () => {
      const before = await state();
      const res = await register(STRANGER_KEY);
      expect(res.status).toBe(403);
      expect((await s.request('GET', '/uploader/')).body).toEqual([]);
      expect(await state()).toEqual(before);
    });

    it('refuses a signature over another url', async () => {
      const res = await register(PROVIDER_KEY, {
        signature: await privateKeyToAccount(PROVIDER_KEY).signMessage({ message: 'http://elsewhere' }),
      });
      expect(res.status).toBe(403);
    });

    it('registers (201), renews with new payment and description (200), lists only active storages', async () => {
      expect((await register(PROVIDER_KEY)).status).toBe(201);
      expect((await s.request('GET', '/uploader/')).body).toEqual([
        { type: 'ipfs', description: 'IPFS storage', payment: PAYMENT },
      ]);
      const payment = [{ chainId: 31337, acceptedTokens: [{ USDC: TOKEN }, { DAI: alice.address }] }];
      s.clock.advance(9 * MINUTE);
      const again = await register(PROVIDER_KEY, { description: 'IPFS, renewed', payment });
      expect(again.status).toBe(200);
      expect((await s.request('GET', '/uploader/')).body).toEqual([
        { type: 'ipfs', description: 'IPFS, renewed', payment },
      ]);
    });

    it('drops a provider 10 minutes after its LAST registration, and reactivates it (201)', async () => {
      // A second, short-lived storage type registered by another approved wallet.
      const other = await register(BOB_KEY, { type: 'filecoin', description: 'Filecoin' });
      expect(other.status).toBe(201);
      s.clock.advance(9 * MINUTE);
      expect((await register(PROVIDER_KEY)).status).toBe(200); // ipfs renewed; filecoin not
      s.clock.advance(2 * MINUTE); // filecoin: 11 minutes since its last registration
      expect(await expireProviders(s.db.database.kysely, s.clock.now())).toBe(1);
      expect((await s.request('GET', '/uploader/')).body.map((p: { type: string }) => p.type)).toEqual(['ipfs']);
      expect((await quote([10], alice.address, 'filecoin')).status).toBe(404);
      expect((await register(BOB_KEY, { type: 'filecoin', description: 'Filecoin' })).status).toBe(201);
      expect((await s.request('GET', '/uploader/')).body.map((p: { type: string }) => p.type)).toEqual([
        'filecoin',
        'ipfs',
      ]);
      expect((await register(PROVIDER_KEY)).status).toBe(200);
    });
  });

  describe('quote, upload, status, links, history', () => {
    const first = bytes(3000, 1);
    const second = bytes(5000, 2);
    let quoteId: string;

    it('quotes through the provider (201), stored waiting', async () => {
      const res = await quote([first.length, second.length]);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        quoteId: expect.any(String),
        tokenAmount: (8000n * provider.price).toString(),
        approveAddress: provider.approveAddress,
        chainId: 31337,
        tokenAddress: TOKEN,
      });
      quoteId = res.body.quoteId;
      expect((await s.request('GET', `/uploader/getStatus?quoteId=${quoteId}`)).body).toEqual({ status: 1 });
    });

    it('streams two files through to the provider: it receives bytes before the client has sent them all', async () => {
      const { body, contentType } = await multipart([first, second]);
      nonce += 1;
      const qs = new URLSearchParams({
        quoteId,
        nonce: String(nonce),
        signature: await sign(ALICE_KEY, quoteId, nonce),
      });
      const half = 4000;
      let midway: { status: number; body: unknown } | undefined;
      const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = httpRequest(
          `${s.url}/uploader/upload?${qs}`,
          { method: 'POST', headers: { 'content-type': contentType, 'content-length': String(body.length) } },
          (res) => {
            let text = '';
            res.on('data', (c) => {
              text += c;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on('error', reject);
        req.write(body.subarray(0, half));
        // The rest goes only once the provider has seen the first half through Tally; meanwhile the
        // quote is uploading, though the provider still calls it waiting (1) until the upload ends.
        waitFor(() => (provider.received.get(quoteId) ?? 0) >= half)
          .then(async () => {
            midway = await s.request('GET', `/uploader/getStatus?quoteId=${quoteId}`);
            req.end(body.subarray(half));
          })
          .catch(reject);
      });
      expect(await answer).toEqual({ status: 200, body: { status: 400 } });
      expect(midway).toMatchObject({ status: 200, body: { status: 300 } });
      expect((await s.request('GET', `/uploader/getStatus?quoteId=${quoteId}`)).body).toEqual({ status: 400 });
      expect((await s.request('POST', '/uploader/getStatus', { body: { quoteId } })).body).toEqual({ status: 400 });
    });

    it('gives the links, one per file, and the provider serves the bytes back', async () => {
      nonce += 1;
      const qs = new URLSearchParams({
        quoteId,
        nonce: String(nonce),
        signature: await sign(ALICE_KEY, quoteId, nonce),
      });
      const res = await s.request('GET', `/uploader/getLink?${qs}`);
      expect(res.status).toBe(200);
      const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      expect(res.body).toEqual([
        { type: 'ipfs', CID: sha(first) },
        { type: 'ipfs', CID: sha(second) },
      ]);
      const back = await fetch(`${provider.url}/ipfs/${sha(second)}`);
      expect(new Uint8Array(await back.arrayBuffer())).toEqual(second);
    });

    it('lists the history newest first, paged, leaving out quotes still waiting', async () => {
      const ids = [quoteId];
      for (let i = 0; i < 2; i++) {
        s.clock.advance(MINUTE);
        const q = (await quote([10])).body.quoteId as string;
        nonce += 1;
        expect((await upload(q, nonce, await sign(ALICE_KEY, q, nonce), [bytes(10, i)])).body).toEqual({ status: 400 });
        ids.unshift(q);
      }
      s.clock.advance(MINUTE);
      await quote([10]); // still waiting: not history
      const history = async (page: number, pageSize: number, storage = '') => {
        nonce += 1;
        const qs = new URLSearchParams({
          userAddress: alice.address.toLowerCase(),
          nonce: String(nonce),
          signature: await sign(ALICE_KEY, '', nonce),
          page: String(page),
          pageSize: String(pageSize),
          storage,
        });
        return s.request('GET', `/uploader/getHistory?${qs}`);
      };
      const all = await history(1, 25);
      expect(all.status).toBe(200);
      expect(all.body.map((q: { quoteId: string }) => q.quoteId)).toEqual(ids);
      expect(all.body[2]).toMatchObject({
        quoteId,
        type: 'ipfs',
        status: 400,
        files: [{ length: 3000 }, { length: 5000 }],
      });
      expect((await history(1, 2)).body.map((q: { quoteId: string }) => q.quoteId)).toEqual(ids.slice(0, 2));
      expect((await history(2, 2)).body.map((q: { quoteId: string }) => q.quoteId)).toEqual(ids.slice(2));
      expect((await history(1, 25, 'filecoin')).body).toEqual([]);
      // Bob may not read Alice's with his own signature (the nonce stays unused: `nonce` is Alice's last).
      const qs = new URLSearchParams({
        userAddress: alice.address,
        nonce: String(nonce + 1),
        signature: await sign(BOB_KEY, '', nonce + 1),
      });
      expect((await s.request('GET', `/uploader/getHistory?${qs}`)).status).toBe(403);
    });
  });

  describe('refusals, each changing nothing', () => {
    let quoteId: string;
    const file = bytes(1000, 7);

    beforeAll(async () => {
      quoteId = (await quote([file.length])).body.quoteId;
    });

    const refusedWithNothingChanged = async (attempt: () => Promise<{ status: number }>, status: number) => {
      const before = await state();
      const res = await attempt();
      expect(res.status).toBe(status);
      expect(await state()).toEqual(before);
      expect((await s.request('GET', `/uploader/getStatus?quoteId=${quoteId}`)).body).toEqual({ status: 1 });
    };

    it('a replayed nonce and a smaller one', async () => {
      // The last nonce accepted for Alice, on another quote and route, counts here.
      await refusedWithNothingChanged(
        async () => upload(quoteId, nonce, await sign(ALICE_KEY, quoteId, nonce), [file]),
        403,
      );
      await refusedWithNothingChanged(
        async () => upload(quoteId, 999, await sign(ALICE_KEY, quoteId, 999), [file]),
        403,
      );
      // Numbers, not strings: '99999' sorts above '1…' as text yet is smaller than 100000 and more.
      expect(nonce).toBeGreaterThan(999);
    });

    it('a nonce that is not an integer', async () => {
      await refusedWithNothingChanged(
        async () => upload(quoteId, '1e9', await sign(ALICE_KEY, quoteId, '1e9'), [file]),
        400,
      );
    });

    it('a signature by another wallet, and one over another quote', async () => {
      const n = nonce + 1;
      await refusedWithNothingChanged(async () => upload(quoteId, n, await sign(BOB_KEY, quoteId, n), [file]), 403);
      await refusedWithNothingChanged(async () => upload(quoteId, n, await sign(ALICE_KEY, 'other', n), [file]), 403);
      const qs = new URLSearchParams({ quoteId, nonce: String(n), signature: await sign(BOB_KEY, quoteId, n) });
      await refusedWithNothingChanged(() => s.request('GET', `/uploader/getLink?${qs}`), 403);
    });

    it('a body larger than quoted', async () => {
      const n = nonce + 1;
      await refusedWithNothingChanged(
        async () => upload(quoteId, n, await sign(ALICE_KEY, quoteId, n), [bytes(4000, 1)]),
        413,
      );
    });

    it('an unknown quote: status 0, upload 404', async () => {
      expect((await s.request('GET', '/uploader/getStatus?quoteId=nope')).body).toEqual({ status: 0 });
      const n = nonce + 1;
      await refusedWithNothingChanged(async () => upload('nope', n, await sign(ALICE_KEY, 'nope', n), [file]), 404);
    });

    it('too many files, too many bytes, an unknown storage type', async () => {
      const before = await state();
      expect((await quote([1, 1, 1, 1])).status).toBe(400);
      expect((await quote([60000, 40001])).status).toBe(400);
      expect((await quote([10], alice.address, 'arweave')).status).toBe(404);
      expect(await state()).toEqual(before);
      expect((await quote([1, 1, 1])).status).toBe(201);
    });

    it('a used quote', async () => {
      nonce += 1;
      expect((await upload(quoteId, nonce, await sign(ALICE_KEY, quoteId, nonce), [file])).body).toEqual({
        status: 400,
      });
      const before = await state();
      const n = nonce + 1;
      const res = await upload(quoteId, n, await sign(ALICE_KEY, quoteId, n), [file]);
      expect(res.status).toBe(409);
      expect(await state()).toEqual(before);
    });

    it('an expired quote (31 minutes on)', async () => {
      const q = (await quote([file.length])).body.quoteId as string;
      s.clock.advance(31 * MINUTE);
      await register(PROVIDER_KEY);
      const before = await state();
      const n = nonce + 1;
      const res = await upload(q, n, await sign(ALICE_KEY, q, n), [file]);
      expect(res.status).toBe(410);
      expect(await state()).toEqual(before);
    });
  });

  describe('an upload whose payment failed', () => {
    afterAll(() => {
      provider.failUploadsWith = undefined;
    });

    it('keeps the provider’s 2xx, answering 402 when the payer can mend it and 502 when the chain was away', async () => {
      for (const [status, http] of [
        [201, 402], // balance too low
        [203, 502], // the provider could not reach the chain
      ] as const) {
        provider.failUploadsWith = status;
        const quoteId = (await quote([3])).body.quoteId as string;
        nonce += 1;
        const res = await upload(quoteId, nonce, await sign(ALICE_KEY, quoteId, nonce), [bytes(3, status)]);
        expect(res).toEqual({ status: http, body: { status } });
        expect((await s.request('GET', `/uploader/getStatus?quoteId=${quoteId}`)).body).toEqual({ status });
      }
    });
  });

  // The database every test above left: registrations, renewals, an expiry and a reactivation,
  // quotes waiting, done and expired, signed requests accepted and refused.
  describe('tally check', () => {
    /** What `tally check` reports once `corrupt` has changed the database; the change is then rolled back. */
    const checkAfter = (corrupt: (trx: Db) => Promise<unknown>) => checkAfterRollback(s.db.database.kysely, corrupt);
    /** The id of the subject's latest event. */
    const latest = async (db: Db, subjectType: string, subjectId: string | number): Promise<number> => {
      const { rows } = await sql<{ id: number }>`
        SELECT max(id) AS id FROM events WHERE subject_type = ${subjectType} AND subject_id = ${String(subjectId)}`.execute(
        db,
      );
      return rows[0]?.id ?? 0;
    };
    /** Records the subject's latest payload again, with `changes`, as an event of `type`; answers its id. */
    const recordAgain = async (
      db: Db,
      subjectType: string,
      subjectId: string | number,
      type: string,
      changes: Record<string, unknown> = {},
    ): Promise<number> => {
      const { rows } = await sql<{ id: number }>`
        INSERT INTO events (type, subject_type, subject_id, actor_id, payload)
        SELECT ${type}, subject_type, subject_id, actor_id, payload || ${JSON.stringify(changes)}::jsonb FROM events
        WHERE subject_type = ${subjectType} AND subject_id = ${String(subjectId)} ORDER BY id DESC LIMIT 1
        RETURNING id`.execute(db);
      return rows[0]?.id ?? 0;
    };
    const user = alice.address.toLowerCase();
    let done: string;
    let provider: number;

    beforeAll(async () => {
      const db = s.db.database.kysely;
      const { rows } = await sql<{ quote_id: string }>`
        SELECT quote_id FROM uploader_quotes WHERE status = 400 ORDER BY created_at LIMIT 1`.execute(db);
      done = rows[0]?.quote_id ?? '';
      const p = await sql<{ id: number }>`SELECT id FROM uploader_providers WHERE type = 'ipfs'`.execute(db);
      provider = p.rows[0]?.id ?? 0;
      // A plain renewal, which records no event: the provider's last registration is now later than recorded.
      s.clock.advance(MINUTE);
      expect((await register(PROVIDER_KEY)).status).toBe(200);
    });

    it('passes on everything above, which recorded every kind of uploader event', async () => {
      const db = s.db.database.kysely;
      expect(await checkEverything(db)).toEqual([]);
      const { rows } = await sql<{ type: string }>`
        SELECT DISTINCT type FROM events WHERE type LIKE 'uploader.%' ORDER BY type`.execute(db);
      expect(rows.map((r) => r.type)).toEqual([
        'uploader.nonce.accepted',
        'uploader.provider.expired',
        'uploader.provider.reactivated',
        'uploader.provider.registered',
        'uploader.provider.updated',
        'uploader.quote.created',
        'uploader.upload.finished',
        'uploader.upload.started',
      ]);
    });

    it('uploader_quote_is_its_events: a quote changed, gone or made without an event', async () => {
      const event = await latest(s.db.database.kysely, 'uploader_quote', done);
      expect(
        await checkAfter((trx) => sql`UPDATE uploader_quotes SET status = 401 WHERE quote_id = ${done}`.execute(trx)),
      ).toEqual([
        {
          rule: 'uploader_quote_is_its_events',
          detail: `quote ${done} differs from its latest event ${event} in status`,
        },
      ]);
      expect(await checkAfter((trx) => sql`DELETE FROM uploader_quotes WHERE quote_id = ${done}`.execute(trx))).toEqual(
        [{ rule: 'uploader_quote_is_its_events', detail: `quote ${done} is gone, yet event ${event} records it` }],
      );
      expect(
        await checkAfter((trx) =>
          sql`INSERT INTO uploader_quotes
            SELECT '~forged', provider_id, type, user_address, files, total_bytes, token_amount, approve_address,
                   chain_id, token_address, created_at, expires_at, status, used_at
            FROM uploader_quotes WHERE quote_id = ${done}`.execute(trx),
        ),
      ).toEqual([
        { rule: 'uploader_quote_is_its_events', detail: 'quote ~forged has no event' },
        { rule: 'uploader_quote_used_once', detail: 'quote ~forged is used but has 0 uploader.upload.started events' },
      ]);
    });

    it('uploader_quote_created: a quote created twice', async () => {
      expect(await checkAfter((trx) => recordAgain(trx, 'uploader_quote', done, 'uploader.quote.created'))).toEqual([
        {
          rule: 'uploader_quote_created',
          detail: `quote ${done} has 2 uploader.quote.created events, and its first event is uploader.quote.created`,
        },
      ]);
    });

    it('uploader_quote_used_once: a quote uploaded twice', async () => {
      expect(await checkAfter((trx) => recordAgain(trx, 'uploader_quote', done, 'uploader.upload.started'))).toEqual([
        { rule: 'uploader_quote_used_once', detail: `quote ${done} is used but has 2 uploader.upload.started events` },
      ]);
    });

    it('uploader_quote_lifetime: a quote living an hour, or used after it expired', async () => {
      const { created, expires, used } = (
        await sql<{ created: Date; expires: Date; used: Date }>`
          SELECT created_at AS created, expires_at AS expires, used_at AS used
          FROM uploader_quotes WHERE quote_id = ${done}`.execute(s.db.database.kysely)
      ).rows[0]!;
      const hour = new Date(created.getTime() + 60 * MINUTE);
      const late = new Date(expires.getTime() + MINUTE);
      /** The quote's `column` set to `at`, as the module would record it. */
      const restated = (column: 'expires_at' | 'used_at', at: Date) => async (trx: Db) => {
        await sql`UPDATE uploader_quotes SET ${sql.ref(column)} = ${at} WHERE quote_id = ${done}`.execute(trx);
        await recordAgain(trx, 'uploader_quote', done, 'uploader.upload.status', { [column]: at.toISOString() });
      };
      const when = (e: Date, u: Date) =>
        `quote ${done}: created ${created.toISOString()}, expires ${e.toISOString()}, used ${u.toISOString()}; ` +
        'it lives 30 minutes and is used within them';
      expect(await checkAfter(restated('expires_at', hour))).toEqual([
        { rule: 'uploader_quote_lifetime', detail: when(hour, used) },
      ]);
      expect(await checkAfter(restated('used_at', late))).toEqual([
        { rule: 'uploader_quote_lifetime', detail: when(expires, late) },
      ]);
    });

    it('uploader_quote_bytes: a total that is not its files', async () => {
      expect(
        await checkAfter(async (trx) => {
          await sql`UPDATE uploader_quotes SET total_bytes = 8001 WHERE quote_id = ${done}`.execute(trx);
          await recordAgain(trx, 'uploader_quote', done, 'uploader.upload.status', { total_bytes: 8001 });
        }),
      ).toEqual([{ rule: 'uploader_quote_bytes', detail: `quote ${done}: total_bytes 8001 ≠ its files' 8000` }]);
    });

    it('uploader_nonce_is_its_events: a last nonce that no event accepted', async () => {
      const event = await latest(s.db.database.kysely, 'uploader_user', user);
      expect(
        await checkAfter((trx) =>
          sql`UPDATE uploader_nonces SET last_nonce = last_nonce + 1 WHERE user_address = ${user}`.execute(trx),
        ),
      ).toEqual([
        {
          rule: 'uploader_nonce_is_its_events',
          detail: `user ${user} differs from its latest event ${event} in last_nonce`,
        },
      ]);
      const stranger = '0x000000000000000000000000000000000000dead';
      expect(
        await checkAfter((trx) =>
          sql`INSERT INTO uploader_nonces (user_address, last_nonce) VALUES (${stranger}, 7)`.execute(trx),
        ),
      ).toEqual([{ rule: 'uploader_nonce_is_its_events', detail: `user ${stranger} has no event` }]);
    });

    it('uploader_nonces_grow: a smaller nonce accepted between larger ones', async () => {
      const db = s.db.database.kysely;
      const last = (
        await sql<{
          n: string;
        }>`SELECT last_nonce::text AS n FROM uploader_nonces WHERE user_address = ${user}`.execute(db)
      ).rows[0]!.n;
      let smaller = 0;
      expect(
        await checkAfter(async (trx) => {
          smaller = await recordAgain(trx, 'uploader_user', user, 'uploader.nonce.accepted', { last_nonce: '999' });
          await recordAgain(trx, 'uploader_user', user, 'uploader.nonce.accepted', { last_nonce: last });
        }),
      ).toEqual([
        { rule: 'uploader_nonces_grow', detail: `user ${user}: event ${smaller} accepted nonce 999 after ${last}` },
      ]);
    });

    it('uploader_provider_is_its_events: a provider changed, or expired, without its event', async () => {
      const event = await latest(s.db.database.kysely, 'uploader_provider', provider);
      const differs = (keys: string) => [
        {
          rule: 'uploader_provider_is_its_events',
          detail: `provider ${provider} differs from its latest event ${event} in ${keys}`,
        },
      ];
      expect(
        await checkAfter((trx) =>
          sql`UPDATE uploader_providers SET url = 'http://elsewhere' WHERE id = ${provider}`.execute(trx),
        ),
      ).toEqual(differs('url'));
      // Renewed since its last event, an inactive provider must be as that event recorded it.
      expect(
        await checkAfter((trx) =>
          sql`UPDATE uploader_providers SET active = false WHERE id = ${provider}`.execute(trx),
        ),
      ).toEqual(differs('active, last_registered_at'));
      expect(
        await checkAfter((trx) =>
          sql`UPDATE uploader_providers SET last_registered_at = registered_at WHERE id = ${provider}`.execute(trx),
        ),
      ).toEqual(differs('last_registered_at'));
    });

    it('uploader_provider_registered: a provider registered twice', async () => {
      expect(
        await checkAfter((trx) => recordAgain(trx, 'uploader_provider', provider, 'uploader.provider.registered')),
      ).toEqual([
        {
          rule: 'uploader_provider_registered',
          detail:
            `provider ${provider} has 2 uploader.provider.registered events, ` +
            'and its first event is uploader.provider.registered',
        },
      ]);
    });
  });
});
