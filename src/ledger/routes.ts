import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { component, Id, IdParams, OneOf, Page, PageQuery, Timestamp } from '../platform/http/schemas.ts';
import { afterId, encodeCursor, pageRequest } from '../platform/pagination.ts';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { listEvents } from './events.ts';
import { latestHead, listKeys } from './heads.ts';
import { exportBlocks, getBlock, inclusionProof, listBlocks } from './seal.ts';
import { sealNow } from './jobs.ts';

const Event = component(
  'Event',
  Type.Object(
    {
      id: Id('Event id; the log is listed in commit order, which may differ slightly from id order'),
      type: Type.String({ description: 'What happened, e.g. certificates.transferred' }),
      subject_type: Type.String({ description: 'Kind of thing the event is about: account, device, user, registry' }),
      subject_id: Type.String({ description: 'Its id' }),
      account_ids: Type.Array(Type.Integer(), { description: 'Accounts whose holdings the event touches' }),
      actor_id: Type.Union([Type.Integer(), Type.Null()], { description: 'User who caused it; null for jobs' }),
      payload: Type.Unknown({
        description:
          'The full data of the change; users who do not read every ' +
          'account see only the bundles of accounts they may read. certificates.issued names its bundles in `runs`: ' +
          "from a run's first bundle (bundle_id, issuance_id, certificate_bundle_id_range_start, " +
          "production_starting_interval) each next bundle's ids are one more, its range follows the one before and " +
          "its interval, interval_ms long, starts where the one before ended; bundle_quantities holds each bundle's Wh. " +
          'Each expires lifetime_ms after its interval ends. (Events recorded before runs list each bundle in `bundles` ' +
          'as [id, issuance id, range start, range end, production start, production end].)',
      }),
      recorded_at: Timestamp('When it was recorded'),
    },
    {
      description: 'A change recorded in the append-only ledger',
      examples: [
        {
          id: 12,
          type: 'certificates.cancelled',
          subject_type: 'account',
          subject_id: '3',
          account_ids: [3],
          actor_id: 4,
          payload: { action: 'cancel', statement_id: 1 },
          recorded_at: '2026-06-02T09:30:00.000Z',
        },
      ],
    },
  ),
);

/**
 * Which accounts' events a caller may read. The accounts module decides (src/app.ts hands its
 * decisions in), since the ledger sits below every module that writes to it.
 */
export interface EventReaders {
  /** Refuses, as a 404, an account the caller may not read. */
  readableAccount(db: Db, principal: Principal, accountId: number): Promise<unknown>;
  /** The accounts the caller may read; undefined means all of them. */
  readableAccountIds(db: Db, principal: Principal): Promise<number[] | undefined>;
}

export const ledgerRoutes =
  (readers: EventReaders) =>
  async (app: App, _ctx: AppContext): Promise<void> => {
    app.get(
      '/api/events',
      {
        config: { readOnly: true, access: 'user' },
        schema: {
          operationId: 'listEvents',
          tags: ['ledger'],
          summary: 'The event log',
          description: 'Admins, auditors and issuers read every event; other users the events touching their accounts.',
          querystring: Type.Object(
            {
              subject_type: Type.Optional(
                Type.String({ description: 'Filter by subject kind', examples: ['account'] }),
              ),
              subject_id: Type.Optional(Type.String({ description: 'Filter by subject id', examples: ['3'] })),
              type: Type.Optional(
                Type.String({ description: 'Filter by event type', examples: ['certificates.cancelled'] }),
              ),
              account_id: Type.Optional(
                Type.Integer({
                  minimum: 1,
                  maximum: Number.MAX_SAFE_INTEGER,
                  description: 'Only events touching this account (its holdings, members or whitelist)',
                  examples: [3],
                }),
              ),
              order: Type.Optional(
                OneOf(['asc', 'desc'], {
                  default: 'asc',
                  examples: ['desc'],
                  description: "asc: the log's order, oldest first (default); desc: newest first",
                }),
              ),
              ...PageQuery,
            },
            { additionalProperties: false },
          ),
          response: { 200: Page(Event, 'Events in log order (commit order), or newest first') },
          problems: ['invalid_cursor', 'account_not_found'],
        },
      },
      async (request) => {
        const { limit, cursor, ...filter } = request.query;
        const principal = caller(request);
        if (filter.account_id !== undefined) await readers.readableAccount(request.db, principal, filter.account_id);
        const visible = await readers.readableAccountIds(request.db, principal);
        return listEvents(
          request.db,
          { ...filter, visible_accounts: visible },
          pageRequest({ limit, cursor }, 'querystring'),
        );
      },
    );
  };

