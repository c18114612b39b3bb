// The EnergyTag face under requests generated from the draft's own request schemas (fast-check):
// whatever a client sends to a served operation, the face never answers 5xx, and a refusal (4xx)
// changes nothing: the ledger holds as many events as before and the bundles are as they were.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '../../src/faces/energytag/index.ts';
import { getWithBody, loadDraft } from '../helpers/energytag.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { storageDevice } from '../helpers/storage.ts';
import { buildWorld, hour, issue, type World } from '../helpers/world.ts';

const draft = loadDraft();
type Schema = Record<string, any>;

/** Words the draft's free-text fields take in practice, so that some generated requests are accepted. */
const WORDS = [
  'Active',
  'Reserved',
  'Cancelled',
  'claimed',
  'Solar',
  'solar_pv',
  'Wind',
  'GC Issuer',
  'Account Holder',
];
/** Mostly `usual`, sometimes anything of the type. */
const mostly = <T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: usual }, { weight: 1, arbitrary: other });

/** This registry's UUIDs: all of them, and those a field of that name usually holds. */
interface Pool {
  all: string[];
  byField: Record<string, string[]>;
}

/**
 * An arbitrary value of `schema` (a draft schema, the value of field `name`), with UUIDs mostly
 * this registry's (of the kind the field holds), sometimes anyone's.
 */
