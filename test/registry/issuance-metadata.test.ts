// An issuance names a metadata version of its own device (0004), checked once per inserting
// statement since 0038, which also makes the versions immutable, and the bundle it re-issues and
// the imported record it stands for exist, checked so since 0041, which keeps every bundle: what the
// foreign keys they replaced guaranteed, proven behind the API's back, where only the database
// stands in the way, and the checker's rules for a database where those checks were off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { checkRegistry } from '../../src/registry/check.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, CAPACITY_W, issue, registerDevice, SOLAR, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let other: number;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  other = await registerDevice(s, w.producer.token, {
    device_name: 'Second roof',
    account_id: w.producerAccount,
    ...SOLAR,
    capacity: CAPACITY_W,
  });
});
afterAll(() => s.close());

const db = () => s.db.database.kysely;
const metadataOf = async (device: number) =>
  (await sql<{ id: number }>`SELECT issuance_metadata_id AS id FROM devices WHERE id = ${device}`.execute(db()))
    .rows[0]!.id;
const issuances = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM issuances`.execute(db())).rows[0]!.n;

/** Two issuances of `device` in one statement, the second naming `secondMetadata`. */
const insertTwo = (device: number, firstMetadata: number, secondMetadata: number, hour: number) =>
  sql`INSERT INTO issuances (device_id, issuance_metadata_id, production_starting_interval, production_ending_interval,
                             bundle_quantity, certificate_bundle_id_range_start, certificate_bundle_id_range_end)
      VALUES (${device}, ${firstMetadata}, timestamptz '2024-01-01' + ${hour} * interval '1 hour',
              timestamptz '2024-01-01' + ${hour + 1} * interval '1 hour', 10, 900000, 900009),
             (${device}, ${secondMetadata}, timestamptz '2024-01-01' + ${hour + 1} * interval '1 hour',
              timestamptz '2024-01-01' + ${hour + 2} * interval '1 hour', 10, 900010, 900019)`.execute(db());

describe("an issuance's metadata", () => {
  it("refuses a statement of which one issuance names another device's version, inserting none of them", async () => {
    await issue(s, w, [[0, 100]]);
    const before = await issuances();
    const own = await metadataOf(w.device);
    await expect(insertTwo(w.device, own, await metadataOf(other), 10)).rejects.toThrow(
      /issuance \d+ names metadata that is not a version of its device/,
    );
    await expect(insertTwo(w.device, own, 987654, 10)).rejects.toThrow('not a version of its device');
    expect(await issuances()).toBe(before);
    // The same statement with the device's own version is taken.
    await insertTwo(w.device, own, own, 10);
    expect(await issuances()).toBe(before + 2);
  });

  it('keeps every version as it was written', async () => {
    const own = await metadataOf(w.device);
    await expect(
      sql`UPDATE issuance_metadata SET issuing_body = 'Other' WHERE id = ${own}`.execute(db()),
    ).rejects.toThrow('issuance metadata versions are immutable: UPDATE refused');
    await expect(sql`DELETE FROM issuance_metadata WHERE id = ${own}`.execute(db())).rejects.toThrow(
      'issuance metadata versions are immutable: DELETE refused',
    );
    await expect(sql`TRUNCATE issuance_metadata CASCADE`.execute(db())).rejects.toThrow(
      'issuance metadata versions are immutable: TRUNCATE refused',
    );
    const { rows } = await sql<{
      issuing_body: string;
    }>`SELECT issuing_body FROM issuance_metadata WHERE id = ${own}`.execute(db());
    expect(rows).toEqual([{ issuing_body: 'Energinet' }]);
  });

  it('is named by the checker where it is not a version of the device, as with the check off', async () => {
    const own = await metadataOf(w.device);
    const foreign = await metadataOf(other);
    const before = (await checkRegistry(db())).filter((v) => v.rule === 'issuance_metadata_of_device');
    expect(before).toEqual([]);
    // As the database's owner could, with the statement's check off.
    await sql`ALTER TABLE issuances DISABLE TRIGGER issuances_reference_what_exists`.execute(db());
    await insertTwo(w.device, own, foreign, 20);
    await sql`ALTER TABLE issuances ENABLE TRIGGER issuances_reference_what_exists`.execute(db());
    const { rows } = await sql<{ id: number }>`
      SELECT id FROM issuances WHERE issuance_metadata_id = ${foreign} AND device_id = ${w.device}`.execute(db());
    expect((await checkRegistry(db())).filter((v) => v.rule === 'issuance_metadata_of_device')).toEqual([
      {
        rule: 'issuance_metadata_of_device',
        detail: `issuance ${rows[0]!.id} of device ${w.device} names metadata ${foreign}, not a version of that device`,
      },
    ]);
  });
});

/** One issuance of `device` at `hour`, re-issuing `bundle`. */
const insertReissue = async (device: number, bundle: number, hour: number) =>
  sql`INSERT INTO issuances (device_id, issuance_metadata_id, production_starting_interval, production_ending_interval,
                             bundle_quantity, certificate_bundle_id_range_start, certificate_bundle_id_range_end,
                             reissue_of_bundle_id)
      VALUES (${device}, ${await metadataOf(device)}, timestamptz '2024-01-01' + ${hour} * interval '1 hour',
              timestamptz '2024-01-01' + ${hour + 1} * interval '1 hour', 10, 910000, 910009, ${bundle})`.execute(db());

/** One imported issuance standing for the imported record `record`. */
const insertImported = (record: number) =>
  sql`INSERT INTO issuances (imported_issuance_id, production_starting_interval, production_ending_interval,
                             bundle_quantity, certificate_bundle_id_range_start, certificate_bundle_id_range_end)
      VALUES (${record}, timestamptz '2024-01-01', timestamptz '2024-01-01 01:00', 10, 920000, 920009)`.execute(db());

const MISSING = 987_654;

describe("an issuance's references", () => {
  it('refuses an issuance re-issuing a bundle, or standing for an imported record, that does not exist', async () => {
    const before = await issuances();
    await expect(insertReissue(w.device, MISSING, 30)).rejects.toThrow(
      /issuance \d+ re-issues a bundle that does not exist/,
    );
    await expect(insertImported(MISSING)).rejects.toThrow(
      /issuance \d+ names an imported issuance that does not exist/,
    );
    expect(await issuances()).toBe(before);
    // A bundle that exists is re-issued.
    const [bundle] = await issue(s, w, [[40, 100]]);
    await insertReissue(w.device, bundle!.id, 40);
    expect(await issuances()).toBe(before + 2);
  });

  it('keeps every bundle: deleting or truncating bundles is refused', async () => {
    const [bundle] = await issue(s, w, [[50, 100]]);
    await expect(sql`DELETE FROM bundles WHERE id = ${bundle!.id}`.execute(db())).rejects.toThrow(
      'bundles are never removed: DELETE refused',
    );
    await expect(sql`TRUNCATE bundles CASCADE`.execute(db())).rejects.toThrow(
      'bundles are never removed: TRUNCATE refused',
    );
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bundles WHERE id = ${bundle!.id}`.execute(
      db(),
    );
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('is named by the checker where what it names is missing, as with the check off', async () => {
    const rule = 'issuance_references_exist';
    expect((await checkRegistry(db())).filter((v) => v.rule === rule)).toEqual([]);
    await sql`ALTER TABLE issuances DISABLE TRIGGER issuances_reference_what_exists`.execute(db());
    await insertReissue(w.device, MISSING, 60);
    await insertImported(MISSING);
    await sql`ALTER TABLE issuances ENABLE TRIGGER issuances_reference_what_exists`.execute(db());
    const { rows } = await sql<{ id: number }>`
      SELECT id FROM issuances WHERE reissue_of_bundle_id = ${MISSING} OR imported_issuance_id = ${MISSING}
      ORDER BY reissue_of_bundle_id NULLS LAST`.execute(db());
    expect((await checkRegistry(db())).filter((v) => v.rule === rule)).toEqual([
      { rule, detail: `issuance ${rows[0]!.id} re-issues bundle ${MISSING}, which does not exist` },
      { rule, detail: `issuance ${rows[1]!.id} names imported issuance ${MISSING}, which does not exist` },
    ]);
  });
});