const Hex = (description: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description });
const HASH = 'c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a';
const blockExample = {
  height: 1,
  size: 12,
  root: HASH,
  previous_hash: '0'.repeat(64),
  block_hash: 'f1945cd6c19e56b3c1c78943ef5ec18116907a4ca1efc40a57d48ab1db7adfc5',
  sealed_at: '2026-06-02T10:00:00.000Z',
};
const Block = component(
  'Block',
  Type.Object(
    {
      height: Id('Block number, from 1'),
      size: Type.Integer({ description: 'Events in the block' }),
      root: Hex("RFC 6962 Merkle root of the events' leaf hashes"),
      previous_hash: Hex('block_hash of the block before (64 zeros for block 1)'),
      block_hash: Hex('SHA-256 of the canonical JSON of height, size, root, previous_hash and sealed_at'),
      sealed_at: Timestamp('When the block was sealed'),
    },
    { description: 'A sealed block of ledger events', examples: [blockExample] },
  ),
);

const SignedHead = component(
  'SignedHead',
  Type.Object(
    {
      height: Id('The newest signed block'),
      block_hash: Hex('Its block_hash, which chains to every block before it'),
      size: Type.Integer({ description: 'Events in the whole log up to and including it' }),
      timestamp: Timestamp('When it was sealed'),
      key_id: Hex('The signing key: SHA-256 of its DER SubjectPublicKeyInfo'),
      signature: Type.String({
        description: 'Ed25519, base64, over the canonical JSON of height, block_hash, size and timestamp',
      }),
    },
    {
      description: 'A signed head of the ledger',
      examples: [
        {
          height: 1,
          block_hash: blockExample.block_hash,
          size: 12,
          timestamp: blockExample.sealed_at,
          key_id: HASH,
          signature: 'q83vEjRWeJ5Kx0hX2mD3u1bJ8Yy0yqkz3nS7V4r6T1cW9pQ2lL5aF8gH0jK3mN6oR9sU2vX5yB8eD1gJ4kM7pA==',
        },
      ],
    },
  ),
);