function arbitrary(schema: Schema, pool: Pool, depth = 0, name = ''): fc.Arbitrary<unknown> {
  if (schema.$ref) {
    const name = String(schema.$ref).slice(String(schema.$ref).lastIndexOf('/') + 1);
    if (depth > 2) return fc.constant({});
    return arbitrary(draft.components.schemas[name]!, pool, depth + 1);
  }
  switch (schema.type) {
    case 'string':
      if (schema.format === 'uuid')
        return fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...(pool.byField[name] ?? pool.all)) },
          { weight: 1, arbitrary: fc.constantFrom(...pool.all) },
          { weight: 1, arbitrary: fc.uuid() },
        );
      if (schema.format === 'date-time')
        return mostly(
          fc.oneof(
            fc.constantFrom(...[0, 1, 2, 5].map((n) => hour(n).production_starting_interval)),
            fc
              .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
              .map((d) => d.toISOString()),
          ),
          fc.string(),
        );
      if (schema.format === 'date') return mostly(fc.constant('2021-04-01'), fc.string());
      return mostly(fc.constantFrom(...WORDS), fc.string({ maxLength: 20 }));
    case 'integer':
      return mostly(
        fc.constantFrom(1, 100_000, 500_000, 1_000_000),
        fc.oneof(fc.integer({ min: -2, max: 2_000_000 }), fc.maxSafeInteger()),
      );
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 10_000_000 }));
    case 'boolean':
      return fc.boolean();
    case 'array':
      if (Array.isArray(schema.items)) return fc.tuple(...schema.items.map((s: Schema) => arbitrary(s, pool, depth)));
      return fc.array(arbitrary(schema.items ?? {}, pool, depth), { maxLength: 3 });
    case 'object': {
      const props = Object.fromEntries(
        Object.entries((schema.properties ?? {}) as Record<string, Schema>).map(([k, s]) => [
          k,
          arbitrary(s, pool, depth, k),
        ]),
      );
      // Few optional fields at a time, as a client sends them.
      const required = [...new Set((schema.required ?? []) as string[])];
      const record = fc
        .tuple(
          fc.record(props, { requiredKeys: required }),
          fc.subarray(Object.keys(props), { maxLength: Math.min(3, Object.keys(props).length) }),
        )
        .map(([r, keep]) =>
          Object.fromEntries(Object.entries(r).filter(([k]) => required.includes(k) || keep.includes(k))),
        );
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        return fc.dictionary(fc.constantFrom(...pool.all), arbitrary(schema.additionalProperties, pool, depth), {
          maxKeys: 2,
        });
      return record;
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** The request schema of a draft operation; the correct `reserve` takes what the draft's `reseve` takes. */
function requestSchema(method: string, path: string): Schema | undefined {
  const op = draft.paths[path.replace(/\/reserve$/, '/reseve')]?.[method.toLowerCase()];
  return op?.requestBody?.content?.['application/json']?.schema;
}

/** Every served operation (docs/energytag-conformance.md). */
const SERVED: Array<[string, string]> = [
  ['POST', '/users/user'],
  ['GET', '/users/user/{id}'],
  ['PATCH', '/users/user/{id}'],
  ['POST', '/accounts/account'],
  ['GET', '/accounts/account/{id}'],
  ['PATCH', '/accounts/account/{id}'],
  ['DELETE', '/accounts/account/{id}'],
  ['POST', '/devices/device'],
  ['GET', '/devices/device/{id}'],
  ['PATCH', '/devices/device/{id}'],
  ['POST', '/certificates/certificates/create'],
  ['GET', '/certificates/certificates/query'],
  ['POST', '/certificates/certificates/transfer'],
  ['POST', '/certificates/certificates/cancel'],
  ['POST', '/certificates/certificates/claim'],
  ['POST', '/certificates/certificates/withdraw'],
  ['POST', '/certificates/certificates/reseve'],
  ['POST', '/certificates/certificates/reserve'],
  ['DELETE', '/users/user/{id}'],
  ['DELETE', '/devices/device/{id}'],
  ['POST', '/organisations/organisation'],
  ['GET', '/organisations/organisation/{id}'],
  ['PATCH', '/organisations/organisation/{id}'],
  ['DELETE', '/organisations/organisation/{id}'],
  ['POST', '/certificates/certificates/recurring_transfer'],
  ['POST', '/certificates/certificates/recurring_cancel'],
  ['PATCH', '/certificates/certificates/update_mutables'],
  ['POST', '/storage/storage/create_scr'],
  ['POST', '/storage/storage/create_sdr'],
  ['POST', '/storage/storage/issue_sdgc'],
  ['GET', '/storage/storage/query_scr'],
  ['GET', '/storage/storage/query_sdr'],
  ['PATCH', '/storage/storage/update_mutables'],
  ['POST', '/storage/storage/withdraw_scr'],
  ['POST', '/storage/storage/withdraw_sdr'],
];

/** Tally's extension fields, sometimes added so that creations can succeed. */
const EXTENSIONS: Record<string, Record<string, unknown>> = {
  'POST /users/user': { password: 'correct horse battery' },
  'POST /devices/device': {
    technology_code: 'T010101',
    fuel_code: 'F01040100',
    country: 'DK',
    time_zone: 'Europe/Copenhagen',
    device_location: [56.15, 10.2],
    issuance_metadata: { issuing_body: 'Energinet' },
  },
  'POST /certificates/certificates/recurring_transfer': { recurring_transfer_period_units: 'days' },
  'POST /certificates/certificates/recurring_cancel': { recurring_cancellation_period_units: 'weeks' },
  'PATCH /certificates/certificates/update_mutables': { holder_reference: 'PPA-1' },
};

describe('the EnergyTag face under generated requests', () => {
  let s: TestServer;
  let w: World;
  let admin: { token: string };
  let pool: Pool;
  /** The users the requests are sent as, and one a generated deletion (deactivation) may take instead. */
  let actors: Set<string>;
  let spares: string[];

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    admin = await s.user('admin');
    const bundles = await issue(s, w, [
      [0, 1_000_000],
      [1, 500_000],
    ]);
    const accounts = [w.producerAccount, w.traderAccount, w.outsiderAccount].map((id) => uuidOf('account', id));
    const battery = uuidOf('device', await storageDevice(s, w));
    const devices = [uuidOf('device', w.device), battery];
    const users = [w.issuer.id, w.producer.id, w.trader.id].map((id) => uuidOf('user', id));
    const issuances = bundles.map((b: any) => uuidOf('issuance', b.issuance_id));
    const organisation = await s.request('POST', '/api/organisations', {
      token: admin.token,
      body: { name: 'Solar Co', business_id: 1, email: 'solar@example.com' },
    });
    const spare = await s.user('trader', 'spare');
    const organisations = [uuidOf('organisation', organisation.body.id)];
    actors = new Set(users);
    spares = [uuidOf('user', spare.id)];
    pool = {
      all: [...accounts, ...devices, ...users, ...spares, ...issuances, ...organisations],
      byField: {
        source_id: accounts,
        target_id: accounts,
        id: [...devices, ...accounts, ...organisations],
        source_certificate_issuance_id: issuances,
        gc_issuance_id: issuances,
        storage_id: [battery],
      },
    };
  });
  afterAll(async () => s?.close());

  /**
   * What a refusal must leave as it was: the ledger's length, every bundle's range, holder, status
   * and holder's reference, the standing orders, the organisations, the users' roles,
   * organisations and deactivation, and the storage records (status and description), their
   * backings and allocations.
   */
  async function state() {
    const bundles = await sql<{ v: string }>`
      select string_agg(concat_ws(':', id, account_id, certificate_bundle_status, certificate_bundle_id_range_start,
        certificate_bundle_id_range_end, holder_reference), ',' order by id) as v from bundles`.execute(
      s.db.database.kysely,
    );
    const orders = await sql<{ n: number }>`select count(*)::int as n from standing_orders`.execute(
      s.db.database.kysely,
    );
    const parties = await sql<{ v: string }>`
      select concat_ws('|',
        (select string_agg(concat_ws(':', id, name, business_id, email, address, website, deleted_at), ',' order by id)
           from organisations),
        (select string_agg(concat_ws(':', id, role, organisation_id, deactivated_at), ',' order by id) from users)
      ) as v`.execute(s.db.database.kysely);
    const storage = await sql<{ v: string }>`
      select concat_ws('|',
        (select string_agg(concat_ws(':', id, status, scr_geographic_matching_method), ',' order by id)
           from storage_charge_records),
        (select string_agg(concat_ws(':', id, status, efficiency_factor_methodology), ',' order by id)
           from storage_discharge_records),
        (select string_agg(concat_ws(':', bundle_id, scr_id, wh), ',' order by bundle_id) from storage_charge_backings),
        (select string_agg(concat_ws(':', id, status), ',' order by id) from storage_allocations)
      ) as v`.execute(s.db.database.kysely);
    return {
      events: await s.eventCount(),
      bundles: bundles.rows[0]?.v ?? '',
      orders: orders.rows[0]?.n,
      parties: parties.rows[0]?.v,
      storage: storage.rows[0]?.v,
    };
  }

  it('never answers 5xx, and a refusal changes nothing', async () => {
    const request = fc.record({
      op: fc.constantFrom(...SERVED),
      who: fc.constantFrom('producer', 'trader', 'issuer', 'admin'),
      id: mostly(fc.constantFrom(...pool.all), fc.oneof(fc.uuid(), fc.string({ maxLength: 10 }))),
      extend: fc.boolean(),
      seed: fc.integer(),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ op: [method, template], who, id, extend, seed }) => {
        const schema = requestSchema(method, template);
        const generated = schema
          ? fc.sample(fc.oneof({ weight: 9, arbitrary: arbitrary(schema, pool) }, fc.jsonValue()), {
              seed,
              numRuns: 1,
            })[0]
          : undefined;
        const body =
          extend && generated && typeof generated === 'object' && !Array.isArray(generated)
            ? { ...generated, ...EXTENSIONS[`${method} ${template}`] }
            : generated;
        const token = who === 'admin' ? admin.token : w[who as 'producer' | 'trader' | 'issuer'].token;
        // A generated user deletion never deactivates a user the requests are sent as.
        const target = method === 'DELETE' && template === '/users/user/{id}' && actors.has(id) ? spares[0]! : id;
        const path = `/energytag/v2${template.replace('{id}', encodeURIComponent(target))}`;
        const before = await state();
        const r =
          method === 'GET' && body !== undefined
            ? await getWithBody(s.url, path, body, token)
            : await s.request(method, path, { token, ...(body !== undefined ? { body } : {}) });
        expect(r.status, `${method} ${path} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`).toBeLessThan(500);
        if (r.status >= 400) {
          expect(r.body.detail, JSON.stringify(r.body)).toEqual(expect.any(Array));
          expect(await state()).toEqual(before);
        }
      }),
      { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20261202) },
    );
  });
});
