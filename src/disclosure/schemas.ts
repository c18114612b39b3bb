// What a disclosure request holds and what its answers and datasets look like: the routes validate
// and document with these schemas, and disclosures.ts takes and returns their static types.
import { type Static, Type } from 'typebox';
import { component, Id, Timestamp } from '../platform/http/schemas.ts';

const ID = '0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';
const URL = `http://127.0.0.1:3000/api/disclosures/${ID}`;
const period = { period_start: '2026-06-01T00:00:00.000Z', period_end: '2026-07-01T00:00:00.000Z' };

export const NewDisclosure = Type.Object(
  {
    account_id: Type.Optional(Id('The consuming account')),
    metering_point_ids: Type.Optional(
      Type.Array(Type.String({ minLength: 1, description: 'Consumption metering point' }), {
        minItems: 1,
        maxItems: 1000,
        description: 'Or these consumption metering points',
      }),
    ),
    period_start: Timestamp('Start of the period (UTC)'),
    period_end: Timestamp('End of the period (UTC, exclusive)'),
  },
  { additionalProperties: false, examples: [{ metering_point_ids: ['571313174000000042'], ...period }] },
);
export type NewDisclosure = Static<typeof NewDisclosure>;

const links = {
  id: Type.String({ format: 'uuid', description: 'Disclosure id' }),
  json_url: Type.String({ description: 'The dataset as JSON; public, no token needed' }),
  csv_url: Type.String({ description: 'The dataset as CSV; public, no token needed' }),
};
const linksExample = { id: ID, json_url: `${URL}/data.json`, csv_url: `${URL}/data.csv` };

export const DisclosureLinks = Type.Object(links, {
  description: 'Where the published dataset is',
  examples: [linksExample],
});
export type DisclosureLinks = Static<typeof DisclosureLinks>;

export const DisclosureSummary = component(
  'DisclosureSummary',
  Type.Object(
    {
      ...links,
      account_id: Type.Union([Id('Consuming account'), Type.Null()]),
      metering_point_ids: Type.Array(Type.String(), { description: 'Consumption metering points' }),
      period_start: Timestamp('Start'),
      period_end: Timestamp('End'),
      created_at: Timestamp('Published at'),
    },
    {
      description: 'A published disclosure',
      examples: [
        {
          ...linksExample,
          account_id: null,
          metering_point_ids: ['571313174000000042'],
          ...period,
          created_at: '2026-07-01T08:00:00.000Z',
        },
      ],
    },
  ),
);
export type DisclosureSummary = Static<typeof DisclosureSummary>;

const Wh = (description: string) => Type.Integer({ description });
const Share = (description: string) =>
  Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description });

export const DisclosureHour = Type.Object({
  hour_start: Timestamp('Start of the hour (UTC)'),
  consumption_wh: Wh('Consumed in the hour'),
  claimed_wh: Wh('Certificates of the hour claimed for the consumer'),
  matched_wh: Wh('Consumption covered by certificates of the same hour: min(consumption, claimed)'),
  matched_share: Share('matched ÷ consumption; null for an hour without consumption'),
  claimed: Type.Array(
    Type.Object({
      energy_source: Type.String({ description: 'Energy source' }),
      technology: Type.String({ description: 'EECS technology label' }),
      wh: Wh('Claimed Wh of this source and technology'),
    }),
    { description: 'The claimed Wh by source and technology' },
  ),
});
export type DisclosureHour = Static<typeof DisclosureHour>;

export const DisclosurePublication = Type.Object(
  {
    publication_id: Type.String({ format: 'uuid', description: 'The publication (GET /api/publications/{id})' }),
    cid: Type.String({ description: 'Content id of the published document on the storage' }),
    storage_type: Type.String({ description: 'The storage that holds it (as the uploader lists storages)' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the published bytes, hex' }),
    published_at: Timestamp('When Tally published it'),
  },
  { description: 'A copy of this disclosure, as it stood then, on decentralised storage' },
);
export type DisclosurePublication = Static<typeof DisclosurePublication>;

export const DisclosureDataset = component(
  'DisclosureDataset',
  Type.Object(
    {
      id: Type.String({ format: 'uuid', description: 'Disclosure id' }),
      consumer: Type.Object(
        {
          account_id: Type.Union([Id('Consuming account'), Type.Null()]),
          metering_point_ids: Type.Array(Type.String(), { description: 'Consumption metering points' }),
        },
        { description: 'Whose consumption' },
      ),
      period_start: Timestamp('Start of the period'),
      period_end: Timestamp('End of the period (exclusive)'),
      generated_at: Timestamp('When this dataset was computed'),
      consumption_wh: Wh('Consumed in the period'),
      claimed_wh: Wh('Claimed for the consumer in the period'),
      matched_wh: Wh('Matched within the hour, summed over the period'),
      hourly_matching_score: Share(
        "Share of the period's consumption matched by certificates of the same hour; null without consumption",
      ),
      published_event_id: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
        description:
          'The ledger event that published this disclosure: its inclusion proof ' +
          "(GET /api/events/{id}/proof, once sealed) shows the disclosure's terms are on the ledger",
      }),
      hours: Type.Array(DisclosureHour, { description: 'One entry per hour of the period' }),
      publications: Type.Array(DisclosurePublication, {
        description: 'Where copies of this disclosure were published (POST /api/publications), newest first',
      }),
    },
    {
      description: 'An hourly-matching disclosure: consumption and claimed certificates hour by hour',
      examples: [
        {
          id: ID,
          consumer: { account_id: null, metering_point_ids: ['571313174000000042'] },
          ...period,
          generated_at: '2026-07-01T08:00:00.000Z',
          consumption_wh: 2400000,
          claimed_wh: 2000000,
          matched_wh: 1800000,
          hourly_matching_score: 0.75,
          published_event_id: 412,
          hours: [
            {
              hour_start: '2026-06-01T10:00:00.000Z',
              consumption_wh: 1400000,
              claimed_wh: 1200000,
              matched_wh: 1200000,
              matched_share: 0.857143,
              claimed: [{ energy_source: 'solar_pv', technology: 'Solar', wh: 1200000 }],
            },
          ],
          publications: [
            {
              publication_id: '6f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e8',
              cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
              storage_type: 'ipfs',
              sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
              published_at: '2026-07-01T09:00:00.000Z',
            },
          ],
        },
      ],
    },
  ),
);
export type DisclosureDataset = Static<typeof DisclosureDataset>;
