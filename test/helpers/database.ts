// A fresh database for each test file: an in-memory PGlite by default, or a new database on the
// PostgreSQL server named by TEST_DATABASE_URL, dropped again when the file is done.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import pg from 'pg';
import { memoryImage, openDatabase, type Database } from '../../src/platform/database.ts';
import { listMigrations, migrate } from '../../src/platform/migrations.ts';

const MODULES = join(import.meta.dirname, '..', '..', 'node_modules');
const IMAGES = join(MODULES, '.cache', 'tally-test-pglite');
const PGLITE_VERSION: string = JSON.parse(
  readFileSync(join(MODULES, '@electric-sql', 'pglite', 'package.json'), 'utf8'),
).version;

export interface TestDatabase {
  database: Database;
  url: string | undefined;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A database name on the TEST_DATABASE_URL server that does not exist yet: `create` makes it, `drop`
 * removes it if it was made.
 */
export function serverDatabaseToBe(serverUrl: string): { url: string; create(): Promise<void>; drop(): Promise<void> } {
  const name = `tally_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    create: () => onServer(serverUrl, `CREATE DATABASE ${name}`),
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** An empty database on the TEST_DATABASE_URL server, for code that opens it by URL itself. */
export async function emptyServerDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const db = serverDatabaseToBe(serverUrl);
  await db.create();
  return db;
}

/**
 * A migrated PGlite's image, made once for these migrations and this PGlite and kept under
 * node_modules/.cache: a test file then opens its database in about half a second instead of
 * the four that creating and migrating one takes. Workers racing to make it each write their own
 * file and rename it into place, so none reads half an image.
 */
async function migratedImage(): Promise<Blob> {
  const digest = createHash('sha256').update(PGLITE_VERSION);
  for (const m of listMigrations()) digest.update(`${m.name}\n${m.checksum}\n`);
  const file = join(IMAGES, `migrated-${digest.digest('hex').slice(0, 16)}.tar`);
  const kept = await readFile(file).catch(() => undefined);
  if (kept) return new Blob([kept]);
  const image = await memoryImage(async (database) => {
    await migrate(database);
  });
  await mkdir(IMAGES, { recursive: true });
  // Images of older migrations go (and what was being written of them); this one, and another
  // worker's copy of it still being written aside, stay. Each is renamed into place whole.
  const current = basename(file);
  for (const old of await readdir(IMAGES)) if (!old.startsWith(current)) await rm(join(IMAGES, old), { force: true });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(aside, Buffer.from(await image.arrayBuffer()));
  await rename(aside, file);
  return image;
}

/** A new database on the TEST_DATABASE_URL server, opened (with itself as its read-only replica, if asked). */
async function serverDatabase(serverUrl: string, opts: { replica: boolean }): Promise<TestDatabase> {
  const empty = await emptyServerDatabase(serverUrl);
  const database = await openDatabase({ url: empty.url, readUrl: opts.replica ? empty.url : undefined });
  return {
    database,
    url: empty.url,
    async drop() {
      await database.close();
      await empty.drop();
    },
  };
}

/** A database without any migration applied: in-memory PGlite, or a new one on TEST_DATABASE_URL's server. */
export async function emptyDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) return serverDatabase(serverUrl, { replica: false });
  const database = await openDatabase({});
  return { database, url: undefined, drop: () => database.close() };
}

export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const database = await openDatabase({ image: await migratedImage() });
    // Applies nothing on a current image; still checks every migration's checksum as a new database would.
    await migrate(database);
    return { database, url: undefined, drop: () => database.close() };
  }
  // The database is its own "replica", whose sessions refuse to write: every route that declares it
  // only reads is driven there by the whole suite, and one that writes fails its tests.
  const t = await serverDatabase(serverUrl, { replica: true });
  await migrate(t.database);
  return t;
}
