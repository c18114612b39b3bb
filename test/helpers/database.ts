// A fresh database for each test file: an in-memory PGlite by default, or a new database on the
// PostgreSQL server named by TEST_DATABASE_URL, dropped again when the file is done.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/database.ts';
import { migrate } from '../../src/platform/migrations.ts';

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

export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const database = await openDatabase({});
    await migrate(database);
    return { database, url: undefined, drop: () => database.close() };
  }
  const empty = await emptyServerDatabase(serverUrl);
  // The database is its own "replica", whose sessions refuse to write: every route that declares it
  // only reads is driven there by the whole suite, and one that writes fails its tests.
  const database = await openDatabase({ url: empty.url, readUrl: empty.url });
  await migrate(database);
  return {
    database,
    url: empty.url,
    async drop() {
      await database.close();
      await empty.drop();
    },
  };
}
