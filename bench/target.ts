// The database a benchmark run owns: a fresh database on the PostgreSQL server named by
// DATABASE_URL (dropped afterwards; the named database itself is never touched), or a PGlite in a
// temporary directory. Besides Tally's own handle it offers the one thing Tally's `Database` does
// not: a bulk COPY, the baseline issuance is measured against.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openDatabase, type Database } from '../src/platform/database.ts';
import { migrate } from '../src/platform/migrations.ts';

export interface BenchTarget {
  database: Database;
  /** What the run measured on, for the report. */
  description: string;
  /** Loads CSV rows into `table (columns)` with one COPY. */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
  /** Closes every connection and deletes the database. */
  drop(): Promise<void>;
}

const copySql = (table: string, columns: readonly string[], source: string) => `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv)`;

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

async function postgresTarget(serverUrl: string): Promise<BenchTarget> {
  const name = `tally_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const { server_version: version } = await withClient(serverUrl, async (c) => {
    await c.query(`CREATE DATABASE ${name}`);
    return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!;
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  // COPY FROM STDIN needs a connection of its own, outside Tally's pool.
  const copier = new pg.Client({ connectionString: url.toString() });
  await copier.connect();
  return {
    database,
    description: `PostgreSQL ${version} at ${url.host}, throwaway database ${name}`,
    async copyCsv(table, columns, csv) {
      await pipeline(Readable.from([csv]), copier.query(copyFrom(copySql(table, columns, 'STDIN'))));
    },
    async drop() {
      await copier.end();
      await database.close();
      await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Opens PGlite through Tally's own openDatabase, so the run exercises the same session pool the
 * server uses, and keeps the PGlite instance it creates: only that instance takes a COPY's data
 * as a `blob`. The PGlite class is wrapped for the duration of that one call.
 */
async function openPGliteKeepingHandle(dataDir: string): Promise<{ database: Database; pglite: PGlite }> {
  const create = PGlite.create;
  let pglite: PGlite | undefined;
  PGlite.create = (async (dataDir?: string, options?: PGliteOptions) => (pglite = await (Reflect.apply(create, PGlite, [dataDir, options]) as Promise<PGlite>))) as typeof create;
  try {
    const database = await openDatabase({ dataDir });
    if (!pglite) throw new Error('openDatabase did not create a PGlite instance');
    return { database, pglite };
  } finally {
    PGlite.create = create;
  }
}

async function pgliteTarget(): Promise<BenchTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'tally-bench-'));
  const { database, pglite } = await openPGliteKeepingHandle(dir);
  const { rows } = await pglite.query<{ server_version: string }>('SHOW server_version');
  return {
    database,
    description: `PGlite ${rows[0]!.server_version} (WebAssembly, in process) in ${dir}`,
    // The benchmarks copy only while nothing else uses the session, so bypassing Tally's session pool here is safe.
    async copyCsv(table, columns, csv) {
      await pglite.query(copySql(table, columns, `'/dev/blob'`), [], { blob: new Blob([csv]) });
    },
    async drop() {
      await database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
