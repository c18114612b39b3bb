// What a publication request holds and what a publication looks like: the routes validate and
// document with these schemas, and publications.ts takes and returns their static types.
import { type Static, Type } from 'typebox';
import { component, Id, Nullable, OneOf, strict, Timestamp } from '../platform/http/schemas.ts';
import { KINDS } from './tables.ts';

const Kind = OneOf(KINDS, {
  description:
    'What is published: `disclosure` (its dataset as it stands), `ledger_block` (a sealed block with its ' +
    'events, leaf hashes and signed head), `market_forecasts` (a forecasting-market session’s forecasts)',
  examples: ['disclosure'],
});

export const NewPublication = Type.Object(
  {
    kind: Kind,
    id: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'The disclosure’s id (a UUID), the block’s height or the market session’s id',
      examples: ['0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e'],
    }),
    storage_type: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'The storage to publish on, as `GET /uploader/` lists storages',
      examples: ['ipfs'],
    }),
  },
  { ...strict, examples: [{ kind: 'disclosure', id: '0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e', storage_type: 'ipfs' }] },
);
export type NewPublication = Static<typeof NewPublication>;

const example = {
  id: '6f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e8',
  kind: 'disclosure' as const,
  subject_id: '0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e',
  storage_type: 'ipfs',
  quote_id: 'q-3f9a1c',
  status: 400,
  cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  bytes: 182_311,
  file_name: 'disclosure-0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e.json',
  failure: null,
  published_by: 1,
  created_at: '2026-07-01T09:00:00.000Z',
};

export const Publication = component(
  'Publication',
  Type.Object(
    {
      id: Type.String({ format: 'uuid', description: 'Publication id' }),
      kind: Kind,
      subject_id: Type.String({ description: 'The published disclosure’s id, block’s height or session’s id' }),
      storage_type: Type.String({ description: 'The storage it went to' }),
      quote_id: Type.String({ description: 'The uploader quote it went through (`GET /uploader/getStatus?quoteId=`)' }),
      status: Type.Integer({
        minimum: 200,
        maximum: 499,
        description: 'The uploader’s final status: 400 stored; 200–299 payment failed; 401–499 upload failed',
      }),
      cid: Nullable(Type.String({ description: 'Content id of the document on the storage; null unless stored' })),
      sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the published bytes, hex' }),
      bytes: Type.Integer({ minimum: 1, description: 'Size of the published document' }),
      file_name: Type.String({ description: 'The file name it was stored under' }),
      failure: Nullable(Type.String({ description: 'Why it is not on the storage; null when it is' })),
      published_by: Id('The user who published it'),
      created_at: Timestamp('When it was published'),
    },
    {
      description:
        'A document Tally put on decentralised storage with its publisher wallet, and what that came to. ' +
        'The ledger event written with it (`publication.published` or `publication.failed`) binds the CID ' +
        'and the SHA-256 once sealed.',
      examples: [example],
    },
  ),
);
export type PublicationView = Static<typeof Publication>;

export const PublicationFilter = {
  kind: Type.Optional(Kind),
  subject_id: Type.Optional(
    Type.String({
      maxLength: 64,
      description: 'Only those of this subject',
      examples: ['0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e'],
    }),
  ),
};
