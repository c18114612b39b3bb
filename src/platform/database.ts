// One database interface over two engines: PGlite (PostgreSQL compiled to WebAssembly, in-process)
// for a newcomer's machine and the default test run, node-postgres for a real server. Both speak
// the same SQL, so modules never know which one they run on.
import { PGlite } from '@electric-sql/pglite';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { type Dialect, PostgresDialect, PostgresDriver } from 'kysely';
import { openEmbedded, type DirectoryUse } from './embedded-database.ts';
import { SessionPool, sessionDatabase } from './session-pool.ts';
import { parseLogPosition, readingOnReplica, ReadRoutingDriver, type LogPosition, type Replica } from './replica.ts';
import { querySpans, traceable } from './query-spans.ts';
import { pipelinedBegin } from './pipelined-begin.ts';
import { withDriver } from './dialect.ts';
import { withLiterals } from './sql-literals.ts';

export type { Database, Db, PoolStats, Session } from './database-interface.ts';
import type { Database } from './database-interface.ts';

const INT8 = 20;
const INT8_ARRAY = 1016;
const TIMESTAMPTZ = 1184;

/** Energy (Wh) and ids are int8 in the database and plain numbers in TypeScript; refuse silently losing precision. */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} exceeds the safe integer range`);
  return n;
}

const copySql = (table: string, columns: readonly string[], source: string) =>
  `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv)`;

/**
 * How many digits of fraction a timestamp as a UTC session writes it has, `2025-06-01 10:00:00+00`
 * with up to six (0 when there is none), or -1 for any other text (another offset, a year past
 * 9999, BC), which the general parser reads. Checked by position, on the character codes `code`
 * reads from `source` (a string, or the bytes COPY sent: json-text.ts), `length` of them from
 * `offset`: PostgreSQL writes digits wherever this expects them. Every reader of the database's
 * timestamps goes by it.
 */
export function utcFractionDigits<S>(
  source: S,
  offset: number,
  length: number,
  code: (source: S, at: number) => number | undefined,
): number {
  if (
    length < 22 ||
    length > 29 ||
    code(source, offset + 4) !== 45 || // -
    code(source, offset + 10) !== 32 || // space
    code(source, offset + length - 3) !== 43 || // +
    code(source, offset + length - 2) !== 48 || // 0
    code(source, offset + length - 1) !== 48
  )
    return -1;
  if (length === 22) return 0;
  return code(source, offset + 19) === 46 ? length - 23 : -1; // . before a fraction
}

const charCode = (text: string, at: number) => text.charCodeAt(at);

/** The fraction's digits ('' when there are none) of a timestamp as `utcFractionDigits` reads it; undefined for any other text. */
export function utcFraction(text: string): string | undefined {
  const digits = utcFractionDigits(text, 0, text.length, charCode);
  return digits < 0 ? undefined : text.slice(20, 20 + digits);
}

/**
 * Sessions run in UTC, so timestamps arrive as `utcFraction` reads them: read by position into
 * Date.UTC, 1.7 × as fast as rewriting them to ISO 8601 for V8's parser and far faster than the
 * general one, which matters when a page carries thousands of timestamps. The fraction is cut to
 * whole milliseconds, as a Date holds them.
 */
const twoDigits = (text: string, at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
export function parseTimestamptz(text: string): Date {
  const fraction = utcFraction(text);
  if (fraction === undefined) return pg.types.getTypeParser(TIMESTAMPTZ, 'text')(text) as Date;
  const ms = Number(`${fraction}000`.slice(0, 3));
  const [year, month, day] = [twoDigits(text, 0) * 100 + twoDigits(text, 2), twoDigits(text, 5), twoDigits(text, 8)];
  const utc = Date.UTC(year, month - 1, day, twoDigits(text, 11), twoDigits(text, 14), twoDigits(text, 17), ms);
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear puts such a year back.
  return year < 100 ? new Date(new Date(utc).setUTCFullYear(year)) : new Date(utc);
}

/**
 * A PostgreSQL server when `url` is set (with `readUrl`, a replica for read-only work); else PGlite
 * under `dataDir`, reached through the process that holds that directory if another does (`use`
 * says how); else PGlite in memory (tests), starting from `image` when given (see memoryImage).
 */
export async function openDatabase(opts: {
  url?: string | undefined;
  readUrl?: string | undefined;
  dataDir?: string | undefined;
  use?: DirectoryUse;
  image?: Blob | undefined;
}): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.readUrl);
  if (opts.dataDir) return openEmbedded(opts.dataDir, openPGlite, opts.use ?? { owner: 'tally', exclusive: false });
  const memory = await openPGlite('memory://', opts.image);
  return sessionDatabase(memory.pool, memory.close);
}

/**
 * An image of an in-memory PGlite's data directory after `prepare` ran on it. Opening PGlite from
 * an image takes a fraction of a second where creating one (initdb) takes seconds: the test suite
 * opens its many databases from one migrated image.
 */
export async function memoryImage(prepare: (database: Database) => Promise<void>): Promise<Blob> {
  const memory = await openPGlite('memory://');
  const database = sessionDatabase(memory.pool, memory.close);
  try {
    await prepare(database);
    return await memory.image();
  } finally {
    await database.close();
  }
}

const parseAnyInt8Array = pg.types.getTypeParser(INT8_ARRAY as Parameters<typeof pg.types.getTypeParser>[0], 'text');

/**
 * An int8[] as numbers, NULL as null. A one-dimensional one from 1 (what Tally's queries build:
 * `{1,NULL,3}`) is split at its commas, since int8 text has neither quotes nor commas; the driver's
 * general array parser, char by char, was most of the time a community day spent reading its
 * meters' arrays. Anything else (nested, other bounds) takes the general parser.
 */
export function parseInt8Array(text: string): Array<number | null> {
  if (text.charCodeAt(0) !== 123 || text.charCodeAt(1) === 123) {
    const elements = parseAnyInt8Array(text) as Array<string | null>;
    return elements.map((e) => (e === null ? null : parseInt8(e)));
  }
  if (text.length === 2) return [];
  const elements = text.slice(1, -1).split(',');
  const numbers = new Array<number | null>(elements.length);
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    numbers[i] = e === 'NULL' ? null : parseInt8(e);
  }
  return numbers;
}

function openPostgres(url: string, readUrl: string | undefined): Database {
  const parsers: Record<number, (text: string) => unknown> = {
    [INT8]: parseInt8,
    [INT8_ARRAY]: parseInt8Array,
    [TIMESTAMPTZ]: parseTimestamptz,
  };
  const settings = {
    connectionString: url,
    // UTC sessions: interval arithmetic on timestamps never meets a daylight-saving shift.
    options: '-c TimeZone=UTC',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  };
  const pool = poolOf(settings);
  // The replica's sessions refuse to write even where the server would not (a replica URL that
  // names the primary): work routed there that writes fails loudly instead of writing.
  const readerPool = readUrl
    ? poolOf({
        ...settings,
        connectionString: readUrl,
        options: `${settings.options} -c default_transaction_read_only=on`,
        // A replica that does not answer sends reads to the primary (replica-reads.ts) rather than holding them.
        connectionTimeoutMillis: 2000,
      })
    : undefined;
  const postgres = new PostgresDialect({ pool: pipelinedBegin(pool), ...querySpans() });
  const dialect: Dialect = readerPool
    ? withDriver(
        postgres,
        () =>
          new ReadRoutingDriver(
            postgres.createDriver(),
            new PostgresDriver({ pool: pipelinedBegin(readerPool), ...querySpans() }),
          ),
      )
    : postgres;
  return traceable(dialect, (kysely) => ({
    kysely,
    engine: 'postgres',
    ...(readerPool && { replica: replicaOf(pool, readerPool) }),
    copyCsv: async (table, columns, csv) => {
      const client = await pool.connect();
      try {
        await pipeline(Readable.from([csv]), client.query(copyFrom(copySql(table, columns, 'STDIN'))));
      } finally {
        client.release();
      }
    },
    copyOut: async (query, received) => {
      const copy = `COPY (${withLiterals(query)}) TO STDOUT`;
      const client = await (readerPool && readingOnReplica() ? readerPool : pool).connect();
      let failure: unknown;
      try {
        const rows = client.query(copyTo(copy));
        rows.on('data', (chunk: Buffer) => {
          // A reader's failure fails this call, as the server's does, rather than the process.
          try {
            received(chunk);
          } catch (err) {
            rows.destroy(err instanceof Error ? err : new Error(String(err)));
          }
        });
        await finished(rows);
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        // A COPY stopped part-way may leave its connection mid-answer: it is not lent again.
        client.release(failure !== undefined);
      }
    },
    exec: async (sqlText) => {
      const client = await pool.connect();
      try {
        await client.query(sqlText);
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    openSession: async () => {
      const client = new pg.Client(settings);
      // A lost connection is reported through onEnd, never as an uncaught error.
      client.on('error', () => {});
      await client.connect();
      return {
        query: (sqlText, params) => client.query(sqlText, params as unknown[]),
        onEnd: (listener) => {
          client.once('end', listener);
        },
        end: () => client.end(),
      };
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: async () => {
      await Promise.all([pool.end(), readerPool?.end()]);
    },
  }));
}

function poolOf(settings: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool({ ...settings, max: 20 });
  // A client losing its server must not crash the process. Idle, the pool drops it and the next
  // query reconnects; checked out (the pool then listens no more), its query fails and its caller
  // answers for it, while the 'error' event itself would otherwise be uncaught.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

/** One `pg_lsn` (or null) read as text by `query`; anything else is an error, never "current". */
async function logPosition(pool: pg.Pool, query: string): Promise<LogPosition | null> {
  const text = (await pool.query<{ lsn: string | null }>(query)).rows[0]?.lsn ?? null;
  if (text === null) return null;
  const position = parseLogPosition(text);
  if (position === undefined) throw new Error(`not a log position: ${text}`);
  return position;
}

function replicaOf(primary: pg.Pool, reader: pg.Pool): Replica {
  return {
    primaryPosition: async () => (await logPosition(primary, 'SELECT pg_current_wal_insert_lsn()::text AS lsn')) ?? 0n,
    replayed: () => logPosition(reader, 'SELECT pg_last_wal_replay_lsn()::text AS lsn'),
  };
}

/** PGlite in this process; `where` is a directory or `memory://`, started from `image` when given. */
async function openPGlite(
  where: string,
  image?: Blob,
): Promise<{ pool: SessionPool; close(): Promise<void>; image(): Promise<Blob> }> {
  const pglite = await PGlite.create(where, {
    // PGlite's own timestamp parser reads the years 1–99 as 1901–1999; Tally's reads them as written.
    parsers: { [INT8]: parseInt8, [INT8_ARRAY]: parseInt8Array, [TIMESTAMPTZ]: parseTimestamptz },
    ...(image ? { loadDataDir: image } : {}),
  });
  const pool = new SessionPool({
    async query(sqlText, params) {
      const result = await pglite.query<Record<string, unknown>>(sqlText, params as unknown[], { rowMode: 'object' });
      // Kysely reports affected rows only for INSERT, UPDATE, DELETE and MERGE, keyed on the command.
      const command = /^\s*(\w+)/.exec(sqlText)?.[1]?.toUpperCase() ?? '';
      return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
    },
    async exec(sqlText) {
      try {
        await pglite.exec(sqlText);
      } catch (err) {
        await pglite.exec('ROLLBACK');
        throw err;
      }
    },
    async copyCsv(table, columns, csv) {
      await pglite.query(copySql(table, columns, `'/dev/blob'`), [], { blob: new Blob([csv]) });
    },
  });
  return { pool, close: () => pglite.close(), image: () => pglite.dumpDataDir('none') };
}
