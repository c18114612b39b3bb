// The database a benchmark run owns: a fresh database on the PostgreSQL server named by
// DATABASE_URL (dropped afterwards; the named database itself is never touched), or a PGlite in a
// temporary directory.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database } from '../src/platform/database.ts';
import { migrate } from '../src/platform/migrations.ts';

export interface BenchTarget {
  database: Database;
  /** The database's URL, for processes of their own; undefined for the in-process PGlite. */
  url: string | undefined;
  /** What the run measured on, for the report. */
  description: string;
  /** Closes every connection and deletes the database. */
  drop(): Promise<void>;
}

export async function openTarget(serverUrl: string | undefined): Promise<BenchTarget> {
  const target = serverUrl ? await postgresTarget(serverUrl) : await pgliteTarget();
  await migrate(target.database);
  return target;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the PostgreSQL server of `serverUrl`, for one run; `drop` deletes it. */
export async function throwawayDatabase(
  serverUrl: string,
): Promise<{ url: string; name: string; version: string; drop(): Promise<void> }> {
  const name = `tally_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const { server_version: version } = await withClient(serverUrl, async (c) => {
    await c.query(`CREATE DATABASE ${name}`);
    return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!;
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    version,
    drop: () => withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

async function postgresTarget(serverUrl: string): Promise<BenchTarget> {
  const created = await throwawayDatabase(serverUrl);
  const database = await openDatabase({ url: created.url });
  return {
    database,
    url: created.url,
    description: `PostgreSQL ${created.version} at ${new URL(created.url).host}, throwaway database ${created.name}`,
    async drop() {
      await database.close();
      await created.drop();
    },
  };
}

async function pgliteTarget(): Promise<BenchTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'tally-bench-'));
  const database = await openDatabase({ dataDir: dir });
  const { rows } = await sql<{ server_version: string }>`SHOW server_version`.execute(database.kysely);
  return {
    database,
    url: undefined,
    description: `PGlite ${rows[0]!.server_version} (WebAssembly, in process) in ${dir}`,
    async drop() {
      await database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
