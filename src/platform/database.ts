// One database interface over two engines: PGlite (PostgreSQL compiled to WebAssembly, in-process)
// for a newcomer's machine and the default test run, node-postgres for a real server. Both speak
// the same SQL, so modules never know which one they run on.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Kysely, PostgresDialect } from 'kysely';

/** A query builder or an open transaction; each module narrows it to the tables it owns. */
export type Db = Kysely<any>;

export interface Database {
  /** Typed query builder; every module narrows it to the tables it owns. */
  readonly kysely: Kysely<any>;
  readonly engine: 'pglite' | 'postgres';
  /**
   * Bulk-loads CSV rows into `table (columns)` with one COPY: COPY FROM STDIN on a server, the
   * COPY blob on PGlite. For imports that must go faster than INSERT.
   */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
  /**
   * Runs SQL text that may hold several statements (migrations); no parameters. If the text
   * opened a transaction and failed inside it, that transaction is rolled back before the
   * session is reused.
   */
  exec(sqlText: string): Promise<void>;
  /**
   * A connection of its own, outside the pool, for state that must last exactly as long as this
   * process's link to the server (session advisory locks). Absent on PGlite, where this process
   * is the server.
   */
  openSession?: () => Promise<Session>;
  close(): Promise<void>;
}

/** One server connection; `onEnd` runs once when it ends for any reason (closed, terminated, network). */
export interface Session {
  query(sqlText: string, params: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  onEnd(listener: () => void): void;
  end(): Promise<void>;
}

const INT8 = 20;
const INT8_ARRAY = 1016;
const TIMESTAMPTZ = 1184;

interface PgStyleResult { command: string; rowCount: number; rows: Record<string, unknown>[] }

/** Energy (Wh) and ids are int8 in the database and plain numbers in TypeScript; refuse silently losing precision. */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} exceeds the safe integer range`);
  return n;
}

const copySql = (table: string, columns: readonly string[], source: string) => `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv)`;

/**
 * Sessions run in UTC, so timestamps arrive as `2025-06-01 10:00:00+00` (optionally with a
 * fraction): rewritten to ISO 8601, V8 parses that far faster than the general parser, which
 * matters when a page carries thousands of timestamps. Anything else takes the general path.
 */
const UTC_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/;
function parseTimestamptz(text: string): Date {
  if (UTC_TIMESTAMP.test(text)) return new Date(`${text.slice(0, 10)}T${text.slice(11, -3)}Z`);
  return pg.types.getTypeParser(TIMESTAMPTZ, 'text')(text) as Date;
}

export async function openDatabase(opts: { url?: string | undefined; dataDir?: string | undefined }): Promise<Database> {
  return opts.url ? openPostgres(opts.url) : openPGlite(opts.dataDir);
}

function openPostgres(url: string): Database {
  const parseInt8Array = (text: string) => (pg.types.getTypeParser(INT8_ARRAY as Parameters<typeof pg.types.getTypeParser>[0], 'text')(text) as string[]).map(parseInt8);
  const parsers: Record<number, (text: string) => unknown> = { [INT8]: parseInt8, [INT8_ARRAY]: parseInt8Array, [TIMESTAMPTZ]: parseTimestamptz };
  const settings = {
    connectionString: url,
    // UTC sessions: interval arithmetic on timestamps never meets a daylight-saving shift.
    options: '-c TimeZone=UTC',
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser },
  };
  const pool = new pg.Pool({ ...settings, max: 20 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return {
    kysely: new Kysely<any>({ dialect: new PostgresDialect({ pool }) }),
    engine: 'postgres',
    copyCsv: async (table, columns, csv) => {
      const client = await pool.connect();
      try {
        await pipeline(Readable.from([csv]), client.query(copyFrom(copySql(table, columns, 'STDIN'))));
      } finally {
        client.release();
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
        onEnd: (listener) => { client.once('end', listener); },
        end: () => client.end(),
      };
    },
    close: async () => { await pool.end(); },
  };
}

/** `dataDir` undefined means in memory (tests); otherwise the cluster persists there. */
async function openPGlite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir ?? 'memory://', {
    parsers: { [INT8]: parseInt8 },
  });
  const pool = new PGlitePool(pglite);
  return {
    kysely: new Kysely<any>({ dialect: new PostgresDialect({ pool: pool as never }) }),
    engine: 'pglite',
    copyCsv: (table, columns, csv) => pool.withSession(async () => {
      await pglite.query(copySql(table, columns, `'/dev/blob'`), [], { blob: new Blob([csv]) });
    }),
    exec: (sqlText) => pool.withSession(async () => {
      try {
        await pglite.exec(sqlText);
      } catch (err) {
        await pglite.exec('ROLLBACK');
        throw err;
      }
    }),
    close: async () => { await pglite.close(); },
  };
}

/**
 * PGlite is one PostgreSQL session. This pool hands it to one borrower at a time, so a
 * transaction holds the session from BEGIN to COMMIT and no other query slips in between;
 * everyone else waits in arrival order.
 */
class PGlitePool {
  #tail: Promise<void> = Promise.resolve();
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async withSession<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.#acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** A pg-style client for Kysely's PostgresDialect: `query` answers like node-postgres does. */
  async connect(): Promise<{ query(sqlText: string, params: readonly unknown[]): Promise<PgStyleResult>; release(): void }> {
    const release = await this.#acquire();
    const pglite = this.#pglite;
    return {
      async query(sqlText, params) {
        const result = await pglite.query<Record<string, unknown>>(sqlText, params as unknown[], { rowMode: 'object' });
        // Kysely reports affected rows only for INSERT, UPDATE, DELETE and MERGE, keyed on the command.
        const command = /^\s*(\w+)/.exec(sqlText)?.[1]?.toUpperCase() ?? '';
        return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
      },
      release,
    };
  }

  async end(): Promise<void> {}

  #acquire(): Promise<() => void> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => { release = resolve; });
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => turn);
    return ready;
  }
}
