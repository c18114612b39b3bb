import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Id, IdParams, Page, PageQuery, Timestamp, withProblems } from '../platform/http/schemas.ts';
import { afterId, encodeCursor, pageRequest } from '../platform/pagination.ts';
import { readableAccount, readableAccountIds } from '../registry/access.ts';
import { listEvents } from './events.ts';
import { latestHead, listKeys } from './heads.ts';
import { exportBlocks, getBlock, inclusionProof, listBlocks } from './seal.ts';
import { sealNow } from './jobs.ts';

const Event = Type.Object({
  id: Id('Event id; the log is listed in commit order, which may differ slightly from id order'),
  type: Type.String({ description: 'What happened, e.g. certificates.transferred' }),
  subject_type: Type.String({ description: 'Kind of thing the event is about: account, device, user, registry' }),
  subject_id: Type.String({ description: 'Its id' }),
  account_ids: Type.Array(Type.Integer(), { description: 'Accounts whose holdings the event touches' }),
  actor_id: Type.Union([Type.Integer(), Type.Null()], { description: 'User who caused it; null for jobs' }),
  payload: Type.Unknown({
    description:
      'The full data of the change; users who do not read every account see only the bundles of accounts they may read',
  }),
  recorded_at: Timestamp('When it was recorded'),
});

export async function ledgerRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  app.get(
    '/api/events',
    {
      config: { access: 'user' },
      schema: {
        tags: ['ledger'],
        summary: 'The event log',
        description: 'Admins, auditors and issuers read every event; other users the events touching their accounts.',
        querystring: Type.Object(
          {
            subject_type: Type.Optional(Type.String({ description: 'Filter by subject kind' })),
            subject_id: Type.Optional(Type.String({ description: 'Filter by subject id' })),
            type: Type.Optional(Type.String({ description: 'Filter by event type' })),
            account_id: Type.Optional(Id('Only events touching this account (its holdings, members or whitelist)')),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: Page(Event, 'Events in id order') }, [400, 401]),
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const principal = caller(request);
      if (filter.account_id !== undefined) await readableAccount(db, principal, filter.account_id);
      const visible = await readableAccountIds(db, principal);
      return listEvents(db, { ...filter, visible_accounts: visible }, pageRequest({ limit, cursor }, 'querystring'));
    },
  );
}

const Hex = (description: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description });
const Block = Type.Object({
  height: Id('Block number, from 1'),
  size: Type.Integer({ description: 'Events in the block' }),
  root: Hex("RFC 6962 Merkle root of the events' leaf hashes"),
  previous_hash: Hex('block_hash of the block before (64 zeros for block 1)'),
  block_hash: Hex('SHA-256 of the canonical JSON of height, size, root, previous_hash and sealed_at'),
  sealed_at: Timestamp('When the block was sealed'),
});

const SignedHead = Type.Object({
  height: Id('The newest signed block'),
  block_hash: Hex('Its block_hash, which chains to every block before it'),
  size: Type.Integer({ description: 'Events in the whole log up to and including it' }),
  timestamp: Timestamp('When it was sealed'),
  key_id: Hex('The signing key: SHA-256 of its DER SubjectPublicKeyInfo'),
  signature: Type.String({
    description: 'Ed25519, base64, over the canonical JSON of height, block_hash, size and timestamp',
  }),
});

export async function sealedLedgerRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  const tags = ['ledger'];

  app.post(
    '/api/ledger/seal',
    {
      config: { access: ['issuer', 'auditor'] },
      schema: {
        tags,
        summary: 'Seal committed events into blocks now',
        description:
          'The sealer job does this every TALLY_JOB_INTERVAL seconds; this runs it at once. If another instance is sealing, nothing is sealed by this call.',
        response: withProblems(
          {
            200: Type.Object({
              blocks_sealed: Type.Integer({ description: 'New blocks' }),
              events_sealed: Type.Integer({ description: 'Events in them' }),
            }),
          },
          [401, 403],
        ),
      },
    },
    async () => {
      const sealed = await sealNow(db, ctx.config.ledgerKey, ctx.clock.now());
      return { blocks_sealed: sealed.blocks, events_sealed: sealed.events };
    },
  );

  app.get(
    '/api/ledger/blocks',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Sealed blocks, oldest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: withProblems({ 200: Page(Block, 'Blocks by height') }, [400]),
      },
    },
    async (request) => {
      const page = pageRequest(request.query, 'querystring');
      const rows = await listBlocks(db, afterId(page), page.limit + 1);
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
        tags,
        summary: 'The newest signed head of the ledger',
        description:
          'Keep it: `tally ledger verify NEW --since HEAD_FILE` proves a later export holds everything up to it unchanged. 409 while nothing is sealed.',
        response: withProblems({ 200: SignedHead }, [409]),
      },
    },
    async () => latestHead(db),
  );

  app.get(
    '/api/ledger/keys',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Every public key that has signed ledger heads',
        description: 'A rotated key stays listed, so the heads it signed still verify.',
        response: withProblems(
          {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  key_id: Hex("SHA-256 of the key's DER SubjectPublicKeyInfo; heads name their key by it"),
                  algorithm: Type.Literal('Ed25519'),
                  public_key: Type.String({ description: 'PEM (SubjectPublicKeyInfo)' }),
                  added_at: Timestamp('When it first signed'),
                }),
              ),
            }),
          },
          [],
        ),
      },
    },
    async () => ({ items: await listKeys(db) }),
  );

  app.get(
    '/api/ledger/blocks/:id',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'One block with the ids of its events in leaf order',
        params: IdParams,
        response: withProblems(
          {
            200: Type.Intersect([
              Block,
              Type.Object({ event_ids: Type.Array(Type.Integer(), { description: 'Event ids, leaf 0 first' }) }),
            ]),
          },
          [404],
        ),
      },
    },
    async (request) => getBlock(db, request.params.id),
  );

  app.get(
    '/api/events/:id/proof',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Inclusion proof of a sealed event',
        description:
          "Verify with RFC 9162 §2.1.3.2: hash the leaf up through `path` and compare with the block's `root`. 409 while the event is not sealed yet.",
        params: IdParams,
        response: withProblems(
          {
            200: Type.Object({
              event_id: Id('The event'),
              block: Id('The block holding it'),
              leaf_index: Type.Integer({ description: 'Its leaf, from 0' }),
              tree_size: Type.Integer({ description: 'Leaves in the block' }),
              leaf_hash: Hex('SHA-256(0x00 || canonical event JSON)'),
              root: Hex("The block's Merkle root"),
              path: Type.Array(Hex('Sibling hash'), { description: 'Sibling hashes from the leaf up' }),
            }),
          },
          [400, 404, 409],
        ),
      },
    },
    async (request) => inclusionProof(db, request.params.id),
  );

  app.get(
    '/api/ledger/export',
    {
      config: { access: ['auditor', 'issuer'] },
      schema: {
        tags,
        summary: 'The sealed ledger as NDJSON',
        description:
          'One line per block: `{block, events, leaf_hashes, head}`, events in leaf order, `head` its signed head (absent for blocks sealed before heads were signed). Events carry full registry data, so the export is for auditors, issuers and admins; blocks and proofs are public. Check it offline with `tally ledger verify FILE`.',
        response: {
          200: Type.String({ description: 'application/x-ndjson' }),
          401: Type.Unknown(),
          403: Type.Unknown(),
        },
      },
    },
    async (_request, reply) => {
      const lines = (async function* () {
        for await (const entry of exportBlocks(db)) yield `${JSON.stringify(entry)}\n`;
      })();
      return reply.type('application/x-ndjson').send(Readable.from(lines));
    },
  );
}