export async function sealedLedgerRoutes(app: App, ctx: AppContext): Promise<void> {
  const tags = ['ledger'];

  app.post(
    '/api/ledger/seal',
    {
      config: { access: ['issuer', 'auditor'] },
      schema: {
        operationId: 'sealLedger',
        tags,
        summary: 'Seal committed events into blocks now',
        description:
          'The sealer job does this every TALLY_JOB_INTERVAL seconds; this runs it ' +
          'at once. If another instance is sealing, nothing is sealed by this call.',
        response: {
          200: Type.Object(
            {
              blocks_sealed: Type.Integer({ description: 'New blocks' }),
              events_sealed: Type.Integer({ description: 'Events in them' }),
            },
            { description: 'What this call sealed', examples: [{ blocks_sealed: 1, events_sealed: 12 }] },
          ),
        },
      },
    },
    async (request) => {
      const sealed = await sealNow(request.db, ctx.config.ledgerKey, ctx.clock.now());
      return { blocks_sealed: sealed.blocks, events_sealed: sealed.events };
    },
  );

  app.get(
    '/api/ledger/blocks',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        operationId: 'listBlocks',
        tags,
        summary: 'Sealed blocks, oldest first',
        description: 'Public: anyone may check that history was never rewritten.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(Block, 'Blocks by height') },
        problems: ['invalid_cursor'],
      },
    },
    async (request) => {
      const page = pageRequest(request.query, 'querystring');
      const rows = await listBlocks(request.db, afterId(page), page.limit + 1);
      const items = rows.slice(0, page.limit);
      const last = items[items.length - 1];
      return { items, next_cursor: rows.length > page.limit && last ? encodeCursor({ id: last.height }) : null };
    },
  );

  app.get(
    '/api/ledger/head',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getLedgerHead',
        tags,
        summary: 'The newest signed head of the ledger',
        description:
          'Keep it: `tally ledger verify NEW --since HEAD_FILE` proves a later ' +
          'export holds everything up to it unchanged. 409 while nothing is sealed.',
        response: { 200: SignedHead },
        problems: ['not_sealed'],
      },
    },
    async (request) => latestHead(request.db),
  );

  app.get(
    '/api/ledger/keys',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listLedgerKeys',
        tags,
        summary: 'Every public key that has signed ledger heads',
        description: 'A rotated key stays listed, so the heads it signed still verify.',
        response: {
          200: Type.Object(
            {
              items: Type.Array(
                Type.Object({
                  key_id: Hex("SHA-256 of the key's DER SubjectPublicKeyInfo; heads name their key by it"),
                  algorithm: Type.Literal('Ed25519', { description: 'Always Ed25519' }),
                  public_key: Type.String({ description: 'PEM (SubjectPublicKeyInfo)' }),
                  added_at: Timestamp('When it first signed'),
                }),
                { description: 'Signing keys, oldest first' },
              ),
            },
            {
              description: 'Every signing key',
              examples: [
                {
                  items: [
                    {
                      key_id: HASH,
                      algorithm: 'Ed25519',
                      public_key:
                        '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n' +
                        '-----END PUBLIC KEY-----\n',
                      added_at: '2026-06-02T10:00:00.000Z',
                    },
                  ],
                },
              ],
            },
          ),
        },
      },
    },
    async (request) => ({ items: await listKeys(request.db) }),
  );

  app.get(
    '/api/ledger/blocks/:id',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        operationId: 'getBlock',
        tags,
        summary: 'One block with the ids of its events in leaf order',
        description: 'Fetch the events by id to recompute the root.',
        params: IdParams,
        response: {
          200: Type.Intersect(
            [Block, Type.Object({ event_ids: Type.Array(Type.Integer(), { description: 'Event ids, leaf 0 first' }) })],
            {
              description: 'The block and its events',
              examples: [{ ...blockExample, event_ids: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }],
            },
          ),
        },
        problems: ['block_not_found'],
      },
    },
    async (request) => getBlock(request.db, request.params.id),
  );

  app.get(
    '/api/events/:id/proof',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        operationId: 'getInclusionProof',
        tags,
        summary: 'Inclusion proof of a sealed event',
        description:
          'Verify with RFC 9162 §2.1.3.2: hash the leaf up through `path` and ' +
          "compare with the block's `root`. 409 while the event is not sealed yet.",
        params: IdParams,
        response: {
          200: Type.Object(
            {
              event_id: Id('The event'),
              block: Id('The block holding it'),
              leaf_index: Type.Integer({ description: 'Its leaf, from 0' }),
              tree_size: Type.Integer({ description: 'Leaves in the block' }),
              leaf_hash: Hex('SHA-256(0x00 || canonical event JSON)'),
              root: Hex("The block's Merkle root"),
              path: Type.Array(Hex('Sibling hash'), { description: 'Sibling hashes from the leaf up' }),
            },
            {
              description: 'The proof that the event is in its block',
              examples: [
                {
                  event_id: 12,
                  block: 1,
                  leaf_index: 11,
                  tree_size: 12,
                  leaf_hash: blockExample.block_hash,
                  root: HASH,
                  path: [HASH, blockExample.block_hash],
                },
              ],
            },
          ),
        },
        problems: ['event_not_found', 'not_sealed'],
      },
    },
    async (request) => inclusionProof(request.db, request.params.id),
  );

  app.get(
    '/api/ledger/export',
    {
      config: { readOnly: true, access: ['auditor', 'issuer'] },
      schema: {
        operationId: 'exportLedger',
        tags,
        summary: 'The sealed ledger as NDJSON',
        description:
          'One line per block: `{block, events, leaf_hashes, head}`, events in leaf order, ' +
          '`head` its signed head (absent for blocks sealed before heads were signed). ' +
          'Events carry full registry data, so the export is for auditors, issuers and admins; ' +
          'blocks and proofs are public. Check it offline with `tally ledger verify FILE`.',
        produces: ['application/x-ndjson'],
        response: {
          // Streamed: the lines are written as the blocks are read.
          200: Type.Unsafe<Readable>({
            type: 'string',
            description: 'One JSON object per line, one line per block',
            examples: [
              '{"block":{"height":1,"size":1},"events":[{"id":1,"type":"account.created"}],' +
                `"leaf_hashes":["${HASH}"]}\n`,
            ],
          }),
        },
      },
    },
    async (request, reply) => {
      const lines = (async function* () {
        for await (const entry of exportBlocks(request.db)) yield `${JSON.stringify(entry)}\n`;
      })();
      return reply.type('application/x-ndjson').send(Readable.from(lines));
    },
  );
}
